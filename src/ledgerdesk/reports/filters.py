"""The report's filters, parsed from query strings with clear 4xx errors (never a 500)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from fastapi import Query
from pydantic import BeforeValidator
from sqlalchemy import or_

from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import InvalidInput
from ledgerdesk.reports.models import TicketFacts
from ledgerdesk.tickets.models import Channel

DEFAULT_DAYS = 30
MAX_DAYS = 3660
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$")


@dataclass(frozen=True)
class Filters:
    start: date  # first day, included (UTC)
    end: date  # last day, included
    team_id: int | None = None
    channel: str | None = None
    language: str | None = None

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time.min)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min)

    def query(self) -> dict[str, str]:
        """The filters as query parameters (links to the CSV files keep them)."""
        out = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.team_id is not None:
            out["team_id"] = str(self.team_id)
        if self.channel:
            out["channel"] = self.channel
        if self.language:
            out["language"] = self.language
        return out

    def ticket_conditions(self) -> list[Any]:
        """Team, channel and language on the facts table (the date is per figure)."""
        conditions: list[Any] = []
        if self.team_id is not None:
            conditions.append(TicketFacts.team_id == self.team_id)
        if self.channel:
            conditions.append(TicketFacts.channel == self.channel)
        if self.language:
            conditions.append(
                or_(
                    TicketFacts.language == self.language,
                    TicketFacts.language.like(self.language + "-%"),
                )
            )
        return conditions


def _day(value: str, default: date, field: str) -> date:
    if not value.strip():
        return default
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            f"'{value[:10]}' is not a date; use the form YYYY-MM-DD", field=field
        ) from None


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


# Typed query parameters: an empty form field means "not chosen"; anything else must parse.
Day = Annotated[date | None, BeforeValidator(_blank_is_none), Query()]
ChannelParam = Annotated[Channel | None, BeforeValidator(_blank_is_none), Query()]
Language = Literal["en", "zh"]
LanguageParam = Annotated[Language | None, BeforeValidator(_blank_is_none), Query()]


def make_filters(
    start: date | None = None,
    end: date | None = None,
    team_id: int | None = None,
    channel: Channel | str | None = None,
    language: str | None = None,
) -> Filters:
    """Check the range: the last 30 days by default, at most ``MAX_DAYS``."""
    last = end or utcnow().date()
    first = start or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise InvalidInput("The start date is after the end date", field="start")
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput(f"Choose at most {MAX_DAYS} days", field="start")
    chan = str(getattr(channel, "value", channel)) if channel else None
    if chan is not None and chan not in {c.value for c in Channel}:
        raise InvalidInput("Unknown channel", field="channel")
    if language is not None and not _LANGUAGE.match(language):
        raise InvalidInput("Unknown language code", field="language")
    return Filters(first, last, team_id, chan, language or None)


def parse_filters(
    start: str = "", end: str = "", team_id: str = "", channel: str = "", language: str = ""
) -> Filters:
    """The same from strings (scripts, tests)."""
    team: int | None = None
    if team_id.strip():
        if not team_id.strip().isdigit() or len(team_id.strip()) > 9:
            raise InvalidInput("The team must be a team's number", field="team_id")
        team = int(team_id.strip())
    today = utcnow().date()
    last = _day(end, today, "end")
    first = _day(start, last - timedelta(days=DEFAULT_DAYS - 1), "start")
    return make_filters(first, last, team, channel.strip() or None, language.strip() or None)
