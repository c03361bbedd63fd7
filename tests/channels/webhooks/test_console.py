"""The webhook pages of the console over HTTP on both databases: admins list, create (the
secret shown once), edit, test, rotate, replay and delete, in English and Chinese; refused
input is answered in the page with what was typed; agents and leads are refused every route."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ledgerdesk.channels.models import WebhookDelivery, WebhookEndpoint
from tests.channels.webhooks.conftest import delete_all_endpoints
from tests.channels.webhooks.receiver import Receiver
from tests.tickets.test_views import console_login

PAGE = "/console/admin/webhooks"
SECRET_RE = re.compile(r'id="secret-value">(whsec_[\w-]+)<')


@pytest.fixture
def desk(
    client: TestClient, app: Any, allow_private: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    monkeypatch.setattr(app.state.settings, "webhooks_allow_private", True)
    yield client
    delete_all_endpoints(app.state.sessionmaker)


def _endpoints(app: Any) -> list[WebhookEndpoint]:
    with app.state.sessionmaker() as session:
        return list(session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def _deliveries(app: Any, endpoint_id: int) -> list[WebhookDelivery]:
    with app.state.sessionmaker() as session:
        query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
        return list(session.scalars(query.order_by(WebhookDelivery.id)))


def _settled(app: Any, endpoint_id: int, count: int) -> list[WebhookDelivery]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        found = _deliveries(app, endpoint_id)
        if len(found) >= count and all(d.attempts > 0 for d in found):
            return found
        time.sleep(0.05)
    raise AssertionError("deliveries were not attempted")


def test_admin_uses_the_pages(desk: TestClient, seeded: dict[str, Any], receiver: Receiver) -> None:
    app = desk.app
    console_login(desk, seeded["admin"].email)
    page = desk.get(PAGE)
    assert page.status_code == 200 and 'id="new-webhook"' in page.text
    assert 'id="nav-webhooks"' in page.text and 'value="ticket.status_changed"' in page.text

    form = {"url": receiver.url, "description": "CRM sync", "events": ["ticket.created"]}
    created = desk.post(PAGE, data={**form, "active": "1"})
    assert created.status_code == 200, created.text
    secret = SECRET_RE.search(created.text)
    assert secret is not None
    [endpoint] = _endpoints(app)
    assert secret.group(1) == endpoint.secret and endpoint.events == ["ticket.created"]
    receiver.secret = endpoint.secret
    shown = desk.get(f"{PAGE}/{endpoint.id}")
    assert endpoint.secret not in shown.text and 'id="no-deliveries"' in shown.text
    assert endpoint.secret not in desk.get(PAGE).text

    edited = desk.post(f"{PAGE}/{endpoint.id}", data={**form, "description": "CRM"})
    assert edited.status_code == 200 and "Webhook saved" in edited.text
    [endpoint] = _endpoints(app)
    assert (endpoint.description, endpoint.active) == ("CRM", False)  # box unticked: off

    tested = desk.post(f"{PAGE}/{endpoint.id}/test")
    assert "Test event queued" in tested.text
    [delivery] = _settled(app, endpoint.id, 1)
    assert delivery.status == "delivered"
    log = desk.get(f"{PAGE}/{endpoint.id}").text
    assert f'id="delivery-{delivery.id}" data-status="delivered"' in log
    assert "Test event" in log and "&#34;webhook.test&#34;" in log  # the payload, escaped

    replayed = desk.post(f"{PAGE}/{endpoint.id}/deliveries/{delivery.id}/replay")
    assert f"Delivery {delivery.id} queued again as" in replayed.text
    first, again = _settled(app, endpoint.id, 2)
    assert again.replay_of_id == first.id and again.status == "delivered"
    assert [r.verified for r in receiver.wait_for(2)] == [True, True]

    rotated = desk.post(f"{PAGE}/{endpoint.id}/rotate")
    new_secret = SECRET_RE.search(rotated.text)
    assert new_secret is not None and new_secret.group(1) != secret.group(1)

    deleted = desk.post(f"{PAGE}/{endpoint.id}/delete")
    assert "Webhook deleted" in deleted.text and _endpoints(app) == []


def test_refused_input_keeps_what_was_typed(
    desk: TestClient, seeded: dict[str, Any], receiver: Receiver
) -> None:
    console_login(desk, seeded["admin"].email)
    form = {"url": "ftp://example.com/in", "description": "typed", "events": ["message.public"]}
    refused = desk.post(PAGE, data=form)
    assert refused.status_code == 422
    assert "The URL must start with https://" in refused.text
    assert 'value="ftp://example.com/in"' in refused.text and 'value="typed"' in refused.text
    assert re.search(r'value="message.public" checked', refused.text)
    odd = desk.post(PAGE, data={"url": receiver.url, "events": ["no.such"]})
    assert odd.status_code == 422 and "Unknown event type: no.such" in odd.text
    assert _endpoints(desk.app) == []


def test_pages_in_chinese(desk: TestClient, seeded: dict[str, Any], receiver: Receiver) -> None:
    console_login(desk, seeded["admin"].email)
    desk.post("/lang", data={"lang": "zh-CN", "next": PAGE})
    headers: dict[str, str] = {}
    created = desk.post(PAGE, data={"url": receiver.url, "active": "1"}, headers=headers)
    assert created.status_code == 200
    assert "签名密钥" in created.text and "发送测试事件" in created.text
    listing = desk.get(PAGE, headers=headers).text
    assert "新建 Webhook" in listing and "已创建工单" in listing
    refused = desk.post(PAGE, data={"url": "ftp://x.example/"}, headers=headers)
    assert "URL 必须以 https://" in refused.text


@pytest.mark.parametrize("who", ["agent", "lead"])
def test_only_admins(
    desk: TestClient, seeded: dict[str, Any], receiver: Receiver, who: str
) -> None:
    console_login(desk, seeded["admin"].email)
    desk.post(PAGE, data={"url": receiver.url, "active": "1"})
    [endpoint] = _endpoints(desk.app)
    desk.cookies.clear()
    assert desk.get(PAGE, follow_redirects=False).status_code == 303  # signed out: sign in
    console_login(desk, seeded[who].email)
    assert 'id="nav-webhooks"' not in desk.get("/console/inbox").text
    for method, url in [
        ("get", PAGE),
        ("post", PAGE),
        ("get", f"{PAGE}/{endpoint.id}"),
        ("post", f"{PAGE}/{endpoint.id}"),
        ("post", f"{PAGE}/{endpoint.id}/test"),
        ("post", f"{PAGE}/{endpoint.id}/rotate"),
        ("post", f"{PAGE}/{endpoint.id}/delete"),
        ("post", f"{PAGE}/{endpoint.id}/deliveries/1/replay"),
    ]:
        data = {"url": "https://example.com/"} if method == "post" else None
        response = desk.request(method, url, data=data)
        assert response.status_code == 403, (method, url)
        assert "Only an admin can do this" in response.text
    [still] = _endpoints(desk.app)
    assert (still.url, still.secret, still.active) == (endpoint.url, endpoint.secret, True)
    assert _deliveries(desk.app, endpoint.id) == []
