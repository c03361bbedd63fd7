"""The incident pages: the public status page in zh and en (linked from the help center and
the chat widget), the console (a prefilled form from a surge alert, create, update, link by
hand, resolve) and the JSON API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from ledgerdesk.incidents.models import Incident, IncidentStatus
from ledgerdesk.tickets.models import Message, MessageKind, Ticket
from tests.conftest import bearer, make_ticket
from tests.incidents.helpers import drain
from tests.tickets.test_views import console_login

TITLE_EN = "TRON deposits delayed"
TITLE_ZH = "TRON 充值延迟"


@pytest.fixture(autouse=True)
def _no_open_incidents(app: Any) -> Iterator[None]:
    """Every test starts and ends with no open incident (the chat widget shows open ones)."""

    def close_all() -> None:
        with app.state.sessionmaker() as session:
            session.execute(
                update(Incident)
                .where(Incident.status != IncidentStatus.resolved)
                .values(status=IncidentStatus.resolved)
            )
            session.commit()

    close_all()
    yield
    close_all()


def _open(client: TestClient, seeded: dict[str, Any], **fields: Any) -> int:
    data = {
        "title_en": TITLE_EN,
        "title_zh": TITLE_ZH,
        "body_en": "Deposits on TRON are credited late.",
        "body_zh": "TRON 网络充值到账延迟。",
        "intent": "deposit_missing",
        "network": "tron",
        **fields,
    }
    response = client.post("/api/v1/incidents", json=data, headers=bearer(seeded["lead_token"]))
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_status_page_in_both_languages(
    client: TestClient, seeded: dict[str, Any], app: Any
) -> None:
    incident_id = _open(client, seeded)
    posted = client.post(
        f"/api/v1/incidents/{incident_id}/updates",
        json={"body_en": "Node catching up.", "body_zh": "节点正在同步。", "status": "identified"},
        headers=bearer(seeded["lead_token"]),
    )
    assert posted.status_code == 201, posted.text

    english = client.get("/status", headers={"Accept-Language": "en"})
    assert english.status_code == 200
    assert "System status" in english.text and TITLE_EN in english.text
    assert TITLE_ZH not in english.text and "Identified" in english.text
    page = client.get(f"/status/{incident_id}", headers={"Accept-Language": "en"})
    assert "Node catching up." in page.text and "节点正在同步" not in page.text

    # The link in a message to a Chinese customer carries ?lang=zh-CN: the page answers in
    # Chinese and the site's language switch keeps working afterwards.
    chosen = client.get(f"/status/{incident_id}?lang=zh-CN", follow_redirects=False)
    assert chosen.status_code == 303 and chosen.headers["location"] == f"/status/{incident_id}"
    chinese = client.get(f"/status/{incident_id}")
    assert TITLE_ZH in chinese.text and "节点正在同步。" in chinese.text
    assert "已确定原因" in chinese.text and TITLE_EN not in chinese.text
    listing = client.get("/status")
    assert "系统状态" in listing.text and "当前故障" in listing.text
    client.post("/lang", data={"lang": "en", "next": "/status"})
    assert TITLE_EN in client.get("/status").text

    feed = client.get("/status.json?lang=zh-CN").json()
    assert [i["title"] for i in feed["incidents"] if i["id"] == incident_id] == [TITLE_ZH]
    # Public: no ticket, customer or agent in the page or the feed.
    assert "ticket" not in str(feed["incidents"]).lower()
    assert seeded["lead"].name not in page.text

    assert client.get("/status/2147483647").status_code == 404
    assert client.get("/status/abc").status_code == 422


def test_help_center_and_chat_widget_link_the_status_page(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    assert 'href="/status"' in client.get("/help").text
    assert 'id="status-banner"' not in client.get("/chat/frame").text
    incident_id = _open(client, seeded)
    frame = client.get("/chat/frame?lang=zh-CN")
    assert 'id="status-banner"' in frame.text
    assert f'href="/status/{incident_id}"' in frame.text and TITLE_ZH in frame.text
    assert "所有系统运行正常" not in client.get("/status").text


def test_console_new_incident_is_prefilled_from_a_surge(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    console_login(client, seeded["lead"].email)
    page = client.get("/console/incidents/new?intent=deposit_missing&network=tron&surge=7")
    assert page.status_code == 200
    assert re.search(r'<option value="deposit_missing" selected>', page.text)
    assert re.search(r'<option value="tron" selected>', page.text)
    assert 'name="surge_id" value="7"' in page.text
    # Unknown values are left out; a bad surge id is a 422, never a 500.
    odd = client.get("/console/incidents/new?intent=<b>&network=nope")
    assert odd.status_code == 200 and "&lt;b&gt;" not in odd.text
    assert client.get("/console/incidents/new?surge=x").status_code == 422
    # Agents cannot open incidents.
    client.cookies.clear()
    console_login(client, seeded["agent"].email)
    assert client.get("/console/incidents/new").status_code == 403
    assert client.get("/console/incidents").status_code == 200


def test_console_incident_lifecycle(client: TestClient, seeded: dict[str, Any], app: Any) -> None:
    factory = app.state.sessionmaker
    with factory() as session:
        ticket = make_ticket(session, requester=session.merge(seeded["alice"]))
        ticket.intent, ticket.network, ticket.team_id = "deposit_missing", "tron", seeded["l1"]
        manual = make_ticket(session, requester=session.merge(seeded["bob"]), language="zh")
        manual.team_id = seeded["l1"]
        session.commit()
        ticket_id, manual_id = ticket.id, manual.id
    console_login(client, seeded["lead"].email)
    refused = client.post("/console/incidents", data={"title_en": "x", "title_zh": ""})
    assert refused.status_code == 422 and "Title (Chinese)" in refused.text
    created = client.post(
        "/console/incidents",
        data={
            "title_en": TITLE_EN,
            "title_zh": TITLE_ZH,
            "intent": "deposit_missing",
            "network": "tron",
            "surge_id": "7",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    incident_url = created.headers["location"]
    incident_id = int(incident_url.rsplit("/", 1)[1])
    drain(factory)
    page = client.get(incident_url)
    assert f'data-ticket="{ticket_id}"' in page.text

    linked = client.post(f"{incident_url}/links", data={"ticket_id": f"#{manual_id}"})
    assert linked.status_code == 200 and f'data-ticket="{manual_id}"' in linked.text
    again = client.post(f"{incident_url}/links", data={"ticket_id": str(manual_id)})
    assert again.status_code == 409
    assert client.post(f"{incident_url}/links", data={"ticket_id": "abc"}).status_code == 422
    sent = client.post(
        f"{incident_url}/updates",
        data={
            "body_en": "Fixed soon.",
            "body_zh": "即将修复。",
            "status": "monitoring",
            "send": "1",
        },
    )
    assert sent.status_code == 200
    drain(factory)
    resolved = client.post(f"{incident_url}/resolve", data={"solve": "1"})
    assert resolved.status_code == 200 and "resolve-form" not in resolved.text
    drain(factory)

    with factory() as session:
        for tid, words, update_text in (
            (ticket_id, "We are aware", "Fixed soon."),
            (manual_id, "我们已了解到", "即将修复。"),
        ):
            bodies = list(
                session.scalars(
                    select(Message.body).where(
                        Message.ticket_id == tid, Message.kind == MessageKind.public
                    )
                )
            )[1:]  # after the customer's opening message
            assert len(bodies) == 3, bodies  # the answer, the update, the resolution: once each
            assert words in bodies[0] and update_text in bodies[1]
            assert f"/status/{incident_id}" in bodies[0]
            ticket_row = session.get(Ticket, tid)
            assert ticket_row is not None and ticket_row.status.value == "solved"

    client.post("/lang", data={"lang": "zh-CN", "next": "/console/incidents"})
    listing = client.get("/console/incidents")
    assert "故障公告" in listing.text and TITLE_ZH in listing.text and "已解决" in listing.text


def test_api_permissions_and_validation(client: TestClient, seeded: dict[str, Any]) -> None:
    agent = bearer(seeded["agent_token"])
    lead = bearer(seeded["lead_token"])
    data = {"title_en": "a", "title_zh": "b", "network": "tron"}
    assert client.post("/api/v1/incidents", json=data, headers=agent).status_code == 403
    assert client.post("/api/v1/incidents", json=data).status_code == 401
    bad = client.post("/api/v1/incidents", json={**data, "network": "nope"}, headers=lead)
    assert bad.status_code == 422
    bad_intent = client.post("/api/v1/incidents", json={**data, "intent": "x"}, headers=lead)
    assert bad_intent.status_code == 422
    created = client.post("/api/v1/incidents", json=data, headers=lead)
    assert created.status_code == 201
    incident_id = created.json()["id"]
    assert client.get(f"/api/v1/incidents/{incident_id}", headers=agent).status_code == 200
    assert client.get("/api/v1/incidents/2147483647", headers=agent).status_code == 404
    wrong_status = client.post(
        f"/api/v1/incidents/{incident_id}/updates",
        json={"body_en": "x", "body_zh": "y", "status": "resolved"},
        headers=lead,
    )
    assert wrong_status.status_code == 422
    done = client.post(f"/api/v1/incidents/{incident_id}/resolve", json={}, headers=lead)
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    twice = client.post(f"/api/v1/incidents/{incident_id}/resolve", json={}, headers=lead)
    assert twice.status_code == 409
    unlink = client.delete(f"/api/v1/incidents/{incident_id}/tickets/1", headers=agent)
    assert unlink.status_code in (404, 409)
