"""/api/v1/webhooks over HTTP on both databases: admins manage endpoints (the secret shown
only by create and rotate), test events and replays go through the real outbox worker to the
local receiver, everyone else is refused, and bad input gets a specific 4xx."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.channels.webhooks.conftest import delete_all_endpoints
from tests.channels.webhooks.receiver import Receiver
from tests.conftest import bearer

BASE = "/api/v1/webhooks"


@pytest.fixture
def desk(
    client: TestClient, app: Any, allow_private: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    """The shared app, allowed to post to the loopback receiver; endpoints removed after."""
    monkeypatch.setattr(app.state.settings, "webhooks_allow_private", True)
    yield client
    delete_all_endpoints(app.state.sessionmaker)


def _create(client: TestClient, token: str, url: str, **fields: Any) -> dict[str, Any]:
    response = client.post(BASE, json={"url": url, **fields}, headers=bearer(token))
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def _wait_delivery(
    client: TestClient, token: str, webhook_id: int, delivery_id: int
) -> dict[str, Any]:
    """The delivery once the app's embedded worker has made an attempt."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        url = f"{BASE}/{webhook_id}/deliveries/{delivery_id}"
        found: dict[str, Any] = client.get(url, headers=bearer(token)).json()
        if found["attempts"] > 0:
            return found
        time.sleep(0.05)
    raise AssertionError(f"delivery {delivery_id} was not attempted")


