"""Deadline arithmetic per jurisdiction profile on a business calendar (Mon–Fri 09:00–18:00
London, Christmas and New Year's Day closed), on SQLite and PostgreSQL, with a frozen clock."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.orm import Session

from ledgerdesk.cases import deadlines
from ledgerdesk.core.errors import InvalidInput
from ledgerdesk.sla.models import BusinessCalendar, Holiday

RECEIVED = datetime(2026, 12, 23, 10, 0)  # a Wednesday, UTC (= London in winter)


@pytest.fixture
def calendar(db_session: Session) -> BusinessCalendar:
    db_session.query(BusinessCalendar).update({"is_default": False})
    row = BusinessCalendar(
        name="London desk", timezone="Europe/London", hours="mon-fri 09:00-18:00", is_default=True
    )
    row.holidays = [
        Holiday(day=date(2026, 12, 25), name="Christmas"),
        Holiday(day=date(2027, 1, 1), name="New Year"),
    ]
    db_session.add(row)
    db_session.flush()
    return row


def test_mica_two_calendar_months(db_session: Session, calendar: BusinessCalendar) -> None:
    hours = deadlines.calendar_for(db_session, None)
    found = deadlines.compute(hours, deadlines.get_profile("mica_eu"), RECEIVED)
    assert found.limit_at == datetime(2027, 2, 23, 10, 0)
    assert found.due_at == found.limit_at
    assert found.summary_until is None


def test_mica_with_the_desks_shorter_target(
    db_session: Session, calendar: BusinessCalendar
) -> None:
    hours = deadlines.calendar_for(db_session, None)
    found = deadlines.compute(hours, deadlines.get_profile("mica_eu"), RECEIVED, target_days=5)
    # 24, 28, 29, 30, 31 December: the 25th is a holiday, the 26th and 27th a weekend.
    assert found.due_at == datetime(2026, 12, 31, 18, 0)
    assert found.limit_at == datetime(2027, 2, 23, 10, 0)


def test_uk_eight_weeks_and_summary_resolution_window(
    db_session: Session, calendar: BusinessCalendar
) -> None:
    hours = deadlines.calendar_for(db_session, None)
    found = deadlines.compute(hours, deadlines.get_profile("uk_disp"), RECEIVED)
    assert found.limit_at == datetime(2027, 2, 17, 10, 0)
    assert found.summary_until == datetime(2026, 12, 29, 18, 0)  # 24, 28, 29 December


def test_uk_payment_services_fifteen_business_days(
    db_session: Session, calendar: BusinessCalendar
) -> None:
    hours = deadlines.calendar_for(db_session, None)
    profile = deadlines.get_profile("uk_disp")
    found = deadlines.compute(hours, profile, RECEIVED, payment_services=True)
    # New Year's Day is closed too: the 15th business day is Friday 15 January.
    assert found.limit_at == datetime(2027, 1, 15, 18, 0)


def test_operator_target_in_business_days(db_session: Session, calendar: BusinessCalendar) -> None:
    hours = deadlines.calendar_for(db_session, None)
    found = deadlines.compute(hours, deadlines.get_profile("operator"), RECEIVED)
    assert found.limit_at == found.due_at == datetime(2027, 1, 15, 18, 0)


def test_without_a_calendar_business_days_are_weekdays_in_utc(db_session: Session) -> None:
    db_session.query(BusinessCalendar).update({"is_default": False})
    hours = deadlines.calendar_for(db_session, None)
    end = deadlines.end_of_business_days(hours, datetime(2026, 12, 4, 15, 0), 3)  # a Friday
    assert end == datetime(2026, 12, 10, 0, 0)  # the end of Wednesday 9 December


def test_warning_three_business_days_before(
    db_session: Session, calendar: BusinessCalendar
) -> None:
    hours = deadlines.calendar_for(db_session, None)
    warn = deadlines.warn_at(hours, datetime(2027, 1, 15, 18, 0), 3)
    assert warn == datetime(2027, 1, 12, 9, 0)


def test_months_clamp_to_the_end_of_the_month() -> None:
    assert deadlines.add_months(datetime(2026, 12, 31, 8, 0), 2) == datetime(2027, 2, 28, 8, 0)


def test_unknown_profile_is_refused() -> None:
    with pytest.raises(InvalidInput):
        deadlines.get_profile("atlantis")
