"""What the consumption page writes, in the caller's language: numbers, moments, table rows,
the capacity-tariff lines. Plain functions of typed data; the state decides what is shown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

from app.i18n import translate
from app.services.consumption.capacity_tariff import CapacityBasis
from app.services.consumption.local_time import local_zone
from app.services.customer.consumption.charts import Period

# kWh -> the shown energy unit (rounded), None for no value.
ToUnit = Callable[[float | None], float | None]


def format_number(value: float | None, decimals: int, language: str) -> str:
    """1 234,5 in Norwegian, 1,234.5 in English; empty for no value."""
    if value is None:
        return ""
    text = f"{value:,.{decimals}f}"
    if language == "en":
        return text
    return text.replace(",", "\u00a0").replace(".", ",")


class ShownRow(NamedTuple):
    """One row of the table under the chart, as data (kept in the tab's state: a named tuple
    pickles at a quarter of a dataclass's cost, and the state is saved after every event)."""

    key: str
    label: str
    energy_kwh: float | None
    power_mean_kw: float | None
    power_max_kw: float | None
    quality: str  # measured | estimated | partial | missing (also: no data at all)
    opens: bool = False  # a button that drills down into it

    @classmethod
    def of(cls, key: str, label: str, period: Period | None, opens: bool = False) -> ShownRow:
        if period is None:
            return cls(key, label, None, None, None, "missing", opens)
        return cls(
            key, label, period.energy_kwh, period.power_mean_kw, period.power_max_kw, period.quality, opens
        )


@dataclass(frozen=True)
class EnergyFormat:
    """Energy in the shown unit: MWh for heat months, else kWh (a heat day in MWh reads 0,02)."""

    unit: str
    decimals: int
    language: str

    def value(self, kwh: float | None) -> float | None:
        if kwh is None:
            return None
        return round(kwh / 1000, 4) if self.unit == "MWh" else round(kwh, 3)

    def text(self, kwh: float | None) -> str:
        return format_number(self.value(kwh), self.decimals, self.language)


@lru_cache(maxsize=8)
def _month_names(language: str) -> tuple[str, ...]:
    return tuple(translate("consumption.months", language).split(","))


@dataclass(frozen=True)
class Wording:
    language: str

    def text(self, key: str, **params: object) -> str:
        return translate(key, self.language, **params)

    def number(self, value: float | None, decimals: int) -> str:
        return format_number(value, decimals, self.language)

    def month_names(self) -> list[str]:
        return list(_month_names(self.language))

    def moment(self, epoch: int) -> str:
        moment = datetime.fromtimestamp(epoch, local_zone())
        month = _month_names(self.language)[moment.month - 1]
        return f"{moment.day}. {month} {moment.year} {moment:%H:%M}"

    def day_title(self, day: date) -> str:
        return f"{day.day}. {_month_names(self.language)[day.month - 1]} {day.year}"

    def quality(self, quality: str) -> str:
        return self.text(f"consumption.quality.{quality}")

    def table_rows(self, rows: list[ShownRow], energy: EnergyFormat) -> list[dict[str, str]]:
        """The table's texts of ``rows`` (a month holds 31: the lookups are made once)."""
        opens = self.text("consumption.open")
        qualities: dict[str, str] = {}
        texts = []
        for row in rows:
            value = energy.value(row.energy_kwh)
            mean, peak = row.power_mean_kw, row.power_max_kw
            if row.quality not in qualities:
                qualities[row.quality] = self.quality(row.quality)
            texts.append(
                {
                    "key": row.key,
                    "label": row.label,
                    "open": opens.format(period=row.label) if row.opens else "",
                    "energy": energy.text(row.energy_kwh),
                    # Exact values as data attributes of the cells.
                    "energy_value": "" if value is None else repr(value),
                    "mean": self.number(mean, 2),
                    "mean_value": "" if mean is None else repr(mean),
                    "max": self.number(peak, 2),
                    "max_value": "" if peak is None else repr(peak),
                    "quality": qualities[row.quality],
                    "quality_code": row.quality,
                }
            )
        return texts

    def capacity(self, basis: CapacityBasis | None) -> dict[str, str]:
        if basis is None:
            return {}
        if basis.basis_kw is None:
            return {"basis": self.text("consumption.capacity_none"), "step": "", "hours": ""}
        return {
            "basis": self.text("consumption.capacity_basis", basis=self.number(basis.basis_kw, 2)),
            "step": self.text("consumption.capacity_step", step=basis.step.label if basis.step else ""),
            "hours": " · ".join(
                f"{self.moment(at)} ({self.number(kwh, 2)} kWh)" for at, kwh in basis.top_hours
            ),
        }
