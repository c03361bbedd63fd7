"""The SLA clocks of a ticket (rows of ``sla_targets``), kept in step with its events.

A session listener collects the new ``Event`` rows of each flush; right after the flush the
clocks of those tickets are brought up to date in the same transaction (a rolled-back change
leaves its clocks untouched). Per changed ticket that is one SELECT of its running clocks and
the rows it changes; policies and calendars come from ``sla.policies``' cached snapshot, and a
desk without policies pays nothing.

- ``ticket.created``: first_reply and resolution start (at the ticket's creation).
- ``message.public`` from the customer: a next_reply clock starts (unless one runs, or the
  first reply is still owed). From an agent: first_reply and the running next_reply complete,
  and periodic_update restarts while the ticket stays open.
- ``ticket.status_changed``: to pending pauses every running clock (``paused_at``, no due
  time); leaving pending resumes it with the open time spent paused added; solved (or closed)
  completes every running clock; solved → open (a reopen) starts a new resolution clock.
- priority, intent, team, triage: the matching policy is looked up again; when it changed,
  the running clocks are recomputed from their ``started_at`` under the new one (a target the
  new policy lacks is dropped; first_reply and resolution it adds start from the ticket's
  creation).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ledgerdesk.core.settings import get_settings
from ledgerdesk.sla import policies
from ledgerdesk.sla.models import SlaTarget
from ledgerdesk.tickets.models import ActorKind, Event, Status, Ticket

_PENDING = "ledgerdesk_sla_events"
_RECHECK = frozenset(
    {
        "ticket.priority_changed",
        "ticket.intent_changed",
        "ticket.team_changed",
        "ticket.triaged",
        "triage.intent_corrected",
        "ticket.escalated",
        "ticket.deescalated",
    }
)
WATCHED = _RECHECK | {"ticket.created", "message.public", "ticket.status_changed"}
_DONE = (Status.solved, Status.closed)


@dataclass(frozen=True)
class Change:
    """What the clocks need of one event."""

    ticket_id: int
    action: str
    actor_kind: str
    before: dict[str, Any]
    after: dict[str, Any]
    at: datetime
    id: int


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context: Any) -> None:
    found = [
        Change(
            obj.ticket_id,
            obj.action,
            ActorKind(obj.actor_kind).value,
            dict(obj.before or {}),
            dict(obj.after or {}),
            obj.created_at,
            obj.id,
        )
        for obj in session.new
        if isinstance(obj, Event) and obj.ticket_id is not None and obj.action in WATCHED
    ]
    if found:
        session.info.setdefault(_PENDING, []).extend(found)


@event.listens_for(Session, "after_flush_postexec")
def _apply(session: Session, _context: Any) -> None:
    changes: list[Change] | None = session.info.pop(_PENDING, None)
    if not changes:
        return
    snapshot = policies.current(session)
    if not snapshot.rules:
        return
    with session.no_autoflush:
        by_ticket: dict[int, list[Change]] = {}
        for change in sorted(changes, key=lambda c: (c.at, c.id)):
            by_ticket.setdefault(change.ticket_id, []).append(change)
        for ticket_id, ticket_changes in by_ticket.items():
            ticket = session.get(Ticket, ticket_id)
            if ticket is not None:
                Clocks(session, snapshot, ticket).apply(ticket_changes)


class Clocks:
    """The running clocks of one ticket, changed in memory and added to the session."""

    def __init__(self, session: Session, snapshot: policies.Snapshot, ticket: Ticket) -> None:
        self.session = session
        self.snapshot = snapshot
        self.ticket = ticket
        self.percent = get_settings().sla_warning_percent
        self.running: list[SlaTarget] = list(
            session.scalars(
                select(SlaTarget)
                .where(SlaTarget.ticket_id == ticket.id, SlaTarget.completed_at.is_(None))
                .order_by(SlaTarget.id)
            )
        )
        self.rule = self._rule_of_running() or self.matching()

    def _rule_of_running(self) -> policies.Rule | None:
        for clock in self.running:
            rule = self.snapshot.rule(clock.policy_id)
            if rule is not None:
                return rule
        return None

    def matching(self) -> policies.Rule | None:
        t = self.ticket
        vip = bool(t.requester.vip) if t.requester is not None else False
        return self.snapshot.match(t.priority.value, t.intent, t.channel.value, t.team_id, vip)

    # --- one clock ------------------------------------------------------------------------

    def _find(self, target: str) -> SlaTarget | None:
        return next((c for c in self.running if c.target == target), None)

    def _schedule(self, clock: SlaTarget, rule: policies.Rule) -> None:
        minutes = rule.targets.get(clock.target)
        if minutes is None or clock.paused_at is not None:
            clock.due_at = clock.warn_at = None
            return
        hours = self.snapshot.clock(rule, self.ticket.team_id)
        clock.due_at, clock.warn_at = policies.due_times(
            hours, clock.started_at, minutes, clock.paused_seconds or 0, self.percent
        )

    def start(self, target: str, at: datetime) -> None:
        rule = self.rule
        if rule is None or target not in rule.targets or self._find(target) is not None:
            return
        clock = SlaTarget(
            ticket_id=self.ticket.id,
            policy_id=rule.id,
            target=target,
            started_at=at,
            paused_seconds=0,
            paused_at=at if self.ticket.status == Status.pending else None,
        )
        self._schedule(clock, rule)
        self.session.add(clock)
        self.running.append(clock)

    def complete(self, target: str | None, at: datetime) -> None:
        """Complete the running ``target`` (None: every running clock)."""
        for clock in [c for c in self.running if target is None or c.target == target]:
            if clock.paused_at is not None:
                clock.paused_at = None
            clock.completed_at = at
            self.running.remove(clock)

    def pause(self, at: datetime) -> None:
        for clock in self.running:
            if clock.paused_at is None:
                clock.paused_at = at
                clock.due_at = clock.warn_at = None

    def resume(self, at: datetime) -> None:
        for clock in self.running:
            if clock.paused_at is None:
                continue
            rule = self.snapshot.rule(clock.policy_id) or self.rule
            if rule is not None:
                hours = self.snapshot.clock(rule, self.ticket.team_id)
                clock.paused_seconds = (clock.paused_seconds or 0) + round(
                    hours.between(clock.paused_at, at)
                )
            clock.paused_at = None
            if rule is not None:
                self._schedule(clock, rule)

    def recheck(self) -> None:
        """Follow the matching policy: recompute the running clocks under it when it changed."""
        rule = self.matching()
        old = self.rule
        if rule is not None and old is not None and rule.id == old.id:
            for clock in self.running:  # the team (so the calendar) may have changed
                self._schedule(clock, rule)
            return
        self.rule = rule
        for clock in list(self.running):
            if rule is None or clock.target not in rule.targets:
                self.running.remove(clock)
                self._drop(clock)
                continue
            clock.policy_id = rule.id
            if clock.breached_at is None:
                clock.warned_at = None  # the new due time earns its own warning
            self._schedule(clock, rule)
        if rule is None or self.ticket.status in _DONE:
            return
        if self.ticket.first_reply_at is None:
            self.start("first_reply", self.ticket.created_at)
        if self._find("resolution") is None and not self._had("resolution"):
            self.start("resolution", self.ticket.created_at)

    def _drop(self, clock: SlaTarget) -> None:
        if clock in self.session.new:
            self.session.expunge(clock)
        elif clock in self.session:
            self.session.delete(clock)

    def _had(self, target: str) -> bool:
        found = self.session.scalar(
            select(SlaTarget.id).where(
                SlaTarget.ticket_id == self.ticket.id, SlaTarget.target == target
            )
        )
        return found is not None

    # --- events ---------------------------------------------------------------------------

    def apply(self, changes: list[Change]) -> None:
        recheck = False
        for change in changes:
            if change.action in _RECHECK:
                recheck = True
            elif change.action == "ticket.created":
                self.start("first_reply", change.at)
                self.start("resolution", change.at)
            elif change.action == "message.public":
                self._message(change)
            elif change.action == "ticket.status_changed":
                self._status(change)
        if recheck:
            self.recheck()

    def _message(self, change: Change) -> None:
        if change.actor_kind == ActorKind.customer.value:
            if self._find("first_reply") is None and self.ticket.status not in _DONE:
                self.start("next_reply", change.at)
        elif change.actor_kind == ActorKind.agent.value:
            self.complete("first_reply", change.at)
            self.complete("next_reply", change.at)
            self.complete("periodic_update", change.at)
            if self.ticket.status in (Status.new, Status.open, Status.on_hold):
                self.start("periodic_update", change.at)

    def _status(self, change: Change) -> None:
        before = change.before.get("status")
        after = change.after.get("status")
        if after == Status.pending.value:
            self.pause(change.at)
        elif after in (Status.solved.value, Status.closed.value):
            self.complete(None, change.at)
        elif before == Status.pending.value:
            self.resume(change.at)
        if before == Status.solved.value and after not in (
            Status.solved.value,
            Status.closed.value,
        ):
            self.start("resolution", change.at)
