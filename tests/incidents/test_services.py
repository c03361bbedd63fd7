"""Incidents on the desk: linking by intent and network (existing tickets when an incident
opens, new ones when triage describes them, and by hand), the automatic answer, the mass reply
that reaches every linked ticket once, and the resolution notice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.core.clock import frozen_at
from ledgerdesk.core.errors import InvalidInput, InvalidTransition, NotPermitted
from ledgerdesk.incidents import delivery, linking
from ledgerdesk.incidents import services as svc
from ledgerdesk.incidents.models import Incident, IncidentStatus, IncidentTicket
from ledgerdesk.tickets.models import ActorKind, Event, Message, MessageKind, Status, Ticket
from ledgerdesk.tickets.triage import TriageOutcome, do_apply_triage
from tests.conftest import actor_of, make_agent, make_team, make_ticket
from tests.incidents.helpers import run_incident_jobs

NOW = datetime(2026, 11, 2, 9, 0)


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with frozen_at(NOW):
        yield


@pytest.fixture
def quiet(db_session: Session) -> Iterator[None]:
    """Each test sees only its own incidents (other tests may have committed some)."""
    db_session.execute(
        update(Incident)
        .where(Incident.status != IncidentStatus.resolved)
        .values(status=IncidentStatus.resolved, resolved_at=NOW - timedelta(days=400))
    )
    yield


def _lead(session: Session) -> object:
    return actor_of(make_agent(session, Role.lead, [make_team(session)]))


def _ticket(session: Session, intent: str | None, network: str | None, lang: str = "en") -> Ticket:
    ticket = make_ticket(session)
    ticket.intent, ticket.network, ticket.language = intent, network, lang
    session.flush()
    return ticket


def _incident(session: Session, actor: object, **kwargs: object) -> Incident:
    data = svc.IncidentIn(
        title_en="TRON deposits delayed",
        title_zh="TRON 充值延迟",
        body_en="Deposits on TRON are credited late.",
        body_zh="TRON 网络充值到账延迟。",
        intent=kwargs.pop("intent", "deposit_missing"),  # type: ignore[arg-type]
        network=kwargs.pop("network", "tron"),  # type: ignore[arg-type]
    )
    return svc.do_create_incident(session, actor, data)  # type: ignore[arg-type]


def _public_from_system(session: Session, ticket_id: int) -> list[Message]:
    query = select(Message).where(
        Message.ticket_id == ticket_id,
        Message.kind == MessageKind.public,
        Message.author_kind != ActorKind.customer,
    )
    return list(session.scalars(query.order_by(Message.id)))


def test_new_incident_links_open_matching_tickets_and_answers_each_once(
    db_session: Session, quiet: None
) -> None:
    lead = _lead(db_session)
    match_en = _ticket(db_session, "deposit_missing", "tron")
    match_zh = _ticket(db_session, "deposit_missing", "tron", lang="zh-CN")
    other_net = _ticket(db_session, "deposit_missing", "ethereum")
    other_intent = _ticket(db_session, "login_problem", "tron")
    solved = _ticket(db_session, "deposit_missing", "tron")
    solved.status = Status.solved
    incident = _incident(db_session, lead)
    run_incident_jobs(db_session, twice=True)

    assert sorted(linking.linked_ticket_ids(db_session, incident.id)) == sorted(
        [match_en.id, match_zh.id]
    )
    for ticket in (other_net, other_intent, solved):
        assert _public_from_system(db_session, ticket.id) == []
    [answer_en] = _public_from_system(db_session, match_en.id)
    [answer_zh] = _public_from_system(db_session, match_zh.id)
    assert answer_en.author_kind == ActorKind.system
    assert "TRON deposits delayed" in answer_en.body
    assert f"/status/{incident.id}?lang=en" in answer_en.body
    assert "TRON 充值延迟" in answer_zh.body and "状态页" in answer_zh.body
    assert f"/status/{incident.id}?lang=zh-CN" in answer_zh.body
    events = db_session.scalars(
        select(Event).where(Event.ticket_id == match_en.id, Event.action == "incident.linked")
    ).all()
    assert [e.after for e in events] == [{"incident_id": incident.id, "automatic": True}]


def test_a_new_ticket_is_linked_when_triage_names_the_intent_and_network(
    db_session: Session, quiet: None
) -> None:
    lead = _lead(db_session)
    incident = _incident(db_session, lead)
    run_incident_jobs(db_session)
    ticket = make_ticket(db_session)
    assert linking.linked_ticket_ids(db_session, incident.id) == []
    do_apply_triage(db_session, ticket, TriageOutcome(intent="deposit_missing", network="tron"))
    run_incident_jobs(db_session)
    assert linking.linked_ticket_ids(db_session, incident.id) == [ticket.id]
    assert len(_public_from_system(db_session, ticket.id)) == 1
    # Triage again (the customer writes more): no second link, no second answer.
    do_apply_triage(db_session, ticket, TriageOutcome(intent="deposit_missing"))
    run_incident_jobs(db_session, twice=True)
    assert len(_public_from_system(db_session, ticket.id)) == 1
    # A ticket about another network is not linked.
    elsewhere = make_ticket(db_session)
    do_apply_triage(
        db_session, elsewhere, TriageOutcome(intent="deposit_missing", network="ethereum")
    )
    run_incident_jobs(db_session)
    assert linking.linked_ticket_ids(db_session, incident.id) == [ticket.id]


def test_network_only_incident_matches_any_intent(db_session: Session, quiet: None) -> None:
    lead = _lead(db_session)
    a = _ticket(db_session, "deposit_missing", "tron")
    b = _ticket(db_session, "withdrawal_delayed", "tron")
    _ticket(db_session, "withdrawal_delayed", "bitcoin")
    incident = _incident(db_session, lead, intent=None)
    # An announcement that names neither intent nor network links nothing by itself.
    announcement = _incident(db_session, lead, intent=None, network=None)
    run_incident_jobs(db_session)
    assert sorted(linking.linked_ticket_ids(db_session, incident.id)) == sorted([a.id, b.id])
    assert linking.linked_ticket_ids(db_session, announcement.id) == []
    later = make_ticket(db_session)
    do_apply_triage(db_session, later, TriageOutcome(intent="how_to", network="tron"))
    run_incident_jobs(db_session)
    assert linking.linked_ticket_ids(db_session, announcement.id) == []
    assert later.id in linking.linked_ticket_ids(db_session, incident.id)


def test_mass_reply_reaches_every_linked_ticket_once_in_its_language(
    db_session: Session, quiet: None
) -> None:
    lead = _lead(db_session)
    auto = [_ticket(db_session, "deposit_missing", "tron", lang=lang) for lang in ("en", "zh")]
    incident = _incident(db_session, lead)
    run_incident_jobs(db_session)
    by_hand = _ticket(db_session, "how_to", None, lang="zh-TW")
    linking.do_link(db_session, lead, incident, by_hand.id)  # type: ignore[arg-type]
    # Linked twice: refused, and unlink + relink keeps one link row.
    with pytest.raises(InvalidTransition):
        linking.do_link(db_session, lead, incident, by_hand.id)  # type: ignore[arg-type]
    linking.do_unlink(db_session, lead, incident, by_hand.id)  # type: ignore[arg-type]
    linking.do_link(db_session, lead, incident, by_hand.id)  # type: ignore[arg-type]
    run_incident_jobs(db_session)
    gone = _ticket(db_session, "deposit_missing", "tron")
    linking.do_link(db_session, lead, incident, gone.id)  # type: ignore[arg-type]
    linking.do_unlink(db_session, lead, incident, gone.id)  # type: ignore[arg-type]

    update_ = svc.do_post_update(
        db_session,
        lead,  # type: ignore[arg-type]
        incident,
        "The node is catching up; deposits arrive within 2 hours.",
        "节点正在同步，充值将在 2 小时内到账。",
        status=IncidentStatus.identified,
        send=True,
    )
    # The broadcast and every delivery run twice, as retried jobs would.
    run_incident_jobs(db_session, twice=True)
    run_incident_jobs(db_session, twice=True)

    key = delivery.update_key(update_.id)
    linked = [*auto, by_hand]
    assert delivery.delivered_count(db_session, incident.id, key) == len(linked)
    for ticket in linked:
        texts = [m.body for m in _public_from_system(db_session, ticket.id)]
        updates = [t for t in texts if "2" in t and ("catching up" in t or "节点" in t)]
        assert len(updates) == 1, texts
        zh = ticket.language.startswith("zh")
        assert ("节点正在同步" in updates[0]) is zh
        assert ("catching up" in updates[0]) is not zh
        assert len(texts) == 2  # the automatic answer and the update, nothing twice
    assert _public_from_system(db_session, gone.id) == []
    posted = [m for m in _public_from_system(db_session, auto[0].id) if "catching" in m.body]
    assert posted[0].author_kind == ActorKind.agent  # the lead's reply, e-mailed as such
    assert incident.status == IncidentStatus.identified
    rows = db_session.scalars(
        select(IncidentTicket).where(IncidentTicket.ticket_id == by_hand.id)
    ).all()
    assert len(rows) == 1


def test_resolve_notifies_every_linked_ticket_once_and_can_solve(
    db_session: Session, quiet: None
) -> None:
    lead = _lead(db_session)
    first = _ticket(db_session, "deposit_missing", "tron")
    second = _ticket(db_session, "deposit_missing", "tron", lang="zh")
    incident = _incident(db_session, lead)
    run_incident_jobs(db_session)
    svc.do_resolve(db_session, lead, incident, solve=True)  # type: ignore[arg-type]
    run_incident_jobs(db_session, twice=True)
    assert incident.status == IncidentStatus.resolved and incident.resolved_at == NOW
    for ticket in (first, second):
        db_session.refresh(ticket)
        assert ticket.status == Status.solved
        notices = [m.body for m in _public_from_system(db_session, ticket.id)]
        assert len(notices) == 2
    assert "Resolved: TRON deposits delayed" in _public_from_system(db_session, first.id)[1].body
    assert "已解决" in _public_from_system(db_session, second.id)[1].body
    # Resolved: no new links, no more updates.
    later = make_ticket(db_session)
    do_apply_triage(db_session, later, TriageOutcome(intent="deposit_missing", network="tron"))
    run_incident_jobs(db_session)
    assert later.id not in linking.linked_ticket_ids(db_session, incident.id)
    with pytest.raises(InvalidTransition):
        svc.do_post_update(
            db_session,
            lead,  # type: ignore[arg-type]
            incident,
            "x",
            "y",
            status=IncidentStatus.monitoring,
        )
    # A post-incident report is still possible; the incident stays resolved.
    svc.do_post_update(db_session, lead, incident, "Report", "报告")  # type: ignore[arg-type]
    assert incident.status == IncidentStatus.resolved


def test_checks_and_permissions(db_session: Session, quiet: None) -> None:
    lead = _lead(db_session)
    agent = actor_of(make_agent(db_session, Role.agent, [make_team(db_session)]))
    with pytest.raises(NotPermitted):
        _incident(db_session, agent)
    with pytest.raises(InvalidInput):
        _incident(db_session, lead, network="no-such-chain")
    with pytest.raises(InvalidInput):
        _incident(db_session, lead, intent="not_an_intent")
    with pytest.raises(InvalidInput):
        svc.do_create_incident(db_session, lead, svc.IncidentIn(title_en="x", title_zh=" "))  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        svc.check_status("resolved")
    incident = _incident(db_session, lead)
    with pytest.raises(NotPermitted):
        svc.do_post_update(db_session, agent, incident, "a", "b")
    assert SYSTEM.kind == "system"


def test_an_incident_opened_from_a_surge_alert_is_remembered_by_the_alert(
    db_session: Session, quiet: None
) -> None:
    from ledgerdesk.reports import surges
    from ledgerdesk.reports.surges_models import SurgeAlert

    finding = surges.Finding("deposit_missing", "tron", 30, 2.0, 12.0, True)
    alert = surges.do_raise_alert(db_session, finding, NOW)
    assert alert is not None and alert.incident_id is None
    data = svc.IncidentIn(
        title_en="TRON deposits delayed",
        title_zh="TRON 充值延迟",
        intent="deposit_missing",
        network="tron",
        surge_id=alert.id,
    )
    incident = svc.do_create_incident(db_session, _lead(db_session), data)  # type: ignore[arg-type]
    db_session.flush()
    stored = db_session.get(SurgeAlert, alert.id)
    assert stored is not None and stored.incident_id == incident.id
    assert stored.status == surges.AlertStatus.acknowledged
    # An unknown alert id is only a hint: the incident opens all the same.
    data.surge_id = 999_999_999
    assert svc.do_create_incident(db_session, _lead(db_session), data).id  # type: ignore[arg-type]
