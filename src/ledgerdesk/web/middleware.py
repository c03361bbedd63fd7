"""ASGI middleware: request-size limits and cross-origin (CSRF) protection."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


async def send_json_error(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    """Refuse bodies over the limit with 413 before they are read into memory.
    JSON bodies get a smaller limit than uploads."""

    def __init__(self, app: ASGIApp, max_body: int, max_json: int) -> None:
        self.app = app
        self.max_body = max_body
        self.max_json = max_json

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        ctype = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        limit = self.max_json if ctype.endswith(b"json") else self.max_body
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await send_json_error(
                send,
                413,
                "too_large",
                f"Request body is {int(declared)} bytes; the limit is {limit}",
            )
            return
        if declared.isdigit():
            await self.app(scope, _capped(receive, int(declared)), send)
            return
        # No length given (chunked): read up to the limit first, then replay, so an oversized
        # body is refused with 413 before the app parses a byte of it.
        buffered: list[Message] = []
        size = 0
        while True:
            message = await receive()
            buffered.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > limit:
                await send_json_error(
                    send,
                    413,
                    "too_large",
                    f"Request body is larger than the limit of {limit} bytes",
                )
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return buffered.pop(0) if buffered else await receive()

        await self.app(scope, replay, send)


def _capped(receive: Receive, declared: int) -> Receive:
    """Stop reading once a client sends more than its Content-Length promised."""
    seen = 0

    async def capped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > declared:
                return {"type": "http.disconnect"}
        return message

    return capped


class CrossOriginProtection:
    """Refuse state-changing browser requests that come from another site.

    Browsers mark every request with ``Sec-Fetch-Site`` and, for POSTs, ``Origin``; a request
    carrying neither is not from a browser (an API client, curl) and cannot ride a victim's
    cookies. Same approach as Go's ``net/http.CrossOriginProtection``; together with
    SameSite=Lax session cookies it needs no tokens in forms or htmx requests."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in _SAFE_METHODS:
            headers = dict(scope.get("headers") or [])
            if not _same_origin(headers):
                await send_json_error(
                    send, 403, "cross_origin", "Cross-origin request refused (CSRF protection)"
                )
                return
        await self.app(scope, receive, send)


def _same_origin(headers: dict[Any, bytes]) -> bool:
    site = headers.get(b"sec-fetch-site", b"").decode("latin-1").lower()
    if site:
        return site in ("same-origin", "none")
    origin = headers.get(b"origin", b"").decode("latin-1")
    if not origin:
        return True
    if origin == "null":
        return False
    host = headers.get(b"host", b"").decode("latin-1").lower()
    return urlsplit(origin).netloc.lower() == host


# Pages load only our own scripts (vendored htmx and app.js); styles may be inline.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
# Swagger UI starts itself with an inline script, so /docs may run inline scripts.
_DOCS_CSP = _CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
# One origin in frame-ancestors syntax: scheme://host[:port], the host may start with "*.".
_ANCESTOR = re.compile(r"https?://(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:\d{1,5})?")


def frame_ancestors_source(origins: Sequence[str]) -> str:
    """The frame-ancestors value for a page other sites embed: the given origins, or any
    origin when none is given. Anything that is not an origin is left out (a header value
    must never carry a stray ``;`` into the policy)."""
    kept = [o.strip().rstrip("/") for o in origins if _ANCESTOR.fullmatch(o.strip().rstrip("/"))]
    return " ".join(kept) if kept else "*"


def framable_csp(origins: Sequence[str]) -> str:
    """The policy of a page another site may frame (the chat widget's iframe): our own
    scripts only, pictures from blob: URLs (attachments fetched with a header), websockets to
    this host, and framing by ``origins``."""
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; connect-src 'self'; "
        f"frame-ancestors {frame_ancestors_source(origins)}; base-uri 'self'; form-action 'self'"
    )


class SecurityHeaders:
    """Content-Security-Policy, no framing, no MIME sniffing, no referrer leaks.

    ``framable`` maps the few paths other sites may embed (the chat frame) to their own
    policy; those get no X-Frame-Options (it cannot name allowed origins)."""

    def __init__(self, app: ASGIApp, framable: Mapping[str, str] | None = None) -> None:
        self.app = app
        self.framable = dict(framable or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        framed = self.framable.get(path)
        csp = framed or (_DOCS_CSP if path == "/docs" else _CSP)
        added = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
        ]
        if framed is None:
            added.append((b"x-frame-options", b"DENY"))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers.extend((key, value) for key, value in added if key not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
