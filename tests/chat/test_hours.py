"""Business hours: the grammar, time zones, holidays and the next opening."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ledgerdesk.chat.hours import BusinessHours
from ledgerdesk.core.settings import Settings

# 2027-03-01 is a Monday.
MON = date(2027, 3, 1)


def at(day: int, hour: int, minute: int = 0, tz: object = UTC) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=tz)  # type: ignore[arg-type]


def test_empty_spec_is_always_open() -> None:
    hours = BusinessHours.parse("", "UTC", [])
    assert hours.is_open(at(6, 3, 17)) and hours.is_open(at(7, 23, 59))
    assert hours.next_open(at(6, 3)) == at(6, 3)


def test_weekday_windows_with_ends_exclusive() -> None:
    hours = BusinessHours.parse("mon-fri 09:00-18:00; sat 10:00-14:00", "UTC", [])
    assert hours.is_open(at(1, 9, 0))
    assert not hours.is_open(at(1, 8, 59))
    assert hours.is_open(at(1, 17, 59))
    assert not hours.is_open(at(1, 18, 0))
    assert hours.is_open(at(6, 12)) and not hours.is_open(at(6, 14))  # Saturday
    assert not hours.is_open(at(7, 12))  # Sunday


def test_several_windows_comma_lists_and_wrapping_ranges() -> None:
    hours = BusinessHours.parse("mon,wed 09:00-12:00 13:00-17:30; fri-sun 20:00-24:00", "UTC", [])
    assert hours.is_open(at(1, 11, 59)) and not hours.is_open(at(1, 12, 30))
    assert hours.is_open(at(3, 17, 29)) and not hours.is_open(at(2, 10))  # Tuesday closed
    assert hours.is_open(at(5, 23, 59)) and hours.is_open(at(7, 20))  # Friday, Sunday
    assert not hours.is_open(at(4, 21))  # Thursday
    # Windows may also be separated by commas.
    same = BusinessHours.parse("mon,wed 09:00-12:00,13:00-17:30; fri-sun 20:00-24:00", "UTC", [])
    assert same == hours


def test_naive_times_are_utc() -> None:
    hours = BusinessHours.parse("mon 09:00-10:00", "UTC", [])
    assert hours.is_open(datetime(2027, 3, 1, 9, 30))


def test_time_zone_shifts_the_windows() -> None:
    hours = BusinessHours.parse("mon-fri 09:00-18:00", "Asia/Shanghai", [])
    # 09:00 in Shanghai is 01:00 UTC.
    assert hours.is_open(at(1, 1, 0))
    assert not hours.is_open(at(1, 0, 59))
    assert not hours.is_open(at(1, 10, 0))  # 18:00 in Shanghai
    assert hours.next_open(at(1, 10)) == at(2, 1)


def test_holidays_close_the_whole_local_day() -> None:
    hours = BusinessHours.parse("mon-fri 09:00-18:00", "Asia/Shanghai", [date(2027, 3, 2)])
    assert not hours.is_open(at(2, 2))  # Tuesday 10:00 Shanghai, a holiday
    assert hours.next_open(at(1, 12)) == at(3, 1)  # Monday evening → Wednesday 09:00 local
    always = BusinessHours.parse("", "UTC", [date(2027, 3, 2)])
    assert not always.is_open(at(2, 12)) and always.next_open(at(2, 12)) == at(3, 0)


def test_next_open_later_today_and_over_the_weekend() -> None:
    hours = BusinessHours.parse("mon-fri 09:00-12:00 14:00-18:00", "UTC", [])
    assert hours.next_open(at(1, 12, 30)) == at(1, 14)
    assert hours.next_open(at(5, 18)) == at(8, 9)  # Friday evening → Monday
    assert hours.next_open(at(1, 10)) == at(1, 10)  # open now


def test_never_open_has_no_next_opening() -> None:
    hours = BusinessHours.parse("mon 09:00-10:00", "UTC", [date(2027, 3, 1)])
    assert hours.next_open(at(1, 8)) == at(8, 9)
    closed = BusinessHours.parse("mon 09:00-10:00", "UTC", [])
    assert closed.next_open(at(1, 10)) == at(8, 9)


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("mon-fri", "needs days and at least one window"),
        ("funday 09:00-10:00", "'funday' in 'funday 09:00-10:00' is not a day"),
        ("mon 9-10", "'9-10' in 'mon 9-10' is not a window like 09:00-18:00"),
        ("mon 18:00-09:00", "ends before it starts"),
        ("mon 09:00-09:00", "ends before it starts"),
        ("mon 09:00-24:01", "'09:00-24:01' in 'mon 09:00-24:01' is not a time"),
        ("mon 09:60-10:00", "is not a time between 00:00 and 24:00"),
        ("mon,,tue 09:00-10:00", "empty day"),
    ],
)
def test_bad_specs_name_the_part(spec: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        BusinessHours.parse(spec, "UTC", [])


def test_bad_time_zone() -> None:
    with pytest.raises(ValueError, match="not a known time zone"):
        BusinessHours.parse("", "Mars/Olympus", [])


def test_settings_refuse_bad_hours_time_zone_holidays_and_origins() -> None:
    with pytest.raises(ValueError, match="LEDGERDESK_CHAT_HOURS: '9-10' in 'mon 9-10'"):
        Settings(chat_hours="mon 9-10")
    with pytest.raises(ValueError, match="LEDGERDESK_CHAT_TIMEZONE"):
        Settings(chat_timezone="Nowhere/City")
    with pytest.raises(ValueError, match="LEDGERDESK_CHAT_HOLIDAYS"):
        Settings(chat_holidays="2027-13-01")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="LEDGERDESK_CHAT_FRAME_ANCESTORS"):
        Settings(chat_frame_ancestors="https://ex.example/help")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not a rate limit"):
        Settings(chat_message_rate="lots")
    good = Settings(
        chat_hours="mon-fri 09:00-18:00",
        chat_timezone="Asia/Shanghai",
        chat_holidays="2027-01-01, 2027-02-17",  # type: ignore[arg-type]
        chat_frame_ancestors="https://www.ex.example/, http://localhost:8546",  # type: ignore[arg-type]
    )
    assert good.chat_holidays == [date(2027, 1, 1), date(2027, 2, 17)]
    assert good.chat_frame_ancestors == ["https://www.ex.example", "http://localhost:8546"]


def test_production_refuses_a_weak_chat_secret() -> None:
    base = {"env": "production", "secret_key": "k" * 40, "database_url": "sqlite:///x.db"}
    with pytest.raises(ValueError, match="LEDGERDESK_CHAT_JWT_SECRET"):
        Settings(**base, chat_jwt_secret="secret")  # type: ignore[arg-type]
    assert Settings(**base, chat_jwt_secret="").chat_jwt_secret == ""  # type: ignore[arg-type]
