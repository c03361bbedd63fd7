"""Jurisdiction profiles and deadline arithmetic on the complaints team's business calendar.

A profile (``data/cases/profiles.yaml``) says how long the desk may take to decide: calendar
months (MiCA: two months), calendar weeks (DISP: eight weeks), or business days (DISP's 15 for
payment services, the desk's own target). "The end of the Nth business day after the day of
receipt" is the close of the last opening window of that day on the calendar; a business day
is a day with an opening window that is not a holiday. The calendar is the complaints team's
(``sla_team_calendars``), else the default one, else Monday to Friday in UTC.
"""

from __future__ import annotations

import calendar as monthcal
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.core.business_hours import BusinessHours, hours_from
from ledgerdesk.core.errors import InvalidInput
from ledgerdesk.core.paths import shipped_data_dir

WEEKDAYS = "mon-fri 00:00-24:00"
_LOOKAHEAD = 800  # days: past this a calendar is treated as never open


@dataclass(frozen=True)
class Span:
    """A length of time: calendar months, calendar weeks or business days."""

    months: int = 0
    weeks: int = 0
    business_days: int = 0

    @classmethod
    def read(cls, raw: dict[str, Any]) -> Span:
        return cls(
            months=int(raw.get("months", 0)),
            weeks=int(raw.get("weeks", 0)),
            business_days=int(raw.get("business_days", 0)),
        )


@dataclass(frozen=True)
class Profile:
    key: str
    names: dict[str, str]
    limit: Span
    payment_services_limit: Span | None = None
    summary_resolution: Span | None = None
    warn_business_days: int = 2
    remedies: tuple[dict[str, str], ...] = field(default_factory=tuple)

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]

    def remedy_lines(self, language: str) -> list[str]:
        return [r.get(language) or r["en"] for r in self.remedies]


@dataclass(frozen=True)
class Deadlines:
    due_at: datetime  # the date promised to the client (the desk's target, within the limit)
    limit_at: datetime  # the legal maximum
    summary_until: datetime | None  # summary resolution possible until (DISP), else None


@lru_cache(maxsize=1)
def profiles() -> dict[str, Profile]:
    """Every profile, read once from the shipped data file."""
    path = shipped_data_dir() / "cases" / "profiles.yaml"
    with path.open(encoding="utf-8") as handle:
        raw: dict[str, Any] = yaml.safe_load(handle)
    found: dict[str, Profile] = {}
    for key, item in raw.items():
        found[key] = Profile(
            key=key,
            names=dict(item["name"]),
            limit=Span.read(item["limit"]),
            payment_services_limit=(
                Span.read(item["payment_services_limit"])
                if "payment_services_limit" in item
                else None
            ),
            summary_resolution=(
                Span.read(item["summary_resolution"]) if "summary_resolution" in item else None
            ),
            warn_business_days=int(item.get("warn_business_days", 2)),
            remedies=tuple(dict(r) for r in item.get("remedies", [])),
        )
    return found


def get_profile(key: str | None) -> Profile:
    """The profile ``key`` (the configured default when None); InvalidInput names the choices."""
    from ledgerdesk.core.settings import get_settings

    wanted = key or get_settings().cases_jurisdiction
    found = profiles().get(wanted)
    if found is None:
        raise InvalidInput(
            "Unknown jurisdiction profile; choose mica_eu, uk_disp or operator",
            field="jurisdiction",
        )
    return found


# --- the calendar -----------------------------------------------------------------------


def calendar_for(session: Session, team_id: int | None) -> BusinessHours:
    """The business calendar of ``team_id``, else the default one, else Monday–Friday UTC."""
    from ledgerdesk.sla.models import BusinessCalendar, TeamCalendar

    chosen: BusinessCalendar | None = None
    if team_id is not None:
        link = session.get(TeamCalendar, team_id)
        if link is not None:
            chosen = session.get(BusinessCalendar, link.calendar_id)
    if chosen is None:
        chosen = session.scalar(
            select(BusinessCalendar).where(BusinessCalendar.is_default.is_(True)).limit(1)
        )
    if chosen is None:
        return hours_from(WEEKDAYS, "UTC", ())
    try:
        return hours_from(chosen.hours, chosen.timezone, [h.day for h in chosen.holidays])
    except ValueError:  # validated when saved; a broken row falls back to weekdays
        return hours_from(WEEKDAYS, "UTC", ())


