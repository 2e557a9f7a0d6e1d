"""Consumption charts on a phone: drill year -> month -> day and back, toggle power, and check
what is drawn against the data table and against the readings in the database."""

from __future__ import annotations

import calendar
import os
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from app import routes
from app.clock import local_now
from app.db import session_scope
from app.i18n import translate
from app.models import (
    Medium,
    Role,
)
from app.services.notify.sms import latest_sms_to
from app.states.customer.consumption import TAP_ECHO_SECONDS
from tests.e2e.conftest import choose_language, first_relationship, has_horizontal_overflow, sign_in
from tests.e2e.test_accessibility import blocking_violations
from tests.factories import new_customer

pytestmark = pytest.mark.e2e

OSLO = ZoneInfo("Europe/Oslo")
MONTHS = translate("consumption.months", "nb").split(",")


def t(key: str, **params) -> str:
    return translate(key, "nb", **params)


def _relationship(medium: str) -> tuple[int, int]:
    return first_relationship(medium)


def _sign_in(page: Page, relationship_id: int) -> None:
    sign_in(page, Role.CUSTOMER, relationship_id)


def _open(page: Page, base_url: str) -> None:
    page.goto(base_url + routes.CUSTOMER_CONSUMPTION)
    _wait_for_level(page, "year")


def _wait_for_level(page: Page, level: str, mode: str = "energy") -> None:
    chart = page.locator(f"#consumption-chart[data-level='{level}'][data-mode='{mode}']")
    expect(chart.locator(".js-plotly-plot .main-svg").first).to_be_visible()
    page.wait_for_function(
        """([level, mode]) => {
            const plot = document.querySelector('#consumption-chart .js-plotly-plot');
            if (!plot || !plot.data || !plot.data.length) return false;
            const bars = plot.data.some(t => t.type === 'bar');
            return mode === 'energy' ? bars : !bars;
        }""",
        arg=[level, mode],
    )


def _traces(page: Page) -> list[dict]:
    return page.evaluate(
        """() => document.querySelector('#consumption-chart .js-plotly-plot').data
              .map(t => ({name: t.name, type: t.type, x: t.x, y: t.y}))"""
    )


def _table(page: Page) -> list[dict]:
    return page.evaluate(
        """() => [...document.querySelectorAll('#consumption-table tbody tr[data-key]')].map(tr => {
            const row = {key: tr.dataset.key, label: tr.querySelector('th').innerText.trim()};
            for (const td of tr.querySelectorAll('td[data-column]')) {
                row[td.dataset.column] = td.dataset.value === '' ? null : Number(td.dataset.value);
            }
            const quality = tr.querySelector('td[data-quality]');
            row.quality = quality ? quality.dataset.quality : null;
            return row;
        })"""
    )


def _register_difference(meter_id: int, start: datetime, end: datetime) -> float:
    """What the database says was used in [start, end): register at end minus register at start."""
    with session_scope() as db:
        first, last = (
            db.connection()
            .execute(
                text("SELECT value FROM reading WHERE meter_id = :m AND ts = :ts"),
                {"m": meter_id, "ts": int(moment.timestamp())},
            )
            .scalar_one()
            for moment in (start, end)
        )
    return last - first


def _click_bar(page: Page, trace_index: int, point_index: int) -> None:
    traces = page.locator("#consumption-chart .barlayer .trace")
    bar = traces.nth(trace_index).locator(".point").nth(point_index)
    box = bar.bounding_box()
    assert box is not None, "the bar is not drawn"
    # A person taps a chart the moment after it drilled down no sooner than this: sooner, the
    # server takes the click for a phone tap's echo (ConsumptionState.TAP_ECHO_SECONDS).
    page.wait_for_timeout(TAP_ECHO_SECONDS * 1000 + 100)
    # Tap near the top of the bar: a short bar still has its top inside the plot.
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 6))


def _assert_phone_layout(page: Page, shot: str = "") -> None:
    assert not has_horizontal_overflow(page)
    if shot and os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=f"{os.environ['SCREENSHOT_DIR']}/consumption-{shot}-375.png", full_page=True)
    for button in page.locator("main button").all():
        if button.is_visible():
            box = button.bounding_box()
            assert box is not None and box["height"] >= 44 - 0.5, button.inner_text()


