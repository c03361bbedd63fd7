"""Request dependencies: the database session, who is asking, and in which language."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.services import Actor
from ledgerdesk.core.errors import NotAuthenticated, NotPermitted


def get_db(request: Request) -> Iterator[Session]:
    """A session for this request. The route commits; anything uncommitted is rolled back."""
    session: Session = request.app.state.sessionmaker()
    try:
        yield session
    finally:
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
        token_agent = accounts.authenticate_token(db, token)
        request.state.agent = token_agent  # see below
        if db.dirty:  # last-used time moved on (at most once a minute): keep it
            db.commit()
        return accounts.agent_actor(token_agent)
    agent_id = request.session.get("agent_id")
    if isinstance(agent_id, int):
        agent = accounts.find_active_agent(db, agent_id)
        if agent is not None:
            # Held for the request: the session's identity map keeps only weak references,
            # so without this the page would load the same agent again by id.
            request.state.agent = agent
            return accounts.agent_actor(agent)
        request.session.pop("agent_id", None)
    customer_id = request.session.get("customer_id")
    if isinstance(customer_id, int):
        customer = accounts.find_customer(db, customer_id)
        if customer is not None:
            return accounts.customer_actor(customer)
        request.session.pop("customer_id", None)
    return None


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
