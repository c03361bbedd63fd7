"""The routing console and the ticket page's triage panel over HTTP on both databases: admins
edit the rules, leads review corrections and download them, agents see triage on the ticket and
correct the intent; refused input is answered in the page with what was typed, and customers
never see any of it."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.core.settings import get_settings
from ledgerdesk.core.text import clean
from ledgerdesk.routing import console as routing_console
from ledgerdesk.routing import services as svc
from ledgerdesk.routing.models import RoutingRule
from ledgerdesk.web.labels import label
from tests.conftest import bearer, unique
from tests.routing.test_api import (
    DEPOSIT,
    customer_email,
    delete_rules_except,
    examples_of,
    rule_count,
    rule_ids,
    triaged_ticket,
)
from tests.tickets.test_api import open_ticket, portal_login
from tests.tickets.test_views import console_login

pytestmark = pytest.mark.usefixtures("triage_on")


@pytest.fixture(autouse=True)
def _remove_new_rules(app: Any) -> Iterator[None]:
    before = rule_ids(app)
    yield
    delete_rules_except(app, before)


def rule_named(app: Any, name: str) -> RoutingRule | None:
    with app.state.sessionmaker() as session:
        return session.scalars(select(RoutingRule).where(RoutingRule.name == name)).first()


def rule_form(name: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, "enabled": "1", **fields}


# --- access -----------------------------------------------------------------------------------


def test_routing_pages_need_the_right_role(client: TestClient, seeded: dict[str, Any]) -> None:
    paths = ("/console/routing/rules", "/console/routing/corrections", "/console/routing")
    for path in (*paths, "/console/routing/corrections.csv"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith(
            "/console/login"
        )
    posted = client.post("/console/routing/rules", data=rule_form("x", tag="t"))
    assert posted.url.path == "/console/login"

    console_login(client, seeded["agent"].email)
    for path in paths:
        refused = client.get(path)
        assert refused.status_code == 403 and "can do this" in refused.text
    assert 'id="nav-routing"' not in client.get("/console/inbox").text
    name = unique("rule")
    refused = client.post("/console/routing/rules", data=rule_form(name, tag="t"))
    assert refused.status_code == 403 and rule_named(client.app, name) is None

    console_login(client, seeded["lead"].email)
    assert client.get("/console/routing/rules").status_code == 403
    assert client.get("/console/routing/corrections").status_code == 200
    home = client.get("/console/routing", follow_redirects=False)
    assert home.headers["location"] == "/console/routing/corrections"
    assert 'id="nav-routing"' in client.get("/console/inbox").text

    console_login(client, seeded["admin"].email)
    home = client.get("/console/routing", follow_redirects=False)
    assert home.headers["location"] == "/console/routing/rules"
    page = client.get("/console/routing/rules")
    assert page.status_code == 200 and 'id="new-rule"' in page.text
    assert "first rule that names a team decides the team, priority only ever rises" in page.text


def test_rules_page_in_chinese(client: TestClient, seeded: dict[str, Any]) -> None:
    console_login(client, seeded["admin"].email)
    client.post("/lang", data={"lang": "zh-CN", "next": "/console/routing/rules"})
    page = client.get("/console/routing/rules")
    assert page.status_code == 200 and "路由规则" in page.text and "优先级只升不降" in page.text


# --- rules ------------------------------------------------------------------------------------


def test_admin_creates_edits_moves_and_deletes_rules(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    console_login(client, seeded["admin"].email)
    first, second = unique("rule"), unique("rule")
    created = client.post(
        "/console/routing/rules",
        data=rule_form(
            first,
            intents=["deposit_missing", "withdrawal_delayed"],
            languages=["zh-Hant"],
            vip="yes",
            distressed="no",
            team_id=str(seeded["security"]),
            priority="urgent",
            tag="console-test",
            stop="1",
        ),
        follow_redirects=False,
    )
    assert created.status_code == 303 and created.headers["location"] == "/console/routing/rules"
    rule = rule_named(app, first)
    assert rule is not None
    assert rule.intents == ["deposit_missing", "withdrawal_delayed"]
    assert (rule.languages, rule.vip, rule.distressed, rule.uncertain) == (
        ["zh-Hant"],
        True,
        False,
        None,
    )
    assert (rule.team_id, rule.priority, rule.tag, rule.stop, rule.enabled) == (
        seeded["security"],
        "urgent",
        "console-test",
        True,
        True,
    )
    page = client.get("/console/routing/rules")
    assert f"Rule created: {first}" in page.text
    row = re.search(rf'<tr id="rule-{rule.id}".*?</tr>', page.text, re.S)
    assert row is not None
    assert "intent: Deposit missing, Withdrawal delayed" in row.group(0)
    assert "VIP: yes" in row.group(0) and "priority at least: Urgent" in row.group(0)

    client.post("/console/routing/rules", data={"name": second, "uncertain": "yes", "tag": "l1"})
    other = rule_named(app, second)
    assert other is not None and other.enabled is False  # the enabled box was not ticked

    edit = client.get(f"/console/routing/rules/{rule.id}")
    assert edit.status_code == 200 and f'value="{first}"' in edit.text
    assert re.search(r'value="deposit_missing"\s+checked', edit.text)
    saved = client.post(
        f"/console/routing/rules/{rule.id}",
        data={"name": first + " v2", "languages": ["en", "zh-Hans"], "priority": "high"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    with app.state.sessionmaker() as session:
        changed = svc.access_rule(session, rule.id)
        assert (changed.name, changed.languages, changed.priority, changed.team_id) == (
            first + " v2",
            ["en", "zh-Hans"],
            "high",
            None,
        )
        assert (changed.intents, changed.vip, changed.stop, changed.enabled) == (
            [],
            None,
            False,
            False,
        )

    def order() -> list[int]:
        text = client.get("/console/routing/rules").text
        found = [int(x) for x in re.findall(r'<tr id="rule-(\d+)"', text)]
        return [i for i in found if i in (rule.id, other.id)]

    assert order() == [rule.id, other.id]
    moved = client.post(
        f"/console/routing/rules/{other.id}/move", data={"direction": "up"}, follow_redirects=False
    )
    assert moved.status_code == 303
    assert order() == [other.id, rule.id]
    client.post(f"/console/routing/rules/{other.id}/move", data={"direction": "down"})
    assert order() == [rule.id, other.id]
    bad_move = client.post(f"/console/routing/rules/{other.id}/move", data={"direction": "left"})
    assert bad_move.status_code == 422 and "up" in bad_move.text

    deleted = client.post(f"/console/routing/rules/{rule.id}/delete")
    assert deleted.status_code == 200 and f"Rule deleted: {first} v2" in deleted.text
    assert rule_named(app, first + " v2") is None
    assert client.get(f"/console/routing/rules/{rule.id}").status_code == 404
    assert client.post(f"/console/routing/rules/{rule.id}/delete").status_code == 404


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"intents": ["deposit_missing", "not_an_intent"], "tag": "t"},
            "Unknown intent(s): not_an_intent",
        ),
        ({"team_id": "999999999", "tag": "t"}, "Team 999999999 does not exist"),
        ({"team_id": "security", "tag": "t"}, "is not a team"),
        ({"name": "   ", "tag": "t"}, "A rule needs a name"),
        ({"languages": ["en"], "vip": "yes"}, "A rule must do something"),
        ({"name": "n" * 10_240, "tag": "t"}, "The name is longer than 120 characters"),
        ({"vip": "maybe", "tag": "t"}, "not a choice for VIP: any, yes or no"),
        ({"priority": "critical"}, "Priority must be one of low, normal, high, urgent"),
        ({"tag": "bad tag with spaces"}, "is not valid: use letters, digits"),
        ({"name": "a\x00b", "tag": "t"}, "The name contains control characters"),
        ({"team_id": "99999999999", "tag": "t"}, "is not a team"),
        ({"team_id": "²", "tag": "t"}, "is not a team"),
    ],
)
def test_refused_rule_keeps_what_was_typed(
    client: TestClient, app: Any, seeded: dict[str, Any], fields: dict[str, Any], message: str
) -> None:
    console_login(client, seeded["admin"].email)
    before = rule_count(app)
    data = {"name": unique("typed"), "enabled": "1", **fields}
    page = client.post("/console/routing/rules", data=data)
    assert page.status_code == 422, page.text[:500]
    assert message in page.text and 'id="new-rule"' in page.text
    assert f'value="{clean(data["name"])[:120]}' in page.text or not data["name"].strip()
    if "languages" in fields:
        assert re.search(r'value="en"\s+checked', page.text)
    if "deposit_missing" in fields.get("intents", []):
        assert re.search(r'value="deposit_missing"\s+checked', page.text)
    if fields.get("vip") == "yes":
        assert re.search(r'value="yes"\s+selected', page.text)
    assert rule_count(app) == before

    with app.state.sessionmaker() as session:
        kept = svc.do_create_rule(
            session, SYSTEM, svc.RuleIn(name=unique("kept"), tag="k", enabled=False)
        )
        session.commit()
        kept_id, kept_name = kept.id, kept.name
    edit = client.post(f"/console/routing/rules/{kept_id}", data=data)
    assert edit.status_code == 422 and message in edit.text and 'id="edit-rule"' in edit.text
    assert rule_named(app, kept_name) is not None


# --- the ticket page ------------------------------------------------------------------------


def test_ticket_page_shows_triage(client: TestClient, app: Any, seeded: dict[str, Any]) -> None:
    console_login(client, seeded["admin"].email)
    name = unique("english")
    client.post("/console/routing/rules", data=rule_form(name, languages=["en"], tag="en-queue"))
    ticket = triaged_ticket(client, app, seeded)
    triage = client.get(
        f"/api/v1/tickets/{ticket['id']}/triage", headers=bearer(seeded["agent_token"])
    ).json()["items"][0]
    assert name in [r["name"] for r in triage["rules"]]
    console_login(client, seeded["agent"].email)
    page = client.get(f"/console/tickets/{ticket['id']}")
    assert page.status_code == 200
    panel = re.search(r'<div class="card triage" id="triage-panel">.*?</form>', page.text, re.S)
    assert panel is not None, page.text
    html = panel.group(0)
    assert 'id="triage-intent"' in html and "%" in html
    assert "language: English" in html and 'id="triage-sentiment"' in html
    assert 'id="triage-priority"' in html and "intent " in html  # the priority's reasons
    assert name in html  # the matched rule
    assert f"<code>{triage['model_version']}</code>" in html
    assert f"<strong>{label(triage['intent'])}</strong>" in html
    assert f'action="/console/tickets/{ticket["id"]}/intent"' in html
    assert re.search(r'<option value="[a-z_0-9]+" selected>', html)
    assert "en-queue" in page.text  # the rule's tag landed on the ticket

    portal_login(client, app, ticket["requester"]["email"])
    portal = client.get(f"/portal/tickets/{ticket['id']}")
    assert portal.status_code == 200 and "USDT deposit not credited" in portal.text
    assert "triage" not in portal.text.lower() and "en-queue" not in portal.text


def test_ticket_page_before_triage(
    client: TestClient, seeded: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEDGERDESK_TRIAGE", "false")
    get_settings.cache_clear()
    ticket = open_ticket(client, seeded["agent_token"], customer_email(), team_id=seeded["l1"])
    console_login(client, seeded["agent"].email)
    page = client.get(f"/console/tickets/{ticket['id']}")
    assert page.status_code == 200 and 'id="triage-panel"' in page.text
    assert "Not triaged yet." in page.text and 'id="intent-form"' in page.text


def test_correcting_the_intent_in_the_console(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    ticket = triaged_ticket(client, app, seeded)
    console_login(client, seeded["agent"].email)
    url = f"/console/tickets/{ticket['id']}/intent"
    done = client.post(url, data={"intent": "fees_question"}, follow_redirects=False)
    assert (
        done.status_code == 303 and done.headers["location"] == f"/console/tickets/{ticket['id']}"
    )
    page = client.get(done.headers["location"])
    assert "Intent corrected: Fees question" in page.text
    assert 'id="triage-corrected"' in page.text
    assert re.search(r'<option value="fees_question" selected>', page.text)
    again = client.post(url, data={"intent": "two_factor_reset"})
    assert again.status_code == 200 and "Intent corrected: 2FA reset" in again.text
    rows = examples_of(app, ticket["id"])
    assert [r.label for r in rows] == ["two_factor_reset"]
    assert client.get(f"/api/v1/tickets/{ticket['id']}").json()["intent"] == "two_factor_reset"

    refused = client.post(url, data={"intent": "made_up"})
    assert refused.status_code == 422 and "Unknown intent &#39;made_up&#39;" in refused.text
    assert 'id="triage-panel"' in refused.text  # answered on the ticket page
    assert [r.label for r in examples_of(app, ticket["id"])] == ["two_factor_reset"]

    console_login(client, seeded["lead"].email)
    listed = client.get("/console/routing/corrections")
    assert listed.status_code == 200
    row = re.search(rf'<tr data-example="{rows[0].id}">.*?</tr>', listed.text, re.S)
    assert row is not None
    html = row.group(0)
    assert f'href="/console/tickets/{ticket["id"]}"' in html and "USDT deposit not credited" in html
    assert label(rows[0].previous_label) in html and "→ 2FA reset" in html
    assert seeded["agent"].name in html and "%" in html

    download = client.get("/console/routing/corrections.csv")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert download.headers["content-disposition"].startswith("attachment;")
    records = list(csv.DictReader(io.StringIO(download.text)))
    mine = [
        r
        for r in records
        if "USDT deposit not credited" in r["text"] and r["category"] == "two_factor_reset"
    ]
    assert mine and mine[0]["source"] == "correction" and mine[0]["language"] == "en"
    assert {r["source"] for r in records} == {"correction"}
    bundled = client.get("/console/routing/corrections.csv", params={"bundled": "1"})
    assert bundled.status_code == 200 and "attachment" in bundled.headers["content-disposition"]
    sources = {r["source"] for r in csv.DictReader(io.StringIO(bundled.text))}
    assert sources == {"bundled", "correction"}


def test_corrections_are_paged(
    client: TestClient, app: Any, seeded: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(routing_console, "PER_PAGE", 1)
    tickets = [
        open_ticket(client, seeded["lead_token"], customer_email(), **DEPOSIT) for _ in range(2)
    ]
    for ticket in tickets:
        corrected = client.post(
            f"/api/v1/tickets/{ticket['id']}/intent",
            json={"intent": "how_to"},
            headers=bearer(seeded["lead_token"]),
        )
        assert corrected.status_code == 200, corrected.text
    console_login(client, seeded["admin"].email)
    first = client.get("/console/routing/corrections")
    assert f'href="/console/tickets/{tickets[1]["id"]}"' in first.text  # newest first
    assert f'href="/console/tickets/{tickets[0]["id"]}"' not in first.text
    assert 'href="?page=2"' in first.text and "Previous" not in first.text
    second = client.get("/console/routing/corrections", params={"page": 2})
    assert f'href="/console/tickets/{tickets[0]["id"]}"' in second.text
    assert 'href="?page=1"' in second.text
    beyond = client.get("/console/routing/corrections", params={"page": 100_000})
    assert beyond.status_code == 200 and "No more corrections." in beyond.text
    assert client.get("/console/routing/corrections", params={"page": "x"}).status_code == 422


def test_who_may_correct_in_the_console(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    ticket = open_ticket(
        client, seeded["agent_token"], customer_email(), team_id=seeded["l1"], **DEPOSIT
    )
    url = f"/console/tickets/{ticket['id']}/intent"
    portal_login(client, app, ticket["requester"]["email"])
    customer = client.post(url, data={"intent": "how_to"}, follow_redirects=False)
    assert customer.status_code == 303 and customer.headers["location"].startswith("/console/login")
    console_login(client, seeded["security_agent"].email)
    outsider = client.post(url, data={"intent": "how_to"})
    assert outsider.status_code == 404 and f"#{ticket['id']} not found" in outsider.text
    assert examples_of(app, ticket["id"]) == []


def _outcome_row(page: str, key: str) -> str:
    found = re.search(rf'<li data-field="{key}">(.*?)</li>', page, re.S)
    assert found is not None, page
    return " ".join(found.group(1).split())


def test_panel_shows_what_triage_suggested_and_what_the_ticket_holds_now(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    from ledgerdesk.accounts.models import Agent
    from ledgerdesk.accounts.services import agent_actor
    from ledgerdesk.tickets import services as tickets
    from ledgerdesk.tickets.models import Ticket

    ticket = triaged_ticket(client, app, seeded)
    lead = seeded["lead"]
    with app.state.sessionmaker() as session:
        row = session.get(Ticket, ticket["id"])
        assert row is not None and row.intent == "deposit_missing"
        actor = agent_actor(session.get(Agent, lead.id))  # type: ignore[arg-type]
        tickets.do_assign(session, actor, row, team_id=seeded["security"])
        session.commit()
    console_login(client, seeded["admin"].email)
    client.post(f"/console/tickets/{ticket['id']}/intent", data={"intent": "fees_question"})
    page = client.get(f"/console/tickets/{ticket['id']}").text
    intent = _outcome_row(page, "intent")
    assert "triage suggested <strong>Deposit missing</strong>" in intent
    assert "now <strong>Fees question</strong>" in intent
    assert f"(changed by {seeded['admin'].name})" in intent
    team = _outcome_row(page, "team")
    assert f"(changed by {lead.name})" in team and " · now " in team
    priority = _outcome_row(page, "priority")
    assert "triage suggested <strong>" in priority and "changed by" not in priority

    client.post("/lang", data={"lang": "zh-CN", "next": "/console"})
    chinese = client.get(f"/console/tickets/{ticket['id']}").text
    assert "分诊建议" in _outcome_row(chinese, "intent")
    assert f"由 {seeded['admin'].name} 修改" in _outcome_row(chinese, "intent")


def test_a_rule_that_cannot_fire_is_called_out(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    console_login(client, seeded["admin"].email)
    catch_all, specific = unique("catch-all"), unique("deposits")
    client.post("/console/routing/rules", data=rule_form(catch_all, team_id=str(seeded["l1"])))
    client.post(
        "/console/routing/rules",
        data=rule_form(specific, intents=["deposit_missing"], team_id=str(seeded["security"])),
    )
    first, second = rule_named(app, specific), rule_named(app, catch_all)
    assert first is not None and second is not None and first.position < second.position
    page = client.get("/console/routing/rules")
    assert f'id="rule-warning-{first.id}"' not in page.text
    moved = client.post(f"/console/routing/rules/{first.id}/move", data={"direction": "down"})
    assert moved.status_code == 200
    warning = f"Cannot set the team: “{catch_all}” above matches every message"
    assert warning in moved.text  # the flash after the move
    page = client.get("/console/routing/rules")
    assert f'id="rule-warning-{first.id}"' in page.text and warning in page.text
    assert warning in client.get(f"/console/routing/rules/{first.id}").text


def test_intent_correction_starts_empty_and_refuses_no_choice(
    client: TestClient, app: Any, seeded: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEDGERDESK_TRIAGE", "false")
    get_settings.cache_clear()
    ticket = open_ticket(client, seeded["agent_token"], customer_email(), team_id=seeded["l1"])
    console_login(client, seeded["agent"].email)
    page = client.get(f"/console/tickets/{ticket['id']}").text
    form = re.search(r'<form[^>]*id="intent-form".*?</form>', page, re.S)
    assert form is not None
    assert re.findall(r'<option value="([^"]*)"\s*selected', form.group(0)) == [""]
    assert "— choose —" in form.group(0)
    refused = client.post(f"/console/tickets/{ticket['id']}/intent", data={"intent": ""})
    assert refused.status_code == 422
    assert "Choose the intent this ticket is really about" in refused.text
    assert examples_of(app, ticket["id"]) == []
    assert client.get(f"/api/v1/tickets/{ticket['id']}").json()["intent"] is None
