"""Request dependencies: the database session, who is asking, and in which language."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import anyio.to_thread
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts import sessions
from ledgerdesk.accounts.models import Agent, Role
from ledgerdesk.accounts.services import Actor
from ledgerdesk.accounts.tokens import authenticate_actor
from ledgerdesk.core.errors import NotAuthenticated, NotPermitted


async def get_db(request: Request) -> AsyncIterator[Session]:
    """A session for this request. The route commits; anything uncommitted is rolled back.

    ``async``, so it costs no trips to the thread pool: making a session does no I/O (it
    connects when first used), and neither does closing one that holds no transaction (the
    usual end: the route committed). One that does is rolled back in the thread pool."""
    session: Session = request.app.state.sessionmaker()
    try:
        yield session
    finally:
        if session.in_transaction():
            await anyio.to_thread.run_sync(_discard, session)
        else:
            session.close()


def _discard(session: Session) -> None:
    session.rollback()
    session.close()


Db = Annotated[Session, Depends(get_db)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def optional_actor(request: Request, db: Db) -> Actor | None:
    """The agent (bearer token or console session) or customer (portal session), if any."""
    token = _bearer(request)
    if token is not None:
        actor, touched = authenticate_actor(db, token)
        if touched:  # last-used time moved on (at most once a minute): keep it
            db.commit()
        return actor
    session_id = request.session.get("sid")
    live = sessions.find_live(db, session_id) if isinstance(session_id, str) else None
    if live is None:
        # Signed out elsewhere, expired, revoked or from before server-side sessions.
        for key in ("sid", "agent_id", "customer_id"):
            request.session.pop(key, None)
        return None
    request.state.auth_session = live.row
    if db.dirty:  # last-seen time moved on (at most once a minute)
        db.commit()
    if live.agent is not None:
        # Held for the request: the session's identity map keeps only weak references,
        # so without this the page would load the same agent again by id.
        request.state.agent = live.agent
        _check_enrolment(request, live.agent)
        return accounts.agent_actor(live.agent)
    assert live.customer is not None
    return accounts.customer_actor(live.customer)


# While 2FA is required and not set up, these are all an agent may open.
_ENROLMENT_PATHS = ("/console/account/2fa", "/console/logout")


def _check_enrolment(request: Request, agent: Agent) -> None:
    """With ``LEDGERDESK_REQUIRE_AGENT_2FA`` on, an agent without 2FA can only enrol."""
    if not request.app.state.settings.require_agent_2fa or agent.totp_enabled_at is not None:
        return
    path = request.url.path
    if path.startswith(_ENROLMENT_PATHS):
        return
    if path.startswith("/api/"):
        raise NotPermitted(
            "Two-factor sign-in is required on this desk: set it up at /console/account/2fa"
        )
    raise LoginRequired("/console/account/2fa")


# The checks below do no I/O, so they are ``async``: FastAPI runs them on the event loop
# instead of handing each to the thread pool.
async def current_actor(actor: Annotated[Actor | None, Depends(optional_actor)]) -> Actor:
    if actor is None:
        raise NotAuthenticated("Sign in, or send an API token as 'Authorization: Bearer …'")
    return actor


async def current_agent(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
    if not actor.is_agent:
        raise NotPermitted("Only agents can do this")
    return actor


async def current_customer(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
    if not actor.is_customer:
        raise NotPermitted("This page is for customers; agents use the console")
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]
CurrentAgent = Annotated[Actor, Depends(current_agent)]
CurrentCustomer = Annotated[Actor, Depends(current_customer)]
OptionalActor = Annotated[Actor | None, Depends(optional_actor)]


class LoginRequired(Exception):
    """Raised by page dependencies; answered with a redirect to the right sign-in page."""

    def __init__(self, login_path: str) -> None:
        super().__init__(login_path)
        self.login_path = login_path


async def console_agent(request: Request, actor: OptionalActor) -> Actor:
    if actor is None or not actor.is_agent:
        raise LoginRequired("/console/login")
    return actor


async def portal_customer(request: Request, actor: OptionalActor) -> Actor:
    if actor is None or not actor.is_customer:
        raise LoginRequired("/portal/login")
    return actor


ConsoleAgent = Annotated[Actor, Depends(console_agent)]
PortalCustomer = Annotated[Actor, Depends(portal_customer)]


async def console_lead(actor: ConsoleAgent) -> Actor:
    """A signed-in lead or admin (console pages); others get 403."""
    accounts.require_role(actor, Role.lead, Role.admin)
    return actor


async def console_admin(actor: ConsoleAgent) -> Actor:
    """A signed-in admin (console pages); others get 403."""
    accounts.require_role(actor, Role.admin)
    return actor


ConsoleLead = Annotated[Actor, Depends(console_lead)]
ConsoleAdmin = Annotated[Actor, Depends(console_admin)]
