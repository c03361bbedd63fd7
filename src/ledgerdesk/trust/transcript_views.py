"""Download routes of transcripts: a customer's own ticket from the portal, any ticket an agent
may see from the console (the same check as the console's ticket page)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from ledgerdesk.accounts.services import Actor
from ledgerdesk.core.errors import NotFound
from ledgerdesk.core.types import parse_id
from ledgerdesk.trust.transcript import build
from ledgerdesk.web.deps import ConsoleAgent, Db, PortalCustomer

router = APIRouter(include_in_schema=False)


def _download(db: Db, actor: Actor, ticket_id: str) -> Response:
    number = parse_id(ticket_id)
    if number is None:
        raise NotFound(f"Ticket #{ticket_id[:20]} not found")
    bundle = build(db, actor, number)
    return Response(
        bundle.content,
        media_type="text/html; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{bundle.filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/portal/tickets/{ticket_id}/transcript")
def portal_transcript(ticket_id: str, db: Db, actor: PortalCustomer) -> Response:
    return _download(db, actor, ticket_id)


@router.get("/console/tickets/{ticket_id}/transcript")
def console_transcript(ticket_id: str, db: Db, agent_actor: ConsoleAgent) -> Response:
    return _download(db, agent_actor, ticket_id)
