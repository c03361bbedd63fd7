"""Triage results and routing: what the model said about each customer message, the rules
that turn it into a team and a priority, and the agents' corrections that become training
data. Every change to these rows goes through ``routing.services``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from ledgerdesk.ai.guard.storage import GuardedJSON, GuardedLongText, GuardedString
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import Base


class TriagePrediction(Base):
    """One triage of one customer message, with the model version that made it."""

    __tablename__ = "triage_predictions"
    __table_args__ = (Index("ix_triage_predictions_ticket", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), unique=True
    )
    model_version: Mapped[str] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(16))
    language_confidence: Mapped[float] = mapped_column(Float)
    intent: Mapped[str] = mapped_column(String(64))  # the best label, even when uncertain
    intent_confidence: Mapped[float] = mapped_column(Float)
    uncertain: Mapped[bool] = mapped_column(Boolean)
    alternatives: Mapped[list[Any]] = mapped_column(JSON, default=list)
    sentiment: Mapped[str] = mapped_column(String(16))
    sentiment_confidence: Mapped[float] = mapped_column(Float)
    distressed: Mapped[bool] = mapped_column(Boolean)
    distressed_confidence: Mapped[float] = mapped_column(Float)
    amount_usd: Mapped[float] = mapped_column(Float, default=0.0)
    priority: Mapped[str] = mapped_column(String(16))
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), default=None
    )
    rule_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    applied: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict
    )  # what changed on the ticket
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RoutingRule(Base):
    """If a triaged message matches every condition set here, apply the actions.

    Empty lists and None match anything. Rules run in ``position`` order: the first rule that
    names a team decides the team, priorities only ever go up, tags add up, and ``stop`` ends
    the run."""

    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(GuardedString(120))
    position: Mapped[int] = mapped_column(Integer, default=0)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    intents: Mapped[list[str]] = mapped_column(GuardedJSON, default=list)
    languages: Mapped[list[str]] = mapped_column(GuardedJSON, default=list)
    vip: Mapped[bool | None] = mapped_column(Boolean, default=None)
    distressed: Mapped[bool | None] = mapped_column(Boolean, default=None)
    uncertain: Mapped[bool | None] = mapped_column(Boolean, default=None)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), default=None
    )
    priority: Mapped[str | None] = mapped_column(String(16), default=None)
    tag: Mapped[str | None] = mapped_column(GuardedString(64), default=None)
    stop: Mapped[bool] = mapped_column(Boolean, default=False)
    # Escalate the ticket to the next tier (sla/escalation.py), once per ticket.
    escalate: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrainingExample(Base):
    """A labelled message for retraining: an agent's intent correction of a ticket."""

    __tablename__ = "triage_examples"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), unique=True
    )
    # as stored on the ticket: secrets already removed
    text: Mapped[str] = mapped_column(GuardedLongText)
    label: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(16))
    previous_label: Mapped[str | None] = mapped_column(String(64), default=None)
    previous_confidence: Mapped[float | None] = mapped_column(Float, default=None)
    model_version: Mapped[str | None] = mapped_column(String(80), default=None)
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