def _previous_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def test_drill_year_month_day_and_back_on_a_phone(phone_page: Page, base_url: str):
    page = phone_page
    relationship_id, meter_id = _relationship(Medium.ELECTRICITY)
    _sign_in(page, relationship_id)
    _open(page, base_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("consumption.title"))
    expect(page.locator("#consumption-freshness")).to_contain_text(t("consumption.data_until", when="")[:8])
    _assert_phone_layout(page, "year")

    # Year view: one bar trace per year, the same figures as the table.
    traces = _traces(page)
    years = [int(trace["name"]) for trace in traces if trace["type"] == "bar"]
    assert len(years) == 3 and years == sorted(years)
    rows = {row["label"]: row for row in _table(page)}
    for trace in traces:
        for month_name, value in zip(trace["x"], trace["y"]):
            label = f"{month_name} {trace['name']}"
            assert (rows[label]["energy"] if label in rows else None) == value

    # Tap last month's bar: the month's daily bars, checked against the readings.
    today = local_now(OSLO).date()
    month = _previous_month(today)
    _click_bar(page, years.index(month.year), month.month - 1)
    _wait_for_level(page, "month")
    expect(page.locator("#consumption-heading")).to_have_text(f"{MONTHS[month.month - 1]} {month.year}")
    days = _table(page)
    assert len(days) == calendar.monthrange(month.year, month.month)[1]
    [bars] = [trace for trace in _traces(page) if trace["type"] == "bar" and trace["y"][0] is not None]
    assert bars["y"] == [row["energy"] for row in days]
    month_start = datetime.combine(month, datetime.min.time(), OSLO)
    month_end = datetime.combine((month + timedelta(days=32)).replace(day=1), datetime.min.time(), OSLO)
    assert sum(row["energy"] for row in days) == pytest.approx(
        _register_difference(meter_id, month_start, month_end), abs=0.01
    )
    assert rows[f"{MONTHS[month.month - 1]} {month.year}"]["energy"] == pytest.approx(
        sum(row["energy"] for row in days), abs=0.1
    )
    expect(page.locator("#capacity-basis")).to_contain_text(t("consumption.capacity_title"))
    _assert_phone_layout(page, "month")

    # Tap the 15th: 24 hourly bars (23/25 on DST days) that add up to the day's bar.
    _click_bar(page, 0, 14)
    _wait_for_level(page, "day")
    day = month.replace(day=15)
    hours = _table(page)
    day_start = datetime.combine(day, datetime.min.time(), OSLO)
    day_end = datetime.combine(day + timedelta(days=1), datetime.min.time(), OSLO)
    assert len(hours) == int((day_end - day_start).total_seconds()) // 3600
    assert [h["label"] for h in hours][:3] == ["00", "01", "02"]
    [bars] = [trace for trace in _traces(page) if trace["type"] == "bar"]
    assert bars["y"] == [h["energy"] for h in hours]
    assert sum(h["energy"] for h in hours) == pytest.approx(days[14]["energy"], abs=0.01)
    assert sum(h["energy"] for h in hours) == pytest.approx(
        _register_difference(meter_id, day_start, day_end), abs=0.001
    )
    _assert_phone_layout(page, "day")

    # Power at the day level: curves of hourly mean and max, the peak marked.
    page.get_by_role("button", name=t("consumption.power"), exact=True).click()
    _wait_for_level(page, "day", "power")
    curves = {trace["name"]: trace for trace in _traces(page)}
    power_rows = _table(page)
    assert curves[t("consumption.mean")]["y"] == [row["mean"] for row in power_rows]
    assert curves[t("consumption.max")]["y"] == [row["max"] for row in power_rows]
    assert curves[t("consumption.peak")]["y"] == [max(row["max"] for row in power_rows)]
    _assert_phone_layout(page, "day-power")

    # Back to the month (power stays on), back to energy, then the year overview.
    page.get_by_role("button", name=t("consumption.back_to_month")).click()
    _wait_for_level(page, "month", "power")
    page.get_by_role("button", name=t("consumption.energy"), exact=True).click()
    _wait_for_level(page, "month")
    page.get_by_role("button", name=t("consumption.year_overview")).click()
    _wait_for_level(page, "year")
    assert {row["label"]: row for row in _table(page)} == rows


# plotly's bundle: the dev server's pre-bundled dependency, or the production build's chunk.
PLOTLY_BUNDLE = re.compile(r"plotly[._]+js-basic-dist-min|plotly-basic\.min")


def _plain_bars(page: Page) -> list[dict]:
    return page.evaluate(
        """() => [...document.querySelectorAll('#consumption-chart [data-chart-fallback] [data-bar]')]
              .map(bar => ({key: bar.dataset.key, value: Number(bar.dataset.value),
                            height: bar.getBoundingClientRect().height}))"""
    )


