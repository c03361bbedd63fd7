"""The policies and calendars as the clocks read them: one snapshot per process and database,
loaded in three small queries and kept for a few seconds (the admin's changes clear it), so a
ticket change pays nothing for them on the hot path."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from ledgerdesk.core import invalidation
from ledgerdesk.core.business_hours import BusinessHours, hours_from
from ledgerdesk.sla.models import TARGETS, BusinessCalendar, Holiday, SlaPolicy, TeamCalendar

CACHE_SECONDS = 5.0
MIN_WARNING_SECONDS = 300
HOURS_MODES = ("business", "calendar")
_ALWAYS = BusinessHours.parse("", "UTC")

_lock = threading.Lock()
_cache: dict[str, tuple[float, Snapshot]] = {}
_generation = invalidation.Generation()
CACHE_NAME = "sla.policies"


@dataclass(frozen=True)
class Rule:
    """One policy, copied out of the session."""

    id: int
    name: str
    priorities: frozenset[str]
    intents: frozenset[str]
    channels: frozenset[str]
    team_ids: frozenset[int]
    vip: bool | None
    targets: dict[str, int]  # target name -> minutes
    business: bool

    def matches(
        self, priority: str, intent: str | None, channel: str, team_id: int | None, vip: bool
    ) -> bool:
        return (
            (not self.priorities or priority in self.priorities)
            and (not self.intents or (intent or "") in self.intents)
            and (not self.channels or channel in self.channels)
            and (not self.team_ids or team_id in self.team_ids)
            and (self.vip is None or self.vip == vip)
        )


@dataclass
class Snapshot:
    rules: list[Rule] = field(default_factory=list)
    calendars: dict[int, BusinessHours] = field(default_factory=dict)
    team_calendar: dict[int, int] = field(default_factory=dict)
    default_calendar: int | None = None

    def match(
        self, priority: str, intent: str | None, channel: str, team_id: int | None, vip: bool
    ) -> Rule | None:
        for rule in self.rules:
            if rule.matches(priority, intent, channel, team_id, vip):
                return rule
        return None

    def rule(self, policy_id: int | None) -> Rule | None:
        return next((r for r in self.rules if r.id == policy_id), None)

    def hours_for(self, team_id: int | None) -> BusinessHours:
        """The team's calendar, else the default one, else always open (UTC)."""
        calendar_id = self.team_calendar.get(team_id or 0, self.default_calendar)
        return self.calendars.get(calendar_id or 0, _ALWAYS)

    def clock(self, rule: Rule, team_id: int | None) -> BusinessHours:
        return self.hours_for(team_id) if rule.business else _ALWAYS


def warning_seconds(target_seconds: float, percent: int) -> float:
    """The warning window: ``percent`` of the target, at least 5 minutes, at most all of it."""
    return min(target_seconds, max(MIN_WARNING_SECONDS, target_seconds * percent / 100))


def due_times(
    hours: BusinessHours,
    started_at: datetime,
    minutes: int,
    paused_seconds: int,
    percent: int,
) -> tuple[datetime, datetime]:
    """(due, warn) of a running clock: ``minutes`` of open time after ``started_at`` plus the
    open time it spent paused."""
    target = minutes * 60
    due = hours.add(started_at, target + paused_seconds)
    warn = hours.add(started_at, target + paused_seconds - warning_seconds(target, percent))
    return due, min(warn, due)


def load(source: Session | Connection) -> Snapshot:
    """Read every enabled policy (in order) and every calendar."""
    connection = source.connection() if isinstance(source, Session) else source
    table = SlaPolicy.__table__
    rules = [
        Rule(
            id=row.id,
            name=row.name,
            priorities=frozenset(row.priorities or ()),
            intents=frozenset(row.intents or ()),
            channels=frozenset(row.channels or ()),
            team_ids=frozenset(int(t) for t in row.team_ids or ()),
            vip=row.vip,
            targets={t: int(getattr(row, t)) for t in TARGETS if getattr(row, t) is not None},
            business=row.hours == "business",
        )
        for row in connection.execute(
            select(table).where(table.c.enabled.is_(True)).order_by(table.c.position, table.c.id)
        )
    ]
    snapshot = Snapshot(rules=rules)
    if not rules:
        return snapshot
    holidays: dict[int, list[date]] = {}
    for calendar_id, day in connection.execute(select(Holiday.calendar_id, Holiday.day)):
        holidays.setdefault(calendar_id, []).append(day)
    for row in connection.execute(
        select(
            BusinessCalendar.id,
            BusinessCalendar.hours,
            BusinessCalendar.timezone,
            BusinessCalendar.is_default,
        )
    ):
        try:
            snapshot.calendars[row.id] = hours_from(
                row.hours, row.timezone, holidays.get(row.id, [])
            )
        except ValueError:  # checked when saved; a broken row counts as always open
            continue
        if row.is_default:
            snapshot.default_calendar = row.id
    teams = connection.execute(select(TeamCalendar.team_id, TeamCalendar.calendar_id))
    snapshot.team_calendar = {int(team): int(calendar) for team, calendar in teams}
    return snapshot


def _key(session: Session) -> str:
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    return str(engine.url)


def current(session: Session) -> Snapshot:
    """The snapshot, from the cache when it is fresh (read through the session's connection,
    so it never autoflushes)."""
    key, now = _key(session), time.monotonic()
    with _lock:
        cached = _cache.get(key)
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    invalidation.follow()
    seen = _generation.now()
    snapshot = load(session.connection())
    with _lock:
        if _generation.stores_ok(seen):  # not cleared while loading
            _cache[key] = (now, snapshot)
    return snapshot


def _clear(_key: str = "") -> None:
    with _lock:
        _generation.bump()
        _cache.clear()


invalidation.register(CACHE_NAME, _clear)


def invalidate(session: Session | None = None) -> None:
    """Forget every cached snapshot (the admin changed a policy or a calendar); with
    ``session``, every process forgets it again once that session commits."""
    if session is None:
        _clear()
    else:
        invalidation.announce_after_commit(session, CACHE_NAME)
