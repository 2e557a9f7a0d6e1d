"""Spot prices from ENTSO-E A44 documents and CSV files (issue 26)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.models import AuditEntry, SpotPrice
from app.services.caller import CLI_CALLER
from app.services.consumption import prices
from app.services.consumption.prices import PriceFileError, import_spot_prices

NS = "urn:iec62325.351:tc57wg16:451-3:publicationdocument:7:3"


def _epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


def _a44(
    start: str,
    end: str,
    resolution: str,
    amounts: list[str | None],
    *,
    eic: str = "10YNO-1--------2",
    curve: str = "A01",
    currency: str = "EUR",
) -> bytes:
    points = "".join(
        f"<Point><position>{i}</position><price.amount>{amount}</price.amount></Point>"
        for i, amount in enumerate(amounts, start=1)
        if amount is not None
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Publication_MarketDocument xmlns="{NS}">
  <mRID>abc</mRID><revisionNumber>1</revisionNumber><type>A44</type>
  <period.timeInterval><start>{start}</start><end>{end}</end></period.timeInterval>
  <TimeSeries>
    <mRID>1</mRID><businessType>A62</businessType>
    <in_Domain.mRID codingScheme="A01">{eic}</in_Domain.mRID>
    <out_Domain.mRID codingScheme="A01">{eic}</out_Domain.mRID>
    <currency_Unit.name>{currency}</currency_Unit.name>
    <price_Measure_Unit.name>MWH</price_Measure_Unit.name>
    <curveType>{curve}</curveType>
    <Period>
      <timeInterval><start>{start}</start><end>{end}</end></timeInterval>
      <resolution>{resolution}</resolution>
      {points}
    </Period>
  </TimeSeries>
</Publication_MarketDocument>""".encode()


def _stored(db: Session, zone: str) -> dict[int, Decimal]:
    return {
        row.hour_start: Decimal(row.kr_per_kwh)
        for row in db.exec(select(SpotPrice).where(SpotPrice.zone == zone)).all()
    }


def test_an_hourly_a44_day_of_23_hours_gives_23_prices_in_kr_per_kwh(db: Session, tmp_path: Path):
    # 30 March 2025: Oslo's clocks go from 02:00 to 03:00; the day is 23 hours, in UTC 23:00Z-22:00Z.
    amounts = [f"{40 + hour}.25" for hour in range(23)]
    path = tmp_path / "a44.xml"
    path.write_bytes(_a44("2025-03-29T23:00Z", "2025-03-30T22:00Z", "PT60M", amounts))
    report = import_spot_prices(db, CLI_CALLER, path, eur_nok=Decimal("11.5"))
    db.commit()
    assert report.errors == [] and report.new == 23
    stored = _stored(db, "NO1")
    assert len(stored) == 23
    # 40.25 EUR/MWh x 11.5 NOK/EUR / 1000 = 0.462875 -> 0.46288 kr/kWh (half up).
    assert stored[_epoch("2025-03-30T00:00+01:00")] == Decimal("0.46288")
    # Local 03:00 summer time is the third hour of the day (02:00 does not exist).
    assert stored[_epoch("2025-03-30T03:00+02:00")] == Decimal("0.48588")  # 42.25 x 11.5 / 1000 = 0.485875


def test_a_quarter_hourly_day_of_25_hours_makes_each_hour_the_mean_of_its_quarters(db: Session, tmp_path):
    # 26 October 2025: 25 hours, 100 quarters; the hour 02:00+02:00 (00:00Z) is the 9th to 12th.
    amounts = ["50.00"] * 100
    amounts[8:12] = ["40.00", "41.00", "42.00", "43.01"]
    path = tmp_path / "quarters.xml"
    path.write_bytes(_a44("2025-10-25T22:00Z", "2025-10-26T23:00Z", "PT15M", amounts, eic="10Y1001A1001A48H"))
    report = import_spot_prices(db, CLI_CALLER, path, eur_nok=Decimal("11.7"))
    db.commit()
    stored = _stored(db, "NO5")
    assert report.errors == [] and len(stored) == 25
    # (40 + 41 + 42 + 43.01) / 4 = 41.5025 EUR/MWh x 11.7 / 1000 = 0.48557925 -> 0.48558 kr/kWh.
    assert stored[_epoch("2025-10-26T00:00+00:00")] == Decimal("0.48558")
    # Both 02:00 local hours are there: 02:00+02:00 and 02:00+01:00.
    assert _epoch("2025-10-26T02:00+01:00") in stored


