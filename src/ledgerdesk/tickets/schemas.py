"""API shapes for tickets: separate input and output models, unknown fields refused."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ledgerdesk.core.types import Email, Id, StrictBool, UtcDateTime
from ledgerdesk.tickets.models import Channel, MessageKind, Priority, Status


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RequesterIn(_In):
    email: Email
    name: str = Field(default="", max_length=200)
    external_id: str | None = Field(default=None, max_length=128)
    locale: str | None = Field(default=None, max_length=16)
    vip: StrictBool | None = None


class TicketCreate(_In):
    subject: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=50_000)
    requester: RequesterIn | None = Field(
        default=None, description="Required when an agent or integration opens the ticket"
    )
    channel: Channel | None = None
    priority: Priority | None = None
    team_id: Id | None = None
    tags: list[str] = Field(default_factory=list, max_length=20)


class TicketUpdate(_In):
    status: Status | None = None
    priority: Priority | None = None
    assignee_id: Id | None = Field(default=None, description="null unassigns")
    team_id: Id | None = Field(default=None, description="null removes the team")
    add_tags: list[str] = Field(default_factory=list, max_length=20)
    remove_tags: list[str] = Field(default_factory=list, max_length=20)


class MessageCreate(_In):
    body: str = Field(min_length=1, max_length=50_000)
    kind: MessageKind = MessageKind.public
    status: Status | None = Field(default=None, description="Agents: set status with reply")


class MergeRequest(_In):
    target_id: Id


class PersonRef(BaseModel):
    id: int
    name: str


class CustomerRef(PersonRef):
    email: str
    vip: bool


class AttachmentPublic(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    url: str


class MessagePublic(BaseModel):
    id: int
    ticket_id: int
    kind: MessageKind
    author_kind: str
    author: PersonRef | None
    body: str
    created_at: UtcDateTime
    attachments: list[AttachmentPublic]


class TicketPublic(BaseModel):
    id: int
    subject: str
    status: Status
    priority: Priority
    channel: Channel
    language: str
    intent: str | None
    requester: CustomerRef
    assignee: PersonRef | None
    team: PersonRef | None
    tags: list[str]
    merged_into_id: int | None
    created_at: UtcDateTime
    updated_at: UtcDateTime
    first_reply_at: UtcDateTime | None
    solved_at: UtcDateTime | None


class TicketDetail(TicketPublic):
    messages: list[MessagePublic]


class EventPublic(BaseModel):
    id: int
    ticket_id: int | None
    actor_kind: str
    actor_id: int | None
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    created_at: UtcDateTime


class TicketPage(BaseModel):
    items: list[TicketPublic]
    total: int
    page: int
    per_page: int
