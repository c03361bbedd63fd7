"""Security requests and their steps. A request is one "lock my account" or one 2FA reset; its
steps (``security_request_steps``) are only ever added, so the log says who did what, when."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, event
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from ledgerdesk.ai.guard.storage import GuardedJSON
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import Base, db_enum


class RequestKind(enum.StrEnum):
    lock = "lock"
    twofa_reset = "twofa_reset"


class RequestStatus(enum.StrEnum):
    awaiting_code = "awaiting_code"  # a code was e-mailed; waiting for the customer
    locked = "locked"  # lock: the exchange locked the account
    lock_failed = "lock_failed"  # lock: the exchange did not answer; the security team acts
    on_hold = "on_hold"  # reset: 2FA reset, withdrawals held until hold_until
    cancelled = "cancelled"  # reset: stopped from the e-mailed link
    refused = "refused"  # reset: the identity checks failed too often


class SecurityRequest(Base):
    """One lock or 2FA reset. ``email`` is the address on file at the exchange (codes and the
    old-contact alert go there); ``new_contact`` the address the customer gave for the alert.
    Only a hash of a code is kept; ``cancel_nonce`` makes the cancel link single-use."""

    __tablename__ = "security_requests"
    __table_args__ = (
        Index("ix_security_requests_account", "exchange_customer_id", "kind", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RequestKind] = mapped_column(db_enum(RequestKind))
    status: Mapped[RequestStatus] = mapped_column(db_enum(RequestStatus))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    exchange_customer_id: Mapped[str] = mapped_column(String(128))
    email: Mapped[str] = mapped_column(String(320))
    new_contact: Mapped[str | None] = mapped_column(String(320), default=None)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    source: Mapped[str] = mapped_column(String(16))  # portal | email_code | assistant
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), default=None)
    code_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    code_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    code_attempts: Mapped[int] = mapped_column(Integer, default=0)
    failed_checks: Mapped[int] = mapped_column(Integer, default=0)
    locked_at: Mapped[datetime | None] = mapped_column(default=None)
    reset_id: Mapped[str | None] = mapped_column(String(64), default=None)
    hold_until: Mapped[datetime | None] = mapped_column(default=None)
    cancel_nonce: Mapped[str | None] = mapped_column(String(32), default=None)
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def reference(self) -> str:
        return f"{'LCK' if self.kind == RequestKind.lock else '2FA'}-{self.id}"


class SecurityRequestStep(Base):
    """One step of a request: ``step`` (code_sent, confirmed, exchange_locked, check_failed,
    reset_applied, alert_sent, cancelled, ticket_opened, repeated, ...), the actor, the time
    and facts (never a code or a token)."""

    __tablename__ = "security_request_steps"
    __table_args__ = (Index("ix_security_request_steps_request", "request_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("security_requests.id"))
    step: Mapped[str] = mapped_column(String(48))
    actor_kind: Mapped[str] = mapped_column(String(16))  # customer | assistant | system
    at: Mapped[datetime] = mapped_column(default=utcnow)
    detail: Mapped[dict[str, Any]] = mapped_column(GuardedJSON, default=dict)


class StepsAreAppendOnly(Exception):
    """Raised when code tries to change or remove a logged step."""


def _refuse(_mapper: Mapper[Any], _connection: Any, target: SecurityRequestStep) -> None:
    raise StepsAreAppendOnly(f"security request step {target.id} cannot be changed or removed")


event.listen(SecurityRequestStep, "before_update", _refuse)
event.listen(SecurityRequestStep, "before_delete", _refuse)
