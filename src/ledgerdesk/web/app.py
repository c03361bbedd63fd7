"""The application factory: settings in, a ready ASGI app out."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

import ledgerdesk
from ledgerdesk.chain.registry import get_registry
from ledgerdesk.chat.hub import Hub
from ledgerdesk.core import i18n
from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.core.ratelimit import RateLimiter
from ledgerdesk.core.settings import Settings, get_settings
from ledgerdesk.web import errors, observability, openapi
from ledgerdesk.web.middleware import (
    BodyLimitMiddleware,
    CrossOriginProtection,
    SecurityHeaders,
    framable_csp,
)

STATIC_DIR = Path(__file__).resolve().parent / "static"


class LocaleMiddleware:
    """Set the request's language from the session, Accept-Language or the default."""

    def __init__(self, app: ASGIApp, default: str) -> None:
        self.app = app
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            chosen = i18n.normalise_locale((scope.get("session") or {}).get("lang"))
            headers = dict(scope.get("headers") or [])
            accept = headers.get(b"accept-language", b"").decode("latin-1")
            i18n.set_locale(chosen or i18n.negotiate(accept, self.default))
        await self.app(scope, receive, send)


log = logging.getLogger("ledgerdesk.web")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    # A bad registry file stops the start here with "file:line: message" (a RegistryError,
    # a ValueError like the settings' own errors), before anything listens.
    get_registry(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = FastAPI(
        lifespan=_lifespan,
        title=f"{settings.platform_name} support desk API",
        version=ledgerdesk.__version__,
        docs_url=None,  # served below from vendored assets: deployments are often offline
        openapi_url="/api/v1/openapi.json",
    )
    engine = make_engine(settings.resolved_database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.limiter = RateLimiter(settings.redis_url)
    # Live chat's bus, presence and connections; also hooks the sessionmaker so every commit
    # that adds a message publishes it (chat.publish), the embedded worker's included.
    app.state.chat = Hub(settings, app.state.sessionmaker)
    errors.install(app)
    _include_routes(app)
    _install_docs(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(LocaleMiddleware, default=settings.default_language)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.resolved_secret_key(),
        session_cookie="ledgerdesk_session",
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(CrossOriginProtection)
    app.add_middleware(
        SecurityHeaders, framable={"/chat/frame": framable_csp(_chat_ancestors(settings))}
    )
    app.add_middleware(
        BodyLimitMiddleware, max_body=settings.max_body_bytes, max_json=settings.max_json_bytes
    )
    observability.install(app)  # outermost: every answer, a 413 included, has its request id
    return app


def create_served_app() -> FastAPI:
    """The app as ``ledgerdesk serve`` runs it: one per server process, which also settles the
    garbage collector once warm (tests and embedders keep the interpreter's defaults: a frozen
    app's cycles would outlive it)."""
    app = create_app()
    app.state.settle_gc = True
    return app


def _chat_ancestors(settings: Settings) -> list[str]:
    """The origins that may embed the chat frame (empty: any)."""
    return list(settings.chat_frame_ancestors)


def _warm_triage(settings: Settings) -> None:
    from ledgerdesk.ai.triage import EmbeddingsUnavailable, ModelError, get_triager

    try:
        get_triager(settings).classify(["warm up 预热"])  # also loads jieba and the script tables
    except (ModelError, EmbeddingsUnavailable) as exc:
        log.error("triage model cannot be loaded; customer messages will wait: %s", exc)


def _warm_ups(settings: Settings) -> list[Callable[[], None]]:
    from ledgerdesk.accounts.services import warm_up as warm_accounts
    from ledgerdesk.ai.guard import warm_up as warm_guard
    from ledgerdesk.search.analysis import warm_up as warm_search

    steps: list[Callable[[], None]] = [warm_guard, warm_search, warm_accounts]
    if settings.triage:
        steps.append(lambda: _warm_triage(settings))
    return steps


async def _warm_up(settings: Settings) -> None:
    """Load the dictionaries and models every request path needs, in parallel threads, before
    this process serves anything: in any jobs mode a search or a customer message may be the
    first request, and fifty of them queueing on jieba's lock time out (issue 11)."""
    started = time.monotonic()
    results = await asyncio.gather(
        *(asyncio.to_thread(step) for step in _warm_ups(settings)), return_exceptions=True
    )
    for result in results:
        if isinstance(result, BaseException):  # a warm-up is an optimisation: serve anyway
            log.error("warm-up failed; the first request will load it: %r", result)
    log.info("warmed up in %.1f s", time.monotonic() - started)


# Young collections after this many new container objects (CPython's default is 700): with a
# thousand chat connections and the loaded models, the default ran a full collection every few
# seconds, each stopping the process for 100-400 ms (bench/RESULTS.md, live chat delivery).
GC_THRESHOLDS = (10_000, 20, 20)


def _settle_garbage_collector() -> None:
    """Move everything loaded at start (models, dictionaries, the search index, routes) out of
    the collector's reach and collect less often: those objects live as long as the process,
    and scanning them on every full collection was the chat delivery's worst tail."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Every process warms up before it accepts traffic (uvicorn binds its socket only after
    the lifespan started); embedded mode also runs background jobs in this process, production
    runs ``worker``s."""
    await _warm_up(app.state.settings)
    if getattr(app.state, "settle_gc", False):
        _settle_garbage_collector()
    worker = None
    if app.state.settings.jobs == "embedded":
        from ledgerdesk.composition import load_handlers
        from ledgerdesk.jobs.outbox import Worker

        load_handlers()
        worker = Worker(app.state.sessionmaker)
        worker.start()
        # E-mail in: the IMAP mailbox is watched here too (production: by `ledgerdesk worker`).
        from ledgerdesk.channels.imap import start_poller

        app.state.imap_poller = start_poller(app.state.sessionmaker, app.state.settings)
    from ledgerdesk.jobs.delivery import install_sender

    sender = install_sender(app.state.settings)  # production: jobs announced through Redis
    await app.state.chat.start()
    try:
        yield
    finally:
        await app.state.chat.stop()
        if worker is not None:
            await asyncio.to_thread(worker.stop)
        if sender is not None:
            sender.close()
        poller = getattr(app.state, "imap_poller", None)
        if poller is not None:
            await asyncio.to_thread(poller.stop)


def _install_docs(app: FastAPI) -> None:
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse

    openapi.install(app)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/api/v1/openapi.json",
            title=app.title,
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )


def _include_routes(app: FastAPI) -> None:
    from ledgerdesk.account_security import console as account_security_console
    from ledgerdesk.account_security import views as account_security_views
    from ledgerdesk.accounts import admin_console as accounts_admin_console
    from ledgerdesk.accounts import api as accounts_api
    from ledgerdesk.accounts import console as accounts_console
    from ledgerdesk.accounts import customers_console
    from ledgerdesk.accounts import security_api as accounts_security_api
    from ledgerdesk.accounts import views as accounts_views
    from ledgerdesk.ai.assistant import views as assistant_views
    from ledgerdesk.cases import api as cases_api
    from ledgerdesk.cases import console as cases_console
    from ledgerdesk.cases import export_views as cases_export_views
    from ledgerdesk.cases import portal as cases_portal
    from ledgerdesk.cases import register_views as cases_register_views
    from ledgerdesk.cases import scam_views as cases_scam_views
    from ledgerdesk.cases import watchlist_api, watchlist_console
    from ledgerdesk.chain import api as chain_api
    from ledgerdesk.chain import console as chain_console
    from ledgerdesk.chain import panel as chain_panel
    from ledgerdesk.chain import views as chain_views
    from ledgerdesk.channels import csat_views, mail_api, notifications_views
    from ledgerdesk.channels.messenger import api as messenger_api
    from ledgerdesk.channels.webhooks import api as webhooks_api
    from ledgerdesk.channels.webhooks import console as webhooks_console
    from ledgerdesk.chat import api as chat_api
    from ledgerdesk.chat import console as chat_console
    from ledgerdesk.chat import views as chat_views
    from ledgerdesk.chat import ws as chat_ws
    from ledgerdesk.incidents import api as incidents_api
    from ledgerdesk.incidents import console as incidents_console
    from ledgerdesk.incidents import views as incidents_views
    from ledgerdesk.jobs import admin_api as jobs_admin_api
    from ledgerdesk.jobs import admin_console as jobs_admin_console
    from ledgerdesk.kb import api as kb_api
    from ledgerdesk.kb import console as kb_console
    from ledgerdesk.kb import views as kb_views
    from ledgerdesk.macros import api as macros_api
    from ledgerdesk.macros import console as macros_console
    from ledgerdesk.portal import views as portal_views
    from ledgerdesk.reports import api as reports_api
    from ledgerdesk.reports import console as reports_console
    from ledgerdesk.reports import surges_views
    from ledgerdesk.routing import api as routing_api
    from ledgerdesk.routing import console as routing_console
    from ledgerdesk.sla import api as sla_api
    from ledgerdesk.sla import console as sla_console
    from ledgerdesk.sla import escalation_views
    from ledgerdesk.tickets import api as tickets_api
    from ledgerdesk.tickets import views as tickets_views
    from ledgerdesk.tickets import views_bulk as tickets_views_bulk
    from ledgerdesk.trust import api as trust_api
    from ledgerdesk.trust import console as trust_console
    from ledgerdesk.trust import log_api as trust_log_api
    from ledgerdesk.trust import log_views as trust_log_views
    from ledgerdesk.trust import transcript_views
    from ledgerdesk.trust import views as trust_views
    from ledgerdesk.web import views as web_views

    for router in (
        web_views.router,
        accounts_api.router,
        accounts_views.router,
        accounts_security_api.router,
        accounts_console.router,
        accounts_admin_console.router,
        tickets_api.router,
        tickets_views.router,
        tickets_views_bulk.router,
        customers_console.router,
        portal_views.router,
        kb_api.router,
        kb_views.router,
        kb_console.router,
        trust_api.router,
        trust_views.router,
        trust_console.router,
        transcript_views.router,
        trust_log_api.router,
        trust_log_views.router,
        routing_api.router,
        routing_console.router,
        chain_console.router,
        chain_api.router,
        chain_views.router,
        chain_panel.router,
        chat_api.router,
        chat_console.router,
        chat_ws.router,
        chat_views.router,
        assistant_views.router,
        mail_api.router,
        mail_api.console_router,
        messenger_api.router,
        csat_views.router,
        webhooks_api.router,
        webhooks_console.router,
        notifications_views.router,
        surges_views.router,
        surges_views.api_router,
        incidents_api.router,
        incidents_console.router,
        incidents_views.router,
        macros_api.router,
        macros_console.router,
        escalation_views.api,
        escalation_views.console,
        sla_api.router,
        sla_console.router,
        reports_api.router,
        reports_console.router,
        # before the cases' /cases/{case_id} routes: "register" is not a case id
        cases_register_views.router,
        cases_register_views.api_router,
        cases_api.router,
        cases_console.router,
        cases_portal.router,
        watchlist_api.router,
        watchlist_console.router,
        cases_scam_views.router,
        jobs_admin_console.router,
        jobs_admin_api.router,
        cases_scam_views.console_router,
        cases_export_views.console_router,
        cases_export_views.api_router,
        account_security_views.router,
        account_security_console.router,
    ):
        app.include_router(router)
