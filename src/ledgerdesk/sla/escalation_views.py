"""Escalation in the console and the API.

Console: a panel on the ticket page (loaded after the page) with "Escalate" (a required
reason) and "Back to L1"; admins set each team's next tier on /console/escalation.
API: ``POST /api/v1/tickets/{id}/escalate`` and ``/deescalate``,
``PUT /api/v1/teams/{id}/escalation``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import Actor
from ledgerdesk.core.errors import DomainError, InvalidInput
from ledgerdesk.core.i18n import gettext
from ledgerdesk.core.types import Id, PathId, UtcDateTime, parse_id
from ledgerdesk.sla import escalation as svc
from ledgerdesk.sla.escalation_models import MAX_REASON, TicketEscalation
from ledgerdesk.tickets.services import access_ticket
from ledgerdesk.web.deps import ConsoleAdmin, ConsoleAgent, CurrentAgent, Db
from ledgerdesk.web.templating import flash, render

console = APIRouter(prefix="/console", include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["escalation"])


# --- console ---------------------------------------------------------------------------------


@console.get("/tickets/{ticket_id}/escalation")
def escalation_panel(
    request: Request, ticket_id: PathId, db: Db, agent_actor: ConsoleAgent
) -> Response:
    ticket = access_ticket(db, agent_actor, ticket_id)
    return render(
        request,
        "sla/_escalation_panel.html",
        ticket=ticket,
        tier=svc.ticket_tier(ticket),
        next_team=svc.next_team(db, ticket),
        open_escalation=svc.open_escalation(db, ticket),
    )


def _back(request: Request, db: Any, actor: Actor, ticket_id: int, done: str) -> Response:
    """To the ticket, or to the inbox when it moved out of the agent's sight."""
    flash(request, "ok", done)
    try:
        access_ticket(db, actor, ticket_id)
    except DomainError:
        return RedirectResponse("/console/inbox", status_code=303)
    return RedirectResponse(f"/console/tickets/{ticket_id}", status_code=303)


@console.post("/tickets/{ticket_id}/escalate")
def escalate(
    request: Request,
    ticket_id: PathId,
    db: Db,
    agent_actor: ConsoleAgent,
    reason: Annotated[str, Form(max_length=4 * MAX_REASON)] = "",
) -> Response:
    try:
        ticket = access_ticket(db, agent_actor, ticket_id)
        row = svc.do_escalate(db, agent_actor, ticket, reason)
        db.commit()
    except DomainError as exc:
        db.rollback()
        flash(request, "error", gettext(exc.message))
        return RedirectResponse(f"/console/tickets/{ticket_id}", status_code=303)
    done = gettext("Escalated to %(tier)s") % {"tier": row.to_tier}
    return _back(request, db, agent_actor, ticket_id, done)


@console.post("/tickets/{ticket_id}/deescalate")
def deescalate(request: Request, ticket_id: PathId, db: Db, agent_actor: ConsoleAgent) -> Response:
    try:
        ticket = access_ticket(db, agent_actor, ticket_id)
        svc.do_deescalate(db, agent_actor, ticket)
        db.commit()
    except DomainError as exc:
        db.rollback()
        flash(request, "error", gettext(exc.message))
        return RedirectResponse(f"/console/tickets/{ticket_id}", status_code=303)
    return _back(request, db, agent_actor, ticket_id, gettext("Sent back to the first line"))


@console.get("/escalation")
def escalation_teams(request: Request, db: Db, agent_actor: ConsoleAdmin) -> Response:
    return render(
        request,
        "sla/escalation_teams.html",
        me=accounts.get_agent(db, agent_actor.id or 0),
        teams=accounts.list_teams(db),
    )


@console.post("/escalation/{team_id}")
def set_escalation_team(
    request: Request,
    team_id: PathId,
    db: Db,
    agent_actor: ConsoleAdmin,
    escalation_team_id: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    try:
        team = accounts.get_team(db, team_id)
        chosen = escalation_team_id.strip()
        target = parse_id(chosen) if chosen else None
        if chosen and target is None:
            raise InvalidInput("Choose a team from the list", field="escalation_team_id")
        svc.do_set_escalation_team(db, agent_actor, team, target)
        db.commit()
    except DomainError as exc:
        db.rollback()
        flash(request, "error", gettext(exc.message))
    else:
        flash(request, "ok", gettext("Saved"))
    return RedirectResponse("/console/escalation", status_code=303)


# --- API -------------------------------------------------------------------------------------


class EscalateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=MAX_REASON, description="Why, for the record")


class EscalationPublic(BaseModel):
    id: int
    ticket_id: int
    from_team_id: int | None
    to_team_id: int | None
    from_tier: str | None
    to_tier: str
    trigger: str = Field(description="manual, sla_breach or routing_rule")
    automatic: bool
    reason: str
    created_at: UtcDateTime
    returned_at: UtcDateTime | None


class TeamEscalationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    escalation_team_id: Id | None = Field(
        description="A team of a higher tier; null: the first team of the next tier"
    )


class TeamEscalationPublic(BaseModel):
    team_id: int
    tier: str
    escalation_team_id: int | None


def _public(row: TicketEscalation) -> EscalationPublic:
    return EscalationPublic(
        id=row.id,
        ticket_id=row.ticket_id,
        from_team_id=row.from_team_id,
        to_team_id=row.to_team_id,
        from_tier=row.from_tier,
        to_tier=row.to_tier,
        trigger=row.trigger,
        automatic=row.automatic,
        reason=row.reason,
        created_at=row.created_at,
        returned_at=row.returned_at,
    )


@api.post("/tickets/{ticket_id}/escalate")
def escalate_api(
    ticket_id: PathId, data: EscalateIn, db: Db, actor: CurrentAgent
) -> EscalationPublic:
    """Move the ticket to the next tier's team, raise its priority one step and tell that
    team's leads."""
    ticket = access_ticket(db, actor, ticket_id)
    row = svc.do_escalate(db, actor, ticket, data.reason)
    db.commit()
    return _public(row)


@api.post("/tickets/{ticket_id}/deescalate")
def deescalate_api(ticket_id: PathId, db: Db, actor: CurrentAgent) -> EscalationPublic:
    """Send the ticket back to the team it was escalated from (the first line)."""
    ticket = access_ticket(db, actor, ticket_id)
    row = svc.do_deescalate(db, actor, ticket)
    db.commit()
    return _public(row)


@api.get("/tickets/{ticket_id}/escalations")
def escalations_api(ticket_id: PathId, db: Db, actor: CurrentAgent) -> list[EscalationPublic]:
    ticket = access_ticket(db, actor, ticket_id)
    return [_public(r) for r in svc.escalations_of(db, ticket)]


@api.put("/teams/{team_id}/escalation")
def team_escalation_api(
    team_id: PathId, data: TeamEscalationIn, db: Db, actor: CurrentAgent
) -> TeamEscalationPublic:
    """Where escalations from this team go (admins)."""
    accounts.require_role(actor, Role.admin)
    team = accounts.get_team(db, team_id)
    svc.do_set_escalation_team(db, actor, team, data.escalation_team_id)
    db.commit()
    return TeamEscalationPublic(
        team_id=team.id, tier=team.tier.value, escalation_team_id=team.escalation_team_id
    )
