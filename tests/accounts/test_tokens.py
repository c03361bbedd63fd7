"""API tokens on both databases: list, revoke, expiry, admins managing anyone's, guarded
names, and the console page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts import tokens
from ledgerdesk.accounts.models import ApiToken, Role
from ledgerdesk.accounts.tokens import authenticate_token, do_create_api_token
from ledgerdesk.core.clock import frozen_at, utcnow
from ledgerdesk.core.errors import NotAuthenticated
from tests.accounts.helpers import events, fresh_agent, login, token_of
from tests.conftest import actor_of, bearer, make_agent, make_team

SEED = "abandon ability able about above absent absorb abstract absurd abuse access accident"


def _token_for(client: TestClient, token: str, **body: Any) -> Any:
    return client.post("/api/v1/tokens", json={"name": "ci", **body}, headers=bearer(token))


def test_list_and_revoke_own_tokens(client: TestClient, app: Any, seeded: dict[str, Any]) -> None:
    agent = fresh_agent(app)
    first = token_of(app, agent, "first")
    made = _token_for(client, first, name="second", expires_in_days=30)
    assert made.status_code == 201, made.text
    second = made.json()
    assert second["agent_id"] == agent.id and second["expires_at"] is not None
    listed = client.get("/api/v1/tokens", headers=bearer(first)).json()
    assert [t["name"] for t in listed] == ["second", "first"]
    assert all("token" not in t and "token_hash" not in t for t in listed)
    assert client.get("/api/v1/tokens", headers=bearer(second["token"])).status_code == 200
    gone = client.delete(f"/api/v1/tokens/{second['id']}", headers=bearer(first))
    assert gone.status_code == 204
    refused = client.get("/api/v1/me", headers=bearer(second["token"]))
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "not_authenticated"
    listed = client.get("/api/v1/tokens", headers=bearer(first)).json()
    assert listed[0]["status"] == "revoked" and listed[0]["revoked_at"]
    # Another agent's token is not theirs to see or revoke.
    other = client.delete(
        f"/api/v1/tokens/{listed[1]['id']}", headers=bearer(seeded["agent_token"])
    )
    assert other.status_code == 404
    assert [e.kind for e in events(app, agent.id) if e.kind.startswith("token")] == [
        "token_created",
        "token_revoked",
    ]


def test_an_admin_lists_revokes_and_creates_anyones_tokens(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    agent = fresh_agent(app)
    admin = seeded["admin_token"]
    made = _token_for(client, admin, name="for the backend", agent_id=agent.id)
    assert made.status_code == 201 and made.json()["agent_id"] == agent.id
    token = made.json()["token"]
    assert client.get("/api/v1/me", headers=bearer(token)).json()["id"] == agent.id
    everyone = client.get("/api/v1/tokens?all=true", headers=bearer(admin)).json()
    assert made.json()["id"] in {t["id"] for t in everyone}
    assert (
        client.delete(f"/api/v1/tokens/{made.json()['id']}", headers=bearer(admin)).status_code
        == 204
    )
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    # A non-admin cannot make a token for someone else, nor list everyone's.
    refused = _token_for(client, seeded["agent_token"], agent_id=agent.id)
    assert refused.status_code == 403
    own = client.get("/api/v1/tokens?all=true", headers=bearer(seeded["agent_token"])).json()
    assert {t["agent_id"] for t in own} == {seeded["agent"].id}


def test_expired_tokens_get_401(db_session: Session) -> None:
    agent = make_agent(db_session)
    with frozen_at(datetime(2030, 1, 1)):
        token = do_create_api_token(
            db_session, actor_of(agent), agent, "short", tokens.check_expiry(1, None)
        )
        assert authenticate_token(db_session, token).id == agent.id
    with frozen_at(datetime(2030, 1, 2, 0, 0, 1)):
        try:
            authenticate_token(db_session, token)
        except NotAuthenticated as exc:
            assert "expired" in exc.message
        else:
            raise AssertionError("an expired token signed in")
        row = db_session.scalars(select(ApiToken).where(ApiToken.agent_id == agent.id)).one()
        assert tokens.status(row) == "expired"


def test_expiry_input_is_checked(client: TestClient, seeded: dict[str, Any]) -> None:
    token = seeded["agent_token"]
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    assert _token_for(client, token, expires_at=past).status_code == 422
    assert _token_for(client, token, expires_in_days=0).status_code == 422
    assert _token_for(client, token, expires_in_days=99999).status_code == 422
    assert _token_for(client, token, expires_in_days="7").status_code == 422
    for moment in ("0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "2099-13-01"):
        assert _token_for(client, token, expires_at=moment).status_code == 422, moment
    both = _token_for(client, token, expires_in_days=3, expires_at="2099-01-01T00:00:00Z")
    assert both.status_code == 422 and both.json()["error"]["field"] == "expires_at"
    later = datetime.now(UTC) + timedelta(days=2)
    made = _token_for(client, token, expires_at=later.isoformat())
    assert made.status_code == 201
    stored = datetime.fromisoformat(made.json()["expires_at"]).replace(tzinfo=None)
    assert abs(stored - later.replace(tzinfo=None)) < timedelta(seconds=2)
    assert (
        client.delete("/api/v1/tokens/99999999999999999999", headers=bearer(token)).status_code
        == 422
    )


def test_token_names_pass_the_secret_guard(db_session: Session) -> None:
    agent = make_agent(db_session)
    do_create_api_token(db_session, actor_of(agent), agent, f"backup {SEED}")
    row = db_session.scalars(select(ApiToken).where(ApiToken.agent_id == agent.id)).one()
    assert "abandon" not in row.name and "accident" not in row.name
    assert row.name.startswith("backup ")


def test_tokens_console_page(client: TestClient, app: Any, seeded: dict[str, Any]) -> None:
    agent = fresh_agent(app)
    login(client, agent.email)
    page = client.post(
        "/console/account/tokens", data={"name": "my script", "expires_in_days": "7"}
    )
    assert page.status_code == 200
    shown = re.search(r'id="token-value">(ldk_[^<]+)<', page.text)
    assert shown and 'data-status="active"' in page.text
    assert client.get("/api/v1/me", headers=bearer(shown.group(1))).json()["id"] == agent.id
    token_id = re.search(r'id="token-(\d+)"', page.text)
    assert token_id
    revoked = client.post(
        f"/console/account/tokens/{token_id.group(1)}/revoke", follow_redirects=False
    )
    assert revoked.status_code == 303
    assert client.get("/api/v1/me", headers=bearer(shown.group(1))).status_code == 401
    bad = client.post("/console/account/tokens", data={"name": "x", "expires_in_days": "²"})
    assert bad.status_code == 422 and 'value="x"' in bad.text
    # Not admin: no agent picker, and only their own tokens.
    assert 'id="token-agent"' not in client.get("/console/account/tokens").text


def test_admin_console_revokes_anyones_token(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    agent = fresh_agent(app)
    admin = fresh_agent(app, Role.admin)
    theirs = token_of(app, agent, "theirs")
    with app.state.sessionmaker() as session:
        row_id = session.scalars(select(ApiToken.id).where(ApiToken.agent_id == agent.id)).one()
    login(client, admin.email)
    page = client.get("/console/account/tokens")
    assert f'id="token-{row_id}"' in page.text and 'id="token-agent"' in page.text
    client.post(f"/console/account/tokens/{row_id}/revoke")
    assert client.get("/api/v1/me", headers=bearer(theirs)).status_code == 401
    assert utcnow()  # the clock is real here


def test_the_request_check_matches_the_agent_and_stops_at_once(db_session: Session) -> None:
    """``authenticate_actor`` (what every API request runs, issue 19) gives the same actor as
    the agent's own, teams included, writes last-used at most once a minute, and refuses a
    revoked token, an expired one and a deactivated agent's on the very next call."""
    from ledgerdesk.accounts.models import Agent
    from ledgerdesk.accounts.services import agent_actor

    agent = make_agent(db_session, teams=[make_team(db_session), make_team(db_session)])
    token = do_create_api_token(db_session, actor_of(agent), agent, "fast")
    db_session.commit()
    with frozen_at(datetime(2031, 1, 1)):
        actor, touched = tokens.authenticate_actor(db_session, token)
        assert actor == agent_actor(agent) and len(actor.team_ids) == 2 and touched
        db_session.commit()
    with frozen_at(datetime(2031, 1, 1, 0, 0, 30)):
        assert tokens.authenticate_actor(db_session, token)[1] is False  # written a minute ago
    row = db_session.scalars(select(ApiToken).where(ApiToken.agent_id == agent.id)).one()
    assert row.last_used_at == datetime(2031, 1, 1)
    tokens.do_revoke_token(db_session, actor_of(agent), row)
    db_session.flush()
    try:
        tokens.authenticate_actor(db_session, token)
    except NotAuthenticated:
        pass
    else:
        raise AssertionError("a revoked token still worked")
    other = make_agent(db_session)
    second = do_create_api_token(db_session, actor_of(other), other, "short", utcnow())
    db_session.flush()
    for refused in (second, token):
        try:
            tokens.authenticate_actor(db_session, refused)
        except NotAuthenticated:
            pass
        else:
            raise AssertionError("an expired or revoked token still worked")
    third = do_create_api_token(db_session, actor_of(other), other, "live")
    db_session.get(Agent, other.id).active = False  # type: ignore[union-attr]
    db_session.flush()
    try:
        tokens.authenticate_actor(db_session, third)
    except NotAuthenticated:
        pass
    else:
        raise AssertionError("a deactivated agent's token still worked")
