"""The chat widget's HTTP routes under /chat/api (the frame calls them from the desk's own
origin). Thin: parse, limit, check, call one service, answer. The visitor is named by the
header ``Authorization: Chat <visitor token>`` from ``POST /chat/api/identify``; errors are
the desk's JSON envelope, in the request's language (the frame sends ``Accept-Language``).

Verification keeps the e-mailed code's id on the visitor row, so the widget sends only the
code back."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from ledgerdesk.chat import presence
from ledgerdesk.chat import services as svc
from ledgerdesk.chat.identity import customer_of
from ledgerdesk.chat.schemas import (
    AckOut,
    ConversationList,
    ConversationOut,
    CustomerOut,
    IdentifyIn,
    IdentifyOut,
    OfflineIn,
    OfflineOut,
    StatusOut,
    VerifyIn,
    VerifyOut,
    VerifyStartOut,
)
from ledgerdesk.core.errors import InvalidInput, NotAuthenticated
from ledgerdesk.core.i18n import get_locale
from ledgerdesk.core.settings import Settings
from ledgerdesk.core.types import MAX_ID, PathId, QueryId
from ledgerdesk.tickets.attachments import read_blob
from ledgerdesk.web.clientip import client_address
from ledgerdesk.web.deps import Db
from ledgerdesk.web.openapi import ERROR_DESCRIPTIONS, RATE_LIMITED
from ledgerdesk.web.uploads import read_uploads

router = APIRouter(prefix="/chat/api", tags=["chat"])

VISITOR: dict[str, Any] = {"security": [{"chatVisitor": []}]}
VISITOR_OPTIONAL: dict[str, Any] = {"security": [{"chatVisitor": []}, {}]}
SIGNED_OUT: dict[int | str, dict[str, Any]] = {401: {"description": ERROR_DESCRIPTIONS[401]}}
CLIENT_ID = r"^[A-Za-z0-9_-]{8,64}$"


def _token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "chat" else None


def current_visitor(request: Request, db: Db) -> svc.Visitor:
    """The visitor named by ``Authorization: Chat <token>``, or 401."""
    visitor = svc.visitor_from_token(db, _token(request))
    if db.dirty:  # last-seen time moved on (at most once a minute)
        db.commit()
    return visitor


def optional_visitor(request: Request, db: Db) -> svc.Visitor | None:
    return current_visitor(request, db) if _token(request) is not None else None


CurrentVisitor = Annotated[svc.Visitor, Depends(current_visitor)]
OptionalVisitor = Annotated[svc.Visitor | None, Depends(optional_visitor)]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _limit(request: Request, scope: str = "chat-http") -> None:
    request.app.state.limiter.hit(
        _settings(request).chat_rate_limit, scope, client_address(request)
    )


def _identified(db: Db, visitor: svc.Visitor, token: str) -> IdentifyOut:
    customer = customer_of(db, visitor)
    return IdentifyOut(
        visitor_token=token,
        identity="signed" if visitor.identity == "signed" else "email",
        verified=visitor.verified,
        customer=CustomerOut(name=customer.name, email=customer.email),
    )


@router.post("/identify", responses=RATE_LIMITED)
def identify(request: Request, db: Db, data: IdentifyIn) -> IdentifyOut:
    """Start a chat as the exchange's signed user (``token``) or by e-mail address."""
    _limit(request)
    if data.token is not None:
        visitor, token = svc.identify_signed(db, data.token)
    else:
        assert data.email is not None  # one of the two, checked by the schema
        visitor, token = svc.identify_email(db, data.email, data.name, data.locale)
    db.commit()
    return _identified(db, visitor, token)


@router.post(
    "/verify/start",
    status_code=202,
    responses={**RATE_LIMITED, **SIGNED_OUT},
    openapi_extra=VISITOR,
)
def verify_start(request: Request, db: Db, visitor: CurrentVisitor) -> VerifyStartOut:
    """E-mail a code that proves the address (to see past conversations)."""
    _limit(request)
    settings = _settings(request)
    email = customer_of(db, visitor).email
    request.app.state.limiter.hit(
        settings.code_rate_limit, "chat-code-email-ip", f"{email} {client_address(request)}"
    )
    svc.start_verification(db, visitor, get_locale())
    db.commit()
    return VerifyStartOut(sent=True)


@router.post("/verify", responses={**RATE_LIMITED, **SIGNED_OUT}, openapi_extra=VISITOR)
def verify(request: Request, db: Db, visitor: CurrentVisitor, data: VerifyIn) -> VerifyOut:
    """Check the e-mailed code; a wrong one uses up one of its tries."""
    _limit(request)
    settings = _settings(request)
    limiter = request.app.state.limiter
    email = customer_of(db, visitor).email
    limiter.check(settings.code_guess_rate_limit, "chat-guess", email)
    try:
        checked = svc.verify(db, visitor, data.code)
    except NotAuthenticated:
        db.commit()  # the code's used-up try
        limiter.count(settings.code_guess_rate_limit, "chat-guess", email)
        raise
    db.commit()
    return VerifyOut(verified=checked.verified)


