"""The admin's "Background jobs" page and /api/v1/admin/jobs: see failed jobs, retry a dead
one, drop one; everyone else is refused."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete

from ledgerdesk.accounts.models import Role
from ledgerdesk.core.clock import utcnow
from ledgerdesk.jobs import outbox
from ledgerdesk.jobs.models import OutboxEntry
from tests.accounts.helpers import fresh_agent, login
from tests.conftest import bearer

TOPIC = "test.admin_jobs.ok"


@pytest.fixture
def ran(app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    calls: list[dict[str, Any]] = []
    monkeypatch.setitem(outbox.HANDLERS, TOPIC, lambda _s, payload: calls.append(payload))
    yield calls
    with app.state.sessionmaker() as session:
        session.execute(delete(OutboxEntry).where(OutboxEntry.topic == TOPIC))
        session.commit()


def _job(app: Any, *, dead: bool, attempts: int = 3) -> int:
    """A failed job that no worker will touch: dead, or retrying in an hour."""
    now = utcnow()
    with app.state.sessionmaker() as session:
        entry = OutboxEntry(
            topic=TOPIC,
            payload={"n": 1},
            attempts=attempts,
            last_error="RuntimeError: the receiver answered 500",
            available_at=now + timedelta(hours=1),
            dead_at=now if dead else None,
        )
        session.add(entry)
        session.commit()
        return entry.id


def _row(app: Any, job_id: int) -> OutboxEntry | None:
    with app.state.sessionmaker() as session:
        entry = session.get(OutboxEntry, job_id)
        if entry is not None:
            session.expunge(entry)
        return entry


def _wait_gone(app: Any, job_id: int) -> None:
    deadline = time.monotonic() + 30
    while _row(app, job_id) is not None:
        assert time.monotonic() < deadline, "the retried job never ran"
        time.sleep(0.05)


def test_admin_page_lists_retries_and_drops(
    app: Any, client: TestClient, ran: list[dict[str, Any]]
) -> None:
    dead, retrying = _job(app, dead=True), _job(app, dead=False)
    admin = fresh_agent(app, Role.admin)
    login(client, admin.email)
    page = client.get("/console/admin/jobs")
    assert page.status_code == 200 and 'id="nav-jobs"' in page.text
    assert f'id="job-{dead}" data-state="dead"' in page.text
    assert f'id="job-{retrying}" data-state="retrying"' in page.text
    assert "the receiver answered 500" in page.text
    assert f'data-topic="{TOPIC}"' in page.text
    # Retry: only a dead job (409 on a retrying one, shown on the page)
    refused = client.post(f"/console/admin/jobs/{retrying}/retry", follow_redirects=False)
    assert refused.status_code == 409 and "Only a dead job can be retried" in refused.text
    done = client.post(f"/console/admin/jobs/{dead}/retry", follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/console/admin/jobs"
    assert "will run again now" in client.get("/console/admin/jobs").text  # the flash
    _wait_gone(app, dead)  # the app's embedded worker ran it
    assert ran == [{"n": 1}]
    dropped = client.post(f"/console/admin/jobs/{retrying}/drop", follow_redirects=False)
    assert dropped.status_code == 303 and _row(app, retrying) is None
    assert client.post(f"/console/admin/jobs/{retrying}/drop").status_code == 404
    # Both are in the security log, by whom and which job (a refused retry is not)
    log = client.get("/console/admin/security").text
    assert f"Failed background job run again</td>\n    <td>{admin.name}" in log
    assert f"background job #{dead}</td>" in log and f"background job #{retrying}</td>" in log
    assert "Failed background job dropped" in log and TOPIC in log


def test_admin_api(
    app: Any, client: TestClient, seeded: dict[str, Any], ran: list[dict[str, Any]]
) -> None:
    dead, retrying = _job(app, dead=True), _job(app, dead=False, attempts=1)
    admin = bearer(seeded["admin_token"])
    before = max(
        (e["id"] for e in client.get("/api/v1/security-events", headers=admin).json()), default=0
    )
    listed = client.get("/api/v1/admin/jobs", headers=admin)
    assert listed.status_code == 200
    body = listed.json()
    states = {job["id"]: job["state"] for job in body["failed"]}
    assert states[dead] == "dead" and states[retrying] == "retrying"
    mine = next(t for t in body["topics"] if t["topic"] == TOPIC)
    assert mine["dead"] >= 1 and mine["retrying"] >= 1
    assert client.post(f"/api/v1/admin/jobs/{retrying}/retry", headers=admin).status_code == 409
    again = client.post(f"/api/v1/admin/jobs/{dead}/retry", headers=admin)
    assert again.status_code == 200 and again.json()["state"] == "waiting"
    assert again.json()["attempts"] == 0
    _wait_gone(app, dead)
    assert client.delete(f"/api/v1/admin/jobs/{retrying}", headers=admin).status_code == 204
    assert client.delete(f"/api/v1/admin/jobs/{retrying}", headers=admin).status_code == 404
    assert client.post("/api/v1/admin/jobs/999999999/retry", headers=admin).status_code == 404
    assert client.post("/api/v1/admin/jobs/0/retry", headers=admin).status_code == 422
    events = client.get("/api/v1/security-events", headers=admin).json()
    logged = [
        (e["kind"], e["target_id"])
        for e in events
        if e["target_kind"] == "job" and e["id"] > before
    ]  # the refused retry (409) is not in it
    assert sorted(logged) == [("job_dropped", retrying), ("job_retried", dead)]


def test_others_are_refused(
    app: Any, client: TestClient, seeded: dict[str, Any], ran: list[dict[str, Any]]
) -> None:
    dead = _job(app, dead=True)
    for role in ("agent", "lead"):
        headers = bearer(seeded[f"{role}_token"])
        assert client.get("/api/v1/admin/jobs", headers=headers).status_code == 403
        assert client.post(f"/api/v1/admin/jobs/{dead}/retry", headers=headers).status_code == 403
        assert client.delete(f"/api/v1/admin/jobs/{dead}", headers=headers).status_code == 403
    assert client.get("/api/v1/admin/jobs").status_code == 401
    agent = fresh_agent(app, Role.agent)
    login(client, agent.email)
    assert client.get("/console/admin/jobs").status_code == 403
    assert client.post(f"/console/admin/jobs/{dead}/drop").status_code == 403
    assert 'id="nav-jobs"' not in client.get("/console/account").text
    row = _row(app, dead)
    assert row is not None and row.dead_at is not None


def test_the_page_in_chinese(app: Any, client: TestClient, ran: list[dict[str, Any]]) -> None:
    dead = _job(app, dead=True)
    admin = fresh_agent(app, Role.admin)
    login(client, admin.email)
    client.post("/lang", data={"lang": "zh-CN", "next": "/console"})
    page = client.get("/console/admin/jobs")
    assert page.status_code == 200 and "后台任务" in page.text
    visible = re.sub(r"<[^>]+>", " ", page.text.split("<main", 1)[-1])
    for english in ("Background jobs", "Retrying", "Queue lag", "Failed jobs", "Drop"):
        assert english not in visible, english
    # The drop, in the security log: the event and its job in Chinese
    assert client.post(f"/console/admin/jobs/{dead}/drop").status_code == 200
    log = client.get("/console/admin/security?kind=job_dropped").text
    assert "丢弃了失败的后台任务" in log and f"后台任务 #{dead}" in log
    assert "Failed background job" not in log and "background job #" not in log


def test_every_topic_has_a_name_in_both_languages() -> None:
    """A topic shows on the page by what it does (data/jobs/topics.yaml), not by its key."""
    from ledgerdesk.composition import load_handlers
    from ledgerdesk.core import i18n
    from ledgerdesk.jobs.admin import topic_label, topic_names

    load_handlers()
    registered = {t for t in outbox.HANDLERS if not t.startswith("test.")}
    assert registered - set(topic_names()) == set()
    for topic, (english, chinese) in topic_names().items():
        assert english and chinese and english != chinese, topic
    i18n.set_locale("zh-CN")
    assert topic_label("mail.customer") == "发给客户的邮件"
    i18n.set_locale("en")
    assert topic_label("mail.customer") == "E-mail to a customer"
    assert topic_label("a.plugin_topic") == "a.plugin_topic"
