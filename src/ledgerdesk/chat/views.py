"""The chat frame: the page the widget's iframe shows on an exchange's site (not in the API).

The widget loader (static/chat/widget.js) opens ``/chat/frame?lang=…&color=…&origin=…``; the
page carries every text it shows in the request's language and the theme colour, and talks
to the desk with the HTTP API (chat/api.py) and the websocket (chat/ws.py). Other sites may
frame this one path (web.middleware.SecurityHeaders, setting ``chat_frame_ancestors``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ledgerdesk.chat.frame_strings import frame_strings
from ledgerdesk.core import i18n
from ledgerdesk.core.settings import Settings
from ledgerdesk.web.deps import Db
from ledgerdesk.web.templating import render

router = APIRouter(prefix="/chat", include_in_schema=False)

DEFAULT_ACCENT = "#1f6feb"
_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_ORIGIN = re.compile(r"https?://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:\d{1,5})?")
_DARK_INK = "#111827"


def theme(color: str | None) -> tuple[str, str]:
    """The accent colour (``#rrggbb``; the default for anything that is not a hex colour) and
    the text colour that reads best on it."""
    match = _HEX.fullmatch((color or "").strip())
    if match is None:
        return DEFAULT_ACCENT, "#ffffff"
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    accent = "#" + digits.lower()
    light = _luminance(accent)
    # WCAG contrast of white text and of dark text on the accent; the better one wins.
    on_white = 1.05 / (light + 0.05)
    on_dark = (light + 0.05) / (_luminance(_DARK_INK) + 0.05)
    return accent, "#ffffff" if on_white >= on_dark else _DARK_INK


def _luminance(hex_color: str) -> float:
    channels = [int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def parent_origin(value: str | None, ancestors: Sequence[str]) -> str:
    """The embedding page's origin as the loader reported it, when that origin may frame
    this page (any, when ``ancestors`` is empty); ``""`` otherwise, and the frame then ignores
    its parent's messages. The browser enforces frame-ancestors; this keeps the frame from
    even answering a page that could not have framed it."""
    value = (value or "").strip().rstrip("/")
    if not _ORIGIN.fullmatch(value):
        return ""
    if not ancestors:
        return value
    return value if any(_origin_matches(value, a) for a in ancestors) else ""


def _origin_matches(origin: str, allowed: str) -> bool:
    allowed = allowed.strip().rstrip("/")
    if origin == allowed:
        return True
    if "://*." not in allowed:
        return False
    want, have = urlsplit(allowed.replace("*.", "x.", 1)), urlsplit(origin)
    suffix = (want.hostname or "")[1:]  # ".example.com"
    return (
        want.scheme == have.scheme
        and want.port == have.port
        and (have.hostname or "").endswith(suffix)
    )


def frame_config(settings: Settings, origin: str | None) -> dict[str, Any]:
    """What frame.js needs, handed to it as JSON in the page."""
    return {
        "lang": i18n.get_locale(),
        "parentOrigin": parent_origin(origin, settings.chat_frame_ancestors),
        "maxChars": settings.chat_max_message_chars,
        "maxFiles": settings.max_attachments_per_message,
        "maxFileBytes": settings.max_attachment_bytes,
        "strings": frame_strings(),
    }


@router.get("/frame")
def chat_frame(
    request: Request,
    db: Db,
    lang: Annotated[str | None, Query(max_length=64)] = None,
    color: Annotated[str | None, Query(max_length=64)] = None,
    origin: Annotated[str | None, Query(max_length=300)] = None,
) -> Response:
    """The widget's page. An unknown ``lang`` keeps the browser's language; a ``color`` that
    is not a hex colour keeps the default theme."""
    chosen = i18n.normalise_locale(lang)
    if chosen:
        i18n.set_locale(chosen)
    accent, ink = theme(color)
    config = frame_config(request.app.state.settings, origin)
    from ledgerdesk.incidents.views import widget_notice  # the status banner

    return render(
        request,
        "chat/frame.html",
        accent=accent,
        ink=ink,
        config=config,
        status_notice=widget_notice(db),
    )
