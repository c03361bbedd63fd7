"""The demo desk: its text, its fake values, and what ``load_demo`` builds."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Customer, Role, Team
from ledgerdesk.accounts.services import authenticate_agent
from ledgerdesk.cases.models import Case, CaseStatus
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import Base, make_engine, make_sessionmaker
from ledgerdesk.core.errors import Conflict
from ledgerdesk.core.intents import INTENTS
from ledgerdesk.demo import fakes
from ledgerdesk.demo.cases import read_cases
from ledgerdesk.demo.content import (
    LANGUAGES,
    PLACEHOLDERS,
    SCENARIO_PARTS,
    demo_text,
    fill,
    placeholders_in,
)
from ledgerdesk.demo.services import (
    CUSTOMER_COUNT,
    DEMO_PASSWORD,
    TICKET_COUNT,
    DemoSummary,
    demo_is_needed,
    load_demo,
)
from ledgerdesk.tickets.models import ActorKind, Event, Message, Status, Ticket
from tests.macros.test_demo_macros import assert_demo_macros

# Every BIP39 English word is 3-8 lowercase letters, so a run of 12 such whitespace-separated
# tokens is a superset of "12+ BIP39 words in a row": stricter, and needs no word list.
_SEED_WORD = re.compile(r"^[a-z]{3,8}$")
SEED_PHRASE_RUN = 12


def longest_seed_like_run(text: str) -> int:
    longest = run = 0
    for token in text.split():
        run = run + 1 if _SEED_WORD.match(token) else 0
        longest = max(longest, run)
    return longest


def test_seed_like_check_catches_a_phrase_and_spares_prose() -> None:
    phrase = " ".join(["apple", "river", "stone", "candle"] * 3)
    assert longest_seed_like_run(phrase) >= SEED_PHRASE_RUN
    prose = "Hi Emma, the deposit has reached 12 confirmations and is credited now."
    assert longest_seed_like_run(prose) < SEED_PHRASE_RUN


# --- content ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_intent_has_enough_varied_text(language: str) -> None:
    text = demo_text()[language]
    assert set(text.intents) == set(INTENTS)
    for intent in INTENTS:
        lines = text.intents[intent]
        assert len(set(lines.part("subjects"))) >= 3, intent
        assert len(set(lines.part("openings"))) >= 4, intent
        assert len(set(lines.part("replies"))) >= 3, intent
        for scenario in lines.scenarios:
            for part in SCENARIO_PARTS:
                assert scenario.part(part), f"{language} {intent}: empty {part}"
    assert text.chasers and text.nudges and text.escalations and text.hold_notes
    assert text.acknowledgements


@pytest.mark.parametrize("language", LANGUAGES)
def test_templates_use_known_placeholders_and_fill(language: str) -> None:
    values = {name: f"<{name}>" for name in PLACEHOLDERS}
    for template in demo_text()[language].templates():
        assert placeholders_in(template) <= PLACEHOLDERS, template
        assert "{" not in fill(template, values), template


@pytest.mark.parametrize("language", LANGUAGES)
def test_scenario_routes_exist_and_memo_cases_use_a_memo_chain(language: str) -> None:
    known = {f"{asset}/{network}" for asset, network, _ in fakes.TRANSFER_ROUTES}
    for intent in INTENTS:
        for scenario in demo_text()[language].intents[intent].scenarios:
            assert set(scenario.routes) <= known, scenario.routes
            if any("memo" in placeholders_in(t) for t in scenario.templates()):
                assert scenario.routes == ("XRP/XRP Ledger",), intent


@pytest.mark.parametrize("language", LANGUAGES)
def test_content_has_nothing_secret_like(language: str) -> None:
    for template in demo_text()[language].templates():
        assert longest_seed_like_run(template) < SEED_PHRASE_RUN, template


def test_chinese_content_mixes_in_traditional_characters() -> None:
    openings = [o for i in demo_text()["zh"].intents.values() for o in i.part("openings")]
    assert any(ch in "們這為麼還帳號請問" for o in openings for ch in o)


# --- fake values --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("network", "address_re", "txid_re"),
    [
        ("ERC20", r"0x[0-9a-f]{40}", r"0x[0-9a-f]{64}"),
        ("BEP20", r"0x[0-9a-f]{40}", r"0x[0-9a-f]{64}"),
        ("TRC20", r"T[1-9A-HJ-NP-Za-km-z]{33}", r"[0-9a-f]{64}"),
        ("Bitcoin", r"bc1q[02-9ac-hj-np-z]{38}", r"[0-9a-f]{64}"),
        ("Solana", r"[1-9A-HJ-NP-Za-km-z]{44}", r"[1-9A-HJ-NP-Za-km-z]{88}"),
        ("XRP Ledger", r"r[1-9A-HJ-NP-Za-km-z]{33}", r"[0-9A-F]{64}"),
    ],
)
def test_addresses_and_hashes_have_their_chain_format(
    network: str, address_re: str, txid_re: str
) -> None:
    rng = random.Random(1)
    for _ in range(20):
        assert re.fullmatch(address_re, fakes.address(rng, network))
        assert re.fullmatch(txid_re, fakes.txid(rng, network))


def test_people_get_unique_emails_on_reserved_domains() -> None:
    rng, taken = random.Random(2), set[str]()
    people = [fakes.chinese_person(rng, taken) for _ in range(150)]
    people += [fakes.english_person(rng, taken) for _ in range(150)]
    assert len({p.email for p in people}) == 300
    assert all(p.email.split("@")[1] in fakes.EMAIL_DOMAINS for p in people)
    assert any(p.traditional for p in people)


# --- loading ------------------------------------------------------------------------------


@contextmanager
def fresh_sqlite() -> Iterator[Session]:
    """A second, independent empty database for comparing two loads."""
    engine = make_engine("sqlite://")
    Base.metadata.create_all(engine)
    session = make_sessionmaker(engine)()
    try:
        yield session
    finally:
        session.close()
        engine.dispose()


def count(session: Session, table: type[Base]) -> int:
    return int(session.scalar(select(func.count()).select_from(table)) or 0)


def assert_counts(session: Session, summary: DemoSummary) -> None:
    cases = len(read_cases()["cases"])  # each with its working ticket
    assert (summary.teams, summary.customers, summary.tickets) == (4, 200, 500 + cases)
    assert count(session, Team) == 4
    assert count(session, Customer) == CUSTOMER_COUNT
    # and one working ticket per demo complaint or appeal (data/demo/cases.yaml)
    assert count(session, Ticket) == TICKET_COUNT + len(read_cases()["cases"])
    assert count(session, Message) == summary.messages > TICKET_COUNT
    vip = session.scalar(select(func.count()).where(Customer.vip.is_(True)))
    assert 5 <= int(vip or 0) <= 40


def assert_logins(session: Session, summary: DemoSummary) -> None:
    roles = {login.email: login.role for login in summary.logins}
    assert roles["admin@demo.ledgerdesk.local"] == Role.admin
    assert roles["lead@demo.ledgerdesk.local"] == Role.lead
    assert roles["agent@demo.ledgerdesk.local"] == Role.agent
    assert all(login.password == DEMO_PASSWORD for login in summary.logins)
    assert summary.agents == len(summary.logins) < 15
    agent = authenticate_agent(session, "agent@demo.ledgerdesk.local", DEMO_PASSWORD)
    assert [t.name for t in agent.teams] == ["一线客服 L1"]


def assert_ticket_mix(session: Session) -> None:
    # The planned tickets; the complaints' working tickets follow their cases (below).
    planned = Ticket.id.not_in(select(Case.ticket_id).where(Case.ticket_id.is_not(None)))
    languages = Counter(session.scalars(select(Ticket.language)))
    assert set(languages) == {"zh", "en"}
    assert 0.4 <= languages["zh"] / TICKET_COUNT <= 0.7
    statuses = Counter(session.scalars(select(Ticket.status).where(planned)))
    assert set(statuses) == set(Status)
    assert statuses[Status.new] == 75 and statuses[Status.closed] == 50
    unassigned = session.scalar(select(func.count()).where(Ticket.assignee_id.is_(None), planned))
    assert unassigned == statuses[Status.new]
    cases = {c.status: c for c in session.scalars(select(Case))}
    assert set(cases) == {CaseStatus.closed, CaseStatus.investigating, CaseStatus.acknowledged}
    closed = session.get(Ticket, cases[CaseStatus.closed].ticket_id)
    handled = session.get(Ticket, cases[CaseStatus.investigating].ticket_id)
    assert closed is not None and closed.status == Status.solved
    assert (
        handled is not None and handled.assignee_id == cases[CaseStatus.investigating].assignee_id
    )


def assert_history(session: Session, now: datetime) -> None:
    for ticket in session.scalars(select(Ticket).where(Ticket.status == Status.closed)):
        assert ticket.solved_at is not None and ticket.closed_at is not None
        assert ticket.solved_at <= ticket.closed_at <= now
    created = session.scalars(
        select(Event.ticket_id).where(Event.action == "ticket.created").distinct()
    )
    assert len(set(created)) == TICKET_COUNT + len(read_cases()["cases"])
    first, last = session.execute(
        select(func.min(Message.created_at), func.max(Message.created_at))
    ).one()
    assert now - timedelta(days=31) <= first and last <= now


def test_load_demo_builds_a_realistic_desk(empty_session: Session) -> None:
    db_session = empty_session
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    assert demo_is_needed(db_session)
    summary = load_demo(db_session, now=now)
    db_session.flush()
    assert not demo_is_needed(db_session)
    assert_counts(db_session, summary)
    assert_logins(db_session, summary)
    assert_ticket_mix(db_session)
    assert_history(db_session, now)
    assert_demo_macros(db_session)
    for body in db_session.scalars(select(Message.body)):
        assert longest_seed_like_run(body) < SEED_PHRASE_RUN, body
    with pytest.raises(Conflict):
        load_demo(db_session)


def test_load_demo_is_deterministic(empty_session: Session) -> None:
    db_session = empty_session
    load_demo(db_session)
    with fresh_sqlite() as other:
        load_demo(other, now=utcnow() - timedelta(days=3))
        theirs = list(other.scalars(select(Ticket.subject).order_by(Ticket.id)))
        their_emails = list(other.scalars(select(Customer.email).order_by(Customer.id)))
    ours = list(db_session.scalars(select(Ticket.subject).order_by(Ticket.id)))
    assert ours == theirs and len(set(ours)) > 100
    assert list(db_session.scalars(select(Customer.email).order_by(Customer.id))) == their_emails


# --- triage of the demo -------------------------------------------------------------------


def _snapshot(session: Session) -> dict[int, tuple[object, ...]]:
    return {
        t.id: (t.updated_at, t.priority, t.team_id, t.intent, t.status)
        for t in session.scalars(select(Ticket))
    }


def test_demo_is_triaged_as_it_happened_and_the_worker_rewrites_nothing(
    empty_session: Session, triage_on: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each customer message gets its prediction at the moment it arrived; no triage job is
    left to rewrite priority, team or ``updated_at`` of the month-old desk afterwards."""
    from ledgerdesk.demo import services as demo
    from ledgerdesk.jobs.models import OutboxEntry
    from ledgerdesk.jobs.outbox import run_pending
    from ledgerdesk.routing.models import TriagePrediction

    monkeypatch.setattr(demo, "TICKET_COUNT", 60)  # the full 500 take a minute to triage
    monkeypatch.setattr(demo, "CUSTOMER_COUNT", 40)
    session = empty_session
    load_demo(session)
    session.commit()
    # A complaint's working ticket is not triaged: the form says what it is (intent complaint).
    case_tickets = select(Case.ticket_id).where(Case.ticket_id.is_not(None))
    customer_messages = session.scalars(
        select(Message).where(
            Message.author_kind == ActorKind.customer, Message.ticket_id.not_in(case_tickets)
        )
    ).all()
    predictions = {p.message_id: p for p in session.scalars(select(TriagePrediction))}
    assert set(predictions) == {m.id for m in customer_messages}
    for message in customer_messages:
        assert predictions[message.id].created_at == message.created_at
    assert session.scalar(select(func.count()).where(OutboxEntry.topic == "triage.message")) == 0
    before = _snapshot(session)
    assert any(row[4] in (Status.solved, Status.closed) for row in before.values())
    session.rollback()  # end the read, so the next one sees the worker's commits
    run_pending(make_sessionmaker(session.get_bind()))
    session.expire_all()
    assert _snapshot(session) == before


# --- official channels ----------------------------------------------------------------------


def test_demo_registers_the_channels_its_help_center_names(
    empty_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from ledgerdesk.core.paths import shipped_data_dir
    from ledgerdesk.demo import services as demo
    from ledgerdesk.kb.render import variables
    from ledgerdesk.trust.services import verify

    monkeypatch.setattr(demo, "TICKET_COUNT", 10)
    session = empty_session
    load_demo(session)
    session.flush()
    support = variables()["support_email"]
    shipped = json.loads((shipped_data_dir() / "demo" / "official_channels.json").read_text())
    values = [c["value"] for c in shipped["channels"]]
    assert support in values
    official = [
        support,
        "https://example-exchange.com/help",
        "www.example-exchange.com",
        "https://t.me/ExampleExchange",
        "https://x.com/ExampleExchange",
        *values,
    ]
    for query in official:
        assert verify(session, query, "web").official, query
    for fake in (
        "support@examp1e-exchange.com",
        "example-exchange-support.com",
        "@ExampleExchange_help",
    ):
        assert not verify(session, fake, "web").official, fake
