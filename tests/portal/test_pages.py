"""Portal pages over HTTP: over-long text keeps the draft, a merged request points to where
the conversation went, bidi controls cannot reorder what a customer reads."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from ledgerdesk.tickets.checks import MAX_BODY, MAX_SUBJECT
from tests.tickets.test_api import open_ticket, portal_login
from tests.tickets.test_views import _maxlength, console_login


def test_over_long_request_keeps_subject_and_draft(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    portal_login(client, app, seeded["alice"].email)
    page = client.get("/portal/tickets/new").text
    assert _maxlength(page, "textarea", "body") == MAX_BODY
    assert _maxlength(page, "input", "subject") == MAX_SUBJECT
    draft = "My deposit of 1500 USDT is missing. " + "y" * MAX_BODY
    refused = client.post("/portal/tickets", data={"subject": "Deposit", "body": draft})
    assert refused.status_code == 422 and "longer than 50000" in refused.text
    assert draft in refused.text and 'value="Deposit"' in refused.text
    subject = "S" * (MAX_SUBJECT + 1)
    refused = client.post("/portal/tickets", data={"subject": subject, "body": "Short"})
    assert refused.status_code == 422 and subject in refused.text and "Short" in refused.text


def test_over_long_reply_keeps_the_draft(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    ticket = open_ticket(client, seeded["agent_token"], seeded["alice"].email)
    portal_login(client, app, seeded["alice"].email)
    page = client.get(f"/portal/tickets/{ticket['id']}").text
    assert _maxlength(page, "textarea", "body") == MAX_BODY
    draft = "z" * (MAX_BODY + 5)
    refused = client.post(f"/portal/tickets/{ticket['id']}/reply", data={"body": draft})
    assert refused.status_code == 422 and draft in refused.text
    assert "My BTC withdrawal is pending" in refused.text


def test_merged_request_links_to_where_the_conversation_went(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    email = seeded["alice"].email
    source = open_ticket(client, seeded["lead_token"], email, subject="Asked again")
    target = open_ticket(client, seeded["lead_token"], email, subject="First question")
    console_login(client, seeded["lead"].email)
    merged = client.post(
        f"/console/tickets/{source['id']}/merge",
        data={"target_id": str(target["id"]), "confirm": "yes"},
    )
    assert merged.status_code == 200
    client.cookies.clear()
    portal_login(client, app, email)
    page = client.get(f"/portal/tickets/{source['id']}").text
    notice = re.search(r'<div class="card" id="merged-into".*?</div>', page, re.DOTALL)
    assert notice and f'href="/portal/tickets/{target["id"]}"' in notice.group()
    assert "First question" in notice.group()
    listed = client.get("/portal").text
    row = re.search(rf'<tr data-href="/portal/tickets/{source["id"]}">.*?</tr>', listed, re.S)
    assert row and f'href="/portal/tickets/{target["id"]}"' in row.group()
    client.post("/lang", data={"lang": "zh-CN", "next": "/portal"})
    assert "此请求已合并到" in client.get(f"/portal/tickets/{source['id']}").text


def test_bidi_controls_cannot_reorder_what_a_customer_reads(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    ticket = open_ticket(
        client,
        seeded["agent_token"],
        seeded["alice"].email,
        subject="Refund \u202eevil\u202c",
        body="Send to \u202dabc\u202c",
    )
    portal_login(client, app, seeded["alice"].email)
    for path in ("/portal", f"/portal/tickets/{ticket['id']}"):
        html = client.get(path).text
        assert not re.search("[\u202a-\u202e\u2066-\u2069]", html), path
        assert "Refund [U+202E]evil[U+202C]" in html, path