def is_business_day(hours: BusinessHours, day: date) -> bool:
    return day not in hours.holidays and bool(hours.windows[day.weekday()])


def _local_day(hours: BusinessHours, moment: datetime) -> date:
    return moment.replace(tzinfo=UTC).astimezone(hours.zone).date()


def _close_of(hours: BusinessHours, day: date) -> datetime:
    """The end of the last opening window of ``day`` (local), as naive UTC."""
    end = max(e for _s, e in hours.windows[day.weekday()])
    local = datetime.combine(day, time(0), tzinfo=hours.zone) + timedelta(minutes=end)
    return local.astimezone(UTC).replace(tzinfo=None)


def _open_of(hours: BusinessHours, day: date) -> datetime:
    start = min(s for s, _e in hours.windows[day.weekday()])
    local = datetime.combine(day, time(0), tzinfo=hours.zone) + timedelta(minutes=start)
    return local.astimezone(UTC).replace(tzinfo=None)


def nth_business_day(hours: BusinessHours, received: datetime, count: int) -> date:
    """The ``count``-th business day after the (local) day of ``received``."""
    day = _local_day(hours, received)
    seen = 0
    for _ in range(_LOOKAHEAD):
        day += timedelta(days=1)
        if is_business_day(hours, day):
            seen += 1
            if seen >= count:
                return day
    raise InvalidInput("The complaints team's calendar has no business days; fix its hours")


def end_of_business_days(hours: BusinessHours, received: datetime, count: int) -> datetime:
    """The close of the ``count``-th business day after the day of receipt (naive UTC)."""
    return _close_of(hours, nth_business_day(hours, received, count))


def add_months(moment: datetime, months: int) -> datetime:
    """Same day and time ``months`` later (the 31st becomes the month's last day)."""
    total = moment.month - 1 + months
    year, month = moment.year + total // 12, total % 12 + 1
    day = min(moment.day, monthcal.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def span_end(hours: BusinessHours, received: datetime, span: Span) -> datetime:
    if span.business_days:
        return end_of_business_days(hours, received, span.business_days)
    if span.months:
        return add_months(received, span.months)
    return received + timedelta(weeks=span.weeks)


def compute(
    hours: BusinessHours,
    profile: Profile,
    received: datetime,
    *,
    payment_services: bool = False,
    target_days: int = 0,
) -> Deadlines:
    """The deadlines of a case received at ``received`` under ``profile``. The desk's own
    target (``target_days`` business days) is the promised date when it is earlier."""
    limit_span = profile.limit
    if payment_services and profile.payment_services_limit is not None:
        limit_span = profile.payment_services_limit
    limit = span_end(hours, received, limit_span)
    due = limit
    if target_days > 0:
        due = min(limit, end_of_business_days(hours, received, target_days))
    summary = None
    if profile.summary_resolution is not None:
        summary = span_end(hours, received, profile.summary_resolution)
    return Deadlines(due_at=due, limit_at=limit, summary_until=summary)


def warn_at(hours: BusinessHours, deadline: datetime, business_days: int) -> datetime:
    """When a warning about ``deadline`` is due: the opening of the business day
    ``business_days`` business days before the deadline's day (never after the deadline)."""
    day = _local_day(hours, deadline)
    left = business_days
    for _ in range(_LOOKAHEAD):
        if left <= 0 and is_business_day(hours, day):
            return min(_open_of(hours, day), deadline)
        day -= timedelta(days=1)
        if is_business_day(hours, day):
            left -= 1
    return deadline
