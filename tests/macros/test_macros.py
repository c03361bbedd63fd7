"""Macros: bilingual bodies with placeholders (knowledge-base articles too), actions, personal
and shared, the guard on bodies, the API and the console (applying one on a ticket)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Role, Tier
from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.accounts.tokens import do_create_api_token
from ledgerdesk.core.errors import InvalidInput, NotFound, NotPermitted, TicketClosed
from ledgerdesk.kb import services as kb
from ledgerdesk.macros import services as svc
from ledgerdesk.macros.models import Macro
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets import timeline
from ledgerdesk.tickets.models import Event, Status, Ticket
from tests.conftest import (
    PASSWORD,
    actor_of,
    bearer,
    make_agent,
    make_customer,
    make_team,
    make_ticket,
)
from tests.search.test_pipeline import _new_article

SEED = "abandon " * 11 + "about"  # a valid BIP39 phrase


def _article(session: Session) -> str:
    """A published article with English and Chinese titles; its slug."""
    article = _new_article(session, "Deposit not credited", "Check the network first.")
    lead = make_agent(session, Role.lead)
    kb.do_save_translation(session, actor_of(lead), article, "zh-CN", "充值未到账", "先检查网络。")
    return article.slug


def test_placeholders_filled_in_the_tickets_language(db_session: Session) -> None:
    slug = _article(db_session)
    team = make_team(db_session, Tier.l2)
    agent = make_agent(db_session, Role.agent)
    macro = svc.do_create_macro(
        db_session,
        actor_of(agent),
        svc.MacroIn(
            name="Deposit check",
            body_en="Hi {{customer.name}} ({{ customer.external_id }}), #{{ticket.id}} "
            "“{{ticket.subject}}”: see {{kb:" + slug + "}} — {{agent.name}}",
            body_zh="{{customer.name}} 您好，请看 {{kb:" + slug + "}}",
            status="pending",
            tags=["deposit", "macro"],
            team_id=team.id,
        ),
    )
    customer = make_customer(db_session, name="Li Lei", external_id="UID-778899")
    en = make_ticket(db_session, customer, subject="USDT missing")
    applied = svc.do_apply_macro(db_session, actor_of(agent), en, macro)
    assert applied.body.startswith(f"Hi Li Lei (UID-778899), #{en.id} “USDT missing”: see ")
    assert "Deposit not credited: http" in applied.body
    assert applied.body.endswith(f"/help/articles/{slug} — {agent.name}")
    assert applied.status == "pending"
    assert en.status != Status.pending  # the status is set when the reply is sent
    assert (en.team_id, sorted(t.name for t in en.tags)) == (team.id, ["deposit", "macro"])
    event = db_session.scalars(
        select(Event).where(Event.ticket_id == en.id, Event.action == "macro.applied")
    ).one()
    assert event.after == {"macro_id": macro.id, "macro": "Deposit check"}
    (line,) = timeline.history(db_session, [event])
    assert line.action == "Macro applied"

    zh = make_ticket(db_session, customer, subject="充值没到", body="我的USDT充值没有到账")
    zh.language = "zh-Hans"
    body = svc.do_apply_macro(db_session, actor_of(agent), zh, macro).body
    assert body.startswith("Li Lei 您好，请看 充值未到账: http")


def test_english_only_macro_falls_back_and_unknown_placeholders_are_refused(
    db_session: Session,
) -> None:
    agent = make_agent(db_session)
    with pytest.raises(InvalidInput, match="Unknown placeholder"):
        svc.do_create_macro(
            db_session, actor_of(agent), svc.MacroIn("x", body_en="{{ticket.secret}}")
        )
    with pytest.raises(InvalidInput, match="No published help-center article"):
        svc.do_create_macro(db_session, actor_of(agent), svc.MacroIn("x", body_en="{{kb:nope}}"))
    with pytest.raises(InvalidInput, match="English, Chinese or both"):
        svc.do_create_macro(db_session, actor_of(agent), svc.MacroIn("x"))
    with pytest.raises(InvalidInput, match="Status must be"):
        svc.do_create_macro(db_session, actor_of(agent), svc.MacroIn("x", "b", status="closed"))
    macro = svc.do_create_macro(db_session, actor_of(agent), svc.MacroIn("Thanks", "Thank you!"))
    ticket = make_ticket(db_session)
    ticket.language = "zh"
    assert svc.do_apply_macro(db_session, actor_of(agent), ticket, macro).body == "Thank you!"


def test_the_guard_removes_a_secret_from_a_body_before_it_is_stored(db_session: Session) -> None:
    agent = make_agent(db_session)
    macro = svc.do_create_macro(
        db_session, actor_of(agent), svc.MacroIn("Restore", body_zh=f"助记词 {SEED}")
    )
    db_session.flush()
    db_session.expire(macro)
    assert "abandon" not in macro.body_zh and macro.body_zh.startswith("助记词 [")


def test_personal_and_shared(db_session: Session) -> None:
    ana, bo = make_agent(db_session), make_agent(db_session)
    lead = make_agent(db_session, Role.lead)
    mine = svc.do_create_macro(db_session, actor_of(ana), svc.MacroIn("Mine", "hello"))
    with pytest.raises(NotPermitted):
        svc.do_create_macro(db_session, actor_of(ana), svc.MacroIn("S", "x", shared=True))
    shared = svc.do_create_macro(db_session, actor_of(lead), svc.MacroIn("S", "x", shared=True))
    assert shared.owner_id is None and mine.owner_id == ana.id
    bo_sees = {m.id for m in svc.list_macros(db_session, actor_of(bo))}
    assert shared.id in bo_sees and mine.id not in bo_sees
    with pytest.raises(NotFound):
        svc.access_macro(db_session, actor_of(bo), mine.id)
    with pytest.raises(NotPermitted):
        svc.do_update_macro(db_session, actor_of(ana), shared, svc.MacroIn("S2", "y"))
    svc.do_update_macro(db_session, actor_of(lead), shared, svc.MacroIn("S2", "y"))
    assert (shared.name, shared.owner_id) == ("S2", None)  # still shared


def test_a_closed_ticket_takes_no_macro(db_session: Session) -> None:
    agent = make_agent(db_session)
    macro = svc.do_create_macro(db_session, actor_of(agent), svc.MacroIn("M", "hi"))
    ticket = make_ticket(db_session)
    tickets.do_set_status(db_session, SYSTEM, ticket, Status.solved, notify=False)
    tickets.do_set_status(db_session, SYSTEM, ticket, Status.closed)
    with pytest.raises(TicketClosed):
        svc.do_apply_macro(db_session, actor_of(agent), ticket, macro)


# --- API and console ------------------------------------------------------------------------


def _world(app: Any) -> dict[str, Any]:
    with app.state.sessionmaker() as session:
        team = make_team(session)
        agent = make_agent(session, Role.agent, [team])
        lead = make_agent(session, Role.lead, [team])
        customer = make_customer(session, name="Wang Fang")
        ticket = make_ticket(session, customer, subject="Withdrawal pending")
        tickets.do_assign(session, SYSTEM, ticket, team_id=team.id)
        world = {
            "team": team.id,
            "agent_email": agent.email,
            "agent_token": do_create_api_token(session, SYSTEM, agent, "t"),
            "lead_token": do_create_api_token(session, SYSTEM, lead, "t"),
            "ticket": ticket.id,
        }
        session.commit()
        return world


def test_api_crud_and_apply(client: TestClient, app: Any) -> None:
    w = _world(app)
    agent, lead = bearer(w["agent_token"]), bearer(w["lead_token"])
    body = {
        "name": "Pending",
        "body_en": "Dear {{customer.name}}, we are on it.",
        "status": "pending",
        "tags": ["followup"],
    }
    shared = client.post("/api/v1/macros", json={**body, "shared": True}, headers=agent)
    assert shared.status_code == 403
    created = client.post("/api/v1/macros", json={**body, "shared": True}, headers=lead)
    assert created.status_code == 201, created.text
    macro_id = created.json()["id"]
    assert created.json()["shared"] is True
    bad = client.post("/api/v1/macros", json={"name": "x", "body_en": "{{nope}}"}, headers=agent)
    assert bad.status_code == 422 and "Unknown placeholder" in bad.text
    extra = client.post("/api/v1/macros", json={"name": "x", "colour": "red"}, headers=agent)
    assert extra.status_code == 422
    listed = client.get("/api/v1/macros", headers=agent).json()["items"]
    assert macro_id in [m["id"] for m in listed]
    assert client.put(f"/api/v1/macros/{macro_id}", json=body, headers=agent).status_code == 403
    applied = client.post(f"/api/v1/tickets/{w['ticket']}/macros/{macro_id}/apply", headers=agent)
    assert applied.status_code == 200, applied.text
    assert applied.json() == {
        "macro_id": macro_id,
        "ticket_id": w["ticket"],
        "language": "en",
        "body": "Dear Wang Fang, we are on it.",
        "status": "pending",
    }
    assert client.delete(f"/api/v1/macros/{macro_id}", headers=lead).status_code == 204
    assert client.get(f"/api/v1/macros/{macro_id}", headers=lead).status_code == 404


def test_console_manage_and_apply(client: TestClient, app: Any) -> None:
    w = _world(app)
    login = client.post("/console/login", data={"email": w["agent_email"], "password": PASSWORD})
    assert login.status_code == 200
    page = client.get("/console/macros")
    assert page.status_code == 200 and 'id="new-macro"' in page.text
    assert 'id="macro-shared"' not in page.text  # agents make personal macros only
    form = {
        "name": "Ask for TXID",
        "body_en": "Hi {{customer.name}}, please send the TXID.",
        "body_zh": "",
        "status": "pending",
        "tags": "need-txid",
        "team_id": "",
    }
    refused = client.post("/console/macros", data={**form, "body_en": "{{kb:missing-one}}"})
    assert refused.status_code == 422 and "Ask for TXID" in refused.text  # typed text kept
    saved = client.post("/console/macros", data=form, follow_redirects=False)
    assert saved.status_code == 303
    with app.state.sessionmaker() as session:
        macro_id = session.scalars(select(Macro.id).where(Macro.name == "Ask for TXID")).one()
    panel = client.get(f"/console/tickets/{w['ticket']}/macros")
    assert "Ask for TXID" in panel.text
    applied = client.post(
        f"/console/tickets/{w['ticket']}/macros/apply", data={"macro_id": str(macro_id)}
    )
    assert applied.status_code == 200
    assert "Hi Wang Fang, please send the TXID.</textarea>" in applied.text
    assert '<option value="pending" selected>' in applied.text
    with app.state.sessionmaker() as session:
        ticket = session.get_one(Ticket, w["ticket"])
        assert [t.name for t in ticket.tags] == ["need-txid"]
    junk = client.post(f"/console/tickets/{w['ticket']}/macros/apply", data={"macro_id": "x"})
    assert junk.status_code == 422
