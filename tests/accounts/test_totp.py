"""Agent two-factor sign-in on both databases: enrolment with a QR code, sign-in with a TOTP
code, single-use recovery codes, wrong and replayed codes refused, turning it off, the
half-signed-in state granting nothing, and the policy that requires 2FA."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ledgerdesk.accounts.models import RecoveryCode
from tests.accounts.helpers import agent_row, events, fresh_agent, login
from tests.conftest import PASSWORD


def enrol(client: TestClient) -> tuple[str, list[str]]:
    """Set up 2FA in the console; the secret and the recovery codes."""
    client.post("/console/account/2fa/start")
    page = client.get("/console/account/2fa")
    assert page.status_code == 200 and "<svg" in page.text
    found = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text)
    assert found
    secret = found.group(1)
    done = client.post("/console/account/2fa/confirm", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200, done.text
    codes = re.findall(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", done.text)
    return secret, codes


def next_code(secret: str) -> str:
    """A code for the next time step (the current one was used to enrol)."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def test_enrol_then_sign_in_with_a_code(app: Any, client: TestClient) -> None:
    agent = fresh_agent(app)
    login(client, agent.email)
    secret, codes = enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = agent_row(app, agent.id)
    assert stored.totp_enabled_at is not None and secret not in (stored.totp_secret or "")
    with app.state.sessionmaker() as session:
        hashes = session.scalars(
            select(RecoveryCode.code_hash).where(RecoveryCode.agent_id == agent.id)
        ).all()
    assert len(hashes) == 10 and not set(codes) & set(hashes)
    client.post("/console/logout")
    first = login(client, agent.email)
    assert first.status_code == 200 and 'id="totp-form"' in first.text
    # Half signed in: nothing is granted yet.
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/console/inbox", follow_redirects=False).status_code == 303
    wrong = client.post("/console/login/2fa", data={"code": "000000"})
    assert wrong.status_code == 401 and 'id="totp-form"' in wrong.text
    signed = client.post(
        "/console/login/2fa", data={"code": next_code(secret)}, follow_redirects=False
    )
    assert signed.status_code == 303
    assert client.get("/api/v1/me").json()["id"] == agent.id
    kinds = [e.kind for e in events(app, agent.id)]
    assert kinds == ["sign_in", "2fa_enabled", "sign_out", "sign_in_2fa_failed", "sign_in"]


def test_a_code_is_used_once(app: Any, client: TestClient) -> None:
    agent = fresh_agent(app)
    login(client, agent.email)
    secret, _ = enrol(client)
    code = next_code(secret)
    client.post("/console/logout")
    login(client, agent.email)
    assert client.post("/console/login/2fa", data={"code": code}).status_code == 200
    client.post("/console/logout")
    login(client, agent.email)
    replayed = client.post("/console/login/2fa", data={"code": code})
    assert replayed.status_code == 401


def test_recovery_codes_work_once(app: Any, client: TestClient) -> None:
    agent = fresh_agent(app)
    login(client, agent.email)
    _, codes = enrol(client)
    client.post("/console/logout")
    login(client, agent.email)
    used = client.post(
        "/console/login/2fa", data={"code": codes[0].upper()}, follow_redirects=False
    )
    assert used.status_code == 303
    client.post("/console/logout")
    login(client, agent.email)
    again = client.post("/console/login/2fa", data={"code": codes[0]})
    assert again.status_code == 401
    assert (
        client.post(
            "/console/login/2fa", data={"code": codes[1]}, follow_redirects=False
        ).status_code
        == 303
    )
    assert "Unused recovery codes: 8" in client.get("/console/account/2fa").text
    assert events(app, agent.id, "recovery_code_used")[0].detail == "9 left"


def test_wrong_code_on_enrolment_is_refused(app: Any, client: TestClient) -> None:
    agent = fresh_agent(app)
    login(client, agent.email)
    client.post("/console/account/2fa/start")
    wrong = client.post("/console/account/2fa/confirm", data={"code": "12345x"})
    assert wrong.status_code == 422 and 'id="confirm-form"' in wrong.text
    assert agent_row(app, agent.id).totp_enabled_at is None
    # Without 2FA confirmed, the password alone still signs in.
    client.post("/console/logout")
    assert login(client, agent.email).status_code == 303


def test_disable_needs_a_code_or_the_password(app: Any, client: TestClient) -> None:
    agent = fresh_agent(app)
    login(client, agent.email)
    enrol(client)
    refused = client.post("/console/account/2fa/disable", data={"password": "not-it-at-all"})
    assert refused.status_code == 401
    assert agent_row(app, agent.id).totp_enabled_at is not None
    off = client.post(
        "/console/account/2fa/disable", data={"password": PASSWORD}, follow_redirects=False
    )
    assert off.status_code == 303
    row = agent_row(app, agent.id)
    assert row.totp_enabled_at is None and row.totp_secret is None
    assert [e.kind for e in events(app, agent.id, "2fa_disabled")] == ["2fa_disabled"]


def test_code_attempts_are_rate_limited(app: Any, client: TestClient) -> None:
    agent = fresh_agent(app)
    login(client, agent.email)
    enrol(client)
    client.post("/console/logout")
    login(client, agent.email)
    statuses = [
        client.post("/console/login/2fa", data={"code": "000000"}).status_code for _ in range(6)
    ]
    assert statuses[:5] == [401] * 5 and statuses[5] == 429


@pytest.fixture
def require_2fa(app: Any) -> Iterator[None]:
    app.state.settings.require_agent_2fa = True
    yield
    app.state.settings.require_agent_2fa = False


@pytest.mark.usefixtures("require_2fa")
def test_required_2fa_sends_the_agent_to_enrol(app: Any, client: TestClient) -> None:
    agent = fresh_agent(app)
    assert login(client, agent.email).status_code == 303
    inbox = client.get("/console/inbox", follow_redirects=False)
    assert inbox.status_code == 303
    assert inbox.headers["location"].startswith("/console/account/2fa")
    api = client.get("/api/v1/me")
    assert api.status_code == 403 and "Two-factor" in api.json()["error"]["message"]
    assert client.get("/console/account", follow_redirects=False).status_code == 303
    page = client.get("/console/account/2fa")
    assert page.status_code == 200 and 'id="required-notice"' in page.text
    enrol(client)
    assert client.get("/api/v1/me").json()["id"] == agent.id
    assert client.get("/console/inbox").status_code == 200
