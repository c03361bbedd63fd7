"""JSON routes for macros under /api/v1. Every agent lists and uses the shared macros and
their own; shared ones are made and changed by leads and admins."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ledgerdesk.core.types import PathId
from ledgerdesk.macros import services as svc
from ledgerdesk.macros.models import Macro
from ledgerdesk.macros.schemas import (
    MacroApplied,
    MacroCreate,
    MacroList,
    MacroPublic,
    MacroUpdate,
)
from ledgerdesk.tickets.services import access_ticket
from ledgerdesk.web.deps import CurrentAgent, Db

router = APIRouter(prefix="/api/v1", tags=["macros"])


def macro_public(macro: Macro) -> MacroPublic:
    return MacroPublic(
        id=macro.id,
        name=macro.name,
        body_en=macro.body_en,
        body_zh=macro.body_zh,
        shared=macro.owner_id is None,
        owner_id=macro.owner_id,
        status=macro.status,
        tags=list(macro.tags),
        team_id=macro.team_id,
        created_at=macro.created_at,
        updated_at=macro.updated_at,
    )


@router.get("/macros")
def list_macros(db: Db, actor: CurrentAgent) -> MacroList:
    """The shared macros and your personal ones."""
    return MacroList(items=[macro_public(m) for m in svc.list_macros(db, actor)])


@router.post("/macros", status_code=201)
def create_macro(data: MacroCreate, db: Db, actor: CurrentAgent) -> MacroPublic:
    """A personal macro, or a shared one (leads and admins)."""
    macro = svc.do_create_macro(db, actor, svc.MacroIn(**data.model_dump()))
    db.commit()
    return macro_public(macro)


@router.get("/macros/{macro_id}")
def get_macro(macro_id: PathId, db: Db, actor: CurrentAgent) -> MacroPublic:
    return macro_public(svc.access_macro(db, actor, macro_id))


@router.put("/macros/{macro_id}")
def update_macro(macro_id: PathId, data: MacroUpdate, db: Db, actor: CurrentAgent) -> MacroPublic:
    """Replace a macro's text and actions (its owner; leads and admins for shared ones)."""
    macro = svc.access_macro(db, actor, macro_id)
    svc.do_update_macro(db, actor, macro, svc.MacroIn(**data.model_dump()))
    db.commit()
    return macro_public(macro)


@router.delete("/macros/{macro_id}", status_code=204)
def delete_macro(macro_id: PathId, db: Db, actor: CurrentAgent) -> Response:
    macro = svc.access_macro(db, actor, macro_id)
    svc.do_delete_macro(db, actor, macro)
    db.commit()
    return Response(status_code=204)


@router.post("/tickets/{ticket_id}/macros/{macro_id}/apply")
def apply_macro(ticket_id: PathId, macro_id: PathId, db: Db, actor: CurrentAgent) -> MacroApplied:
    """Apply the macro's team and tags to the ticket now and get its reply filled in the
    ticket's language; send it with ``POST /api/v1/tickets/{id}/messages`` and the status."""
    ticket = access_ticket(db, actor, ticket_id)
    macro = svc.access_macro(db, actor, macro_id)
    applied = svc.do_apply_macro(db, actor, ticket, macro)
    db.commit()
    return MacroApplied(
        macro_id=macro.id,
        ticket_id=ticket.id,
        language=svc.macro_language(ticket),
        body=applied.body,
        status=applied.status,
    )
