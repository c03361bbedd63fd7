"""Triage and routing over the JSON API on both databases: admins edit and reorder the rules,
agents read triage results and correct intents, everyone else is refused, and bad input gets a
specific 4xx with nothing stored. Predictions come from the real bundled model (being retrained:
only structure is asserted, never a label for an ambiguous text)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.jobs.outbox import run_pending
from ledgerdesk.routing import services as svc
from ledgerdesk.routing.models import RoutingRule, TrainingExample, TriagePrediction
from tests.conftest import bearer, unique
from tests.tickets.test_api import open_ticket, portal_login

# Customer messages queue their triage job here, as in production (conftest turns it off).
pytestmark = pytest.mark.usefixtures("triage_on")

DEPOSIT = {
    "subject": "USDT deposit not credited",
    "body": "I sent 500 USDT on TRC20 three hours ago and it is still not in my account.",
}


# --- helpers shared with test_console.py --------------------------------------------------------


def customer_email() -> str:
    """A new requester per ticket: the seeded customers' ticket lists are asserted elsewhere."""
    return f"{unique('routing')}@example.com"


def rule_ids(app: Any) -> set[int]:
    with app.state.sessionmaker() as session:
        return set(session.scalars(select(RoutingRule.id)))


def delete_rules_except(app: Any, keep: set[int]) -> None:
    """Rules are committed and would route every later test's tickets: remove the new ones."""
    with app.state.sessionmaker() as session:
        for rule in svc.list_rules(session):
            if rule.id not in keep:
                svc.do_delete_rule(session, SYSTEM, rule)
        session.commit()


def rule_count(app: Any, name: str | None = None) -> int:
    query = select(func.count()).select_from(RoutingRule)
    if name is not None:
        query = query.where(RoutingRule.name == name)
    with app.state.sessionmaker() as session:
        return session.scalar(query) or 0


def wait_for_triage(app: Any, ticket_id: int, timeout: float = 30.0) -> None:
    """Run the outbox until the ticket's opening message is triaged (the embedded worker may
    get there first; it shares the queue without running a job twice)."""
    factory = app.state.sessionmaker
    deadline = time.monotonic() + timeout
    while True:
        run_pending(factory)
        with factory() as session:
            found = session.scalar(
                select(TriagePrediction.id).where(TriagePrediction.ticket_id == ticket_id)
            )
        if found is not None:
            return
        assert time.monotonic() < deadline, f"ticket #{ticket_id} was not triaged"
        time.sleep(0.05)


def examples_of(app: Any, ticket_id: int) -> list[TrainingExample]:
    with app.state.sessionmaker() as session:
        return list(
            session.scalars(select(TrainingExample).where(TrainingExample.ticket_id == ticket_id))
        )


def triaged_ticket(client: TestClient, app: Any, seeded: dict[str, Any]) -> dict[str, Any]:
    """A new customer's ticket in the seeded L1 team (so triage keeps the team), triaged."""
    ticket = open_ticket(
        client, seeded["agent_token"], customer_email(), team_id=seeded["l1"], **DEPOSIT
    )
    wait_for_triage(app, ticket["id"])
    return ticket


@pytest.fixture(autouse=True)
def _remove_new_rules(app: Any) -> Iterator[None]:
    before = rule_ids(app)
    yield
    delete_rules_except(app, before)


# --- rules ------------------------------------------------------------------------------------


