"""Admins deactivate, reactivate and reset agents (API and console) on both databases;
deactivation ends sessions and tokens at once; everyone else gets 403; the security log
records it all and admins alone can read it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledgerdesk.accounts.models import Role
from tests.accounts.helpers import agent_row, events, fresh_agent, login, token_of
from tests.conftest import PASSWORD, bearer


def test_deactivation_ends_sessions_and_tokens_at_once(
    app: Any, client: TestClient, seeded: dict[str, Any]
) -> None:
    agent = fresh_agent(app)
    token = token_of(app, agent)
    login(client, agent.email)
    assert client.get("/api/v1/me").status_code == 200
    done = client.post(
        f"/api/v1/agents/{agent.id}/deactivate", headers=bearer(seeded["admin_token"])
    )
    assert done.status_code == 200 and done.json()["active"] is False
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert login(client, agent.email).status_code == 401
    event = events(app, agent.id, "agent_deactivated")[0]
    assert (
        event.actor_id == seeded["admin"].id
        and event.detail == "1 sessions ended, 1 tokens revoked"
    )
    again = client.post(
        f"/api/v1/agents/{agent.id}/deactivate", headers=bearer(seeded["admin_token"])
    )
    assert again.status_code == 409
    back = client.post(
        f"/api/v1/agents/{agent.id}/reactivate", headers=bearer(seeded["admin_token"])
    )
    assert back.status_code == 200 and back.json()["active"] is True
    assert login(client, agent.email).status_code == 303
    # Reactivating brings the old token back? No: it stays revoked.
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_reset_sets_a_password_clears_2fa_and_ends_sessions(
    app: Any, client: TestClient, seeded: dict[str, Any]
) -> None:
    agent = fresh_agent(app)
    login(client, agent.email)
    client.post("/console/account/2fa/start")
    assert agent_row(app, agent.id).totp_secret is not None
    reset = client.post(
        f"/api/v1/agents/{agent.id}/reset", json={}, headers=bearer(seeded["admin_token"])
    )
    assert reset.status_code == 200, reset.text
    generated = reset.json()["generated_password"]
    assert generated and len(generated) >= 16
    assert client.get("/api/v1/me").status_code == 401
    assert agent_row(app, agent.id).totp_secret is None
    assert login(client, agent.email).status_code == 401
    assert login(client, agent.email, generated).status_code == 303
    chosen = client.post(
        f"/api/v1/agents/{agent.id}/reset",
        json={"password": "chosen-by-the-admin"},
        headers=bearer(seeded["admin_token"]),
    )
    assert chosen.json()["generated_password"] is None
    assert login(client, agent.email, "chosen-by-the-admin").status_code == 303
    short = client.post(
        f"/api/v1/agents/{agent.id}/reset",
        json={"password": "short"},
        headers=bearer(seeded["admin_token"]),
    )
    assert short.status_code == 422
    assert len(events(app, agent.id, "agent_reset")) == 2


@pytest.mark.parametrize("action", ["deactivate", "reactivate", "reset"])
def test_non_admins_get_403(client: TestClient, seeded: dict[str, Any], action: str) -> None:
    target = seeded["other_agent"].id
    for who in ("agent_token", "lead_token"):
        response = client.post(
            f"/api/v1/agents/{target}/{action}", json={}, headers=bearer(seeded[who])
        )
        assert response.status_code == 403, response.text
    assert client.post(f"/api/v1/agents/{target}/{action}", json={}).status_code == 401


def test_security_log_is_for_admins(client: TestClient, seeded: dict[str, Any]) -> None:
    for who in ("agent_token", "lead_token"):
        response = client.get("/api/v1/security-events", headers=bearer(seeded[who]))
        assert response.status_code == 403
    assert client.get("/api/v1/security-events").status_code == 401
    ok = client.get("/api/v1/security-events?limit=5", headers=bearer(seeded["admin_token"]))
    assert ok.status_code == 200 and len(ok.json()) <= 5


def test_an_admin_cannot_deactivate_or_reset_themselves(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    me = seeded["admin"].id
    for action in ("deactivate", "reset"):
        response = client.post(
            f"/api/v1/agents/{me}/{action}", json={}, headers=bearer(seeded["admin_token"])
        )
        assert response.status_code == 403
    missing = client.post(
        "/api/v1/agents/2147483647/deactivate", headers=bearer(seeded["admin_token"])
    )
    assert missing.status_code == 404


def test_security_events_api_lists_filters_and_pages(
    app: Any, client: TestClient, seeded: dict[str, Any]
) -> None:
    agent = fresh_agent(app)
    login(client, agent.email, "wrong-password-1")
    login(client, agent.email)
    headers = bearer(seeded["admin_token"])
    rows = client.get(f"/api/v1/security-events?agent_id={agent.id}", headers=headers).json()
    assert [r["kind"] for r in rows] == ["sign_in", "sign_in_failed"]
    assert rows[0]["actor_kind"] == "agent" and rows[0]["client_address"] == "testclient"
    older = client.get(
        f"/api/v1/security-events?agent_id={agent.id}&before_id={rows[0]['id']}", headers=headers
    ).json()
    assert [r["kind"] for r in older] == ["sign_in_failed"]
    only = client.get("/api/v1/security-events?kind=sign_in_failed&limit=3", headers=headers).json()
    assert {r["kind"] for r in only} == {"sign_in_failed"}
    assert client.get("/api/v1/security-events?limit=0", headers=headers).status_code == 422
    unknown = client.get("/api/v1/security-events?kind=nope", headers=headers)
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "kind"


def test_admin_console_pages(app: Any, client: TestClient) -> None:
    admin = fresh_agent(app, Role.admin)
    agent = fresh_agent(app)
    login(client, admin.email)
    page = client.get("/console/admin/agents")
    assert page.status_code == 200 and f'id="agent-{agent.id}"' in page.text
    assert 'id="nav-agents"' in page.text and 'id="nav-security"' in page.text
    # Not the admin's own row: no buttons to lock themselves out.
    own = re.search(rf'id="agent-{admin.id}".*?</tr>', page.text, re.S)
    assert own and "deactivate" not in own.group(0)
    with TestClient(app, raise_server_exceptions=False) as theirs:
        login(theirs, agent.email)
        client.post(f"/console/admin/agents/{agent.id}/deactivate")
        assert theirs.get("/api/v1/me").status_code == 401
    assert 'data-active="no"' in client.get("/console/admin/agents").text
    client.post(f"/console/admin/agents/{agent.id}/reactivate")
    reset = client.post(f"/console/admin/agents/{agent.id}/reset", data={"password": ""})
    shown = re.search(r'id="generated-password">([^<]+)<', reset.text)
    assert reset.status_code == 200 and shown
    assert login(client, agent.email, shown.group(1)).status_code == 303
    client.post("/console/logout")
    login(client, admin.email)
    log = client.get("/console/admin/security")
    assert log.status_code == 200
    for label in ("Agent deactivated", "Agent reactivated", "Agent reset", "Sign-in succeeded"):
        assert label in log.text
    assert "generated-password" not in log.text and shown.group(1) not in log.text
    filtered = client.get("/console/admin/security?kind=agent_reset")
    assert 'data-kind="sign_in"' not in filtered.text and 'data-kind="agent_reset"' in filtered.text


def test_admin_console_is_403_for_others(app: Any, client: TestClient) -> None:
    lead = fresh_agent(app, Role.lead)
    login(client, lead.email, PASSWORD)
    for path in ("/console/admin/agents", "/console/admin/security"):
        assert client.get(path).status_code == 403
    assert client.post(f"/console/admin/agents/{lead.id}/deactivate").status_code == 403
    assert 'id="nav-agents"' not in client.get("/console/account").text


def test_account_and_admin_pages_in_chinese(app: Any, client: TestClient) -> None:
    admin = fresh_agent(app, Role.admin)
    login(client, admin.email)
    client.post("/lang", data={"lang": "zh-CN", "next": "/console"})
    english = (
        "Signed-in sessions",
        "Sign out everywhere",
        "Change password",
        "Two-factor sign-in",
        "API tokens",
        "Create token",
        "Security log",
        "Sign-in succeeded",
        "Deactivate",
        "Reset",
    )
    for path in (
        "/console/account",
        "/console/account/2fa",
        "/console/account/tokens",
        "/console/admin/agents",
        "/console/admin/security",
    ):
        page = client.get(path)
        assert page.status_code == 200 and re.search(r"[\u4e00-\u9fff]", page.text)
        visible = re.sub(r"<[^>]+>", " ", page.text)
        assert not [e for e in english if e in visible], path


def test_security_log_details_are_shown_in_chinese(app: Any, client: TestClient) -> None:
    admin = fresh_agent(app, Role.admin)
    agent = fresh_agent(app)
    token_of(app, agent)
    login(client, admin.email)
    client.post(f"/console/admin/agents/{agent.id}/deactivate")
    client.post("/lang", data={"lang": "zh-CN", "next": "/console"})
    page = client.get("/console/admin/security?kind=agent_deactivated")
    assert "结束了 0 个会话，吊销了 1 个令牌" in page.text
    assert "tokens revoked" not in page.text
