"""Complaint pages and API through the app, on SQLite and PostgreSQL: the portal form in
Chinese (a refused field keeps what was typed), the customer's case page, the console list and
case page, converting a ticket and deciding it, the API's list/get/filing and its 4xx."""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi.testclient import TestClient

from ledgerdesk.cases.models import Case
from tests.conftest import bearer
from tests.tickets.test_api import open_ticket, portal_login
from tests.tickets.test_views import console_login

FORM = {
    "name": "韩梅梅",
    "email": "",
    "what_happened": "充值 500 USDT 三天未到账，客服一直没有回复。",
    "points": "充值未到账\n客服没有回复",
    "wants": "尽快入账",
    "language": "zh-CN",
    "topic": "deposit",
}


def _customer(client: TestClient, app: Any) -> str:
    email = f"cmp-{uuid.uuid4().hex[:8]}@example.com"
    portal_login(client, app, email)
    return email


def test_portal_complaint_in_chinese(client: TestClient, app: Any, seeded: dict[str, Any]) -> None:
    email = _customer(client, app)
    zh = {"Accept-Language": "zh-CN"}
    page = client.get("/portal/complaints/new", headers=zh)
    assert page.status_code == 200 and "提交投诉" in page.text and "您投诉的要点" in page.text
    home = client.get("/portal", headers=zh)
    for link in ("/portal/complaints/new", "/portal/scam-report", "/portal/security/lock"):
        assert link in home.text
    refused = client.post(
        "/portal/complaints/new", data={**FORM, "email": email, "points": " "}, headers=zh
    )
    assert refused.status_code == 422
    assert "请至少写一条投诉要点" in refused.text and "充值 500 USDT" in refused.text
    done = client.post(
        "/portal/complaints/new", data={**FORM, "email": email}, headers=zh, follow_redirects=False
    )
    assert done.status_code == 303, done.text
    case_url = done.headers["location"]
    shown = client.get(case_url, headers=zh)
    assert shown.status_code == 200
    assert re.search(r"CMP-\d{4}-\d{6}", shown.text)
    assert "已确认" in shown.text and "我们已收到您的投诉" in shown.text  # status and the letter
    assert ">acknowledged<" not in shown.text  # labels, not keys
    mine = client.get("/api/v1/cases")
    assert mine.status_code == 200 and mine.json()["total"] >= 1
    case_id = int(case_url.rsplit("/", 1)[1])
    got = client.get(f"/api/v1/cases/{case_id}").json()
    assert [s["step"] for s in got["steps"]] == ["received", "acknowledged"]
    assert got["points"] == ["充值未到账", "客服没有回复"]


def test_other_customer_and_bad_input(client: TestClient, app: Any, seeded: dict[str, Any]) -> None:
    _customer(client, app)
    created = client.post(
        "/api/v1/complaints",
        json={**FORM, "email": "a@example.com", "points": ["one point"]},
    )
    assert created.status_code == 201, created.text
    case_id = created.json()["id"]
    assert client.post("/api/v1/complaints", json={"name": "x"}).status_code == 422
    bad = {**FORM, "email": "a@example.com", "points": ["x"], "topic": "nope"}
    assert client.post("/api/v1/complaints", json=bad).status_code == 422
    _customer(client, app)  # another customer
    assert client.get(f"/api/v1/cases/{case_id}").status_code == 404
    assert client.get(f"/portal/cases/{case_id}").status_code == 404
    agent = client.post(
        "/api/v1/complaints",
        json={**FORM, "email": "a@example.com", "points": ["x"]},
        headers=bearer(seeded["admin_token"]),
    )
    assert agent.status_code == 403
    assert (
        client.get("/api/v1/cases?kind=nope", headers=bearer(seeded["admin_token"])).status_code
        == 422
    )


def test_agent_converts_and_decides(client: TestClient, app: Any, seeded: dict[str, Any]) -> None:
    email = f"conv-{uuid.uuid4().hex[:8]}@example.com"
    ticket = open_ticket(client, seeded["lead_token"], email)
    console_login(client, seeded["lead"].email)
    page = client.get(f"/console/tickets/{ticket['id']}")
    assert "Make this a formal complaint" in page.text
    made = client.post(
        f"/console/tickets/{ticket['id']}/complaint",
        data={"points": "Fee charged twice\nNo answer", "language": "en"},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    url = made.headers["location"]
    case_id = int(url.rsplit("/", 1)[1])
    assert (
        client.post(
            f"{url}/admit", data={"jurisdiction": "mica_eu"}, follow_redirects=False
        ).status_code
        == 303
    )
    missing = client.post(
        f"{url}/decide", data={"answer_0": "Refunded", "answer_1": "", "outcome": "upheld"}
    )
    assert missing.status_code == 422 and "Point 2 has no answer" in missing.text
    assert "Refunded" in missing.text  # the typed answer is kept
    sent = client.post(
        f"{url}/decide",
        data={"answer_0": "Refunded", "answer_1": "Sorry for the wait", "outcome": "upheld"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    page = client.get(url)
    assert page.status_code == 200 and "Decided" in page.text
    assert f"/console/cases/{case_id}/export.zip" in page.text  # every kind can be exported
    listed = client.get("/console/cases?kind=complaint&status=decided")
    assert f"/console/cases/{case_id}" in listed.text
    assert client.get("/console/cases?status=bogus").status_code == 422
    with app.state.sessionmaker() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.outcome == "upheld"
