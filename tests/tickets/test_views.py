"""Console and portal pages over HTTP (the browser tests in tests/web drive the same pages in
Chromium): sign-in, redirects, refused input that keeps the draft, language switch."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledgerdesk.accounts.models import Team
from ledgerdesk.tickets.checks import MAX_BODY
from ledgerdesk.tickets.views import MAX_TAGS_INPUT
from tests.conftest import PASSWORD
from tests.tickets.test_api import open_ticket, portal_login


def console_login(client: TestClient, email: str) -> None:
    response = client.post(
        "/console/login", data={"email": email, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def test_console_requires_sign_in(client: TestClient) -> None:
    response = client.get("/console/inbox?view=open", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/login?next=/console/inbox")
    assert (
        client.get("/portal", follow_redirects=False)
        .headers["location"]
        .startswith("/portal/login")
    )


def test_wrong_password_keeps_email(client: TestClient, seeded: dict[str, Any]) -> None:
    response = client.post(
        "/console/login", data={"email": seeded["agent"].email, "password": "nope"}
    )
    assert response.status_code == 401
    assert "Wrong e-mail or password" in response.text and seeded["agent"].email in response.text


def test_login_is_rate_limited(client: TestClient) -> None:
    codes = [
        client.post("/console/login", data={"email": "x@y.io", "password": "p"}).status_code
        for _ in range(11)
    ]
    assert codes[:10] == [401] * 10 and codes[10] == 429


def test_open_redirect_is_refused(client: TestClient, seeded: dict[str, Any]) -> None:
    response = client.post(
        "/console/login",
        data={"email": seeded["agent"].email, "password": PASSWORD, "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/console"


def test_reply_refused_keeps_draft_and_conversation(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    ticket = open_ticket(client, seeded["agent_token"], seeded["alice"].email)
    console_login(client, seeded["agent"].email)
    page = client.post(
        f"/console/tickets/{ticket['id']}/reply",
        data={"body": "Draft I typed", "kind": "public", "status": "bogus"},
    )
    assert page.status_code == 422
    assert "Draft I typed" in page.text and "My BTC withdrawal is pending" in page.text
    empty = client.post(f"/console/tickets/{ticket['id']}/reply", data={"body": "  "})
    assert empty.status_code == 422 and "must not be empty" in empty.text
    ok = client.post(
        f"/console/tickets/{ticket['id']}/reply",
        data={"body": "Please send the TxID", "status": "pending"},
    )
    assert ok.status_code == 200 and "Please send the TxID" in ok.text
    assert "Reply sent" in ok.text


@pytest.mark.parametrize(
    "data",
    [
        {"assignee_id": "abc"},
        {"team_id": "-1"},
        {"priority": "max"},
        {"add_tags": "has/slash"},
    ],
)
def test_properties_bad_input(
    client: TestClient, seeded: dict[str, Any], data: dict[str, str]
) -> None:
    ticket = open_ticket(client, seeded["agent_token"], seeded["alice"].email)
    console_login(client, seeded["agent"].email)
    page = client.post(f"/console/tickets/{ticket['id']}/properties", data=data)
    assert page.status_code == 422 and 'class="flash error"' in page.text


def test_inbox_views_and_language_switch(client: TestClient, seeded: dict[str, Any]) -> None:
    open_ticket(client, seeded["agent_token"], seeded["alice"].email)
    console_login(client, seeded["agent"].email)
    for view in ("mine", "unassigned", "open", f"team:{seeded['l1']}", "solved", "all", "x"):
        assert client.get(f"/console/inbox?view={view}").status_code == 200
    assert client.get("/console/inbox?view=all&q=%00%01" + "z" * 300).status_code == 200
    switched = client.post("/lang", data={"lang": "zh-CN", "next": "/console/inbox"})
    assert "退出登录" in switched.text and 'lang="zh-CN"' in switched.text


def test_accept_language_on_first_visit(client: TestClient) -> None:
    page = client.get("/portal/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert 'lang="zh-CN"' in page.text and "发送登录验证码" in page.text


def test_portal_code_flow_and_rate_limit(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="ledgerdesk.portal"):
        page = client.post("/portal/login/code", data={"email": "Flow@Example.com"})
    assert page.status_code == 200 and "flow@example.com" in page.text
    code = caplog.records[-1].getMessage().rsplit(" ", 1)[-1]
    wrong = client.post(
        "/portal/login/verify", data={"email": "flow@example.com", "code": "abcdef"}
    )
    assert wrong.status_code == 401 and "Wrong code" in wrong.text
    right = client.post(
        "/portal/login/verify",
        data={"email": "flow@example.com", "code": code},
        follow_redirects=False,
    )
    assert right.status_code == 303
    assert client.get("/portal").status_code == 200
    bad = client.post("/portal/login/code", data={"email": "not-an-address"})
    assert bad.status_code == 422
    statuses = [
        client.post("/portal/login/code", data={"email": "many@example.com"}).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429


def test_portal_submit_keeps_input_on_error(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    portal_login(client, app, seeded["alice"].email)
    page = client.post("/portal/tickets", data={"subject": "Deposit missing", "body": ""})
    assert page.status_code == 422 and "Deposit missing" in page.text
    bad_file = client.post(
        "/portal/tickets",
        data={"subject": "S", "body": "B"},
        files=[("files", ("run.exe", b"MZ\x90", "application/x-msdownload"))],
    )
    assert bad_file.status_code == 422 and "not an accepted type" in bad_file.text
    created = client.post(
        "/portal/tickets", data={"subject": "Deposit missing", "body": "500 USDT TRC20"}
    )
    assert created.status_code == 200 and "500 USDT TRC20" in created.text


def test_security_headers_and_offline_docs(client: TestClient) -> None:
    page = client.get("/portal/login")
    assert "script-src 'self';" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    docs = client.get("/docs")
    assert "/static/swagger/swagger-ui-bundle.js" in docs.text and "cdn" not in docs.text.lower()
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200


def test_production_never_logs_sign_in_codes(
    app: Any, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    settings = app.state.settings
    app.state.settings = settings.model_copy(update={"env": "production"})
    try:
        with caplog.at_level(logging.DEBUG, logger="ledgerdesk.portal"):
            page = client.post("/portal/login/code", data={"email": "prod@example.com"})
    finally:
        app.state.settings = settings
    assert page.status_code == 503 and "not configured" in page.text
    assert not [r for r in caplog.records if "prod@example.com" in r.getMessage()]


# --- over-long text keeps the draft; forms say their limits --------------------------------


def _maxlength(html: str, tag: str, name: str) -> int:
    """The ``maxlength`` of the ``<tag name="name">`` field on a page."""
    match = re.search(rf'<{tag}[^>]*name="{name}"[^>]*>', html)
    assert match, f"no <{tag} name={name!r}>"
    found = re.search(r'maxlength="(\d+)"', match.group())
    assert found, f"<{tag} name={name!r}> has no maxlength"
    return int(found.group(1))


def test_over_long_reply_keeps_the_draft(client: TestClient, seeded: dict[str, Any]) -> None:
    ticket = open_ticket(client, seeded["agent_token"], seeded["alice"].email)
    console_login(client, seeded["agent"].email)
    page = client.get(f"/console/tickets/{ticket['id']}")
    assert _maxlength(page.text, "textarea", "body") == MAX_BODY
    assert _maxlength(page.text, "input", "add_tags") == MAX_TAGS_INPUT
    draft = "Dear customer, " + "x" * MAX_BODY
    refused = client.post(
        f"/console/tickets/{ticket['id']}/reply", data={"body": draft, "kind": "note"}
    )
    assert refused.status_code == 422
    assert "longer than 50000 characters" in refused.text
    assert draft in refused.text and 'id="kind-note" checked' in refused.text
    assert "My BTC withdrawal is pending" in refused.text  # the conversation is still there


def test_refused_tag_edit_keeps_the_typed_tags(client: TestClient, seeded: dict[str, Any]) -> None:
    ticket = open_ticket(client, seeded["agent_token"], seeded["alice"].email)
    console_login(client, seeded["agent"].email)
    url = f"/console/tickets/{ticket['id']}/properties"
    refused = client.post(url, data={"add_tags": "kyc-review has/slash"})
    assert refused.status_code == 422 and 'value="kyc-review has/slash"' in refused.text
    too_long = "deposit " * 200
    refused = client.post(url, data={"add_tags": too_long})
    assert refused.status_code == 422 and f'value="{too_long}"' in refused.text
    assert "at most 1000 characters" in refused.text


def test_over_long_text_in_chinese_says_why_in_chinese(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    ticket = open_ticket(client, seeded["agent_token"], seeded["alice"].email)
    console_login(client, seeded["agent"].email)
    client.post("/lang", data={"lang": "zh-CN", "next": "/console"})
    refused = client.post(f"/console/tickets/{ticket['id']}/reply", data={"body": "长" * 50_001})
    assert refused.status_code == 422 and "正文超过 50000 个字符" in refused.text
    tag = client.post(f"/console/tickets/{ticket['id']}/properties", data={"add_tags": "a/b"})
    assert "标签“a/b”无效" in tag.text and "is not valid" not in tag.text


# --- merge: asked first, both tickets link ---------------------------------------------------


def test_merge_asks_first_then_links_both_tickets(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    email = seeded["alice"].email
    source = open_ticket(client, seeded["lead_token"], email, subject="Second message")
    target = open_ticket(client, seeded["lead_token"], email, subject="First message")
    console_login(client, seeded["lead"].email)
    url = f"/console/tickets/{source['id']}/merge"
    asked = client.post(url, data={"target_id": f"#{target['id']}"})
    assert asked.status_code == 200 and 'id="merge-confirm"' in asked.text
    assert "First message" in asked.text and "cannot be undone" in asked.text
    assert f'name="target_id" value="{target["id"]}"' in asked.text
    still_open = client.get(f"/api/v1/tickets/{source['id']}", headers=_bearer(seeded))
    assert still_open.json()["merged_into_id"] is None  # nothing happened yet
    merged = client.post(url, data={"target_id": str(target["id"]), "confirm": "yes"})
    assert merged.status_code == 200 and merged.url.path == f"/console/tickets/{target['id']}"
    marker = re.search(r'<span id="merged-from">.*?</span>', merged.text, re.DOTALL)
    assert marker and f'href="/console/tickets/{source["id"]}"' in marker.group()
    old = client.get(f"/console/tickets/{source['id']}")
    assert f'<a href="/console/tickets/{target["id"]}">#{target["id"]}</a>' in old.text


def test_merge_preview_refuses_what_cannot_be_merged(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    mine = open_ticket(client, seeded["lead_token"], seeded["alice"].email)
    theirs = open_ticket(client, seeded["lead_token"], seeded["bob"].email)
    console_login(client, seeded["lead"].email)
    url = f"/console/tickets/{mine['id']}/merge"
    refused = client.post(url, data={"target_id": str(theirs["id"])})
    assert refused.status_code == 422 and 'id="merge-confirm"' not in refused.text
    assert "same customer" in refused.text
    assert client.post(url, data={"target_id": ""}).status_code == 422


def _bearer(seeded: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {seeded['lead_token']}"}


# --- history in words ------------------------------------------------------------------------


def test_history_names_people_fields_and_values(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    ticket = open_ticket(client, seeded["agent_token"], "理财@example.com")
    console_login(client, seeded["lead"].email)
    client.post(
        f"/console/tickets/{ticket['id']}/properties",
        data={
            "status": "on_hold",
            "priority": "high",
            "team_id": str(seeded["l1"]),
            "assignee_id": str(seeded["agent"].id),
            "add_tags": "理财 kyc-review",
        },
    )
    client.post("/lang", data={"lang": "zh-CN", "next": "/console"})
    page = client.get(f"/console/tickets/{ticket['id']}").text
    events = page[page.index('id="events"') :]
    events = events[: events.index("</ul>\n    </details>")]
    assert seeded["lead"].name in events and seeded["agent"].name in events
    assert "状态" in events and "挂起" in events and "高" in events
    for raw in ("\\u", "{&#34;", '{"', "on_hold", "team_id", "assignee_id", "agent 1"):
        assert raw not in events, raw
    with app.state.sessionmaker() as session:
        team = session.get(Team, seeded["l1"])
        assert team is not None and team.name in events


# --- bidi controls ---------------------------------------------------------------------------


def test_bidi_controls_cannot_reorder_what_an_agent_reads(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    ticket = open_ticket(
        client,
        seeded["agent_token"],
        seeded["alice"].email,
        subject="Invoice \u202eevil\u202c.pdf",
        body="Open \u2067gnp.exe\u2069 now \u200fplease",
    )
    console_login(client, seeded["agent"].email)
    for path in (f"/console/tickets/{ticket['id']}", "/console/inbox?view=all"):
        html = client.get(path).text
        assert not re.search("[\u202a-\u202e\u2066-\u2069\u200e\u200f]", html), path
        assert "Invoice [U+202E]evil[U+202C].pdf" in html, path
    assert (
        "Open [U+2067]gnp.exe[U+2069] now please"
        in client.get(f"/console/tickets/{ticket['id']}").text
    )
