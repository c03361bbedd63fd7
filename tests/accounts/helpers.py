"""Helpers for the account-security tests: fresh committed agents (tests that deactivate or
reset must not touch the shared ``seeded`` ones) and reading the security log."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from ledgerdesk.accounts.models import Agent, Role, SecurityEvent
from tests.conftest import PASSWORD, make_agent


def fresh_agent(app: Any, role: Role = Role.agent) -> Agent:
    with app.state.sessionmaker() as session:
        agent = make_agent(session, role)
        session.commit()
        session.refresh(agent)
        session.expunge(agent)
    return agent


def login(client: TestClient, email: str, password: str = PASSWORD) -> Any:
    return client.post(
        "/console/login", data={"email": email, "password": password}, follow_redirects=False
    )


def cookie(client: TestClient) -> str:
    value = client.cookies.get("ledgerdesk_session")
    assert value
    return value


def replay(app: Any, value: str) -> TestClient:
    """A second browser that carries a copied cookie."""
    other = TestClient(app, raise_server_exceptions=False)
    other.cookies.set("ledgerdesk_session", value)
    return other


def events(app: Any, agent_id: int, kind: str | None = None) -> list[SecurityEvent]:
    """Security-log rows about an agent (as target), oldest first."""
    with app.state.sessionmaker() as session:
        query = select(SecurityEvent).where(
            SecurityEvent.target_kind == "agent", SecurityEvent.target_id == agent_id
        )
        if kind:
            query = query.where(SecurityEvent.kind == kind)
        return list(session.scalars(query.order_by(SecurityEvent.id)))


def agent_row(app: Any, agent_id: int) -> Agent:
    with app.state.sessionmaker() as session:
        agent = session.get(Agent, agent_id)
        assert agent is not None
        session.expunge(agent)
        return agent


def token_of(app: Any, agent: Agent, name: str = "t") -> str:
    """A committed API token for ``agent``."""
    from ledgerdesk.accounts.services import SYSTEM
    from ledgerdesk.accounts.tokens import do_create_api_token

    with app.state.sessionmaker() as session:
        token = do_create_api_token(session, SYSTEM, session.get(Agent, agent.id), name)
        session.commit()
    return token
