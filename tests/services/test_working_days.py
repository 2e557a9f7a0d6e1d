"""Working days in Norway (issue 24): weekends and public holidays never count."""

from __future__ import annotations

from datetime import date

from app.services.working_days import add_working_days, is_working_day


def test_a_plain_week_skips_the_weekend():
    assert add_working_days(date(2026, 3, 5), 5) == date(2026, 3, 12)  # Thursday -> next Thursday
    assert add_working_days(date(2026, 3, 7), 1) == date(2026, 3, 9)  # Saturday -> Monday


def test_easter_skips_maundy_thursday_good_friday_and_easter_monday():
    # 2026: Maundy Thursday 2 April, Good Friday 3 April, Easter Monday 6 April.
    assert not is_working_day(date(2026, 4, 2)) and not is_working_day(date(2026, 4, 6))
    assert add_working_days(date(2026, 4, 1), 5) == date(2026, 4, 13)


def test_constitution_day_17_may_on_a_weekday():
    # 2027: 17 May is a Monday.
    assert not is_working_day(date(2027, 5, 17))
    assert add_working_days(date(2027, 5, 14), 1) == date(2027, 5, 18)


def test_christmas_and_new_year():
    # 2026: 25 and 26 December are Friday and Saturday; 1 January 2027 is a Friday.
    assert not is_working_day(date(2026, 12, 25))
    assert add_working_days(date(2026, 12, 23), 5) == date(2026, 12, 31)
    assert add_working_days(date(2026, 12, 23), 6) == date(2027, 1, 4)


def test_zero_days_is_the_same_day():
    assert add_working_days(date(2026, 12, 24), 0) == date(2026, 12, 24)
