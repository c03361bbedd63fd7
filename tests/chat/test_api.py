"""The widget's HTTP API (/chat/api) through the app: identity, sending with files, replay,
downloads, verification, status, the offline form, limits, and a clear 4xx for bad input."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.chat.support import SECRET, chat_settings, sign
from tests.conftest import bearer, unique

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
CODE_IN_MAIL = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def chat_auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Chat {token}"}


def identify(client: TestClient, email: str | None = None, **extra: Any) -> dict[str, Any]:
    payload = {"email": email or f"{unique('widget')}@example.com", "name": "Wei", **extra}
    response = client.post("/chat/api/identify", json=payload)
    assert response.status_code == 200, response.text
    return dict(response.json())


def send(
    client: TestClient,
    token: str,
    body: str,
    conversation: int | None = None,
    client_id: str | None = None,
    files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
    **form: str,
) -> Any:
    path = (
        "/chat/api/messages"
        if conversation is None
        else f"/chat/api/conversations/{conversation}/messages"
    )
    data = {"client_id": client_id or unique("cid"), "body": body, **form}
    return client.post(path, data=data, files=files or None, headers=chat_auth(token))


@pytest.fixture
def signed_on() -> Iterator[None]:
    with chat_settings(LEDGERDESK_CHAT_JWT_SECRET=SECRET):
        yield


def test_identify_by_e_mail_then_chat_with_files_both_ways(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    me = identify(client)
    assert me["identity"] == "email" and me["verified"] is False
    assert me["customer"]["name"] == "Wei" and me["visitor_token"].startswith("ldc_")
    token = me["visitor_token"]
    opened = send(
        client,
        token,
        "My deposit is missing",
        client_id="open-http-01",
        files=[("files", ("proof.png", PNG, "image/png"))],
        page_url="https://exchange.example/deposit",
    )
    assert opened.status_code == 200, opened.text
    ack = opened.json()
    assert ack == {
        "type": "ack",
        "conversation": ack["conversation"],
        "seq": 1,
        "message_id": ack["message_id"],
        "client_id": "open-http-01",
        "duplicate": False,
    }
    conversation = ack["conversation"]
    # The agent sees the chat and the customer's file in the console's API.
    agent = bearer(seeded["admin_token"])
    ticket = client.get(f"/api/v1/tickets/{conversation}", headers=agent).json()
    assert ticket["channel"] == "chat"
    upload_id = ticket["messages"][0]["attachments"][0]["id"]
    assert client.get(f"/api/v1/attachments/{upload_id}", headers=agent).content == PNG
    # The agent answers with a file and writes a note.
    reply = client.post(
        f"/api/v1/tickets/{conversation}/attachments",
        data={"body": "Here is the receipt"},
        files={"files": ("receipt.pdf", b"%PDF-1.4 receipt", "application/pdf")},
        headers=agent,
    )
    assert reply.status_code == 201, reply.text
    note = client.post(
        f"/api/v1/tickets/{conversation}/messages",
        json={"body": "internal only", "kind": "note"},
        headers=agent,
    )
    assert note.status_code == 201
    # The customer replays from seq 1: the reply, never the note.
    got = client.get(f"/chat/api/conversations/{conversation}?after=1", headers=chat_auth(token))
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["state"]["last_seq"] == 2 and body["state"]["status"] == "open"
    assert [i["seq"] for i in body["items"]] == [2]
    item = body["items"][0]
    assert item["author"]["kind"] == "agent" and item["body"] == "Here is the receipt"
    (attachment,) = item["attachments"]
    download = client.get(f"/chat/api/attachments/{attachment['id']}", headers=chat_auth(token))
    assert download.status_code == 200 and download.content == b"%PDF-1.4 receipt"
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"
    # The customer's own upload too; nobody else's visitor token opens either.
    own = client.get(f"/chat/api/attachments/{upload_id}", headers=chat_auth(token))
    assert own.content == PNG
    stranger = identify(client)["visitor_token"]
    for attachment_id in (upload_id, attachment["id"]):
        refused = client.get(f"/chat/api/attachments/{attachment_id}", headers=chat_auth(stranger))
        assert refused.status_code == 404
    assert client.get(f"/chat/api/attachments/{upload_id}").status_code == 401


def test_a_resend_over_http_is_stored_once(client: TestClient) -> None:
    token = identify(client)["visitor_token"]
    first = send(client, token, "hello", client_id="resend-0001").json()
    again = send(client, token, "hello", client_id="resend-0001").json()
    assert again["duplicate"] is True
    assert (again["conversation"], again["seq"], again["message_id"]) == (
        first["conversation"],
        first["seq"],
        first["message_id"],
    )
    more = send(client, token, "more", first["conversation"], "resend-0002").json()
    more_again = send(client, token, "more", first["conversation"], "resend-0002").json()
    assert (more["seq"], more_again["seq"], more_again["duplicate"]) == (2, 2, True)
    listed = client.get("/chat/api/conversations", headers=chat_auth(token)).json()
    assert [c["conversation"] for c in listed["conversations"]] == [first["conversation"]]
    assert listed["conversations"][0]["last_seq"] == 2


def test_files_are_sniffed_like_the_portals(client: TestClient) -> None:
    token = identify(client)["visitor_token"]
    fake = send(
        client, token, "look", files=[("files", ("photo.png", b"MZ\x90\x00binary", "image/png"))]
    )
    assert fake.status_code == 422
    assert fake.json()["error"]["field"] == "attachments"
    assert "not an accepted type" in fake.json()["error"]["message"]
    empty = send(client, token, "look", files=[("files", ("a.png", b"", "image/png"))])
    assert empty.status_code == 422
    many = [("files", (f"{n}.png", PNG, "image/png")) for n in range(6)]
    assert send(client, token, "look", files=many).status_code == 422
    # Nothing was stored by the refused sends.
    listed = client.get("/chat/api/conversations", headers=chat_auth(token)).json()
    assert listed["conversations"] == []


@pytest.mark.parametrize(
    ("form", "status", "field"),
    [
        ({"client_id": "short"}, 422, "client_id"),
        ({"client_id": "has spaces in it"}, 422, "client_id"),
        ({"client_id": None}, 422, "client_id"),
        ({"body": ""}, 422, "body"),
        ({"body": "   "}, 422, "body"),
        ({"body": "x" * 4001}, 413, "body"),
        ({"page_url": "ftp://files.example"}, 422, "page_url"),
    ],
)
def test_bad_messages_get_a_specific_4xx(
    client: TestClient, form: dict[str, str | None], status: int, field: str
) -> None:
    token = identify(client)["visitor_token"]
    data = {"client_id": unique("cid"), "body": "hello", **form}
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post("/chat/api/messages", data=data, headers=chat_auth(token))
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert field in (error.get("field") or "") + str(error.get("details", ""))


def test_visitor_auth_and_access_answers(client: TestClient) -> None:
    token = identify(client)["visitor_token"]
    conversation = send(client, token, "hello").json()["conversation"]
    missing = client.get("/chat/api/conversations")
    assert missing.status_code == 401
    assert "Authorization: Chat" in missing.json()["error"]["message"]
    as_bearer = client.get("/chat/api/conversations", headers=bearer(token))
    assert as_bearer.status_code == 401
    unknown = client.get("/chat/api/conversations", headers=chat_auth("ldc_nope"))
    assert unknown.status_code == 401
    other = identify(client)["visitor_token"]
    for path in (f"/chat/api/conversations/{conversation}", "/chat/api/conversations/999999"):
        assert client.get(path, headers=chat_auth(other)).status_code == 404
    assert send(client, other, "sneaky", conversation).status_code == 404
    bad_after = client.get(
        f"/chat/api/conversations/{conversation}?after=-1", headers=chat_auth(token)
    )
    assert bad_after.status_code == 422
    assert client.get("/chat/api/conversations/0", headers=chat_auth(token)).status_code == 422


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({}, 422),
        ({"token": "x", "email": "a@example.com"}, 422),
        ({"email": "not-an-address"}, 422),
        ({"email": "a@example.com", "name": "n" * 201}, 422),
        ({"email": "a@example.com", "admin": True}, 422),
        ({"token": "not.a.jwt"}, 400),  # signed identity is off on this desk
    ],
)
def test_bad_identify_input(client: TestClient, payload: dict[str, Any], status: int) -> None:
    response = client.post("/chat/api/identify", json=payload)
    assert response.status_code == status, response.text
    assert response.json()["error"]["message"]


def test_malformed_json_is_400(client: TestClient) -> None:
    response = client.post(
        "/chat/api/identify", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_json"


def test_signed_identify_over_http(client: TestClient, signed_on: None) -> None:
    user = unique("user")
    response = client.post(
        "/chat/api/identify",
        json={"token": sign({"sub": user, "email": f"{user}@example.com", "name": "Zhang"})},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["identity"] == "signed" and body["verified"] is True
    assert body["customer"] == {"name": "Zhang", "email": f"{user}@example.com"}
    expired = client.post(
        "/chat/api/identify", json={"token": sign({"exp": int(time.time()) - 600})}
    )
    assert expired.status_code == 401
    assert expired.json()["error"]["message"].startswith("The chat sign-in token has expired")


def _mailed_code(caplog: pytest.LogCaptureFixture, email: str) -> str:
    """The code from the development mail log (the embedded worker sends it after commit)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for record in caplog.records:
            text = record.getMessage()
            if email in text and (found := CODE_IN_MAIL.search(text.split("\n", 1)[-1])):
                return found.group(1)
        time.sleep(0.05)
    raise AssertionError(f"no code e-mailed to {email}")


