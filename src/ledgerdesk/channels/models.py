"""Tables of the channels pillar: e-mail threading and inbound log, address health, messenger
chats, outbound webhooks, agent notifications and satisfaction surveys.

Every write goes through a service function of the module that owns the table (named on each
class)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ledgerdesk.ai.guard.storage import GuardedJSON, GuardedLongText, GuardedString
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import Base

# --- e-mail (channels/mail_in.py, channels/ticket_mail.py) ----------------------------------


class MailMessageId(Base):
    """A ``Message-ID`` we sent or received on a ticket: threading looks replies up here.

    ``message_id`` is kept without angle brackets, at most 255 characters (longer ids are
    cut the same way on write and on lookup)."""

    __tablename__ = "mail_message_ids"
    __table_args__ = (
        Index("ix_mail_message_ids_message_id", "message_id"),
        Index("ix_mail_message_ids_ticket", "ticket_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(GuardedString(255))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    ticket_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), default=None
    )
    direction: Mapped[str] = mapped_column(String(3))  # "in" | "out"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InboundMail(Base):
    """One e-mail that reached the desk (IMAP or the HTTP hook) and what became of it.

    Kept for the console's inbound log, duplicate and loop detection; holds no body text.
    ``outcome``: ticket | reply | duplicate | bounce | feedback_report | auto_reply | loop |
    rejected."""

    __tablename__ = "inbound_mails"
    __table_args__ = (
        Index("ix_inbound_mails_message_id", "message_id"),
        Index("ix_inbound_mails_from_created", "from_address", "created_at"),
        Index("ix_inbound_mails_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(80))  # "imap:<mailbox>" | "hook"
    message_id: Mapped[str] = mapped_column(GuardedString(255), default="")
    from_address: Mapped[str] = mapped_column(GuardedString(320), default="")
    outcome: Mapped[str] = mapped_column(String(24))
    detail: Mapped[str] = mapped_column(GuardedString(300), default="")
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), default=None
    )
    ticket_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), default=None
    )
    size: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MailAddress(Base):
    """Delivery health of one address (normalised, lower case): bounces and complaints.

    A bouncing or complaining address gets no more mail from the desk until an agent clears
    it or the customer writes in again."""

    __tablename__ = "mail_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(GuardedString(320), unique=True)
    bounced_at: Mapped[datetime | None] = mapped_column(default=None)
    bounce_detail: Mapped[str] = mapped_column(GuardedString(300), default="")
    complained_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- Telegram and Discord (channels/messenger/) --------------------------------------------


class MessengerChat(Base):
    """A Telegram chat or Discord DM channel, tied to one customer and their current ticket."""

    __tablename__ = "messenger_chats"
    __table_args__ = (UniqueConstraint("platform", "chat_id", name="uq_messenger_chats_chat"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))  # "telegram" | "discord"
    chat_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(64))
    username: Mapped[str] = mapped_column(GuardedString(200), default="")
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), default=None
    )
    warning_pinned_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class MessengerUpdate(Base):
    """An update (Telegram ``update_id``, Discord interaction or message id) already handled,
    so a platform's redelivery is answered without a second message."""

    __tablename__ = "messenger_updates"
    __table_args__ = (
        UniqueConstraint("platform", "update_id", name="uq_messenger_updates_update"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    update_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- outbound webhooks (channels/webhooks/) -------------------------------------------------


class WebhookEndpoint(Base):
    """A URL that receives signed ticket events. ``events`` lists event types
    (``ticket.created``, ``message.public`` …); empty means all."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(GuardedString(2000))
    description: Mapped[str] = mapped_column(GuardedString(200), default="")
    # The HMAC key: shown to the admin once when created or rotated; needed to sign.
    secret: Mapped[str] = mapped_column(String(128))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Why the desk turned it off by itself (consecutive dead deliveries); None otherwise.
    disabled_reason: Mapped[str | None] = mapped_column(GuardedString(200), default=None)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(Base):
    """One event sent (or to be sent) to one endpoint, with every attempt's outcome.

    ``status``: pending | delivered | failed (will retry) | dead (gave up)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_endpoint", "endpoint_id", "id"),
        Index("ix_webhook_deliveries_status", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), default=None
    )
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(GuardedJSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    last_duration_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    replay_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- agent notifications (channels/notifications.py) ----------------------------------------


class Notification(Base):
    """Something an agent should see: ``kind`` is assigned | customer_replied | mentioned |
    csat_low. ``dedupe_key`` makes each one exist once per agent, however often its job runs."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("agent_id", "dedupe_key", name="uq_notifications_agent_key"),
        Index("ix_notifications_agent_read", "agent_id", "read_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    dedupe_key: Mapped[str] = mapped_column(String(120))
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), default=None
    )
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), default=None
    )
    actor_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(default=None)
    emailed_at: Mapped[datetime | None] = mapped_column(default=None)


class NotificationSetting(Base):
    """An agent's choice of which notification kinds are not e-mailed (``email_off``); the
    console shows every kind regardless. No row: every kind is e-mailed."""

    __tablename__ = "notification_settings"

    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True
    )
    email_off: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- satisfaction surveys (channels/csat.py) ------------------------------------------------


class CsatSurvey(Base):
    """The one satisfaction survey of a ticket: asked once, answered 1–5 with an optional
    comment, editable for 7 days. A low score opens a review for the team lead
    (``review_state`` open → done)."""

    __tablename__ = "csat_surveys"
    __table_args__ = (Index("ix_csat_surveys_answered", "answered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), unique=True
    )
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), default=None
    )
    channel: Mapped[str] = mapped_column(String(16))  # where it was asked
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    score: Mapped[int | None] = mapped_column(Integer, default=None)
    comment: Mapped[str | None] = mapped_column(GuardedLongText, default=None)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)
    answer_channel: Mapped[str | None] = mapped_column(String(16), default=None)
    updated_at: Mapped[datetime | None] = mapped_column(default=None)
    review_state: Mapped[str | None] = mapped_column(String(8), default=None)  # open | done
    review_note: Mapped[str | None] = mapped_column(GuardedLongText, default=None)
    reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None
    )
    reviewed_at: Mapped[datetime | None] = mapped_column(default=None)
