"""Case tables. ``case_events`` is the register: rows are only ever inserted (the ORM refuses
updates and deletes, and a database trigger refuses them too). Every change to a case goes
through ``cases.register.record_step`` so it has its event with actor and time."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from ledgerdesk.ai.guard.storage import GuardedJSON, GuardedString
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import Base, db_enum


class CaseKind(enum.StrEnum):
    complaint = "complaint"  # a formal complaint (MiCA RTS 2025/294, FCA DISP 1)
    appeal = "appeal"  # of a frozen account or a rejected KYC: the complaint machinery
    scam_report = "scam_report"  # a customer was scammed: evidence for the security team


class CaseStatus(enum.StrEnum):
    received = "received"  # filed, admissibility not yet decided
    acknowledged = "acknowledged"  # admissible, acknowledgement sent
    investigating = "investigating"
    decided = "decided"  # the decision (final response) was sent
    closed = "closed"  # outcome and remedies recorded
    inadmissible = "inadmissible"  # refused at admissibility, with reasons


OPEN_CASE = (CaseStatus.received, CaseStatus.acknowledged, CaseStatus.investigating)


class Case(Base):
    """One complaint, appeal or scam report. ``ticket_id`` is the working ticket (the
    conversation with the customer and its attachments: evidence files live there).
    ``details`` holds the form's fields (guarded JSON); ``points`` the points the customer
    raised, each of which the decision must address. Deadlines are stored, not recomputed,
    so that the register shows what the desk promised at the time."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_kind_status", "kind", "status"),
        Index("ix_cases_customer", "customer_id"),
        Index("ix_cases_received", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[CaseKind] = mapped_column(db_enum(CaseKind))
    status: Mapped[CaseStatus] = mapped_column(db_enum(CaseStatus), default=CaseStatus.received)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), default=None)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), default=None)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), default=None)
    language: Mapped[str] = mapped_column(String(8), default="en")  # "en" or "zh-CN"
    channel: Mapped[str] = mapped_column(String(16), default="portal")  # where it was filed
    subject: Mapped[str] = mapped_column(GuardedString(300))
    topic: Mapped[str] = mapped_column(String(64), default="other")  # for the Art. 8 analysis
    jurisdiction: Mapped[str | None] = mapped_column(String(32), default=None)  # profile key
    details: Mapped[dict[str, Any]] = mapped_column(GuardedJSON, default=dict)
    points: Mapped[list[str]] = mapped_column(GuardedJSON, default=list)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    due_at: Mapped[datetime | None] = mapped_column(default=None)  # the promised decision date
    limit_at: Mapped[datetime | None] = mapped_column(default=None)  # the legal maximum
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    outcome: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CASE


class CaseEvent(Base):
    """One step in the register: what happened (``step``), who did it, when, and its facts.
    Never updated, never deleted."""

    __tablename__ = "case_events"
    __table_args__ = (
        UniqueConstraint("case_id", "seq", name="uq_case_events_case_seq"),
        Index("ix_case_events_step_at", "step", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, ... within the case
    step: Mapped[str] = mapped_column(String(48))
    actor_type: Mapped[str] = mapped_column(String(16))  # agent | customer | system | assistant
    actor_id: Mapped[int | None] = mapped_column(Integer, default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    detail: Mapped[dict[str, Any]] = mapped_column(GuardedJSON, default=dict)


class CaseTicket(Base):
    """A ticket linked to a case during the investigation (besides its working ticket)."""

    __tablename__ = "case_tickets"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)


class RegisterIsAppendOnly(Exception):
    """Raised when code tries to change or remove a step of the register."""


def _refuse(_mapper: Mapper[Any], _connection: Any, target: CaseEvent) -> None:
    raise RegisterIsAppendOnly(f"case event {target.id} cannot be changed or removed")


event.listen(CaseEvent, "before_update", _refuse)
event.listen(CaseEvent, "before_delete", _refuse)
