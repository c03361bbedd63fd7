"""Turn ticket rows into API shapes (one place, so every route answers alike)."""

from __future__ import annotations

from ledgerdesk.tickets.models import Attachment, Event, Message, Ticket
from ledgerdesk.tickets.schemas import (
    AttachmentPublic,
    CustomerRef,
    EventPublic,
    MessagePublic,
    PersonRef,
    TicketDetail,
    TicketPublic,
)


def ticket_public(t: Ticket) -> TicketPublic:
    return TicketPublic(
        id=t.id,
        subject=t.subject,
        status=t.status,
        priority=t.priority,
        channel=t.channel,
        language=t.language,
        intent=t.intent,
        requester=CustomerRef(
            id=t.requester.id, name=t.requester.name, email=t.requester.email, vip=t.requester.vip
        ),
        assignee=PersonRef(id=t.assignee.id, name=t.assignee.name) if t.assignee else None,
        team=PersonRef(id=t.team.id, name=t.team.name) if t.team else None,
        tags=[tag.name for tag in t.tags],
        merged_into_id=t.merged_into_id,
        created_at=t.created_at,
        updated_at=t.updated_at,
        first_reply_at=t.first_reply_at,
        solved_at=t.solved_at,
    )


def attachment_public(a: Attachment) -> AttachmentPublic:
    return AttachmentPublic(
        id=a.id,
        filename=a.filename,
        content_type=a.content_type,
        size=a.size,
        sha256=a.sha256,
        url=f"/api/v1/attachments/{a.id}",
    )


def message_public(m: Message) -> MessagePublic:
    author: PersonRef | None = None
    if m.author_agent is not None:
        author = PersonRef(id=m.author_agent.id, name=m.author_agent.name)
    elif m.author_customer is not None:
        author = PersonRef(id=m.author_customer.id, name=m.author_customer.name)
    return MessagePublic(
        id=m.id,
        ticket_id=m.ticket_id,
        kind=m.kind,
        author_kind=m.author_kind.value,
        author=author,
        body=m.body,
        created_at=m.created_at,
        attachments=[attachment_public(a) for a in m.attachments],
    )


def ticket_detail(t: Ticket, messages: list[Message]) -> TicketDetail:
    return TicketDetail(
        **ticket_public(t).model_dump(), messages=[message_public(m) for m in messages]
    )


def event_public(e: Event) -> EventPublic:
    return EventPublic(
        id=e.id,
        ticket_id=e.ticket_id,
        actor_kind=e.actor_kind.value,
        actor_id=e.actor_id,
        action=e.action,
        before=e.before,
        after=e.after,
        created_at=e.created_at,
    )