def test_the_year_bars_are_drawn_before_plotly_with_the_tables_numbers(phone_page: Page, base_url: str):
    """On a phone plotly takes seconds to load: plain bars stand in for it meanwhile, with the
    numbers of the table, and give way to the interactive chart once it has drawn."""
    page = phone_page
    _sign_in(page, _relationship(Medium.ELECTRICITY)[0])
    plotly_requests: list = []
    page.route(PLOTLY_BUNDLE, lambda route: plotly_requests.append(route))  # held for now
    page.goto(base_url + routes.CUSTOMER_CONSUMPTION)
    plain = page.locator("#consumption-chart[data-level='year'] [data-chart-fallback]")
    expect(plain).to_be_visible()
    for _ in range(100):  # the chart asks for plotly once it is on the page
        if plotly_requests:
            break
        page.wait_for_timeout(100)
    assert plotly_requests, "the chart page asks for plotly"
    assert page.locator("#consumption-chart .js-plotly-plot .main-svg").count() == 0
    bars = _plain_bars(page)
    table = {row["key"]: row["energy"] for row in _table(page) if row["energy"] is not None}
    assert len(bars) == len(table) > 24
    assert {bar["key"]: bar["value"] for bar in bars} == table
    assert all(bar["height"] > 0 for bar in bars if bar["value"] > 0)
    tallest = max(bars, key=lambda bar: bar["value"])
    assert tallest["height"] == max(bar["height"] for bar in bars)
    assert not has_horizontal_overflow(page)
    assert blocking_violations(page) == []

    # Plotly arrives: its chart replaces the plain bars, and a tap on a bar still drills down.
    for route in plotly_requests:
        route.continue_()
    page.unroute(PLOTLY_BUNDLE)
    _wait_for_level(page, "year")
    expect(plain).to_be_hidden()
    years = [int(trace["name"]) for trace in _traces(page) if trace["type"] == "bar"]
    month = _previous_month(local_now(OSLO).date())
    _click_bar(page, years.index(month.year), month.month - 1)
    _wait_for_level(page, "month")
    expect(page.locator("#consumption-chart [data-chart-fallback]")).to_have_count(0)


# The first animation frame in which a plain bar has a height, in the page's own clock.
FIRST_BARS_FRAME = """
window.__firstBarsFrame = null;
(function watch() {
  requestAnimationFrame(() => {
    const bars = document.querySelectorAll('#consumption-chart [data-chart-fallback] [data-bar]');
    if ([...bars].some((bar) => bar.getBoundingClientRect().height > 0)) {
      window.__firstBarsFrame = performance.now();
    } else {
      watch();
    }
  });
})();
"""


def test_plotly_is_run_only_after_the_plain_bars_are_painted(phone_page: Page, base_url: str):
    """Evaluating plotly's bundle holds a phone's main thread for a second or more: it is asked
    for after the frame that shows the plain bars, so they are on the screen meanwhile."""
    page = phone_page
    _sign_in(page, _relationship(Medium.ELECTRICITY)[0])
    page.add_init_script(FIRST_BARS_FRAME)
    page.goto(base_url + routes.CUSTOMER_CONSUMPTION)
    expect(page.locator("#consumption-chart .js-plotly-plot .main-svg").first).to_be_visible(timeout=30_000)
    bars_at = page.evaluate("() => window.__firstBarsFrame")
    plotly_asked_at = page.evaluate(
        """() => performance.getEntriesByType('resource')
              .filter((entry) => /plotly[._]+js-basic-dist-min|plotly-basic\\.min/.test(entry.name))
              .map((entry) => entry.startTime)"""
    )
    assert bars_at is not None, "the plain bars were drawn"
    assert plotly_asked_at and min(plotly_asked_at) > bars_at


def test_table_buttons_drill_too_and_the_autumn_dst_day_has_25_hours(phone_page: Page, base_url: str):
    page = phone_page
    relationship_id, _meter_id = _relationship(Medium.ELECTRICITY)
    _sign_in(page, relationship_id)
    _open(page, base_url)
    year = local_now(OSLO).year - 1
    october = date(year, 10, 1)
    last_sunday = max(date(year, 10, d) for d in range(25, 32) if date(year, 10, d).weekday() == 6)
    page.get_by_role("button", name=t("consumption.open", period=f"okt {year}")).click()
    _wait_for_level(page, "month")
    assert _table(page)[0]["key"] == october.isoformat()
    page.get_by_role("button", name=t("consumption.open", period=f"{last_sunday.day}. okt {year}")).click()
    _wait_for_level(page, "day")
    labels = [row["label"] for row in _table(page)]
    assert len(labels) == 25 and labels[2:4] == ["02 CEST", "02 CET"]
    _assert_phone_layout(page)


def test_heat_months_are_shown_in_mwh_and_days_in_kwh(phone_page: Page, base_url: str):
    page = phone_page
    relationship_id, _meter_id = _relationship(Medium.HEAT)
    _sign_in(page, relationship_id)
    _open(page, base_url)
    expect(page.locator("#consumption-table thead")).to_contain_text("MWh")
    expect(page.locator("#capacity-basis")).to_have_count(0)
    # A heat day is tens of kWh: in MWh it would read 0,02 (issue 9).
    year = local_now(OSLO).year - 1
    page.get_by_role("button", name=t("consumption.open", period=f"jan {year}")).click()
    _wait_for_level(page, "month")
    expect(page.locator("#consumption-table thead")).to_contain_text("kWh")
    expect(page.locator("#consumption-table thead")).not_to_contain_text("MWh")
    assert max(row["energy"] for row in _table(page) if row.get("energy") is not None) > 1
    _assert_phone_layout(page)


