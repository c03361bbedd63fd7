"""The websocket's frames: reading what a client sent (within the limits) and the shapes of
refusals. Close codes and error codes are part of the protocol (docs/chat-protocol.md)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, TypeGuard

from ledgerdesk.chat.limits import MAX_FRAME_BYTES, frame_too_large
from ledgerdesk.chat.wsdb import SendFrame
from ledgerdesk.core.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    InvalidTransition,
    NotFound,
    NotPermitted,
    RateLimited,
    TicketClosed,
    TooLarge,
)
from ledgerdesk.core.i18n import gettext as _
from ledgerdesk.tickets.checks import check_client_id
from ledgerdesk.tickets.models import MessageKind

HEARTBEAT_SECONDS = 25  # clients ping this often; the idle timeout is several of these

CLOSE_PROTOCOL = 4400  # malformed frame, unknown type, broken protocol
CLOSE_AUTH = 4401  # no or bad sign-in (or it ended while connected)
CLOSE_ORIGIN = 4403  # the page is not on this desk
CLOSE_IDLE = 4408  # nothing received for the idle timeout
CLOSE_TOO_LARGE = 4413  # a frame over 64 KiB
CLOSE_RATE = 4429  # too many connections from the address, or frames on the connection

MAX_PAGE_URL = 500


class ProtocolError(Exception):
    """Ends the connection with ``code``."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def parse_frame(message: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON object in a websocket.receive message, or ``ProtocolError``."""
    text = message.get("text")
    if text is None:
        if len(message.get("bytes") or b"") > MAX_FRAME_BYTES:
            raise ProtocolError(CLOSE_TOO_LARGE, _("Frame too large"))
        raise ProtocolError(CLOSE_PROTOCOL, _("Frames are JSON text"))
    if frame_too_large(text):
        raise ProtocolError(CLOSE_TOO_LARGE, _("Frame too large"))
    try:
        frame = json.loads(text)
    except ValueError:
        raise ProtocolError(CLOSE_PROTOCOL, _("Frames are JSON objects")) from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise ProtocolError(CLOSE_PROTOCOL, _("Frames are JSON objects with a type"))
    return frame


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def read_conversation(frame: dict[str, Any]) -> int:
    value = frame.get("conversation")
    if not _is_int(value) or value <= 0:
        raise ProtocolError(CLOSE_PROTOCOL, _("conversation must be a conversation number"))
    return int(value)


def read_seq(frame: dict[str, Any], key: str = "seq", default: int | None = None) -> int:
    value = frame.get(key, default)
    if value is None and default is not None:
        value = default
    if not _is_int(value) or value < 0:
        raise ProtocolError(CLOSE_PROTOCOL, _("seq must be a whole number"))
    return int(value)


def parse_send(frame: dict[str, Any], max_chars: int) -> SendFrame:
    """A ``send`` frame's fields, or the ``DomainError`` the error frame reports."""
    client_id = frame.get("client_id")
    if not isinstance(client_id, str):
        raise InvalidInput(_("client_id is required"), field="client_id")
    check_client_id(client_id)
    conversation = frame.get("conversation")
    if conversation is not None and (not _is_int(conversation) or conversation <= 0):
        raise InvalidInput(_("conversation must be a conversation number"), field="conversation")
    body = frame.get("body")
    if not isinstance(body, str):
        raise InvalidInput(_("body is required"), field="body")
    if len(body) > max_chars:
        raise TooLarge(
            _("Messages are at most %(limit)s characters") % {"limit": max_chars}, field="body"
        )
    kind = frame.get("kind", "public")
    if kind not in ("public", "note"):
        raise InvalidInput(_("kind is public or note"), field="kind")
    page_url = frame.get("page_url", "")
    if not isinstance(page_url, str):
        raise InvalidInput(_("page_url must be text"), field="page_url")
    return SendFrame(
        client_id=client_id,
        conversation=int(conversation) if conversation is not None else None,
        body=body,
        kind=MessageKind(kind),
        page_url=page_url[:MAX_PAGE_URL],
    )


def error_code(exc: DomainError) -> str:
    """The protocol's error code for a refusal."""
    if isinstance(exc, TicketClosed | InvalidTransition):
        return "closed"
    if isinstance(exc, RateLimited):
        return "rate_limited"
    if isinstance(exc, TooLarge):
        return "too_large"
    if isinstance(exc, NotFound):
        return "not_found"
    if isinstance(exc, NotPermitted):
        return "not_permitted"
    if isinstance(exc, InvalidInput | Conflict):
        return "invalid_input"
    return "invalid_input"


def error_frame(
    exc: DomainError,
    *,
    client_id: str | None = None,
    conversation: int | None = None,
    retry_after: float | None = None,
) -> dict[str, Any]:
    """``{"type": "error", ...}`` for a refused send (``client_id``) or subscription."""
    frame: dict[str, Any] = {"type": "error", "code": error_code(exc), "message": exc.message}
    if client_id is not None:
        frame["client_id"] = client_id
    if conversation is not None:
        frame["conversation"] = conversation
    if exc.field:
        frame["field"] = exc.field
    if retry_after is None and isinstance(exc, RateLimited):
        retry_after = exc.retry_after
    if retry_after is not None:
        frame["retry_after"] = max(1, math.ceil(retry_after))
    return frame
