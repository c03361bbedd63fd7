"""The reports page, its CSV files and the JSON API over the fixed history (both databases)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledgerdesk.core.clock import frozen_at
from ledgerdesk.reports import cache, facts
from tests.conftest import PASSWORD, bearer
from tests.reports.history import NOW, History, build

RANGE = {"start": "2020-03-02", "end": "2020-03-04"}


@pytest.fixture(autouse=True)
def _no_cached_figures() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def history(app: Any) -> History:
    """The history, committed once per database (without the global extras)."""
    with app.state.sessionmaker() as session:
        h = build(session, extras=False)
        facts.recompute(session, [t.id for t in h.tickets.values()])
        session.commit()
        for agent in (h.a, h.b, h.lead):
            session.refresh(agent)
        session.expunge_all()
        return h


def _login(client: TestClient, email: str) -> None:
    r = client.post(
        "/console/login", data={"email": email, "password": PASSWORD}, follow_redirects=False
    )
    assert r.status_code in (302, 303), r.text


def test_the_page_shows_the_figures_for_a_lead(client: TestClient, history: History) -> None:
    _login(client, history.lead.email)
    with frozen_at(NOW):
        r = client.get("/console/reports", params={**RANGE, "team_id": history.team.id})
    assert r.status_code == 200
    html = r.text
    assert 'id="n-created">5<' in html
    assert 'id="n-first-reply">45.0<' in html  # 2700 s
    assert 'id="n-resolution">300.0<' in html  # 18000 s
    assert 'id="n-one-touch">33.3<' in html and 'id="n-reopen">33.3<' in html
    assert html.count("<svg") >= 4 and 'href="/console/reports/problems"' in html
    assert history.a.name in html  # the per-agent table
    assert 'id="csv-agents"' in html


def test_chinese_page(client: TestClient, history: History) -> None:
    _login(client, history.lead.email)
    client.post("/lang", data={"lang": "zh-CN", "next": "/console/reports"})
    r = client.get("/console/reports", params={**RANGE, "team_id": history.team.id})
    assert r.status_code == 200 and "报表" in r.text and "首次回复" in r.text


def test_agents_cannot_open_reports(client: TestClient, history: History) -> None:
    _login(client, history.a.email)
    assert client.get("/console/reports").status_code == 403
    assert client.get("/console/reports/export", params={"table": "agents"}).status_code == 403


def test_bad_filters_are_a_4xx(client: TestClient, history: History) -> None:
    _login(client, history.lead.email)
    later = client.get("/console/reports", params={"start": "2020-03-05", "end": "2020-03-01"})
    assert later.status_code == 422 and "The start date is after the end date" in later.text
    assert 'id="report-filters"' in later.text  # the form stays, to correct it
    for params in (
        {"start": "2020-99-01"},
        {"channel": "pigeon"},
        {"team_id": "x"},
        {"language": "xx"},
    ):
        assert client.get("/console/reports", params=params).status_code == 422, params
    assert client.get("/console/reports/export", params={"table": "nope"}).status_code == 422
    blank = client.get("/console/reports", params={"start": "", "team_id": "0", "channel": ""})
    assert blank.status_code == 200  # an empty form field means "any"


def _csv(client: TestClient, history: History, table: str) -> list[list[str]]:
    r = client.get(
        "/console/reports/export", params={**RANGE, "team_id": history.team.id, "table": table}
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))


def test_csv_of_every_table(client: TestClient, history: History) -> None:
    _login(client, history.lead.email)
    daily = _csv(client, history, "daily")
    assert daily == [
        ["Day", "Created", "Solved"],
        ["2020-03-02", "2", "2"],
        ["2020-03-03", "2", "0"],
        ["2020-03-04", "1", "1"],
    ]
    agents = {row[0]: row[1:] for row in _csv(client, history, "agents")[1:]}
    assert agents[history.a.name] == ["3", "30.0", "2", "1", "840.0"]
    assert agents[history.b.name] == ["1", "120.0", "1", "0", "300.0"]
    for table in ("summary", "intents", "channel", "language", "team", "sla", "backlog"):
        assert len(_csv(client, history, table)) >= 2
    client.post("/lang", data={"lang": "zh-CN", "next": "/console/reports"})
    zh = client.get(
        "/console/reports/export",
        params={**RANGE, "team_id": history.team.id, "table": "language"},
    )
    assert "简体中文" in zh.content.decode("utf-8-sig")


def test_api_gives_the_same_figures(client: TestClient, history: History, seeded: Any) -> None:
    params = {**RANGE, "team_id": history.team.id}
    r = client.get("/api/v1/reports/summary", params=params, headers=bearer(seeded["lead_token"]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["created"] == 5
    assert body["first_reply"] == {"count": 4, "median_seconds": 2700.0, "p90_seconds": 6120.0}
    assert body["resolution"]["p90_seconds"] == 78480.0
    assert (body["one_touch_rate"], body["reopen_rate"]) == (0.3333, 0.3333)
    assert body["by_language"] == [
        {"language": "en", "tickets": 3},
        {"language": "zh-CN", "tickets": 2},
    ]
    agents = client.get(
        "/api/v1/reports/agents", params=params, headers=bearer(seeded["admin_token"])
    ).json()["items"]
    mine = {a["agent_id"]: a for a in agents}
    assert mine[history.a.id]["resolution_median_seconds"] == 50400.0
    refused = client.get("/api/v1/reports/agents", headers=bearer(seeded["agent_token"]))
    assert refused.status_code == 403
    bad = client.get(
        "/api/v1/reports/summary",
        params={"team_id": "x"},
        headers=bearer(seeded["lead_token"]),
    )
    assert bad.status_code == 422 and bad.json()
