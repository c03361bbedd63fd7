"""The JSON API on both databases: who may read and change what, and clear answers to bad
input — never a 500, nothing already stored lost."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledgerdesk.accounts.portal_codes import do_issue_portal_code
from tests.conftest import bearer, make_customer

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def portal_login(client: TestClient, app: Any, email: str) -> None:
    """Sign a customer in the way the portal does: issue a code, post it back."""
    with app.state.sessionmaker() as session:
        code = do_issue_portal_code(session, email, 600)
        session.commit()
    response = client.post(
        "/portal/login/verify", data={"email": email, "code": code}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def open_ticket(client: TestClient, token: str, email: str, **extra: Any) -> dict[str, Any]:
    payload = {
        "subject": "Withdrawal pending 3h",
        "body": "My BTC withdrawal is pending",
        "requester": {"email": email, "name": "Requester"},
        **extra,
    }
    response = client.post("/api/v1/tickets", json=payload, headers=bearer(token))
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_unauthenticated_is_401_with_message(client: TestClient) -> None:
    response = client.get("/api/v1/tickets")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert client.get("/api/v1/tickets", headers=bearer("ldk_wrong")).status_code == 401


def test_customer_a_cannot_read_or_reply_on_b(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    bob_ticket = open_ticket(client, seeded["agent_token"], seeded["bob"].email)
    # A customer of this test's own: the shared ones collect tickets from other tests.
    with app.state.sessionmaker() as session:
        carol = make_customer(session).email
        session.commit()
    portal_login(client, app, carol)
    own = client.post("/api/v1/tickets", json={"subject": "KYC stuck", "body": "Pending 3 days"})
    assert own.status_code == 201, own.text
    assert own.json()["requester"]["email"] == carol
    assert client.get(f"/api/v1/tickets/{bob_ticket['id']}").status_code == 404
    reply = client.post(f"/api/v1/tickets/{bob_ticket['id']}/messages", json={"body": "hi"})
    assert reply.status_code == 404
    listed = client.get("/api/v1/tickets").json()
    assert [t["id"] for t in listed["items"]] == [own.json()["id"]]
    assert client.get(f"/api/v1/tickets/{own.json()['id']}").status_code == 200


def test_customer_cannot_act_as_agent(client: TestClient, app: Any, seeded: dict[str, Any]) -> None:
    portal_login(client, app, seeded["alice"].email)
    ticket = client.post("/api/v1/tickets", json={"subject": "s", "body": "b"}).json()
    assert (
        client.patch(f"/api/v1/tickets/{ticket['id']}", json={"status": "solved"}).status_code
        == 403
    )
    note = client.post(
        f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "x", "kind": "note"}
    )
    assert note.status_code == 403
    other = client.post(
        "/api/v1/tickets",
        json={"subject": "s", "body": "b", "requester": {"email": "x@example.com"}},
    )
    assert other.status_code == 403
    assert client.get(f"/api/v1/tickets/{ticket['id']}/events").status_code == 403


def test_customer_never_sees_internal_notes(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    ticket = open_ticket(client, seeded["agent_token"], seeded["alice"].email)
    note = client.post(
        f"/api/v1/tickets/{ticket['id']}/messages",
        json={"body": "Risk says hold", "kind": "note"},
        headers=bearer(seeded["agent_token"]),
    )
    assert note.status_code == 201
    portal_login(client, app, seeded["alice"].email)
    bodies = [m["body"] for m in client.get(f"/api/v1/tickets/{ticket['id']}").json()["messages"]]
    assert "Risk says hold" not in bodies


def test_agent_roles(client: TestClient, seeded: dict[str, Any]) -> None:
    ticket = open_ticket(client, seeded["agent_token"], seeded["alice"].email)
    url = f"/api/v1/tickets/{ticket['id']}"
    other_id = seeded["other_agent"].id
    refused = client.patch(
        url, json={"assignee_id": other_id}, headers=bearer(seeded["agent_token"])
    )
    assert refused.status_code == 403
    assert (
        client.patch(
            url, json={"assignee_id": other_id}, headers=bearer(seeded["lead_token"])
        ).json()["assignee"]["id"]
        == other_id
    )
    new_agent = {"email": "new-agent@desk.test", "name": "New", "password": "long-enough-pw"}
    assert (
        client.post(
            "/api/v1/agents", json=new_agent, headers=bearer(seeded["lead_token"])
        ).status_code
        == 403
    )
    created = client.post("/api/v1/agents", json=new_agent, headers=bearer(seeded["admin_token"]))
    assert created.status_code in (201, 409)
    second = open_ticket(client, seeded["agent_token"], seeded["alice"].email)
    merge = client.post(
        f"/api/v1/tickets/{second['id']}/merge",
        json={"target_id": ticket["id"]},
        headers=bearer(seeded["agent_token"]),
    )
    assert merge.status_code == 403
    merged = client.post(
        f"/api/v1/tickets/{second['id']}/merge",
        json={"target_id": ticket["id"]},
        headers=bearer(seeded["lead_token"]),
    )
    assert merged.status_code == 200, merged.text


def test_team_scoping_for_agents(client: TestClient, seeded: dict[str, Any]) -> None:
    ticket = open_ticket(
        client, seeded["lead_token"], seeded["bob"].email, team_id=seeded["security"]
    )
    url = f"/api/v1/tickets/{ticket['id']}"
    assert client.get(url, headers=bearer(seeded["agent_token"])).status_code == 404
    assert client.get(url, headers=bearer(seeded["security_agent_token"])).status_code == 200
    listed = client.get("/api/v1/tickets?per_page=100", headers=bearer(seeded["agent_token"]))
    assert ticket["id"] not in [t["id"] for t in listed.json()["items"]]


def test_update_status_priority_tags_and_events(client: TestClient, seeded: dict[str, Any]) -> None:
    headers = bearer(seeded["agent_token"])
    ticket = open_ticket(client, seeded["agent_token"], seeded["alice"].email)
    url = f"/api/v1/tickets/{ticket['id']}"
    body = client.patch(
        url,
        json={
            "status": "pending",
            "priority": "high",
            "add_tags": ["btc"],
            "assignee_id": seeded["agent"].id,
        },
        headers=headers,
    ).json()
    assert (body["status"], body["priority"], body["tags"]) == ("pending", "high", ["btc"])
    assert client.patch(url, json={"assignee_id": None}, headers=headers).json()["assignee"] is None
    events = [e["action"] for e in client.get(url + "/events", headers=headers).json()]
    assert events == [
        "ticket.created",
        "ticket.assigned",
        "ticket.priority_changed",
        "ticket.tagged",
        "ticket.status_changed",
        "ticket.assigned",
    ]
    closed = client.patch(url, json={"status": "closed"}, headers=headers)
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "invalid_transition"


def test_attachment_upload_and_download(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    ticket = open_ticket(client, seeded["agent_token"], seeded["alice"].email)
    url = f"/api/v1/tickets/{ticket['id']}/attachments"
    response = client.post(
        url,
        data={"body": "screenshot attached"},
        files=[("files", ("shot.png", PNG, "image/png"))],
        headers=bearer(seeded["agent_token"]),
    )
    assert response.status_code == 201, response.text
    attachment = response.json()["attachments"][0]
    download = client.get(attachment["url"], headers=bearer(seeded["agent_token"]))
    assert download.content == PNG and download.headers["content-type"] == "image/png"
    assert client.get(
        attachment["url"], headers=bearer(seeded["security_agent_token"])
    ).status_code in (200, 404)
    portal_login(client, app, seeded["bob"].email)
    assert client.get(attachment["url"]).status_code == 404


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ("{not json", 400, "invalid_json"),
        (
            '{"subject": "s", "body": "b", "requester": {"email": "a@b.io"}, "extra": 1}',
            422,
            "invalid_input",
        ),
        ('{"subject": 5, "body": ["x"], "requester": {"email": "a@b.io"}}', 422, "invalid_input"),
        (
            '{"subject": "s", "body": "b", "requester": {"email": "not-an-email"}}',
            422,
            "invalid_input",
        ),
        ('{"subject": "", "body": "b", "requester": {"email": "a@b.io"}}', 422, "invalid_input"),
        ('{"subject": "s", "body": "b"}', 422, "invalid_input"),
        (
            '{"subject": "s", "body": "b", "requester": {"email": "a@b.io"}, "priority": "max"}',
            422,
            "invalid_input",
        ),
        (
            '{"subject": "s", "body": "b", "requester": {"email": "a@b.io"}, "team_id": 99999}',
            422,
            "invalid_input",
        ),
        ("[]", 422, "invalid_input"),
        ('"\\ud800"', 422, "invalid_input"),
    ],
)
def test_bad_ticket_input(
    client: TestClient, seeded: dict[str, Any], payload: str, status: int, code: str
) -> None:
    response = client.post(
        "/api/v1/tickets",
        content=payload.encode(),
        headers={**bearer(seeded["agent_token"]), "content-type": "application/json"},
    )
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message"]


def test_oversized_bodies_are_413(client: TestClient, seeded: dict[str, Any]) -> None:
    headers = bearer(seeded["agent_token"])
    ticket = open_ticket(client, seeded["agent_token"], seeded["alice"].email)
    big = b'{"body": "' + b"a" * (20 * 1024 * 1024) + b'"}'
    response = client.post(
        f"/api/v1/tickets/{ticket['id']}/messages",
        content=big,
        headers={**headers, "content-type": "application/json"},
    )
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"
    upload = client.post(
        f"/api/v1/tickets/{ticket['id']}/attachments",
        data={"body": "big"},
        files=[("files", ("big.png", PNG + b"\x00" * (11 * 1024 * 1024), "image/png"))],
        headers=headers,
    )
    assert upload.status_code == 413, upload.text
    empty = client.post(
        f"/api/v1/tickets/{ticket['id']}/attachments",
        data={"body": "empty"},
        files=[("files", ("e.png", b"", "image/png"))],
        headers=headers,
    )
    assert empty.status_code == 422 and "empty" in empty.json()["error"]["message"]
    kept = client.get(f"/api/v1/tickets/{ticket['id']}", headers=headers).json()
    assert len(kept["messages"]) == 1 and kept["subject"] == "Withdrawal pending 3h"


def test_unknown_ids_and_routes(client: TestClient, seeded: dict[str, Any]) -> None:
    headers = bearer(seeded["lead_token"])
    for method, url in [
        ("get", "/api/v1/tickets/999999"),
        ("get", "/api/v1/attachments/999999"),
        ("post", "/api/v1/tickets/999999/merge"),
        ("get", "/api/v1/nope"),
    ]:
        response = client.request(method, url, headers=headers, json={"target_id": 1})
        assert response.status_code == 404, (url, response.text)
        assert response.json()["error"]["message"]
    assert client.get("/api/v1/tickets/abc", headers=headers).status_code == 422
    assert client.get("/api/v1/tickets?per_page=1000", headers=headers).status_code == 422
    assert client.get("/api/v1/tickets?status=bogus", headers=headers).status_code == 422
    assert client.get("/api/v1/tickets?q=" + "x" * 500, headers=headers).status_code == 422


def test_cross_site_browser_post_is_refused(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    portal_login(client, app, seeded["alice"].email)
    response = client.post(
        "/api/v1/tickets",
        json={"subject": "s", "body": "b"},
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403 and response.json()["error"]["code"] == "cross_origin"


def test_openapi_is_served(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/tickets" in spec["paths"]
    assert client.get("/docs").status_code == 200


def test_chunked_oversized_body_is_413(client: TestClient, seeded: dict[str, Any]) -> None:
    def chunks() -> Any:
        for _ in range(3):
            yield b"a" * (1024 * 1024)

    response = client.post(
        "/api/v1/tickets",
        content=chunks(),
        headers={**bearer(seeded["agent_token"]), "content-type": "application/json"},
    )
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"


@pytest.mark.parametrize("body", [b"--x\r\n", b"garbage", b""])
def test_malformed_multipart_is_4xx(
    client: TestClient, seeded: dict[str, Any], body: bytes
) -> None:
    response = client.post(
        "/api/v1/tickets/1/attachments",
        content=body,
        headers={
            **bearer(seeded["agent_token"]),
            "content-type": "multipart/form-data; boundary=x",
        },
    )
    assert 400 <= response.status_code < 500 and response.json()["error"]["message"]
