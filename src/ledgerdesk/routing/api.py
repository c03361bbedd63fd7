"""JSON routes for triage and routing under /api/v1. Thin: parse, check, call one service,
answer. Triage results are for agents who can see the ticket; rules are for admins."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import Actor, require_role
from ledgerdesk.core.types import PathId
from ledgerdesk.routing import presenters
from ledgerdesk.routing import services as svc
from ledgerdesk.routing.schemas import (
    CorrectionPublic,
    IntentCorrection,
    PredictionList,
    RuleCreate,
    RuleList,
    RuleMove,
    RulePublic,
    RuleUpdate,
)
from ledgerdesk.tickets.services import access_ticket
from ledgerdesk.web.deps import CurrentAgent, Db

router = APIRouter(prefix="/api/v1", tags=["triage and routing"])


def _admin(actor: Actor) -> None:
    require_role(actor, Role.admin)


@router.get("/tickets/{ticket_id}/triage")
def ticket_triage(ticket_id: PathId, db: Db, actor: CurrentAgent) -> PredictionList:
    """What triage said about each customer message of the ticket, newest first."""
    ticket = access_ticket(db, actor, ticket_id)
    names = presenters.rule_names(db)
    items = [presenters.prediction_public(p, names) for p in svc.predictions_for(db, ticket)]
    return PredictionList(items=items)


@router.post("/tickets/{ticket_id}/intent")
def correct_intent(
    ticket_id: PathId, data: IntentCorrection, db: Db, actor: CurrentAgent
) -> CorrectionPublic:
    """Correct the ticket's intent. The opening message becomes a training example with this
    label (one per ticket; correcting again updates it)."""
    ticket = access_ticket(db, actor, ticket_id)
    example = svc.do_correct_intent(db, actor, ticket, data.intent)
    db.commit()
    return presenters.correction_public(example)


@router.get("/routing/rules")
def list_rules(db: Db, actor: CurrentAgent) -> RuleList:
    """The routing rules in the order they run (admins)."""
    _admin(actor)
    return RuleList(items=[presenters.rule_public(r) for r in svc.list_rules(db)])


@router.post("/routing/rules", status_code=201)
def create_rule(data: RuleCreate, db: Db, actor: CurrentAgent) -> RulePublic:
    """Add a rule at the end of the order (admins)."""
    rule = svc.do_create_rule(db, actor, presenters.rule_in(data))
    db.commit()
    return presenters.rule_public(rule)


@router.put("/routing/rules/{rule_id}")
def update_rule(rule_id: PathId, data: RuleUpdate, db: Db, actor: CurrentAgent) -> RulePublic:
    """Replace a rule's conditions and actions; its place in the order stays (admins)."""
    _admin(actor)
    rule = svc.access_rule(db, rule_id)
    svc.do_update_rule(db, actor, rule, presenters.rule_in(data))
    db.commit()
    return presenters.rule_public(rule)


@router.post("/routing/rules/{rule_id}/move")
def move_rule(rule_id: PathId, data: RuleMove, db: Db, actor: CurrentAgent) -> RuleList:
    """Move a rule earlier (negative offset) or later in the order (admins)."""
    _admin(actor)
    svc.do_move_rule(db, actor, svc.access_rule(db, rule_id), data.offset)
    db.commit()
    return RuleList(items=[presenters.rule_public(r) for r in svc.list_rules(db)])


@router.delete("/routing/rules/{rule_id}", status_code=204)
def delete_rule(rule_id: PathId, db: Db, actor: CurrentAgent) -> Response:
    """Delete a rule (admins). Past triage results keep its id."""
    _admin(actor)
    svc.do_delete_rule(db, actor, svc.access_rule(db, rule_id))
    db.commit()
    return Response(status_code=204)
