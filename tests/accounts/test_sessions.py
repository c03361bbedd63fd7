"""Server-side sessions over HTTP on both databases: signing out ends the session so a copied
cookie stops working, "sign out everywhere", and a password change ending the other
sessions."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from ledgerdesk.accounts.models import AuthSession
from tests.accounts.helpers import cookie, events, fresh_agent, login, replay
from tests.conftest import PASSWORD, make_customer
from tests.tickets.test_api import portal_login


def test_a_replayed_cookie_after_logout_gets_401(app: Any, client: TestClient) -> None:
    agent = fresh_agent(app)
    assert login(client, agent.email).status_code == 303
    copied = cookie(client)
    assert client.get("/api/v1/me").json()["id"] == agent.id
    assert client.post("/console/logout", follow_redirects=False).status_code == 303
    with replay(app, copied) as thief:
        response = thief.get("/api/v1/me")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"
        page = thief.get("/console/inbox", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/console/login")
    assert [e.kind for e in events(app, agent.id)] == ["sign_in", "sign_out"]


def test_the_cookie_holds_an_id_whose_hash_only_is_stored(app: Any, client: TestClient) -> None:
    agent = fresh_agent(app)
    login(client, agent.email)
    with app.state.sessionmaker() as session:
        rows = session.scalars(select(AuthSession).where(AuthSession.agent_id == agent.id)).all()
    assert len(rows) == 1 and len(rows[0].id_hash) == 64
    assert rows[0].id_hash not in cookie(client) and rows[0].user_agent == "testclient"


def test_portal_logout_ends_the_customer_session(app: Any, client: TestClient) -> None:
    with app.state.sessionmaker() as session:
        email = make_customer(session).email
        session.commit()
    portal_login(client, app, email)
    copied = cookie(client)
    assert client.get("/api/v1/me").json()["kind"] == "customer"
    client.post("/portal/logout", follow_redirects=False)
    with replay(app, copied) as thief:
        assert thief.get("/api/v1/me").status_code == 401
        assert (
            thief.get("/portal", follow_redirects=False)
            .headers["location"]
            .startswith("/portal/login")
        )


def test_sign_out_everywhere_ends_every_session(app: Any, client: TestClient) -> None:
    agent = fresh_agent(app)
    with TestClient(app, raise_server_exceptions=False) as laptop:
        login(laptop, agent.email)
        login(client, agent.email)
        page = client.get("/console/account")
        assert page.status_code == 200 and page.text.count('id="session-') == 2
        done = client.post("/console/account/sessions/end-all", follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"] == "/console/login"
        assert laptop.get("/api/v1/me").status_code == 401
        assert client.get("/api/v1/me").status_code == 401
    assert events(app, agent.id, "signed_out_everywhere")[0].detail == "2 sessions ended"


def test_ending_one_other_session(app: Any, client: TestClient) -> None:
    agent = fresh_agent(app)
    with TestClient(app, raise_server_exceptions=False) as laptop:
        login(laptop, agent.email)
        login(client, agent.email)
        with app.state.sessionmaker() as session:
            first = session.scalars(
                select(AuthSession.id)
                .where(AuthSession.agent_id == agent.id)
                .order_by(AuthSession.id)
            ).first()
        ended = client.post(f"/console/account/sessions/{first}/end", follow_redirects=False)
        assert ended.status_code == 303
        assert laptop.get("/api/v1/me").status_code == 401
        assert client.get("/api/v1/me").status_code == 200
        # Someone else's or an unknown session is not found.
        assert client.post("/console/account/sessions/2147483647/end").status_code == 404


def test_password_change_ends_the_other_sessions(app: Any, client: TestClient) -> None:
    agent = fresh_agent(app)
    new = "a-brand-new-passphrase"
    with TestClient(app, raise_server_exceptions=False) as laptop:
        login(laptop, agent.email)
        login(client, agent.email)
        wrong = client.post(
            "/console/account/password",
            data={"current": "not-my-password", "new": new, "confirm": new},
        )
        assert wrong.status_code == 422 and "current password is not right" in wrong.text
        assert laptop.get("/api/v1/me").status_code == 200  # nothing changed
        changed = client.post(
            "/console/account/password",
            data={"current": PASSWORD, "new": new, "confirm": new},
            follow_redirects=False,
        )
        assert changed.status_code == 303
        assert laptop.get("/api/v1/me").status_code == 401
        assert client.get("/api/v1/me").status_code == 200  # this session stays
    client.post("/console/logout")
    assert login(client, agent.email).status_code == 401
    assert login(client, agent.email, new).status_code == 303
    assert events(app, agent.id, "password_changed")[0].detail == "1 other sessions ended"


def test_password_change_refusals_keep_the_page(app: Any, client: TestClient) -> None:
    agent = fresh_agent(app)
    login(client, agent.email)
    short = client.post(
        "/console/account/password", data={"current": PASSWORD, "new": "short", "confirm": "short"}
    )
    assert short.status_code == 422 and "at least 10" in short.text
    differ = client.post(
        "/console/account/password",
        data={"current": PASSWORD, "new": "long-enough-1", "confirm": "long-enough-2"},
    )
    assert differ.status_code == 422 and 'id="password-form"' in differ.text


def test_failed_sign_ins_are_logged_without_what_was_typed(app: Any, client: TestClient) -> None:
    agent = fresh_agent(app)
    assert login(client, agent.email, "wrong-password-123").status_code == 401
    assert login(client, "typed-a-password-here", "x").status_code == 401
    failed = events(app, agent.id, "sign_in_failed")
    assert len(failed) == 1 and failed[0].client_address == "testclient"
    with app.state.sessionmaker() as session:
        from ledgerdesk.accounts.models import SecurityEvent

        texts = [
            (e.detail, e.client_address)
            for e in session.scalars(select(SecurityEvent).where(SecurityEvent.kind.like("sign%")))
        ]
    assert not any("typed-a-password" in d or "wrong-password" in d for d, _ in texts)


def test_the_session_check_is_one_query_and_writes_rarely(app: Any, client: TestClient) -> None:
    """A signed-in API call costs the session lookup (joined with the agent) and the agent's
    teams, as before server-side sessions; last-seen is written at most once a minute."""
    from sqlalchemy import event

    agent = fresh_agent(app)
    login(client, agent.email)
    client.get("/api/v1/me")
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "outbox" not in statement:  # the embedded job worker polls on its own thread
            statements.append(statement.split()[0].upper())

    event.listen(app.state.engine, "before_cursor_execute", count)
    try:
        for _ in range(3):
            assert client.get("/api/v1/me").status_code == 200
    finally:
        event.remove(app.state.engine, "before_cursor_execute", count)
    assert statements.count("SELECT") == 6 and "UPDATE" not in statements


def test_a_secret_in_the_user_agent_is_not_stored(app: Any, client: TestClient) -> None:
    agent = fresh_agent(app)
    seed = "abandon ability able about above absent absorb abstract absurd abuse access accident"
    response = client.post(
        "/console/login",
        data={"email": agent.email, "password": PASSWORD},
        headers={"user-agent": f"Mozilla/5.0 {seed}"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    with app.state.sessionmaker() as session:
        stored = session.scalars(
            select(AuthSession.user_agent).where(AuthSession.agent_id == agent.id)
        ).one()
    assert stored.startswith("Mozilla/5.0") and "abandon" not in stored and "accident" not in stored


def test_ended_sessions_are_dropped_at_the_next_sign_in(app: Any, client: TestClient) -> None:
    agent = fresh_agent(app)
    for _ in range(3):
        login(client, agent.email)
        client.post("/console/logout")
    login(client, agent.email)
    with app.state.sessionmaker() as session:
        rows = session.scalars(select(AuthSession).where(AuthSession.agent_id == agent.id)).all()
    assert len(rows) == 1 and rows[0].revoked_at is None
    assert client.get("/api/v1/me").status_code == 200