def test_verification_over_http_shows_past_conversations(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    email = f"{unique('past')}@example.com"
    earlier = identify(client, email)["visitor_token"]
    old = send(client, earlier, "an old question").json()["conversation"]
    now = identify(client, email)["visitor_token"]
    mine = client.get("/chat/api/conversations", headers=chat_auth(now)).json()
    assert mine["conversations"] == []
    assert client.get(f"/chat/api/conversations/{old}", headers=chat_auth(now)).status_code == 404
    assert (
        client.post("/chat/api/verify", json={"code": "123456"}, headers=chat_auth(now)).json()[
            "error"
        ]["field"]
        == "code"
    )  # no code asked for yet
    with caplog.at_level(logging.INFO, logger="ledgerdesk.mail"):
        started = client.post("/chat/api/verify/start", headers=chat_auth(now))
        assert started.status_code == 202 and started.json() == {"sent": True}
        code = _mailed_code(caplog, email)
    wrong = "000000" if code != "000000" else "111111"
    refused = client.post("/chat/api/verify", json={"code": wrong}, headers=chat_auth(now))
    assert refused.status_code == 401
    assert refused.json()["error"]["message"].startswith("Wrong code")
    ok = client.post("/chat/api/verify", json={"code": code}, headers=chat_auth(now))
    assert ok.status_code == 200 and ok.json() == {"verified": True}
    listed = client.get("/chat/api/conversations", headers=chat_auth(now)).json()
    assert [c["conversation"] for c in listed["conversations"]] == [old]
    assert client.get(f"/chat/api/conversations/{old}", headers=chat_auth(now)).status_code == 200
    again = client.post("/chat/api/verify/start", headers=chat_auth(now))
    assert again.status_code == 409


def test_status_open_and_queue_position(client: TestClient) -> None:
    general = client.get("/chat/api/status")
    assert general.status_code == 200
    assert general.json()["open"] is True and general.json()["position"] is None
    # Counted from the live console sockets (none in this test's process may be open).
    assert isinstance(general.json()["agents_online"], int)
    token = identify(client)["visitor_token"]
    conversation = send(client, token, "waiting").json()["conversation"]
    asked = client.get(f"/chat/api/status?conversation={conversation}", headers=chat_auth(token))
    assert asked.status_code == 200 and asked.json()["position"] >= 1
    anonymous = client.get(f"/chat/api/status?conversation={conversation}")
    assert anonymous.status_code == 401
    other = identify(client)["visitor_token"]
    foreign = client.get(f"/chat/api/status?conversation={conversation}", headers=chat_auth(other))
    assert foreign.status_code == 404


def test_offline_form(client: TestClient, seeded: dict[str, Any]) -> None:
    response = client.post(
        "/chat/api/offline",
        json={
            "email": f"{unique('off')}@example.com",
            "name": "Night Owl",
            "body": "Withdrawal stuck since yesterday",
            "locale": "zh-CN",
            "page_url": "https://exchange.example/withdraw",
        },
    )
    assert response.status_code == 201, response.text
    ticket_id = response.json()["ticket"]
    ticket = client.get(f"/api/v1/tickets/{ticket_id}", headers=bearer(seeded["admin_token"]))
    assert ticket.json()["channel"] == "chat"
    assert ticket.json()["subject"] == "Withdrawal stuck since yesterday"
    bad = client.post("/chat/api/offline", json={"email": "x@example.com", "body": ""})
    assert bad.status_code == 422


def test_a_closed_conversation_answers_409(client: TestClient, seeded: dict[str, Any]) -> None:
    token = identify(client)["visitor_token"]
    conversation = send(client, token, "hello").json()["conversation"]
    agent = bearer(seeded["admin_token"])
    for status in ("solved", "closed"):
        changed = client.patch(
            f"/api/v1/tickets/{conversation}", json={"status": status}, headers=agent
        )
        assert changed.status_code == 200, changed.text
    late = send(client, token, "still there?", conversation)
    assert late.status_code == 409 and late.json()["error"]["code"] == "ticket_closed"


def test_rate_limits(client: TestClient, app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app.state.settings, "chat_rate_limit", "2/minute")
    monkeypatch.setattr(app.state.settings, "chat_message_rate", "3/minute")
    token = identify(client)["visitor_token"]
    identify(client)
    third = client.post("/chat/api/identify", json={"email": "c@example.com"})
    assert third.status_code == 429 and int(third.headers["Retry-After"]) >= 1
    conversation = send(client, token, "one").json()["conversation"]
    assert send(client, token, "two", conversation).status_code == 200
    assert send(client, token, "three", conversation).status_code == 200
    limited = send(client, token, "four", conversation)
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limited"


def test_cross_site_posts_are_still_refused(client: TestClient) -> None:
    token = identify(client)["visitor_token"]
    cross = client.post(
        "/chat/api/messages",
        data={"client_id": unique("cid"), "body": "x"},
        headers={**chat_auth(token), "Sec-Fetch-Site": "cross-site"},
    )
    assert cross.status_code == 403
    same = client.post(
        "/chat/api/messages",
        data={"client_id": unique("cid"), "body": "x"},
        headers={**chat_auth(token), "Sec-Fetch-Site": "same-origin"},
    )
    assert same.status_code == 200


def test_errors_read_in_the_widgets_language(client: TestClient) -> None:
    zh = {"Accept-Language": "zh-CN"}
    missing = client.get("/chat/api/conversations", headers=zh)
    assert missing.status_code == 401
    assert "Authorization: Chat" in missing.json()["error"]["message"]
    assert re.search(r"[\u4e00-\u9fff]", missing.json()["error"]["message"])
    token = identify(client)["visitor_token"]
    gone = client.get("/chat/api/conversations/999999", headers={**chat_auth(token), **zh})
    assert gone.json()["error"]["message"] == "未找到会话 999999"
    en = client.get("/chat/api/conversations/999999", headers=chat_auth(token))
    assert en.json()["error"]["message"] == "Conversation 999999 not found"


def test_chat_routes_are_in_the_openapi_document(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    paths = document["paths"]
    for path in (
        "/chat/api/identify",
        "/chat/api/verify/start",
        "/chat/api/verify",
        "/chat/api/conversations",
        "/chat/api/conversations/{conversation_id}",
        "/chat/api/messages",
        "/chat/api/conversations/{conversation_id}/messages",
        "/chat/api/attachments/{attachment_id}",
        "/chat/api/status",
        "/chat/api/offline",
    ):
        assert path in paths, path
    assert document["components"]["securitySchemes"]["chatVisitor"]["in"] == "header"
    assert paths["/chat/api/conversations"]["get"]["security"] == [{"chatVisitor": []}]
    assert "401" in paths["/chat/api/conversations"]["get"]["responses"]
    assert "429" in paths["/chat/api/identify"]["post"]["responses"]
    assert "202" in paths["/chat/api/verify/start"]["post"]["responses"]
