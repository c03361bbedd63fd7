"""Tiered escalation: L1 -> L2 -> specialist, and back to L1.

``do_escalate`` moves a ticket to the next tier's team (the team's ``escalation_team_id``,
else the first team of the next tier that has one), unassigns it when its assignee is not in
that team, raises the priority one step (never lowers it), records ``ticket.escalated`` and
tells the target team's leads (notification kind ``escalated``; the admins when the team has
no lead). A ``ticket_escalations`` row remembers where the ticket came from, so
``do_deescalate`` ("Back to L1") returns it there with ``ticket.deescalated``.

Automatic escalation: ``on_sla_breach`` (registered in ``sla.hooks.ON_BREACH``) escalates
once per ticket per tier; a routing rule with ``escalate`` escalates a ticket once
(``escalate_by_rule``, called by triage). Both act as the system."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Agent, Role, Team, TeamMember, Tier
from ledgerdesk.accounts.services import SYSTEM, Actor, require_role
from ledgerdesk.channels.notifications import notify
from ledgerdesk.channels.outgoing import is_history
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import InvalidInput, InvalidTransition
from ledgerdesk.core.text import clean
from ledgerdesk.sla.escalation_models import MAX_REASON, TicketEscalation
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.checks import check_not_closed, require_agent
from ledgerdesk.tickets.events import record, touch
from ledgerdesk.tickets.models import Priority, Status, Ticket

TIERS = (Tier.l1, Tier.l2, Tier.specialist)
TRIGGERS = ("manual", "sla_breach", "routing_rule")


# --- where a ticket goes ------------------------------------------------------------------


def ticket_tier(ticket: Ticket) -> Tier:
    """A ticket without a team waits in the first-line queue: L1."""
    return ticket.team.tier if ticket.team is not None else Tier.l1


def next_team(session: Session, ticket: Ticket) -> Team | None:
    """The team one tier up: the current team's ``escalation_team_id`` if set, else the first
    team (by id) of the next tier that has any team. None at the top."""
    team = ticket.team
    if team is not None and team.escalation_team_id is not None:
        target = session.get(Team, team.escalation_team_id)
        if target is not None and target.id != team.id:
            return target
    index = TIERS.index(ticket_tier(ticket))
    for tier in TIERS[index + 1 :]:
        found = session.scalar(select(Team).where(Team.tier == tier).order_by(Team.id).limit(1))
        if found is not None:
            return found
    return None


def open_escalation(session: Session, ticket: Ticket) -> TicketEscalation | None:
    """The latest escalation not yet returned (what "Back to L1" undoes)."""
    query = (
        select(TicketEscalation)
        .where(TicketEscalation.ticket_id == ticket.id, TicketEscalation.returned_at.is_(None))
        .order_by(TicketEscalation.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def escalations_of(session: Session, ticket: Ticket) -> list[TicketEscalation]:
    query = select(TicketEscalation).where(TicketEscalation.ticket_id == ticket.id)
    return list(session.scalars(query.order_by(TicketEscalation.id)))


def _raised(priority: Priority) -> Priority:
    order = list(Priority)
    return order[min(order.index(priority) + 1, len(order) - 1)]


def check_reason(reason: str, *, required: bool) -> str:
    text = " ".join(clean(reason).split())
    if required and not text:
        raise InvalidInput("Say why the ticket is escalated", field="reason")
    if len(text) > MAX_REASON:
        raise InvalidInput(f"The reason is longer than {MAX_REASON} characters", field="reason")
    return text


# --- escalate and back ---------------------------------------------------------------------


def do_escalate(
    session: Session,
    actor: Actor,
    ticket: Ticket,
    reason: str,
    *,
    automatic: bool = False,
    trigger: str = "manual",
    sla_target: str | None = None,
) -> TicketEscalation:
    """Move the ticket one tier up. A person must give a reason; the system may not."""
    require_agent(actor)
    check_not_closed(ticket)
    text = check_reason(reason, required=not automatic)
    target = next_team(session, ticket)
    if target is None:
        raise InvalidTransition("The ticket is already with the highest tier; nothing is above")
    before_tier = ticket_tier(ticket)
    before = {
        "team_id": ticket.team_id,
        "tier": before_tier.value,
        "priority": ticket.priority.value,
    }
    after: dict[str, object] = {
        "team_id": target.id,
        "tier": target.tier.value,
        "priority": _raised(ticket.priority).value,
        "trigger": trigger if trigger in TRIGGERS else "manual",
    }
    if text:
        after["reason"] = text
    if sla_target:
        after["sla_target"] = sla_target
    unassign = ticket.assignee_id is not None
    if unassign and not _is_member(session, target.id, ticket.assignee_id or 0):
        before["assignee_id"], after["assignee_id"] = ticket.assignee_id, None
    row = TicketEscalation(
        ticket_id=ticket.id,
        from_team_id=ticket.team_id,
        to_team_id=target.id,
        from_tier=before_tier.value,
        to_tier=target.tier.value,
        trigger=str(after["trigger"]),
        automatic=automatic,
        reason=text or sla_target or "",  # a breach keeps its target: one escalation per target
        actor_id=actor.id,
        created_at=utcnow(),
    )
    # The moves go through the tickets' own functions, so their usual events (team, priority,
    # assignee) are recorded too: webhooks, reports and the SLA clocks read those.
    _move(session, actor, ticket, target.id, unassign="assignee_id" in after)
    tickets.do_set_priority(session, actor, ticket, _raised(ticket.priority))
    session.add(row)
    record(session, ticket, actor, "ticket.escalated", before, after)
    touch(ticket)
    session.flush()
    _tell_leads(session, ticket, target, row, actor)
    return row


def do_deescalate(session: Session, actor: Actor, ticket: Ticket) -> TicketEscalation:
    """Return the ticket to the team it came from before its first open escalation (L1),
    unassigned unless its assignee is in that team. The priority stays as it is."""
    require_agent(actor)
    check_not_closed(ticket)
    rows = [r for r in escalations_of(session, ticket) if r.returned_at is None]
    if not rows:
        raise InvalidTransition("The ticket was not escalated; there is nothing to go back to")
    first = rows[0]
    before = {"team_id": ticket.team_id, "tier": ticket_tier(ticket).value}
    back = session.get(Team, first.from_team_id) if first.from_team_id is not None else None
    after: dict[str, object] = {
        "team_id": back.id if back else None,
        "tier": back.tier.value if back else Tier.l1.value,
    }
    if ticket.assignee_id is not None and (
        back is None or not _is_member(session, back.id, ticket.assignee_id)
    ):
        before["assignee_id"], after["assignee_id"] = ticket.assignee_id, None
    now = utcnow()
    for row in rows:
        row.returned_at = now
    _move(session, actor, ticket, back.id if back else None, unassign="assignee_id" in after)
    record(session, ticket, actor, "ticket.deescalated", before, after)
    touch(ticket)
    return first


def _move(
    session: Session, actor: Actor, ticket: Ticket, team_id: int | None, *, unassign: bool
) -> None:
    if unassign:
        tickets.do_assign(session, actor, ticket, agent_id=None, team_id=team_id)
    else:
        tickets.do_assign(session, actor, ticket, team_id=team_id)


def _is_member(session: Session, team_id: int, agent_id: int) -> bool:
    query = select(TeamMember.agent_id).where(
        TeamMember.team_id == team_id, TeamMember.agent_id == agent_id
    )
    return session.scalar(query) is not None


def team_leads(session: Session, team_id: int) -> list[int]:
    """Active leads of the team; the admins when the team has none."""
    query = (
        select(Agent.id)
        .join(TeamMember, TeamMember.agent_id == Agent.id)
        .where(TeamMember.team_id == team_id, Agent.role == Role.lead, Agent.active.is_(True))
    )
    leads = list(session.scalars(query.order_by(Agent.id)))
    if leads:
        return leads
    admins = select(Agent.id).where(Agent.role == Role.admin, Agent.active.is_(True))
    return list(session.scalars(admins.order_by(Agent.id)))


def _tell_leads(
    session: Session, ticket: Ticket, team: Team, row: TicketEscalation, actor: Actor
) -> None:
    if is_history(session):  # the demo's past escalations told nobody
        return
    actor_id = actor.id if actor.is_agent else None
    for agent_id in team_leads(session, team.id):
        key = f"escalated:{row.id}"
        notify(session, agent_id, "escalated", key, ticket_id=ticket.id, actor_agent_id=actor_id)


# --- automatic escalation ------------------------------------------------------------------


def _escalated_before(session: Session, ticket: Ticket, tier: Tier, target: str) -> bool:
    """Already escalated from this tier, or already for this breached target."""
    query = select(TicketEscalation.id).where(
        TicketEscalation.ticket_id == ticket.id,
        (TicketEscalation.from_tier == tier.value)
        | ((TicketEscalation.trigger == "sla_breach") & (TicketEscalation.reason == target)),
    )
    return session.scalar(query.limit(1)) is not None


def _may_escalate(session: Session, ticket: Ticket) -> bool:
    if ticket.status in (Status.solved, Status.closed):
        return False
    return next_team(session, ticket) is not None


def on_sla_breach(session: Session, ticket: Ticket, target: str) -> None:
    """The SLA job's hook (``sla.hooks.ON_BREACH``): escalate a breached ticket one tier,
    once per ticket per tier (a ticket brought back to L1 is not escalated from L1 again) and
    once per target (the same breach reported twice moves it once)."""
    if not _may_escalate(session, ticket):
        return
    if _escalated_before(session, ticket, ticket_tier(ticket), target):
        return
    do_escalate(
        session, SYSTEM, ticket, "", automatic=True, trigger="sla_breach", sla_target=target
    )


def escalate_by_rule(session: Session, ticket: Ticket, rule_name: str) -> None:
    """Triage matched a routing rule that escalates: escalate once per ticket (a later
    customer message matching the same rule does not push it further up)."""
    if not _may_escalate(session, ticket) or escalations_of(session, ticket):
        return
    do_escalate(session, SYSTEM, ticket, rule_name, automatic=True, trigger="routing_rule")


# --- the teams' next tier (admins) ---------------------------------------------------------


def do_set_escalation_team(
    session: Session, actor: Actor, team: Team, target_id: int | None
) -> None:
    """Set where escalations from ``team`` go: a team of a higher tier, or None for the first
    team of the next tier."""
    require_role(actor, Role.admin)
    if target_id is not None:
        target = session.get(Team, target_id)
        if target is None:
            raise InvalidInput(f"Team {target_id} does not exist", field="escalation_team_id")
        if TIERS.index(target.tier) <= TIERS.index(team.tier):
            raise InvalidInput(
                "A team escalates to a team of a higher tier", field="escalation_team_id"
            )
    if team.escalation_team_id != target_id:
        before = {"team_id": team.id, "escalation_team_id": team.escalation_team_id}
        team.escalation_team_id = target_id
        after = {"team_id": team.id, "escalation_team_id": target_id}
        record(session, None, actor, "team.escalation_changed", before, after)