def test_a_meter_without_data_shows_the_empty_state(phone_page: Page, base_url: str):
    page = phone_page
    relationship_id = new_customer(Medium.ELECTRICITY).relationship_id  # a new meter, no readings
    _sign_in(page, relationship_id)
    page.goto(base_url + routes.CUSTOMER_CONSUMPTION)
    expect(page.locator("#consumption-empty")).to_contain_text(t("consumption.empty"))
    expect(page.locator("#consumption-freshness")).to_have_text(t("consumption.no_data_yet"))
    assert not has_horizontal_overflow(page)


def test_visitor_without_session_is_sent_away(phone_page: Page, base_url: str):
    phone_page.goto(base_url + routes.CUSTOMER_CONSUMPTION)
    expect(phone_page).not_to_have_url(base_url + routes.CUSTOMER_CONSUMPTION)
    expect(phone_page.locator("#consumption-table tbody tr")).to_have_count(0)


def test_a_signed_out_deep_link_signs_in_and_comes_back(phone_page: Page, base_url: str):
    """The link to the charts led to the start page: the visitor had to find their way back."""
    phone_page.goto(base_url + routes.CUSTOMER_CONSUMPTION)
    expect(phone_page).to_have_url(re.compile(re.escape(routes.CUSTOMER_LOGIN) + r"\?next="))
    # A customer of this test's own on a demo meter with data, signing in from this test's own
    # address: no other test has texted the mobile or spent the address's SMS.
    customer = new_customer(Medium.ELECTRICITY, with_data=True)
    customer_mobile = customer.mobile
    installation, metering_point = customer.installation_number, customer.metering_point_id
    phone_page.get_by_role("tab", name=translate("customer.first_time")).click()
    phone_page.get_by_label(translate("customer.installation_number"), exact=True).fill(installation)
    phone_page.get_by_label(translate("customer.metering_point_id"), exact=True).fill(metering_point)
    phone_page.get_by_label(translate("customer.mobile"), exact=True).fill(customer_mobile)
    phone_page.get_by_label(translate("customer.consent"), exact=True).click()
    phone_page.get_by_role("button", name=translate("customer.send_code")).click()
    expect(phone_page.get_by_text(translate("customer.code_sent_to"))).to_be_visible()
    with session_scope() as db:
        code = re.search(r"\b(\d{6})\b", latest_sms_to(db, customer_mobile).body).group(1)
    phone_page.get_by_label(translate("customer.code"), exact=True).fill(code)
    phone_page.get_by_role("button", name=translate("customer.confirm_code")).click()
    expect(phone_page).to_have_url(re.compile(re.escape(routes.CUSTOMER_CONSUMPTION) + "/?$"))
    _wait_for_level(phone_page, "year")


def test_switching_language_rewrites_the_loaded_data_too(desktop_page: Page, base_url: str):
    """After switching to Swedish the headings changed but the data stayed Norwegian until a reload."""
    relationship_id, _ = first_relationship(Medium.ELECTRICITY)
    _sign_in(desktop_page, relationship_id)
    _open(desktop_page, base_url)
    norwegian = translate("consumption.data_until", "nb", when="").strip()
    swedish = translate("consumption.data_until", "sv", when="").strip()
    expect(desktop_page.get_by_text(norwegian, exact=False).first).to_be_visible()
    choose_language(desktop_page, "nb", "sv")
    expect(desktop_page.get_by_text(swedish, exact=False).first).to_be_visible()
    expect(desktop_page.get_by_text(norwegian, exact=False)).to_have_count(0)
    choose_language(desktop_page, "sv", "nb")
    expect(desktop_page.get_by_text(norwegian, exact=False).first).to_be_visible()


def test_every_table_row_sits_in_a_row_group(desktop_page: Page, base_url: str):
    """The month's total row was a bare <tr> in <table>: invalid HTML, a hydration error per view."""
    relationship_id, _ = first_relationship(Medium.ELECTRICITY)
    _sign_in(desktop_page, relationship_id)
    _open(desktop_page, base_url)
    desktop_page.locator("#consumption-table tbody tr[data-key] th button").last.click()
    _wait_for_level(desktop_page, "month")
    expect(desktop_page.locator("#consumption-total")).to_be_visible()
    assert desktop_page.evaluate(
        """() => [...document.querySelectorAll('#consumption-table tr')]
                .every(row => ['THEAD', 'TBODY', 'TFOOT'].includes(row.parentElement.tagName))"""
    )