def test_a03_curves_repeat_the_point_before_an_omitted_one(db: Session, tmp_path: Path):
    amounts: list[str | None] = ["10", None, None, "20"] + ["30"] * 20
    path = tmp_path / "a03.xml"
    path.write_bytes(_a44("2025-01-14T23:00Z", "2025-01-15T23:00Z", "PT60M", amounts, curve="A03"))
    import_spot_prices(db, CLI_CALLER, path, eur_nok=Decimal("10"))
    db.commit()
    stored = _stored(db, "NO1")
    assert [stored[_epoch("2025-01-14T23:00Z".replace("Z", "+00:00")) + h * 3600] for h in range(4)] == [
        Decimal("0.10000"),
        Decimal("0.10000"),
        Decimal("0.10000"),
        Decimal("0.20000"),
    ]


def test_an_hour_missing_a_quarter_is_refused_and_nothing_of_the_file_written(db: Session, tmp_path: Path):
    amounts: list[str | None] = ["50"] * 96
    amounts[5] = None
    path = tmp_path / "gap.xml"
    path.write_bytes(_a44("2025-11-11T23:00Z", "2025-11-12T23:00Z", "PT15M", amounts))
    report = import_spot_prices(db, CLI_CALLER, path, eur_nok=Decimal("11"))
    db.commit()
    assert [what for _where, what in report.errors] == [
        "NO1 2025-11-12 00:00 UTC: 3 of 4 quarters, the hour needs 4"
    ]
    assert _stored(db, "NO1") == {} and not report.written
    refused = db.exec(select(AuditEntry).where(AuditEntry.action == "prices.import_refused")).one()
    assert refused.outcome == "refused"
    skipped = import_spot_prices(db, CLI_CALLER, path, eur_nok=Decimal("11"), skip_invalid=True)
    db.commit()
    # The gap stays a gap: 23 hours stored, no price invented for the hour without its quarters.
    assert skipped.new == 23 and _epoch("2025-11-12T00:00+00:00") not in _stored(db, "NO1")


CSV = """zone,start,end,price,currency,unit,eur_nok
NO2,2025-01-15T00:00+01:00,2025-01-15T01:00+01:00,0.61234,NOK,kWh,
NO2,2025-01-15T01:00+01:00,2025-01-15T02:00+01:00,55.10,EUR,MWh,11.62
"""


def test_a_csv_is_idempotent_and_a_corrected_price_replaces_the_old(db: Session, tmp_path: Path):
    path = tmp_path / "prices.csv"
    path.write_text(CSV)
    first = import_spot_prices(db, CLI_CALLER, path)
    db.commit()
    assert (first.new, first.changed, first.unchanged) == (2, 0, 0)
    # 55.10 x 11.62 / 1000 = 0.640262 -> 0.64026.
    assert _stored(db, "NO2") == {
        _epoch("2025-01-15T00:00+01:00"): Decimal("0.61234"),
        _epoch("2025-01-15T01:00+01:00"): Decimal("0.64026"),
    }
    again = import_spot_prices(db, CLI_CALLER, path)
    db.commit()
    assert (again.new, again.changed, again.unchanged) == (0, 0, 2)
    path.write_text(CSV.replace("0.61234", "0.61300"))
    corrected = import_spot_prices(db, CLI_CALLER, path)
    db.commit()
    assert (corrected.new, corrected.changed, corrected.unchanged) == (0, 1, 1)
    assert _stored(db, "NO2")[_epoch("2025-01-15T00:00+01:00")] == Decimal("0.61300")


