"""E-mail in over HTTP and its log:

- ``POST /api/v1/inbound/mail``: a mail provider's inbound webhook posts one raw RFC 5322
  message (``message/rfc822`` or ``application/octet-stream``), with
  ``Authorization: Bearer <LEDGERDESK_MAIL_INBOUND_TOKEN>``. With no token configured the hook
  does not exist (404), so an unconfigured desk offers nothing to guess at.
- ``/console/admin/mail``: the admins' list of recent inbound mails and what became of them.
"""

from __future__ import annotations

import hmac
from email.parser import BytesHeaderParser
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from ledgerdesk.accounts import services as accounts
from ledgerdesk.channels.mail_in import OUTCOMES, InboundResult, do_receive_mail
from ledgerdesk.channels.mail_log import list_inbound
from ledgerdesk.core.errors import InvalidInput, NotAuthenticated, NotFound, TooLarge
from ledgerdesk.core.i18n import gettext
from ledgerdesk.core.types import PageNumber
from ledgerdesk.web.deps import ConsoleAgent, Db
from ledgerdesk.web.openapi import ERROR_DESCRIPTIONS
from ledgerdesk.web.templating import render

router = APIRouter(prefix="/api/v1/inbound", tags=["e-mail in"])
console_router = APIRouter(prefix="/console/admin/mail", include_in_schema=False)
PER_PAGE = 50

Outcome = Literal[
    "ticket", "reply", "duplicate", "bounce", "feedback_report", "auto_reply", "loop", "rejected"
]
_RAW_MAIL = {"schema": {"type": "string", "format": "binary"}}
_ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


class InboundOut(BaseModel):
    outcome: Outcome = Field(description="What became of the mail")
    ticket_id: int | None = Field(description="The ticket opened or replied to, if any")
    message_id: str = Field(description="The mail's Message-ID (without angle brackets)")
    detail: str = Field(description="Why, for outcomes other than ticket and reply")


def _check_token(request: Request) -> None:
    expected = request.app.state.settings.mail_inbound_token
    if not expected:
        raise NotFound("The inbound mail hook is off (LEDGERDESK_MAIL_INBOUND_TOKEN is not set)")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), expected.encode()
    ):
        raise NotAuthenticated("A valid 'Authorization: Bearer <inbound mail token>' is required")


def _check_mail(raw: bytes, limit: int) -> None:
    if len(raw) > limit:
        raise TooLarge(f"The message is {len(raw)} bytes; the limit is {limit}", field="body")
    headers = BytesHeaderParser().parsebytes(raw[: 256 * 1024])
    if not raw.strip() or not (headers.get("From") or headers.get("Message-ID")):
        raise InvalidInput(
            "The body is not an RFC 5322 message: send the raw MIME message, headers first "
            "(at least From or Message-ID)",
            field="body",
        )


def _receive(db: Session, raw: bytes) -> InboundResult:
    result = do_receive_mail(db, raw, source="hook")
    db.commit()
    return result


@router.post(
    "/mail",
    summary="Receive one raw e-mail from a mail provider",
    responses={
        401: {"description": "Missing or wrong inbound mail token", **_ERROR},
        404: {"description": "The hook is off: no inbound mail token configured", **_ERROR},
        413: {"description": ERROR_DESCRIPTIONS[413], **_ERROR},
        422: {"description": "The body is not an e-mail message", **_ERROR},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"message/rfc822": _RAW_MAIL, "application/octet-stream": _RAW_MAIL},
        },
        "security": [{"bearerAuth": []}],
        "description": "Send the raw message as the body, with `Authorization: Bearer "
        "<LEDGERDESK_MAIL_INBOUND_TOKEN>`. The answer says what became of it: a new ticket, a "
        "reply on an existing one, or why not (duplicate, bounce, auto-reply, loop …). A mail "
        "that was received before answers `duplicate`, so retries are safe.",
    },
)
async def receive_mail(request: Request, db: Db) -> InboundOut:
    settings = request.app.state.settings
    _check_token(request)
    raw = await request.body()
    _check_mail(raw, settings.mail_max_bytes)
    result = await run_in_threadpool(_receive, db, raw)
    return InboundOut(
        outcome=result.outcome,
        ticket_id=result.ticket_id,
        message_id=result.message_id,
        detail=result.detail,
    )


def outcome_names() -> dict[str, str]:
    return {
        "ticket": gettext("New ticket"),
        "reply": gettext("Reply"),
        "duplicate": gettext("Duplicate"),
        "bounce": gettext("Bounce"),
        "feedback_report": gettext("Spam complaint"),
        "auto_reply": gettext("Auto-reply"),
        "loop": gettext("Mail loop"),
        "rejected": gettext("Rejected"),
    }


@console_router.get("")
def inbound_log_page(
    request: Request, db: Db, agent_actor: ConsoleAgent, outcome: str = "", page: PageNumber = 1
) -> Response:
    """Recent inbound mails (admins)."""
    outcome = outcome if outcome in OUTCOMES else ""
    mails, total = list_inbound(db, agent_actor, outcome=outcome, page=page, per_page=PER_PAGE)
    context: dict[str, Any] = {
        "me": accounts.get_agent(db, agent_actor.id or 0),
        "mails": mails,
        "total": total,
        "page": page,
        "per_page": PER_PAGE,
        "outcome": outcome,
        "outcomes": OUTCOMES,
        "outcome_names": outcome_names(),
    }
    return render(request, "mail/inbound.html", **context)
