"""Small shared field types for API schemas and route parameters.

Every integer id a client sends (path, query, form or JSON body) is an ``Id``: a positive
32-bit integer, because every primary key is an ``INTEGER`` column. Larger numbers answer 422
instead of overflowing the database driver (SQLite raises ``OverflowError`` above 2^63 − 1).

Every timestamp an API answer carries is a ``UtcDateTime``: stored values are naive UTC, and
this type sends them as RFC 3339 with ``Z`` so clients need not guess the offset.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from annotated_types import Ge, Le
from fastapi import Path, Query
from pydantic import AfterValidator, Field, Strict

MAX_ID = 2**31 - 1  # ids are 32-bit INTEGER columns on PostgreSQL
MAX_PAGE = 100_000

# Deliberately permissive: self-hosted desks use internal domains (.local, .internal) that
# strict validators refuse. Shape is checked here; the service normalises case.
Email = Annotated[
    str,
    Field(
        min_length=3,
        max_length=320,
        pattern=r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$",
        examples=["user@example.com"],
    ),
]

# In JSON bodies: a real integer (``"3"`` and ``3.0`` are refused), 1 … MAX_ID.
Id = Annotated[int, Strict(), Ge(1), Le(MAX_ID)]
# Route parameters arrive as text, so they cannot be strict; the bounds are what matter.
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE)]
# A real JSON boolean: ``0``, ``1``, ``"yes"`` and ``"true"`` are refused.
StrictBool = Annotated[bool, Strict()]


def parse_id(text: str) -> int | None:
    """``text`` as an id, or ``None`` when it is not one: ASCII digits only (``"²".isdigit()``
    is true, and ``int("²")`` raises), and within the database's range."""
    text = text.strip()
    if not (text.isascii() and text.isdecimal()) or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def as_utc(value: datetime) -> datetime:
    """A stored (naive UTC) or aware datetime as an aware UTC datetime."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


UTC_MARKER = AfterValidator(as_utc)
# Serialised by pydantic as ``2026-01-31T08:15:00Z`` (RFC 3339, explicit UTC offset).
UtcDateTime = Annotated[datetime, UTC_MARKER]
