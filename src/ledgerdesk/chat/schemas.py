"""API shapes of the chat widget's HTTP routes (``chat.api``): input models refuse unknown
fields; output models describe exactly what ``chat.services`` returns."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ledgerdesk.core.types import Email
from ledgerdesk.tickets.models import Status

IsoTime = Annotated[
    str,
    Field(
        json_schema_extra={"format": "date-time"},
        description="RFC 3339 in UTC, e.g. 2026-12-20T09:30:00.123456Z",
    ),
]
Seq = Annotated[int, Field(ge=0)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class IdentifyIn(_In):
    """Either ``token`` (the exchange's signed JWT) or ``email`` (with an optional name)."""

    token: str | None = Field(default=None, min_length=1, max_length=4096)
    email: Email | None = None
    name: str = Field(default="", max_length=200)
    locale: str | None = Field(default=None, max_length=16)

    @model_validator(mode="after")
    def _one_way_in(self) -> IdentifyIn:
        if (self.token is None) == (self.email is None):
            raise ValueError("send either 'token' (a signed JWT) or 'email', not both")
        return self


class CustomerOut(BaseModel):
    name: str
    email: str


class IdentifyOut(BaseModel):
    visitor_token: str = Field(description="Send as 'Authorization: Chat <visitor_token>'")
    identity: Literal["signed", "email"]
    verified: bool
    customer: CustomerOut


class VerifyStartOut(BaseModel):
    sent: bool


class VerifyIn(_In):
    code: str = Field(min_length=1, max_length=16, description="The 6 digits from the e-mail")


class VerifyOut(BaseModel):
    verified: bool


class ConversationSummary(BaseModel):
    conversation: int
    subject: str
    status: Status
    last_seq: Seq
    updated_at: IsoTime


class ConversationList(BaseModel):
    conversations: list[ConversationSummary]


class Marks(BaseModel):
    customer_delivered: Seq
    customer_read: Seq
    agent_delivered: Seq
    agent_read: Seq


class ConversationState(BaseModel):
    conversation: int
    last_seq: Seq = Field(description="The last message seq this reader can see")
    status: Status
    marks: Marks
    subject: str


class Author(BaseModel):
    kind: Literal["customer", "agent", "system", "assistant"]
    name: str


class AttachmentOut(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int


class AssistantMeta(BaseModel):
    action: Literal["answer", "handover"]
    asks_feedback: bool = Field(
        description='The reply ends with "did this solve it?": offer the yes/no buttons'
    )
    citations: list[str] = Field(description="Slugs of the help-center articles it cites")
    language: str = Field(description="The reply's language: en, zh-Hans or zh-Hant")


class Item(BaseModel):
    type: Literal["message"]
    conversation: int
    seq: int
    id: int
    client_id: str | None
    kind: Literal["public", "note"]
    author: Author
    body: str
    created_at: IsoTime
    attachments: list[AttachmentOut]
    assistant: AssistantMeta | None = Field(
        default=None,
        description="Only on the assistant's messages: what its reply was (null for its "
        "other messages, such as who will answer after a handover)",
    )


class ConversationOut(BaseModel):
    state: ConversationState
    items: list[Item] = Field(
        description="Messages after 'after', in seq order, at most 500: ask again from the "
        "last one's seq while it is below state.last_seq"
    )


class AckOut(BaseModel):
    type: Literal["ack"]
    conversation: int
    seq: int
    message_id: int
    client_id: str
    duplicate: bool = Field(description="This client id was stored before; this is that message")


class StatusOut(BaseModel):
    open: bool = Field(description="Within business hours")
    agents_online: int | None = Field(description="Agents with the console open; null: unknown")
    position: int | None = Field(description="Place in the queue while no agent has answered")
    expected_wait_seconds: int | None
    next_open: IsoTime | None = Field(description="When the chat opens next, while closed")


class OfflineIn(_In):
    email: Email
    name: str = Field(default="", max_length=200)
    body: str = Field(min_length=1, max_length=50_000)
    locale: str | None = Field(default=None, max_length=16)
    page_url: str = Field(default="", max_length=2000)


class OfflineOut(BaseModel):
    ticket: int
