"""Business hours: opening windows per weekday in a time zone, and closed dates. Live chat
(``LEDGERDESK_CHAT_HOURS``) and the SLA calendars (``sla.models.BusinessCalendar``) share it.

Grammar (empty: always open)::

    mon-fri 09:00-18:00; sat 10:00-14:00
    mon,wed,fri 09:00-12:00 13:00-17:30; sun 00:00-24:00

Parts are separated by ``;``. Each names its days (``mon`` .. ``sun``; a range ``mon-fri``,
which may wrap as in ``fri-mon``; or a comma list) and one or more windows ``HH:MM-HH:MM``
(separated by spaces or commas). A window ends after it starts, on the same day; ``24:00``
ends at midnight. A window over midnight is written as two. Holidays close the whole day
(in the desk's time zone), whatever the hours say.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WINDOW_RE = re.compile(r"^([0-9]{1,2}):([0-9]{2})-([0-9]{1,2}):([0-9]{2})$")
_DAY_MINUTES = 24 * 60
# How far ahead ``next_open`` looks: past a year of holidays the desk is simply closed.
_LOOKAHEAD_DAYS = 400

Window = tuple[int, int]  # minutes since midnight: [start, end)


def _day(name: str, part: str) -> int:
    try:
        return DAYS.index(name.lower())
    except ValueError:
        raise ValueError(
            f"'{name}' in '{part}' is not a day; use mon, tue, wed, thu, fri, sat, sun"
        ) from None


def _days(spec: str, part: str) -> list[int]:
    found: list[int] = []
    for item in spec.split(","):
        if not item:
            raise ValueError(f"empty day in '{part}'")
        first, dash, last = item.partition("-")
        start = _day(first, part)
        if not dash:
            found.append(start)
            continue
        end = _day(last, part)
        span = (end - start) % 7
        found.extend((start + step) % 7 for step in range(span + 1))
    return found


def _minutes(hours: str, minutes: str, text: str, part: str) -> int:
    value = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or value > _DAY_MINUTES:
        raise ValueError(f"'{text}' in '{part}' is not a time between 00:00 and 24:00")
    return value


def _window(text: str, part: str) -> Window:
    match = _WINDOW_RE.match(text)
    if match is None:
        raise ValueError(f"'{text}' in '{part}' is not a window like 09:00-18:00")
    start = _minutes(match[1], match[2], text, part)
    end = _minutes(match[3], match[4], text, part)
    if end <= start:
        raise ValueError(
            f"'{text}' in '{part}' ends before it starts; write a window over midnight as two "
            "(e.g. 'fri 22:00-24:00; sat 00:00-02:00')"
        )
    return start, end


def _parse_part(part: str) -> tuple[list[int], list[Window]]:
    words = part.split(None, 1)
    if len(words) < 2:
        raise ValueError(f"'{part}' needs days and at least one window, e.g. 'mon-fri 09:00-18:00'")
    windows = [_window(w, part) for w in re.split(r"[\s,]+", words[1].strip()) if w]
    return _days(words[0], part), windows


@dataclass(frozen=True)
class BusinessHours:
    """Opening windows per weekday (0 = Monday) in ``zone``, and closed dates."""

    windows: tuple[tuple[Window, ...], ...]
    zone: ZoneInfo
    holidays: frozenset[date]

    @classmethod
    def parse(cls, spec: str, tz: str, holidays: Iterable[date] = ()) -> BusinessHours:
        """Read ``spec`` (grammar above); ValueError names the part at fault."""
        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{tz}' is not a known time zone") from None
        per_day: list[list[Window]] = [[] for _ in DAYS]
        if not spec.strip():
            per_day = [[(0, _DAY_MINUTES)] for _ in DAYS]
        for part in (p.strip() for p in spec.split(";")):
            if not part:
                continue
            days, windows = _parse_part(part)
            for day in days:
                per_day[day].extend(windows)
        merged = tuple(tuple(sorted(set(day))) for day in per_day)
        return cls(windows=merged, zone=zone, holidays=frozenset(holidays))

    def _local(self, now: datetime) -> datetime:
        aware = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
        return aware.astimezone(self.zone)

    def is_open(self, now: datetime) -> bool:
        """Whether ``now`` (aware, or naive UTC) falls in a window on a working day."""
        local = self._local(now)
        if local.date() in self.holidays:
            return False
        minute = local.hour * 60 + local.minute
        return any(start <= minute < end for start, end in self.windows[local.weekday()])

    def next_open(self, now: datetime) -> datetime | None:
        """The first moment at or after ``now`` the chat is open (``now`` itself when open),
        in UTC; None when no window opens within about a year."""
        if self.is_open(now):
            return now if now.tzinfo is not None else now.replace(tzinfo=UTC)
        local = self._local(now)
        minute = local.hour * 60 + local.minute
        for offset in range(_LOOKAHEAD_DAYS):
            day = local.date() + timedelta(days=offset)
            if day in self.holidays:
                continue
            for start, _end in self.windows[day.weekday()]:
                if offset == 0 and start <= minute:
                    continue
                opening = datetime.combine(day, time(start // 60, start % 60), tzinfo=self.zone)
                return opening.astimezone(UTC)
        return None

    def _at(self, day: date, minute: int) -> datetime:
        """Local ``day`` at ``minute`` (1440: the next midnight), as naive UTC."""
        moment = datetime.combine(
            day + timedelta(days=minute // _DAY_MINUTES),
            time((minute % _DAY_MINUTES) // 60, minute % 60),
            tzinfo=self.zone,
        )
        return moment.astimezone(UTC).replace(tzinfo=None)

    def intervals(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The open intervals from ``start`` (naive UTC) on, clipped to it, in order, as naive
        UTC pairs; they stop about a year ahead."""
        start = _naive(start)
        first = self._local(start).date()
        for offset in range(-1, _LOOKAHEAD_DAYS):
            day = first + timedelta(days=offset)
            if day in self.holidays:
                continue
            for begin, end in self.windows[day.weekday()]:
                opens, closes = self._at(day, begin), self._at(day, end)
                if closes <= start:
                    continue
                yield max(opens, start), closes

    def add(self, start: datetime, seconds: float) -> datetime:
        """The moment ``seconds`` of open time after ``start`` (naive UTC in and out). With
        no opening within about a year, the calendar time (a desk that never opens)."""
        start = _naive(start)
        left = max(0.0, seconds)
        if left == 0:
            return start
        for opens, closes in self.intervals(start):
            span = (closes - opens).total_seconds()
            if left <= span:
                return opens + timedelta(seconds=left)
            left -= span
        return start + timedelta(seconds=seconds)

    def between(self, start: datetime, end: datetime) -> float:
        """Seconds of open time in [``start``, ``end``) (naive UTC)."""
        start, end = _naive(start), _naive(end)
        total = 0.0
        if end <= start:
            return total
        for opens, closes in self.intervals(start):
            if opens >= end:
                break
            total += (min(closes, end) - opens).total_seconds()
        return total


def _naive(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


@lru_cache(maxsize=64)
def _cached(spec: str, tz: str, holidays: tuple[date, ...]) -> BusinessHours:
    return BusinessHours.parse(spec, tz, holidays)


def hours_from(spec: str, tz: str, holidays: Iterable[date]) -> BusinessHours:
    """Parsed once per distinct setting (the settings validated it at start)."""
    return _cached(spec, tz, tuple(sorted(holidays)))