def test_rule_crud_and_reorder(client: TestClient, app: Any, seeded: dict[str, Any]) -> None:
    admin = bearer(seeded["admin_token"])
    names = [unique("rule") for _ in range(3)]
    created = []
    for name in names:
        response = client.post(
            "/api/v1/routing/rules",
            json={"name": f"  {name}  ", "languages": ["zh-Hant"], "tag": "api-test"},
            headers=admin,
        )
        assert response.status_code == 201, response.text
        created.append(response.json())
    assert [r["name"] for r in created] == names  # whitespace trimmed
    assert created[0]["enabled"] is True and created[0]["vip"] is None
    ids = [r["id"] for r in created]

    def order() -> list[int]:
        listed = client.get("/api/v1/routing/rules", headers=admin)
        assert listed.status_code == 200
        return [r["id"] for r in listed.json()["items"] if r["id"] in ids]

    assert order() == ids
    updated = client.put(
        f"/api/v1/routing/rules/{ids[1]}",
        json={
            "name": names[1] + " v2",
            "intents": ["deposit_missing", "withdrawal_delayed"],
            "vip": True,
            "team_id": seeded["l1"],
            "priority": "high",
            "stop": True,
            "enabled": False,
        },
        headers=admin,
    )
    assert updated.status_code == 200, updated.text
    body = updated.json()
    assert body["name"] == names[1] + " v2" and body["team_id"] == seeded["l1"]
    assert body["intents"] == ["deposit_missing", "withdrawal_delayed"] and body["tag"] is None
    assert (body["priority"], body["stop"], body["enabled"], body["vip"]) == (
        "high",
        True,
        False,
        True,
    )

    moved = client.post(f"/api/v1/routing/rules/{ids[2]}/move", json={"offset": -2}, headers=admin)
    assert moved.status_code == 200, moved.text
    assert order() == [ids[2], ids[0], ids[1]]
    client.post(f"/api/v1/routing/rules/{ids[2]}/move", json={"offset": 1}, headers=admin)
    assert order() == [ids[0], ids[2], ids[1]]

    assert client.delete(f"/api/v1/routing/rules/{ids[0]}", headers=admin).status_code == 204
    assert order() == [ids[2], ids[1]]
    gone = client.put(
        f"/api/v1/routing/rules/{ids[0]}", json={"name": "x", "stop": True}, headers=admin
    )
    assert gone.status_code == 404 and "not found" in gone.json()["error"]["message"]
    assert client.delete(f"/api/v1/routing/rules/{ids[0]}", headers=admin).status_code == 404


def test_rules_are_for_admins(client: TestClient, app: Any, seeded: dict[str, Any]) -> None:
    rule = {"name": unique("rule"), "tag": "nope"}
    with app.state.sessionmaker() as session:
        existing = svc.do_create_rule(
            session, SYSTEM, svc.RuleIn(name=unique("r"), stop=True, enabled=False)
        )
        session.commit()
        rule_id = existing.id
    for who in ("agent", "lead"):
        headers = bearer(seeded[f"{who}_token"])
        assert client.get("/api/v1/routing/rules", headers=headers).status_code == 403
        refused = client.post("/api/v1/routing/rules", json=rule, headers=headers)
        assert refused.status_code == 403 and "admin" in refused.json()["error"]["message"]
        url = f"/api/v1/routing/rules/{rule_id}"
        assert client.put(url, json=rule, headers=headers).status_code == 403
        assert client.post(url + "/move", json={"offset": 1}, headers=headers).status_code == 403
        assert client.delete(url, headers=headers).status_code == 403
    assert client.get("/api/v1/routing/rules").status_code == 401
    portal_login(client, app, seeded["alice"].email)
    assert client.post("/api/v1/routing/rules", json=rule).status_code == 403
    assert rule_count(app, rule["name"]) == 0 and rule_id in rule_ids(app)


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"intents": ["not_an_intent"], "tag": "t"}, "intents", "Unknown intent(s): not_an_intent"),
        ({"team_id": 999_999_999, "tag": "t"}, "team_id", "Team 999999999 does not exist"),
        ({"name": "", "tag": "t"}, "name", "at least 1 character"),
        ({"name": "   ", "tag": "t"}, "name", "at least 1 character"),
        ({"languages": ["en"]}, None, "A rule must do something"),
        ({"name": "x" * 10_240, "tag": "t"}, "name", "at most 120 characters"),
        ({"languages": ["fr"], "tag": "t"}, "languages", "Unknown language(s): fr"),
        ({"priority": "critical"}, "priority", "Priority must be one of low, normal"),
        ({"tag": "t", "colour": "red"}, "colour", "Extra inputs are not permitted"),
        ({"intents": "deposit_missing", "tag": "t"}, "intents", "valid list"),
        ({"intents": ["x" * 5000], "tag": "t"}, "intents.0", "at most 64 characters"),
        ({"vip": "perhaps", "tag": "t"}, "vip", "valid boolean"),
        ({"name": "a\x00b", "tag": "t"}, "name", "must not contain control characters"),
        ({"team_id": 2**40, "tag": "t"}, "team_id", "less than or equal to 2147483647"),
    ],
)
def test_bad_rules_are_refused(
    client: TestClient,
    app: Any,
    seeded: dict[str, Any],
    payload: dict[str, Any],
    field: str | None,
    message: str,
) -> None:
    admin = bearer(seeded["admin_token"])
    before = rule_count(app)
    data = {"name": unique("bad"), **payload}
    response = client.post("/api/v1/routing/rules", json=data, headers=admin)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert message in error["message"]
    if field is not None:
        fields = [d["field"] for d in error.get("details", [])] or [error.get("field")]
        assert field in fields
    assert rule_count(app) == before
    # The same checks guard an update; the rule is left as it was.
    good = client.post(
        "/api/v1/routing/rules",
        json={"name": unique("ok"), "stop": True, "enabled": False},
        headers=admin,
    )
    rule_id = good.json()["id"]
    refused = client.put(f"/api/v1/routing/rules/{rule_id}", json=data, headers=admin)
    assert refused.status_code == 422 and message in refused.json()["error"]["message"]
    kept = client.get("/api/v1/routing/rules", headers=admin).json()["items"]
    assert next(r for r in kept if r["id"] == rule_id)["name"] == good.json()["name"]


