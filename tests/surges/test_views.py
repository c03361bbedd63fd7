"""The common-problems page, the alert buttons and the API over HTTP, in both languages."""

from __future__ import annotations

import uuid
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledgerdesk.channels.notifications import notify
from ledgerdesk.core.clock import utcnow
from ledgerdesk.reports.surges_models import AlertStatus, SurgeAlert
from tests.conftest import bearer, make_ticket
from tests.tickets.test_views import console_login


def _alert(app: Any, seeded: dict[str, Any]) -> tuple[int, int, str]:
    """A committed open alert on a key of its own, its example ticket, and its network."""
    network = f"net{uuid.uuid4().hex[:8]}"
    with app.state.sessionmaker() as session:
        ticket = make_ticket(session, subject="Fee charged twice on withdrawal")
        now = utcnow().replace(microsecond=0)
        alert = SurgeAlert(
            key=f"fees_question@{network}",
            intent="fees_question",
            network=network,
            window_start=now - timedelta(hours=1),
            window_end=now,
            observed=14,
            expected=1.5,
            score=9.3,
            example_ticket_ids=[ticket.id],
            status=AlertStatus.open,
            created_at=now,
            last_seen_at=now,
        )
        session.add(alert)
        session.flush()
        notify(session, seeded["lead"].id, "surge", f"surge:{alert.id}", ticket_id=ticket.id)
        session.commit()
        return alert.id, ticket.id, network


def _status(app: Any, alert_id: int) -> AlertStatus:
    with app.state.sessionmaker() as session:
        alert = session.get(SurgeAlert, alert_id)
        assert alert is not None
        return alert.status


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_leads_see_alerts_and_act_on_them(
    client: TestClient, app: Any, seeded: dict[str, Any], lang: str
) -> None:
    alert_id, ticket_id, network = _alert(app, seeded)
    console_login(client, seeded["agent"].email)
    assert client.get("/console/reports/problems").status_code == 403
    assert client.post(f"/console/reports/problems/alerts/{alert_id}/close").status_code == 403
    client.post("/console/logout")
    console_login(client, seeded["lead"].email)
    client.post("/lang", data={"lang": lang, "next": "/console"})

    page = client.get("/console/reports/problems")
    assert page.status_code == 200
    text = unescape(page.text)
    assert f'data-alert="{alert_id}"' in text and f'href="/console/tickets/{ticket_id}"' in text
    link = f"/console/incidents/new?intent=fees_question&network={network}&surge={alert_id}"
    assert link in text
    assert ("Common problems and surges" if lang == "en" else "常见问题与激增") in text
    assert ("Fees question" if lang == "en" else "手续费问题") in text  # a label, not the key
    assert "fees_question<" not in text
    assert client.get("/console/reports/problems?day=2025-02-30").status_code == 422
    day = client.get("/console/reports/problems?day=2025-02-03")
    assert day.status_code == 200 and 'value="2025-02-03"' in day.text

    notes = client.get("/console/notifications")
    assert ("Surge:" if lang == "en" else "激增") in notes.text

    done = client.post(f"/console/reports/problems/alerts/{alert_id}/acknowledge")
    assert done.status_code == 200 and _status(app, alert_id) == AlertStatus.acknowledged
    again = client.post(f"/console/reports/problems/alerts/{alert_id}/acknowledge")
    assert again.status_code == 409
    closed = client.post(f"/console/reports/problems/alerts/{alert_id}/close")
    assert closed.status_code == 200 and _status(app, alert_id) == AlertStatus.closed
    assert client.post(f"/console/reports/problems/alerts/{alert_id}/close").status_code == 409
    assert client.post("/console/reports/problems/alerts/999999/close").status_code == 404
    assert client.post("/console/reports/problems/alerts/abc/close").status_code == 422


def test_the_api_lists_alerts_for_leads(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    alert_id, ticket_id, network = _alert(app, seeded)
    denied = client.get("/api/v1/reports/surges", headers=bearer(seeded["agent_token"]))
    assert denied.status_code == 403
    answer = client.get("/api/v1/reports/surges", headers=bearer(seeded["lead_token"]))
    assert answer.status_code == 200
    found = [a for a in answer.json()["alerts"] if a["id"] == alert_id]
    assert len(found) == 1
    alert = found[0]
    assert alert["key"] == f"fees_question@{network}" and alert["status"] == "open"
    assert alert["example_ticket_ids"] == [ticket_id] and alert["window_end"].endswith("Z")
    bad = client.get("/api/v1/reports/surges?days=0", headers=bearer(seeded["lead_token"]))
    assert bad.status_code == 422
    with app.state.sessionmaker() as session:  # leave no open alert for other tests
        row = session.get(SurgeAlert, alert_id)
        assert row is not None
        row.status = AlertStatus.closed
        session.commit()
