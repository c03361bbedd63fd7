"""The security team reads the log of requests and their steps at /console/account-security;
other agents are refused."""

from __future__ import annotations

import html
from typing import Any

from fastapi.testclient import TestClient

from ledgerdesk.accounts.models import Role, Team
from ledgerdesk.cases.register import team_for
from tests.account_security.conftest import PORTAL_EMAIL, Desk
from tests.conftest import make_agent
from tests.tickets.test_api import portal_login
from tests.tickets.test_views import console_login


def test_the_security_team_reads_each_request_with_its_steps(
    client: TestClient, app: Any, seeded: dict[str, Any], desk: Desk
) -> None:
    portal_login(client, app, PORTAL_EMAIL)
    assert client.post("/portal/security/lock").status_code == 200
    [request] = desk.requests()
    with app.state.sessionmaker() as session:
        team = session.get(Team, team_for(session, "security"))
        assert team is not None
        reader = make_agent(session, Role.agent, [team]).email
        session.commit()
    client.post("/portal/logout")
    console_login(client, reader)
    page = client.get("/console/account-security")
    assert page.status_code == 200
    row = page.text.split(f'data-request="{request.reference}"', 1)[1].split("</tr>", 1)[0]
    assert [step.split('"')[0] for step in row.split('data-step="')[1:]] == desk.steps(request.id)
    assert "Locked at the exchange" in html.unescape(row) and f"#{request.ticket_id}" in row
    client.post("/lang", data={"lang": "zh-CN", "next": "/"})
    assert "交易所已锁定" in client.get("/console/account-security").text


def test_other_agents_are_refused(client: TestClient, seeded: dict[str, Any]) -> None:
    console_login(client, seeded["other_agent"].email)
    page = client.get("/console/account-security")
    assert page.status_code == 403
    console_login(client, seeded["lead"].email)
    assert client.get("/console/account-security").status_code == 200
