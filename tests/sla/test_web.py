"""The SLA API and console pages: admins only, clear 4xx on bad input, and the due time
on the inbox and the ticket page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete

from ledgerdesk.sla import policies
from ledgerdesk.sla.models import BusinessCalendar, SlaPolicy, SlaTarget
from tests.conftest import bearer
from tests.tickets.test_views import console_login


@pytest.fixture
def clean(app: Any) -> Iterator[None]:
    """The app's database is shared by the run: leave no policy or clock behind."""
    yield
    with app.state.sessionmaker() as session:
        session.execute(delete(SlaTarget))
        session.execute(delete(SlaPolicy))
        session.execute(delete(BusinessCalendar))
        session.commit()
    policies.invalidate()


def test_api_policies_and_calendars(
    client: TestClient, seeded: dict[str, Any], clean: None
) -> None:
    admin = bearer(seeded["admin_token"])
    agent = bearer(seeded["agent_token"])
    assert client.get("/api/v1/sla/policies", headers=agent).status_code == 403
    bad = client.post(
        "/api/v1/sla/calendars",
        headers=admin,
        json={"name": "Shanghai", "timezone": "Mars/Olympus", "hours": "mon-fri 09:00-18:00"},
    )
    assert bad.status_code == 422 and "time zone" in bad.text
    bad = client.post(
        "/api/v1/sla/calendars",
        headers=admin,
        json={"name": "Shanghai", "timezone": "Asia/Shanghai", "hours": "mon 18:00-09:00"},
    )
    assert bad.status_code == 422 and "ends before it starts" in bad.text
    made = client.post(
        "/api/v1/sla/calendars",
        headers=admin,
        json={"name": "Shanghai", "timezone": "Asia/Shanghai", "hours": "mon-fri 09:00-18:00"},
    )
    assert made.status_code == 201, made.text
    calendar = made.json()
    assert calendar["is_default"] is True  # the first calendar is the default
    holiday = client.post(
        f"/api/v1/sla/calendars/{calendar['id']}/holidays",
        headers=admin,
        json={"day": "2026-10-01", "name": "National Day"},
    )
    assert holiday.status_code == 201
    again = client.post(
        f"/api/v1/sla/calendars/{calendar['id']}/holidays",
        headers=admin,
        json={"day": "2026-10-01", "name": "twice"},
    )
    assert again.status_code == 409
    team = client.put(
        f"/api/v1/sla/teams/{seeded['l1']}/calendar",
        headers=admin,
        json={"calendar_id": calendar["id"]},
    )
    assert team.status_code == 204
    shown = client.get(f"/api/v1/sla/calendars/{calendar['id']}", headers=admin).json()
    assert shown["team_ids"] == [seeded["l1"]] and shown["holidays"][0]["name"] == "National Day"

    unknown = client.post(
        "/api/v1/sla/policies", headers=admin, json={"name": "X", "intents": ["nonsense"]}
    )
    assert unknown.status_code == 422 and "Unknown intent" in unknown.text
    no_team = client.post(
        "/api/v1/sla/policies", headers=admin, json={"name": "X", "team_ids": [999999]}
    )
    assert no_team.status_code == 422 and "Team 999999" in no_team.text
    assert (
        client.post(
            "/api/v1/sla/policies",
            headers=admin,
            json={"name": "Bad", "priorities": ["extreme"], "first_reply": 10},
        ).status_code
        == 422
    )
    first = client.post(
        "/api/v1/sla/policies",
        headers=admin,
        json={"name": "Default", "first_reply": 120, "resolution": 960},
    ).json()
    second = client.post(
        "/api/v1/sla/policies",
        headers=admin,
        json={"name": "VIP urgent", "vip": True, "priorities": ["urgent"], "first_reply": 15},
    ).json()
    moved = client.post(
        f"/api/v1/sla/policies/{second['id']}/move", headers=admin, json={"direction": "up"}
    ).json()
    assert [p["name"] for p in moved["items"]] == ["VIP urgent", "Default"]
    assert first["hours"] == "business"

    # a ticket now gets clocks, shown in the API, the inbox and the ticket page
    opened = client.post(
        "/api/v1/tickets",
        headers=admin,
        json={
            "subject": "Withdrawal stuck",
            "body": "My withdrawal is pending for hours",
            "requester": {"email": "sla-web@example.com"},
            "team_id": seeded["l1"],
        },
    )
    assert opened.status_code == 201, opened.text
    ticket_id = opened.json()["id"]
    clocks = client.get(f"/api/v1/tickets/{ticket_id}/sla", headers=admin).json()["items"]
    assert {c["target"] for c in clocks} == {"first_reply", "resolution"}
    console_login(client, seeded["admin"].email)
    inbox = client.get("/console/inbox?view=all")
    assert inbox.status_code == 200
    assert f'data-ticket="{ticket_id}"' in inbox.text and "data-sla-due" in inbox.text
    page = client.get(f"/console/tickets/{ticket_id}")
    assert 'id="sla-panel"' in page.text and "First reply" in page.text


def test_console_pages(client: TestClient, seeded: dict[str, Any], clean: None) -> None:
    console_login(client, seeded["agent"].email)
    assert client.get("/console/sla").status_code == 403
    client.cookies.clear()
    console_login(client, seeded["admin"].email)
    assert client.get("/console/sla").status_code == 200
    refused = client.post(
        "/console/sla/calendars", data={"name": "Bad", "timezone": "Nowhere/City", "hours": ""}
    )
    assert refused.status_code == 422 and "sla-error" in refused.text
    made = client.post(
        "/console/sla/calendars",
        data={"name": "UTC desk", "timezone": "UTC", "hours": "mon-fri 08:00-20:00"},
    )
    assert made.status_code == 200 and "UTC desk" in made.text
    refused = client.post("/console/sla/policies", data={"name": "P", "first_reply": "ten"})
    assert refused.status_code == 422 and "minutes" in refused.text
    created = client.post(
        "/console/sla/policies",
        data={"name": "Compromise", "intents": ["account_compromised"], "first_reply": "15"},
    )
    assert created.status_code == 200 and "Compromise" in created.text
    zh = client.get("/console/sla", headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 200