@router.get("/conversations", responses=SIGNED_OUT, openapi_extra=VISITOR)
def list_conversations(db: Db, visitor: CurrentVisitor) -> ConversationList:
    """The visitor's conversations, newest first."""
    return ConversationList.model_validate({"conversations": svc.list_conversations(db, visitor)})


@router.get("/conversations/{conversation_id}", responses=SIGNED_OUT, openapi_extra=VISITOR)
def get_conversation(
    conversation_id: PathId,
    db: Db,
    visitor: CurrentVisitor,
    after: Annotated[int, Query(ge=0, le=MAX_ID, description="Last seq the client has")] = 0,
) -> ConversationOut:
    """The conversation's state and its messages after ``after`` (replay)."""
    svc.can_access(db, visitor, conversation_id)
    state = svc.conversation_state(db, conversation_id, audience="customer")
    items = svc.items_after(db, conversation_id, after, audience="customer")
    return ConversationOut.model_validate({"state": state, "items": items})


ClientIdForm = Annotated[
    str,
    Form(
        min_length=8,
        max_length=64,
        pattern=CLIENT_ID,
        description="The widget's own id for this message; a resend with it is stored once",
    ),
]
BodyForm = Annotated[str, Form(max_length=50_000)]
FilesForm = Annotated[list[UploadFile], File(description="Zero or more files")]


def _send(
    request: Request,
    db: Db,
    visitor: svc.Visitor,
    conversation: int | None,
    client_id: str,
    body: str,
    files: list[UploadFile],
    page_url: str = "",
) -> AckOut:
    request.app.state.limiter.hit(
        _settings(request).chat_message_rate, "chat-message", f"visitor:{visitor.id}"
    )
    items = read_uploads(files)
    ack = svc.send_customer_message(
        db, visitor, conversation, client_id, body, items, page_url=page_url, locale=get_locale()
    )
    db.commit()
    return AckOut.model_validate(ack.as_dict())


@router.post("/messages", responses={**RATE_LIMITED, **SIGNED_OUT}, openapi_extra=VISITOR)
def open_conversation(
    request: Request,
    db: Db,
    visitor: CurrentVisitor,
    client_id: ClientIdForm,
    body: BodyForm = "",
    files: FilesForm = [],  # noqa: B006 - FastAPI copies defaults per request
    page_url: Annotated[str, Form(max_length=2000)] = "",
) -> AckOut:
    """Open a conversation with its first message (multipart: text and files)."""
    return _send(request, db, visitor, None, client_id, body, files, page_url)


@router.post(
    "/conversations/{conversation_id}/messages",
    responses={**RATE_LIMITED, **SIGNED_OUT},
    openapi_extra=VISITOR,
)
def send_message(
    request: Request,
    conversation_id: PathId,
    db: Db,
    visitor: CurrentVisitor,
    client_id: ClientIdForm,
    body: BodyForm = "",
    files: FilesForm = [],  # noqa: B006 - FastAPI copies defaults per request
) -> AckOut:
    """Add a message (multipart: text and files), stored once per client id."""
    return _send(request, db, visitor, conversation_id, client_id, body, files)


@router.get(
    "/attachments/{attachment_id}",
    response_class=Response,
    responses={
        200: {
            "description": "The file, with the content type it was stored with",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        },
        **SIGNED_OUT,
    },
    openapi_extra=VISITOR,
)
def download_attachment(attachment_id: PathId, db: Db, visitor: CurrentVisitor) -> Response:
    """A file of a conversation the visitor may see, always as a download."""
    attachment = svc.access_chat_attachment(db, visitor, attachment_id)
    try:
        data = read_blob(attachment.sha256)
    except FileNotFoundError:
        raise InvalidInput("The file for this attachment is missing from storage") from None
    encoded = quote(attachment.filename, safe="")
    return Response(
        data,
        media_type=attachment.content_type,
        headers={
            "content-disposition": f"attachment; filename*=UTF-8''{encoded}",
            "x-content-type-options": "nosniff",
        },
    )


@router.get(
    "/status",
    responses={**SIGNED_OUT, 404: {"description": ERROR_DESCRIPTIONS[404]}},
    openapi_extra=VISITOR_OPTIONAL,
)
def status(
    request: Request, db: Db, visitor: OptionalVisitor, conversation: QueryId = None
) -> StatusOut:
    """Open or closed (business hours), how many agents are on the console now and, for the
    visitor's waiting conversation, its place in the queue and the expected wait."""
    if conversation is not None:
        if visitor is None:
            raise NotAuthenticated("Send the visitor token to ask about a conversation")
        svc.can_access(db, visitor, conversation)
    online = presence.agents_online(request.app.state.settings)
    return StatusOut.model_validate(svc.queue_status(db, conversation, agents_online=online))


@router.post("/offline", status_code=201, responses=RATE_LIMITED)
def offline(request: Request, db: Db, data: OfflineIn) -> OfflineOut:
    """Outside business hours: leave a message; the desk answers by e-mail."""
    _limit(request)
    ticket = svc.open_offline_ticket(
        db, data.email, data.name, data.body, data.locale or get_locale(), data.page_url
    )
    db.commit()
    return OfflineOut(ticket=ticket.id)