def test_malformed_json_is_400(client: TestClient, seeded: dict[str, Any]) -> None:
    response = client.post(
        "/api/v1/routing/rules",
        content=b"{name: oops",
        headers={**bearer(seeded["admin_token"]), "Content-Type": "application/json"},
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_json"


# --- triage and corrections -----------------------------------------------------------------


def test_triage_results_of_a_ticket(client: TestClient, app: Any, seeded: dict[str, Any]) -> None:
    ticket = triaged_ticket(client, app, seeded)
    response = client.get(
        f"/api/v1/tickets/{ticket['id']}/triage", headers=bearer(seeded["agent_token"])
    )
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert len(items) == 1
    first = items[0]
    assert first["ticket_id"] == ticket["id"] and first["message_id"] is not None
    assert first["language"] == "en" and first["model_version"]
    assert 0.0 <= first["intent_confidence"] <= 1.0 and isinstance(first["uncertain"], bool)
    assert first["priority"] in ("low", "normal", "high", "urgent") and first["reasons"]
    assert all(set(a) == {"intent", "confidence"} for a in first["alternatives"])
    # A customer reply is triaged too; the newest comes first.
    portal_login(client, app, ticket["requester"]["email"])
    reply = client.post(
        f"/api/v1/tickets/{ticket['id']}/messages",
        json={"body": "Still nothing after 5 hours, TxID 9f2c…, please check!"},
    )
    assert reply.status_code == 201, reply.text
    client.cookies.clear()
    deadline = time.monotonic() + 30
    while True:
        run_pending(app.state.sessionmaker)
        listed = client.get(
            f"/api/v1/tickets/{ticket['id']}/triage", headers=bearer(seeded["agent_token"])
        ).json()["items"]
        if len(listed) == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert [p["message_id"] for p in listed] == sorted(
        (p["message_id"] for p in listed), reverse=True
    )
    assert listed[0]["message_id"] == reply.json()["id"]


def test_correct_intent(client: TestClient, app: Any, seeded: dict[str, Any]) -> None:
    ticket = triaged_ticket(client, app, seeded)
    agent = bearer(seeded["agent_token"])
    url = f"/api/v1/tickets/{ticket['id']}/intent"
    first = client.post(url, json={"intent": "fees_question"}, headers=agent)
    assert first.status_code == 200, first.text
    example = first.json()
    assert example["ticket_id"] == ticket["id"] and example["intent"] == "fees_question"
    assert example["agent_id"] == seeded["agent"].id and example["previous_intent"]
    assert example["language"] == "en" and example["model_version"]
    detail = client.get(f"/api/v1/tickets/{ticket['id']}", headers=agent).json()
    assert detail["intent"] == "fees_question"

    second = client.post(url, json={"intent": " kyc_verification "}, headers=agent)
    assert second.status_code == 200, second.text
    assert second.json()["id"] == example["id"] and second.json()["intent"] == "kyc_verification"
    rows = examples_of(app, ticket["id"])
    assert [(r.label, r.previous_label) for r in rows] == [
        ("kyc_verification", example["previous_intent"])
    ]
    assert "USDT deposit not credited" in rows[0].text
    events = client.get(f"/api/v1/tickets/{ticket['id']}/events", headers=agent).json()
    assert sum(e["action"] == "triage.intent_corrected" for e in events) == 2


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        ({"intent": "not_a_label"}, 422, "Unknown intent 'not_a_label'"),
        ({"intent": ""}, 422, "at least 1 character"),
        ({"intent": "x" * 10_240}, 422, "at most 64 characters"),
        ({}, 422, "intent: Field required"),
        ({"intent": "how_to", "label": "how_to"}, 422, "Extra inputs are not permitted"),
        ({"intent": 7}, 422, "valid string"),
    ],
)
def test_bad_corrections_are_refused(
    client: TestClient,
    app: Any,
    seeded: dict[str, Any],
    payload: dict[str, Any],
    status: int,
    message: str,
) -> None:
    ticket = open_ticket(client, seeded["agent_token"], customer_email(), **DEPOSIT)
    response = client.post(
        f"/api/v1/tickets/{ticket['id']}/intent", json=payload, headers=bearer(seeded["lead_token"])
    )
    assert response.status_code == status, response.text
    assert message in response.json()["error"]["message"]
    assert examples_of(app, ticket["id"]) == []


