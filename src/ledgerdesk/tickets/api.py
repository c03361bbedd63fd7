"""JSON routes for tickets under /api/v1. Thin: parse, check, call one service, answer."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import Response

from ledgerdesk.core.errors import InvalidInput
from ledgerdesk.core.types import PageNumber, PathId, QueryId
from ledgerdesk.tickets import queries
from ledgerdesk.tickets import services as svc
from ledgerdesk.tickets.attachments import read_blob
from ledgerdesk.tickets.merge import do_merge
from ledgerdesk.tickets.models import Channel, MessageKind, Priority, Status
from ledgerdesk.tickets.presenters import (
    event_public,
    message_public,
    ticket_detail,
    ticket_public,
)
from ledgerdesk.tickets.schemas import (
    EventPublic,
    MergeRequest,
    MessageCreate,
    MessagePublic,
    TicketCreate,
    TicketDetail,
    TicketPage,
    TicketPublic,
    TicketUpdate,
)
from ledgerdesk.web.deps import CurrentActor, CurrentAgent, Db
from ledgerdesk.web.uploads import read_uploads

router = APIRouter(prefix="/api/v1", tags=["tickets"])


@router.post("/tickets", status_code=201)
def create_ticket(data: TicketCreate, db: Db, actor: CurrentActor) -> TicketDetail:
    """Customers open their own tickets; agents and integrations name the requester."""
    requester = svc.resolve_requester(
        db, actor, data.requester.model_dump() if data.requester else None
    )
    channel = data.channel or (Channel.portal if actor.is_customer else Channel.api)
    ticket, messages = svc.open_ticket(
        db,
        actor,
        requester,
        svc.NewTicket(
            subject=data.subject,
            body=data.body,
            channel=channel,
            priority=data.priority,
            team_id=data.team_id,
            tags=data.tags,
        ),
    )
    db.commit()
    if messages is None:
        messages = queries.ticket_messages(db, actor, ticket)
    return ticket_detail(ticket, messages)


@router.get("/tickets")
def list_tickets(
    db: Db,
    actor: CurrentActor,
    status: Annotated[list[Status] | None, Query()] = None,
    open_only: bool = False,
    assignee_id: QueryId = None,
    unassigned: bool = False,
    team_id: QueryId = None,
    priority: Priority | None = None,
    intent: Annotated[str | None, Query(max_length=64)] = None,
    tag: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    page: PageNumber = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 25,
) -> TicketPage:
    flt = queries.TicketFilter(
        status=status,
        open_only=open_only,
        assignee_id=assignee_id,
        unassigned=unassigned,
        team_id=team_id,
        priority=priority,
        intent=intent,
        tag=tag,
        text=q,
    )
    items, total = queries.list_tickets(db, actor, flt, page=page, per_page=per_page)
    return TicketPage(
        items=[ticket_public(t) for t in items], total=total, page=page, per_page=per_page
    )


@router.get("/tickets/{ticket_id}")
def get_ticket(ticket_id: PathId, db: Db, actor: CurrentActor) -> TicketDetail:
    ticket = svc.access_ticket(db, actor, ticket_id)
    return ticket_detail(ticket, queries.ticket_messages(db, actor, ticket))


@router.patch("/tickets/{ticket_id}")
def update_ticket(
    ticket_id: PathId, data: TicketUpdate, db: Db, actor: CurrentAgent
) -> TicketPublic:
    ticket = svc.access_ticket(db, actor, ticket_id)
    svc.do_update_ticket(
        db,
        actor,
        ticket,
        svc.TicketChanges(fields_set=set(data.model_fields_set), **data.model_dump()),
    )
    db.commit()
    return ticket_public(ticket)


@router.post("/tickets/{ticket_id}/messages", status_code=201)
def add_message(
    ticket_id: PathId, data: MessageCreate, db: Db, actor: CurrentActor
) -> MessagePublic:
    ticket = svc.access_ticket(db, actor, ticket_id, lean=True)
    message = svc.do_add_message(db, actor, ticket, data.body, kind=data.kind, status=data.status)
    db.commit()
    return message_public(message)


@router.post("/tickets/{ticket_id}/attachments", status_code=201)
def add_message_with_files(
    ticket_id: PathId,
    db: Db,
    actor: CurrentActor,
    body: Annotated[str, Form(min_length=1, max_length=50_000)],
    files: Annotated[list[UploadFile], File(description="One or more files")],
    kind: Annotated[MessageKind, Form()] = MessageKind.public,
) -> MessagePublic:
    """A reply or note with attachments (multipart/form-data)."""
    items = read_uploads(files)
    ticket = svc.access_ticket(db, actor, ticket_id)
    message = svc.do_add_message(db, actor, ticket, body, kind=kind, attachments=items)
    db.commit()
    return message_public(message)


@router.post("/tickets/{ticket_id}/merge")
def merge_ticket(
    ticket_id: PathId, data: MergeRequest, db: Db, actor: CurrentAgent
) -> TicketPublic:
    source = svc.access_ticket(db, actor, ticket_id)
    target = svc.access_ticket(db, actor, data.target_id)
    do_merge(db, actor, source, target)
    db.commit()
    return ticket_public(target)


@router.get("/tickets/{ticket_id}/events")
def ticket_events(ticket_id: PathId, db: Db, actor: CurrentAgent) -> list[EventPublic]:
    ticket = svc.access_ticket(db, actor, ticket_id)
    return [event_public(e) for e in queries.ticket_events(db, ticket)]


@router.get(
    "/attachments/{attachment_id}",
    response_class=Response,
    responses={
        200: {
            "description": "The file, with the content type it was stored with",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def download_attachment(attachment_id: PathId, db: Db, actor: CurrentActor) -> Response:
    attachment = queries.access_attachment(db, actor, attachment_id)
    try:
        data = read_blob(attachment.sha256)
    except FileNotFoundError:
        raise InvalidInput("The file for this attachment is missing from storage") from None
    disposition = "inline" if attachment.content_type.startswith("image/") else "attachment"
    encoded = quote(attachment.filename, safe="")
    return Response(
        data,
        media_type=attachment.content_type,
        headers={
            "content-disposition": f"{disposition}; filename*=UTF-8''{encoded}",
            "x-content-type-options": "nosniff",
        },
    )
