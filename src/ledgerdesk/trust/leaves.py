"""What each log leaf says: the canonical JSON of one stored row.

Six sources feed the log: ticket events (every change), messages, attachments, the complaint
register's steps, the guard's findings and the steps of account-security requests (locks and
2FA resets). A leaf holds only what never changes on its row, so
``ledgerdesk verify log`` can rebuild it from the database at any time and a changed row stands
out. Hence a message's leaf holds neither its ticket nor its position (a merge moves messages
to another ticket), and an attachment is its own leaf (a messenger's file may arrive after its
message). A message's body enters as ``sha256(salt || body)``: the log proves the text without
showing it, and the salt (kept beside the leaf, handed out only in a transcript) stops anyone
guessing a short body from its hash. A guard finding enters as its kind and place, never the
text it found."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import DeclarativeBase

from ledgerdesk.account_security.models import SecurityRequestStep
from ledgerdesk.cases.models import CaseEvent
from ledgerdesk.tickets.models import Attachment, Event, GuardFinding, Message
from ledgerdesk.trust.merkle import canonical_json

VERSION = 1


@dataclass(frozen=True)
class Source:
    """A table that feeds the log: its name in ``log_leaves.source``, its model and the column
    holding the row's time."""

    name: str
    model: type[DeclarativeBase]
    time_column: str


SOURCES: tuple[Source, ...] = (
    Source("event", Event, "created_at"),
    Source("message", Message, "created_at"),
    Source("attachment", Attachment, "created_at"),
    Source("case_step", CaseEvent, "at"),
    Source("guard", GuardFinding, "created_at"),
    Source("security_step", SecurityRequestStep, "at"),
)
BY_NAME: dict[str, Source] = {s.name: s for s in SOURCES}
SALTED = frozenset({"message"})  # sources whose leaves need a salt


def stamp(moment: datetime) -> str:
    """A stored time as the log writes it: UTC, microseconds, ``Z``."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def body_hash(salt_hex: str, body: str) -> str:
    """How a message body enters the log (hex SHA-256 of the salt's bytes and the UTF-8 text)."""
    return hashlib.sha256(bytes.fromhex(salt_hex) + body.encode("utf-8")).hexdigest()


def leaf_data(source: str, row: Any, salt: str | None = None) -> dict[str, Any]:
    """The leaf of ``row`` (a row of ``source``'s model) as a JSON object."""
    if source == "event":
        return {
            "v": VERSION,
            "type": "event",
            "id": row.id,
            "ticket_id": row.ticket_id,
            "actor_kind": str(row.actor_kind),
            "actor_id": row.actor_id,
            "action": row.action,
            "before": row.before,
            "after": row.after,
            "at": stamp(row.created_at),
        }
    if source == "message":
        if salt is None:
            raise ValueError("a message leaf needs its salt")
        author = row.author_agent_id if row.author_agent_id is not None else row.author_customer_id
        return {
            "v": VERSION,
            "type": "message",
            "id": row.id,
            "kind": str(row.kind),
            "author_kind": str(row.author_kind),
            "author_id": author,
            "body_sha256": body_hash(salt, row.body),
            "at": stamp(row.created_at),
        }
    if source == "attachment":
        return {
            "v": VERSION,
            "type": "attachment",
            "id": row.id,
            "message_id": row.message_id,
            "sha256": row.sha256,
            "size": row.size,
            "at": stamp(row.created_at),
        }
    if source == "case_step":
        return {
            "v": VERSION,
            "type": "case_step",
            "id": row.id,
            "case_id": row.case_id,
            "seq": row.seq,
            "step": row.step,
            "actor_type": row.actor_type,
            "actor_id": row.actor_id,
            "detail": row.detail,
            "at": stamp(row.at),
        }
    if source == "guard":
        return {
            "v": VERSION,
            "type": "guard",
            "id": row.id,
            "message_id": row.message_id,
            "field": row.field,
            "kind": row.kind,
            "at": stamp(row.created_at),
        }
    if source == "security_step":
        return {
            "v": VERSION,
            "type": "security_step",
            "id": row.id,
            "request_id": row.request_id,
            "step": row.step,
            "actor_kind": row.actor_kind,
            "detail": row.detail,
            "at": stamp(row.at),
        }
    raise ValueError(f"unknown log source {source!r}")


def leaf_bytes(source: str, row: Any, salt: str | None = None) -> bytes:
    """The exact bytes the leaf hash covers."""
    return canonical_json(leaf_data(source, row, salt))
