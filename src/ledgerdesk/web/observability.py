"""What an operator watches: the request id, request metrics, ``/metrics`` and ``/readyz``.

``RequestObservability`` is the outermost middleware: it binds the request id (a proxy's
well-formed ``X-Request-ID`` or a fresh one) for everything the request runs, echoes it in the
response, and times the request under its route template (``/api/v1/tickets/{ticket_id}``,
never a raw path: ids in labels would make a series per ticket). It is plain ASGI, a few
microseconds a request.

``/metrics`` adds to the in-process metrics (``core.metrics``) figures read from the database
at scrape time: the job queue, SLA breaches and guard findings. It answers loopback callers
that did not come through a proxy, and anyone with ``LEDGERDESK_METRICS_TOKEN`` as a bearer
token; everyone else gets 403. ``/readyz`` says whether this process can serve (database, and
Redis when configured); ``/healthz`` (web/views.py) only says that it is alive.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import time
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, Histogram, generate_latest
from redis import Redis
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ledgerdesk.core import metrics
from ledgerdesk.core.context import accepted_request_id, request_id_bound
from ledgerdesk.web.dbmetrics import DatabaseCollector

if TYPE_CHECKING:
    from fastapi import FastAPI

log = logging.getLogger("ledgerdesk.web.observability")
router = APIRouter(include_in_schema=False)

_HEADER = b"x-request-id"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_STATUS_CLASS = {n: f"{n}xx" for n in range(1, 6)}
UNMATCHED = "unmatched"


class RequestObservability:
    """Bind and echo the request id; time HTTP requests by route template."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # (route template, method, status class) -> its histogram: a bounded set, since routes
        # are templates and methods outside the usual ones count as "other".
        self._series: dict[tuple[str, str, str], Histogram] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind != "http" and kind != "websocket":
            await self.app(scope, receive, send)
            return
        given = None
        for name, value in scope["headers"]:
            if name == _HEADER:
                given = value.decode("latin-1")
                break
        request_id = accepted_request_id(given)
        with request_id_bound(request_id):
            if kind == "websocket":
                await self.app(scope, receive, send)
            else:
                await self._http(scope, receive, send, request_id.encode("latin-1"))

    async def _http(self, scope: Scope, receive: Receive, send: Send, rid: bytes) -> None:
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", rid)]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            method = scope["method"] if scope["method"] in _METHODS else "other"
            key = (route_template(scope), method, _STATUS_CLASS.get(status // 100, "other"))
            series = self._series.get(key)
            if series is None:  # labels() checks and locks: about half the middleware's time
                series = self._series[key] = metrics.REQUEST_SECONDS.labels(*key)
            series.observe(time.perf_counter() - started)


def route_template(scope: Scope) -> str:
    """The path template the router matched (a mount's prefix for static files), or
    ``unmatched``: the label never holds a raw path."""
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


def install(app: FastAPI) -> None:
    """Add the middleware (outermost of ours) and the routes; the database collector is
    made here so its cache lives as long as the app."""
    settings = app.state.settings
    collector = DatabaseCollector(app.state.engine)
    app.state.metrics_registry = metrics.exposition_registry(collector)
    app.state.readiness_redis = _redis_client(settings.redis_url)
    app.include_router(router)
    app.add_middleware(RequestObservability)


def _redis_client(url: str) -> Redis | None:
    if not url:
        return None
    return Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def _may_scrape(request: Request) -> bool:
    token = request.app.state.settings.metrics_token
    if token:
        given = request.headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(value.strip(), token):
            return True
    # Loopback only when no proxy stands between: behind nginx on the same host every
    # request comes from 127.0.0.1, and the proxy then says who really asked.
    if any(name in request.headers for name in ("x-forwarded-for", "forwarded", "x-real-ip")):
        return False
    peer = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(peer).is_loopback
    except ValueError:
        return False


@router.get("/metrics")
def metrics_page(request: Request) -> Response:
    if not _may_scrape(request):
        return JSONResponse(
            {
                "error": {
                    "code": "metrics_forbidden",
                    "message": "Metrics are served to loopback callers and to callers with "
                    "the metrics token (Authorization: Bearer <LEDGERDESK_METRICS_TOKEN>)",
                }
            },
            status_code=403,
        )
    metrics.forget_dead_processes()
    body = generate_latest(request.app.state.metrics_registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


@router.get("/readyz")
def readiness(request: Request) -> JSONResponse:
    """200 when the database (and Redis, when configured) answers; else 503 naming which."""
    checks = {"database": _check_database(request)}
    client = request.app.state.readiness_redis
    if client is not None:
        checks["redis"] = _check_redis(client)
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status_code=200 if ready else 503,
    )


def _check_database(request: Request) -> str:
    from sqlalchemy import text

    try:
        with request.app.state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means not ready; say what, not the URL
        log.warning("readiness: database check failed: %s", exc.__class__.__name__)
        return f"failed: {exc.__class__.__name__}"
    return "ok"


def _check_redis(client: Redis) -> str:
    try:
        client.ping()
    except Exception as exc:
        log.warning("readiness: Redis check failed: %s", exc.__class__.__name__)
        return f"failed: {exc.__class__.__name__}"
    return "ok"
