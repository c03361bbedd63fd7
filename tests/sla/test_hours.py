"""Business-time arithmetic of core.business_hours (frozen instants, no clock needed)."""

from __future__ import annotations

from datetime import date, datetime

from ledgerdesk.core.business_hours import BusinessHours

WEEKDAYS = "mon-fri 09:00-18:00"


def test_add_within_one_day_in_shanghai() -> None:
    hours = BusinessHours.parse(WEEKDAYS, "Asia/Shanghai")
    # Monday 2026-12-07 10:00 Shanghai = 02:00 UTC; 60 min later = 03:00 UTC
    assert hours.add(datetime(2026, 12, 7, 2, 0), 3600) == datetime(2026, 12, 7, 3, 0)


def test_add_rolls_over_the_night_and_the_weekend() -> None:
    hours = BusinessHours.parse(WEEKDAYS, "Asia/Shanghai")
    # Friday 2026-12-11 17:00 Shanghai (09:00 UTC) + 2 h: 1 h Friday, 1 h Monday 09:00-10:00
    assert hours.add(datetime(2026, 12, 11, 9, 0), 7200) == datetime(2026, 12, 14, 2, 0)


def test_same_instant_differs_across_time_zones() -> None:
    start = datetime(2026, 12, 7, 8, 0)  # Monday 16:00 in Shanghai, 08:00 in London
    shanghai = BusinessHours.parse(WEEKDAYS, "Asia/Shanghai")
    london = BusinessHours.parse(WEEKDAYS, "Europe/London")
    # 4 business hours: Shanghai has 2 left today (to 10:00 UTC), 2 more from 01:00 UTC Tuesday
    assert shanghai.add(start, 4 * 3600) == datetime(2026, 12, 8, 3, 0)
    # London opens at 09:00 UTC: 09:00 + 4 h = 13:00 the same day
    assert london.add(start, 4 * 3600) == datetime(2026, 12, 7, 13, 0)


def test_holiday_is_skipped() -> None:
    plain = BusinessHours.parse(WEEKDAYS, "UTC")
    closed = BusinessHours.parse(WEEKDAYS, "UTC", [date(2026, 12, 8)])
    start = datetime(2026, 12, 7, 17, 0)  # Monday 17:00 UTC, 1 h left
    assert plain.add(start, 2 * 3600) == datetime(2026, 12, 8, 10, 0)
    assert closed.add(start, 2 * 3600) == datetime(2026, 12, 9, 10, 0)


def test_between_counts_only_open_time() -> None:
    hours = BusinessHours.parse(WEEKDAYS, "UTC", [date(2026, 12, 8)])
    # Monday 17:00 to Wednesday 10:00: 1 h Monday, holiday Tuesday, 1 h Wednesday
    assert hours.between(datetime(2026, 12, 7, 17, 0), datetime(2026, 12, 9, 10, 0)) == 7200
    assert hours.between(datetime(2026, 12, 9, 10, 0), datetime(2026, 12, 7, 17, 0)) == 0


def test_always_open_is_calendar_time_and_dst_is_real_time() -> None:
    always = BusinessHours.parse("", "UTC")
    assert always.add(datetime(2026, 12, 5, 23, 0), 7200) == datetime(2026, 12, 6, 1, 0)
    # New York springs forward on 2026-03-08: 09:00-18:00 local is 13:00-22:00 UTC after it
    ny = BusinessHours.parse("mon-sun 09:00-18:00", "America/New_York")
    assert ny.add(datetime(2026, 3, 7, 23, 0), 3600) == datetime(2026, 3, 8, 14, 0)