def test_every_wrong_csv_line_is_named(tmp_path: Path, db: Session):
    path = tmp_path / "bad.csv"
    path.write_text(
        "zone,start,end,price,currency,unit\n"
        "NO9,2025-01-15T00:00Z,2025-01-15T01:00Z,1,NOK,kWh\n"
        "NO1,2025-01-15 00:00,2025-01-15 01:00,1,NOK,kWh\n"
        "NO1,2025-01-15T00:00Z,2025-01-15T00:30Z,1,NOK,kWh\n"
        "NO1,2025-01-15T00:00Z,2025-01-15T01:00Z,abc,NOK,kWh\n"
        "NO1,2025-01-15T00:00Z,2025-01-15T01:00Z,1,USD,MWh\n"
        "NO1,2025-01-15T02:00Z,2025-01-15T03:00Z,50,EUR,MWh\n"
        "NO1,2025-01-15T03:00Z,2025-01-15T04:00Z,0.5,NOK,kWh\n"
    )
    report = import_spot_prices(db, CLI_CALLER, path)
    assert [where for where, _what in report.errors] == [f"line {n}" for n in range(2, 8)]
    assert "no exchange rate" in report.errors[-1][1]
    assert not report.written and _stored(db, "NO1") == {}


def test_a_rate_file_gives_each_day_its_banking_days_rate(tmp_path: Path):
    rates = prices.parse_rate_file("date,eur_nok\n2025-01-10,11.70\n2025-01-13,11.80\n")
    points, errors = prices.parse_price_csv(
        "zone,start,end,price,currency,unit\n"
        "NO1,2025-01-11T12:00+01:00,2025-01-11T13:00+01:00,100,EUR,MWh\n"  # Saturday: Friday's rate
        "NO1,2025-01-13T12:00+01:00,2025-01-13T13:00+01:00,100,EUR,MWh\n"
    )
    hours, hour_errors = prices.hourly_prices(points, rates=rates)
    assert errors == hour_errors == []
    assert sorted(hours.values()) == [Decimal("1.17000"), Decimal("1.18000")]


def test_xml_with_entities_or_of_another_kind_is_refused(tmp_path: Path, db: Session):
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><Publication_MarketDocument>&a;'
        "</Publication_MarketDocument>"
    )
    with pytest.raises(PriceFileError):
        import_spot_prices(db, CLI_CALLER, bomb)
    other = tmp_path / "ack.xml"
    other.write_text("<Acknowledgement_MarketDocument/>")
    with pytest.raises(PriceFileError):
        import_spot_prices(db, CLI_CALLER, other)


def test_spot_prices_reads_a_range_and_leaves_gaps_absent(db: Session):
    start = int(datetime(2025, 2, 1, tzinfo=UTC).timestamp())
    db.add(SpotPrice(zone="SE3", hour_start=start, kr_per_kwh=Decimal("0.5")))
    db.add(SpotPrice(zone="SE3", hour_start=start + 7200, kr_per_kwh=Decimal("0.7")))
    db.commit()
    found = prices.spot_prices(db, "SE3", start, start + 3 * 3600)
    assert found == {start: Decimal("0.50000"), start + 7200: Decimal("0.70000")}
    assert prices.spot_prices(db, "", start, start + 3600) == {}
    assert (
        prices.day_range(date(2025, 3, 30), date(2025, 3, 31), prices.RATE_ZONE)[1]
        - prices.day_range(date(2025, 3, 30), date(2025, 3, 31), prices.RATE_ZONE)[0]
        == 23 * 3600
    )


def test_the_command_imports_a_file(app_database_url: str, tmp_path: Path, capsys):
    from app.prices.__main__ import main

    path = tmp_path / "cli.csv"
    path.write_text(
        "zone,start,end,price,currency,unit\nSE4,2031-01-01T00:00Z,2031-01-01T01:00Z,42,EUR,MWh\n"
    )
    assert main(["import", str(path), "--eur-nok", "11,5"]) == 0
    assert "1 hours (1 new, 0 changed, 0 unchanged)" in capsys.readouterr().out
    assert main(["import", str(path), "--eur-nok", "11.5"]) == 0
    assert "0 new, 0 changed, 1 unchanged" in capsys.readouterr().out
    assert main(["import", str(path)]) == 1
    assert "no exchange rate" in capsys.readouterr().err