def test_admin_manages_a_webhook(
    desk: TestClient, seeded: dict[str, Any], receiver: Receiver
) -> None:
    token = seeded["admin_token"]
    made = _create(desk, token, receiver.url, description="PagerDuty", events=["ticket.created"])
    assert made["secret"].startswith("whsec_") and len(made["secret"]) > 40
    assert (made["events"], made["active"], made["description"]) == (
        ["ticket.created"],
        True,
        "PagerDuty",
    )
    webhook_id = made["id"]
    shown = desk.get(f"{BASE}/{webhook_id}", headers=bearer(token)).json()
    assert "secret" not in shown and shown["url"] == receiver.url
    listed = desk.get(BASE, headers=bearer(token)).json()["items"]
    assert [w["id"] for w in listed] == [webhook_id] and "secret" not in listed[0]

    changed = desk.patch(
        f"{BASE}/{webhook_id}",
        json={"events": ["message.public", "ticket.created"], "active": False},
        headers=bearer(token),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["events"] == ["ticket.created", "message.public"]
    assert changed.json()["active"] is False

    rotated = desk.post(f"{BASE}/{webhook_id}/rotate-secret", headers=bearer(token)).json()
    assert rotated["secret"] != made["secret"]
    receiver.secret = rotated["secret"]

    # A test event goes out through the outbox worker, signed with the new secret.
    queued = desk.post(f"{BASE}/{webhook_id}/test", headers=bearer(token))
    assert queued.status_code == 202, queued.text
    test_id = queued.json()["id"]
    done = _wait_delivery(desk, token, webhook_id, test_id)
    assert (done["status"], done["last_status_code"], done["event_type"]) == (
        "delivered",
        200,
        "webhook.test",
    )
    assert done["payload"]["type"] == "webhook.test"
    [received] = receiver.wait_for(1)
    assert received.verified and received.headers["ledgerdesk-delivery"] == str(test_id)

    replay = desk.post(
        f"{BASE}/{webhook_id}/deliveries/{test_id}/replay", headers=bearer(token)
    ).json()
    assert replay["replay_of_id"] == test_id
    assert _wait_delivery(desk, token, webhook_id, replay["id"])["status"] == "delivered"
    first, again = receiver.wait_for(2)
    assert first.body == again.body and again.verified
    log = desk.get(f"{BASE}/{webhook_id}/deliveries?limit=1", headers=bearer(token)).json()
    assert [d["id"] for d in log["items"]] == [replay["id"]] and log["next_before"] == replay["id"]
    older = desk.get(
        f"{BASE}/{webhook_id}/deliveries?before={log['next_before']}", headers=bearer(token)
    ).json()
    assert [d["id"] for d in older["items"]] == [test_id] and older["next_before"] is None

    assert desk.delete(f"{BASE}/{webhook_id}", headers=bearer(token)).status_code == 204
    assert desk.get(f"{BASE}/{webhook_id}", headers=bearer(token)).status_code == 404


def test_ticket_events_reach_the_receiver_through_the_worker(
    desk: TestClient, seeded: dict[str, Any], receiver: Receiver
) -> None:
    token = seeded["admin_token"]
    made = _create(desk, token, receiver.url, events=["ticket.created"])
    receiver.secret = made["secret"]
    opened = desk.post(
        "/api/v1/tickets",
        json={
            "subject": "Withdrawal stuck",
            "body": "My BTC withdrawal has been pending for 3 hours",
            "requester": {"email": seeded["alice"].email},
        },
        headers=bearer(token),
    )
    assert opened.status_code == 201, opened.text
    [received] = receiver.wait_for(1)
    body = received.json()
    assert received.verified and body["type"] == "ticket.created"
    assert body["ticket"]["id"] == opened.json()["id"]
    assert b"pending for 3 hours" not in received.body


@pytest.mark.parametrize("who", ["agent", "lead"])
def test_only_admins(
    desk: TestClient, seeded: dict[str, Any], receiver: Receiver, who: str
) -> None:
    made = _create(desk, seeded["admin_token"], receiver.url)
    token = seeded[f"{who}_token"]
    calls = [
        ("get", BASE, None),
        ("post", BASE, {"url": receiver.url}),
        ("get", f"{BASE}/{made['id']}", None),
        ("patch", f"{BASE}/{made['id']}", {"active": False}),
        ("delete", f"{BASE}/{made['id']}", None),
        ("post", f"{BASE}/{made['id']}/rotate-secret", None),
        ("post", f"{BASE}/{made['id']}/test", None),
        ("get", f"{BASE}/{made['id']}/deliveries", None),
    ]
    for method, url, body in calls:
        response = desk.request(method, url, json=body, headers=bearer(token))
        assert response.status_code == 403, (method, url, response.text)
        assert response.json()["error"]["code"] == "not_permitted"
    assert desk.get(BASE).status_code == 401
    shown = desk.get(f"{BASE}/{made['id']}", headers=bearer(seeded["admin_token"])).json()
    assert shown["active"] is True


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"url": "ftp://example.com/"}, 422, "url"),
        ({"url": "http://10.0.0.8/hook"}, 422, "url"),
        ({"url": "https://no-such-host.invalid/hook"}, 422, "url"),
        ({"url": "https://example.com/", "events": ["guard.secret_redacted"]}, 422, "events.0"),
        ({"url": "https://example.com/", "secret": "mine"}, 422, "secret"),
        ({"url": "https://example.com/", "active": "yes"}, 422, "active"),
        ({}, 422, "url"),
    ],
)
def test_bad_input_is_a_4xx(
    client: TestClient, seeded: dict[str, Any], body: dict[str, Any], status: int, field: str
) -> None:
    response = client.post(BASE, json=body, headers=bearer(seeded["admin_token"]))
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error.get("field") == field or field in [d["field"] for d in error.get("details", [])]


def test_unknown_ids_are_404(client: TestClient, seeded: dict[str, Any]) -> None:
    token = seeded["admin_token"]
    for method, url in [
        ("get", f"{BASE}/2147483000"),
        ("post", f"{BASE}/2147483000/test"),
        ("get", f"{BASE}/2147483000/deliveries/1"),
        ("post", f"{BASE}/2147483000/deliveries/1/replay"),
    ]:
        assert client.request(method, url, headers=bearer(token)).status_code == 404
    assert client.get(f"{BASE}/0", headers=bearer(token)).status_code == 422
