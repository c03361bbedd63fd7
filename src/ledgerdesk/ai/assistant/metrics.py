"""How the assistant does in production, over a date range, from its ``AssistantReply`` rows and
the tickets' messages (the same numbers on SQLite and PostgreSQL).

Definitions (also on the ``/console/assistant`` page):

- a **conversation** is a ticket the assistant replied on in the range (chat or portal), or
  one question asked in the help center;
- an **automated resolution** is a ticket conversation with an answer the customer confirmed
  ("yes"), or an answer not followed within 24 hours by a customer message, a handover or an
  agent's public reply (a person stepping in is not automated), counted once per ticket; a
  help-center question counts only when the customer said "yes".
  An answer younger than 24 hours without a "yes" is not decided yet (``awaiting``);
- a **handover** is a conversation the assistant passed to a person; the reasons count
  conversations (one handed over twice for the same reason counts once);
- **per article**: the customers' yes/no answers to replies that cited it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from ledgerdesk.ai.assistant.models import AssistantReply
from ledgerdesk.core.clock import utcnow
from ledgerdesk.tickets.models import ActorKind, Message, MessageKind

QUIET_PERIOD = timedelta(hours=24)  # an answer the customer did not come back to


@dataclass(frozen=True)
class ArticleVotes:
    slug: str
    yes: int
    no: int

    @property
    def total(self) -> int:
        return self.yes + self.no


@dataclass
class Metrics:
    start: date
    end: date  # inclusive
    ticket_conversations: int = 0
    help_questions: int = 0
    resolved: int = 0
    awaiting: int = 0  # answers still inside their 24 hours, not confirmed
    handed_over: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    articles: list[ArticleVotes] = field(default_factory=list)

    @property
    def conversations(self) -> int:
        return self.ticket_conversations + self.help_questions

    @property
    def resolution_rate(self) -> float:
        return self.resolved / self.conversations if self.conversations else 0.0

    @property
    def handover_rate(self) -> float:
        return self.handed_over / self.conversations if self.conversations else 0.0


@dataclass
class _Ticket:
    resolved: bool = False
    awaiting: bool = False
    reasons: set[str] = field(default_factory=set)


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The range as UTC datetimes: from ``start`` 00:00 to the day after ``end`` 00:00."""
    return datetime.combine(start, time.min), datetime.combine(end + timedelta(days=1), time.min)


def compute(session: Session, start: date, end: date, now: datetime | None = None) -> Metrics:
    """The assistant's numbers for replies made from ``start`` to ``end`` (both inclusive)."""
    now = now or utcnow()
    result = Metrics(start=start, end=end)
    rows = _rows(session, *bounds(start, end))
    per_ticket: dict[int, _Ticket] = defaultdict(_Ticket)
    reasons: Counter[str] = Counter()
    votes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        if row.action == "answer" and row.feedback in ("yes", "no"):
            for slug in dict.fromkeys(row.citations or []):
                votes[slug][0 if row.feedback == "yes" else 1] += 1
        if row.ticket_id is None:
            _count_help(result, reasons, row)
            continue
        state = per_ticket[row.ticket_id]
        if row.action == "handover":
            state.reasons.add(row.reason or "")
        elif row.action == "answer":
            _judge_answer(state, row, now)
    for state in per_ticket.values():
        result.resolved += state.resolved
        result.awaiting += state.awaiting and not state.resolved
        result.handed_over += bool(state.reasons)
        reasons.update(state.reasons)
    result.ticket_conversations = len(per_ticket)
    result.reasons = dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])))
    result.articles = sorted(
        (ArticleVotes(slug, yes, no) for slug, (yes, no) in votes.items()),
        key=lambda a: (-a.total, a.slug),
    )
    return result


def _count_help(result: Metrics, reasons: Counter[str], row: _Row) -> None:
    result.help_questions += 1
    if row.action == "handover":
        result.handed_over += 1
        reasons[row.reason or ""] += 1
    elif row.feedback == "yes":
        result.resolved += 1


def _judge_answer(state: _Ticket, row: _Row, now: datetime) -> None:
    if row.feedback == "yes":
        state.resolved = True
        return
    deadline = row.created_at + QUIET_PERIOD
    followed = [t for t in (row.next_message_at, row.next_handover_at) if t is not None]
    if any(t <= deadline for t in followed):
        return  # the customer came back, or a person stepped in, within the day
    if now >= deadline:
        state.resolved = True
    else:
        state.awaiting = True


@dataclass(frozen=True)
class _Row:
    ticket_id: int | None
    action: str
    reason: str | None
    feedback: str | None
    citations: list[str]
    created_at: datetime
    next_message_at: datetime | None  # the next public message by the customer or an agent
    next_handover_at: datetime | None


def _rows(session: Session, since: datetime, until: datetime) -> list[_Row]:
    """Every reply in the range with, for ticket answers, when the customer or an agent next
    wrote and when the assistant next handed over (one query; the 24-hour comparison is made
    in Python so that it means the same on both databases)."""
    reply = aliased(AssistantReply)
    later = aliased(AssistantReply)
    next_message = (
        select(func.min(Message.created_at))
        .where(
            Message.ticket_id == reply.ticket_id,
            Message.author_kind.in_([ActorKind.customer, ActorKind.agent]),
            Message.kind == MessageKind.public,
            Message.created_at > reply.created_at,
        )
        .correlate(reply)
        .scalar_subquery()
    )
    next_handover = (
        select(func.min(later.created_at))
        .where(
            later.ticket_id == reply.ticket_id,
            later.action == "handover",
            later.created_at > reply.created_at,
        )
        .correlate(reply)
        .scalar_subquery()
    )
    query = (
        select(
            reply.ticket_id,
            reply.action,
            reply.reason,
            reply.feedback,
            reply.citations,
            reply.created_at,
            next_message,
            next_handover,
        )
        .where(reply.created_at >= since, reply.created_at < until, reply.channel != "console")
        .order_by(reply.id)
    )
    return [_Row(*row) for row in session.execute(query)]
