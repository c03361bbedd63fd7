"""Ticket tables. Every change to these rows goes through a ``do_*`` function of
``tickets.services`` or one of its sibling modules (tags, merge, triage, guard_record)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ledgerdesk.accounts.models import Agent, Customer, Team
from ledgerdesk.ai.guard.storage import GuardedJSON, GuardedLongText, GuardedString
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import Base, db_enum


class Status(enum.StrEnum):
    new = "new"
    open = "open"
    pending = "pending"
    on_hold = "on_hold"
    solved = "solved"
    closed = "closed"


OPEN_STATUSES = (Status.new, Status.open, Status.pending, Status.on_hold)


class Priority(enum.StrEnum):
    low = "low"
    normal = "normal"
    high = "high"
    urgent = "urgent"


class Channel(enum.StrEnum):
    portal = "portal"
    email = "email"
    chat = "chat"
    api = "api"
    telegram = "telegram"
    discord = "discord"
    phone = "phone"
    agent = "agent"


class MessageKind(enum.StrEnum):
    public = "public"
    note = "note"


class ActorKind(enum.StrEnum):
    agent = "agent"
    customer = "customer"
    system = "system"
    assistant = "assistant"  # the assistant (ai/assistant), answering before a person


def _enum(cls: type[enum.Enum]) -> Enum:
    return db_enum(cls)


class Ticket(Base):
    """A customer's request. ``id`` is also the human-facing ticket number (#1042)."""

    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_status_updated", "status", "updated_at"),
        Index("ix_tickets_assignee_status_updated", "assignee_id", "status", "updated_at"),
        Index("ix_tickets_team_status_updated", "team_id", "status", "updated_at"),
        Index("ix_tickets_requester_updated", "requester_id", "updated_at"),
        Index("ix_tickets_updated_id", "updated_at", "id"),
        Index(
            "ix_tickets_search",
            text("to_tsvector('simple', search_text)"),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(GuardedString(300))
    status: Mapped[Status] = mapped_column(_enum(Status), default=Status.new)
    priority: Mapped[Priority] = mapped_column(_enum(Priority), default=Priority.normal)
    channel: Mapped[Channel] = mapped_column(_enum(Channel), default=Channel.portal)
    language: Mapped[str] = mapped_column(String(16), default="en")
    intent: Mapped[str | None] = mapped_column(String(64), default=None)
    # The chain network the customer's opening words name (a chain registry id such as "tron"),
    # set once by triage; surges and incidents group tickets by intent and network.
    network: Mapped[str | None] = mapped_column(String(32), default=None)
    # Analysed terms of subject and messages (search.fulltext); loaded only when asked for.
    search_text: Mapped[str] = deferred(
        mapped_column(Text, nullable=False, default=" ", server_default=" ")
    )
    requester_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), default=None)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), default=None)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_reply_at: Mapped[datetime | None] = mapped_column(default=None)
    solved_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    # The highest message ``seq`` on this ticket. Only ``tickets.events.next_seq`` changes it
    # (an UPDATE ... RETURNING that also serialises the ticket's message inserts).
    last_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    requester: Mapped[Customer] = relationship(lazy="joined")
    assignee: Mapped[Agent | None] = relationship(lazy="joined")
    team: Mapped[Team | None] = relationship(lazy="joined")
    tags: Mapped[list[Tag]] = relationship(
        secondary="ticket_tags", lazy="selectin", order_by="Tag.name"
    )


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(GuardedString(64), unique=True)


class TicketTag(Base):
    __tablename__ = "ticket_tags"
    __table_args__ = (Index("ix_ticket_tags_tag", "tag_id", "ticket_id"),)

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)


class Message(Base):
    """A public reply or an internal note on a ticket.

    ``seq`` numbers the ticket's messages 1, 2, 3... in commit order (live chat replays from
    it); ``client_id`` is the sender's own id for a message, so a resend is stored once."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_ticket_created", "ticket_id", "created_at", "id"),
        Index("ux_messages_ticket_seq", "ticket_id", "seq", unique=True),
        Index("ux_messages_ticket_client", "ticket_id", "client_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    kind: Mapped[MessageKind] = mapped_column(_enum(MessageKind), default=MessageKind.public)
    author_kind: Mapped[ActorKind] = mapped_column(_enum(ActorKind))
    author_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), default=None)
    author_customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), default=None)
    body: Mapped[str] = mapped_column(GuardedLongText)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    seq: Mapped[int] = mapped_column(Integer)
    client_id: Mapped[str | None] = mapped_column(String(64), default=None)

    author_agent: Mapped[Agent | None] = relationship(lazy="joined")
    author_customer: Mapped[Customer | None] = relationship(lazy="joined")
    attachments: Mapped[list[Attachment]] = relationship(lazy="selectin", order_by="Attachment.id")


class Attachment(Base):
    """A file on a message; the bytes live on disk under their SHA-256."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(GuardedString(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Event(Base):
    """One immutable record per change: who did what, with the values before and after."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_ticket_id", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    actor_kind: Mapped[ActorKind] = mapped_column(_enum(ActorKind))
    actor_id: Mapped[int | None] = mapped_column(Integer, default=None)
    action: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(GuardedJSON, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(GuardedJSON, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GuardFinding(Base):
    """What the guard found in inbound or outbound text: the kind and the place, never the secret.

    Offsets refer to the text as it arrived (before redaction). ``detail`` holds what is safe
    to keep: for a link its host, the official domain it imitates and the reasons.
    """

    __tablename__ = "guard_findings"
    __table_args__ = (Index("ix_guard_findings_ticket", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), default=None
    )
    field: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(40))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    detail: Mapped[dict[str, Any] | None] = mapped_column(GuardedJSON, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