def test_customers_never_see_or_correct_triage(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    ticket = triaged_ticket(client, app, seeded)
    portal_login(client, app, ticket["requester"]["email"])
    assert client.get(f"/api/v1/tickets/{ticket['id']}").status_code == 200  # her own ticket
    refused = client.post(f"/api/v1/tickets/{ticket['id']}/intent", json={"intent": "how_to"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_permitted"
    assert client.get(f"/api/v1/tickets/{ticket['id']}/triage").status_code == 403
    client.cookies.clear()
    assert client.get(f"/api/v1/tickets/{ticket['id']}/triage").status_code == 401
    assert examples_of(app, ticket["id"]) == []


def test_agent_who_cannot_see_the_ticket_gets_404(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    ticket = triaged_ticket(client, app, seeded)  # in the L1 team
    outsider = bearer(seeded["security_agent_token"])
    assert client.get(f"/api/v1/tickets/{ticket['id']}/triage", headers=outsider).status_code == 404
    refused = client.post(
        f"/api/v1/tickets/{ticket['id']}/intent", json={"intent": "how_to"}, headers=outsider
    )
    assert refused.status_code == 404 and f"#{ticket['id']} not found" in refused.text
    assert examples_of(app, ticket["id"]) == []
    missing = client.get("/api/v1/tickets/999999999/triage", headers=outsider)
    assert missing.status_code == 404


def test_openapi_documents_the_routes(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"get"} <= set(paths["/api/v1/tickets/{ticket_id}/triage"])
    assert {"post"} <= set(paths["/api/v1/tickets/{ticket_id}/intent"])
    assert {"get", "post"} <= set(paths["/api/v1/routing/rules"])
    assert {"put", "delete"} <= set(paths["/api/v1/routing/rules/{rule_id}"])
    assert not any(p.startswith("/console/routing") for p in paths)
