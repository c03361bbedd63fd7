"""The guard inside the desk, on both databases: secrets never reach a row, findings are
recorded without them, the ticket is flagged, the customer is warned in their language, and
look-alike links are caught in both directions."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import SYSTEM, customer_actor
from ledgerdesk.tickets import queries
from ledgerdesk.tickets import services as svc
from ledgerdesk.tickets.guard import LINK_TAG, SECRET_TAG
from ledgerdesk.tickets.merge import do_merge
from ledgerdesk.tickets.models import ActorKind, GuardFinding, MessageKind, Ticket
from tests.conftest import actor_of, bearer, make_agent, make_customer, make_ticket
from tests.guard.factory import hex64, phrase, wif

OFFICIAL = "ledgerdesk-exchange.com"


def all_text(session: Session, ticket_id: int) -> str:
    """Every stored text of a ticket, read back with plain SQL: rows, events, search terms."""
    parts: list[str] = []
    for sql in (
        "SELECT subject, search_text FROM tickets WHERE id = :id",
        "SELECT body FROM messages WHERE ticket_id = :id",
        "SELECT CAST(after AS TEXT) FROM events WHERE ticket_id = :id AND after IS NOT NULL",
        "SELECT CAST(detail AS TEXT) FROM guard_findings WHERE ticket_id = :id "
        "AND detail IS NOT NULL",
    ):
        for row in session.execute(text(sql), {"id": ticket_id}):
            parts.extend(str(value) for value in row if value is not None)
    return "\n".join(parts)


def assert_no_run_of(stored: str, words: list[str], size: int = 3) -> None:
    squashed = stored.replace(" ", "").replace("\n", "")
    for i in range(len(words) - size + 1):
        assert "".join(words[i : i + size]) not in squashed, words[i : i + size]


def findings(session: Session, ticket: Ticket) -> list[GuardFinding]:
    return list(session.scalars(select(GuardFinding).where(GuardFinding.ticket_id == ticket.id)))


def tags(ticket: Ticket) -> list[str]:
    return [t.name for t in ticket.tags]


def system_messages(session: Session, ticket: Ticket) -> list[str]:
    return [
        m.body
        for m in queries.ticket_messages(session, SYSTEM, ticket)
        if m.author_kind == ActorKind.system
    ]


def add_official(session: Session, domain: str = OFFICIAL) -> None:
    from ledgerdesk.trust import services as trust

    admin = make_agent(session, Role.admin)
    trust.do_add_channel(session, actor_of(admin), "domain", domain, "Official site", "")


def test_seed_phrase_in_a_new_ticket_never_reaches_storage(db_session: Session) -> None:
    words = phrase("english", 12, seed=101)
    body = f"Please restore my wallet, the words are {' '.join(words)}. Thanks!"
    ticket = make_ticket(db_session, subject="Restore my wallet", body=body)
    db_session.flush()
    stored = all_text(db_session, ticket.id)
    assert_no_run_of(stored, words)
    assert "[removed: seed phrase]" in stored
    (finding,) = findings(db_session, ticket)
    assert (finding.kind, finding.field) == ("seed_phrase", "body")
    assert body[finding.start : finding.end].startswith(words[0])
    assert finding.detail is None
    assert SECRET_TAG in tags(ticket)
    (warning,) = system_messages(db_session, ticket)
    assert "compromised" in warning and "new wallet" in warning
    actions = [e.action for e in queries.ticket_events(db_session, ticket)]
    assert "guard.secret_redacted" in actions


def test_chinese_customer_is_warned_in_chinese(db_session: Session) -> None:
    words = phrase("chinese_simplified", 12, seed=102)
    ticket = make_ticket(
        db_session, subject="钱包恢复", body=f"我的助记词是{''.join(words)}，请帮我找回资产"
    )
    db_session.flush()
    assert_no_run_of(all_text(db_session, ticket.id), words)
    (warning,) = system_messages(db_session, ticket)
    assert "助记词" in warning and "新钱包" in warning


def test_secret_in_the_subject_is_removed_too(db_session: Session) -> None:
    key = "0x" + hex64(103)
    ticket = make_ticket(db_session, subject=f"private key {key}", body="help me move funds")
    db_session.flush()
    assert key not in all_text(db_session, ticket.id)
    assert ticket.subject == "private key [removed: private key]"
    assert [f.field for f in findings(db_session, ticket)] == ["subject"]


def test_customer_reply_with_a_key_is_redacted_and_answered(db_session: Session) -> None:
    customer = make_customer(db_session)
    ticket = make_ticket(db_session, requester=customer)
    key = wif(104)
    svc.do_customer_reply(db_session, customer_actor(customer), ticket, f"here is my key {key}")
    db_session.flush()
    assert key not in all_text(db_session, ticket.id)
    assert [f.kind for f in findings(db_session, ticket)] == ["wif_key"]
    assert len(system_messages(db_session, ticket)) == 1


def test_agent_note_is_redacted_without_a_customer_reply(db_session: Session) -> None:
    agent = make_agent(db_session)
    ticket = make_ticket(db_session)
    svc.do_add_message(
        db_session,
        actor_of(agent),
        ticket,
        "customer said on the phone: password: Hunter2024!",
        kind=MessageKind.note,
    )
    db_session.flush()
    assert "Hunter2024" not in all_text(db_session, ticket.id)
    assert system_messages(db_session, ticket) == []
    assert [f.kind for f in findings(db_session, ticket)] == ["password"]


def test_clean_message_is_left_alone(db_session: Session) -> None:
    tx = "0x" + hex64(105)
    body = f"Deposit of 500 USDT not credited, txid {tx}, order 2024112100012345"
    ticket = make_ticket(db_session, body=body)
    db_session.flush()
    assert findings(db_session, ticket) == []
    assert SECRET_TAG not in tags(ticket)
    assert system_messages(db_session, ticket) == []
    assert tx in all_text(db_session, ticket.id)


def test_merge_moves_findings(db_session: Session) -> None:
    customer = make_customer(db_session)
    agent = make_agent(db_session, Role.lead)
    source = make_ticket(db_session, requester=customer, body="验证码 482913 输入后还是失败")
    target = make_ticket(db_session, requester=customer)
    do_merge(db_session, actor_of(agent), source, target)
    db_session.flush()
    assert [f.kind for f in findings(db_session, target)] == ["otp_code"]


def test_lookalike_link_from_a_customer_is_flagged_and_answered(db_session: Session) -> None:
    add_official(db_session)
    ticket = make_ticket(
        db_session,
        body="Support said to verify at https://ledgerdesk-exchange-support.com/login today",
    )
    db_session.flush()
    (finding,) = findings(db_session, ticket)
    assert finding.kind == "phishing_link"
    assert finding.detail is not None
    assert finding.detail["host"] == "ledgerdesk-exchange-support.com"
    assert finding.detail["lookalike_of"] == OFFICIAL
    assert LINK_TAG in tags(ticket)
    (warning,) = system_messages(db_session, ticket)
    assert "ledgerdesk-exchange-support.com" in warning and "/verify" in warning


def test_official_link_is_not_flagged(db_session: Session) -> None:
    add_official(db_session)
    ticket = make_ticket(db_session, body=f"I read https://help.{OFFICIAL}/articles/1 already")
    db_session.flush()
    assert findings(db_session, ticket) == []


def test_lookalike_link_in_an_agent_reply_is_flagged_for_the_console(db_session: Session) -> None:
    add_official(db_session)
    agent = make_agent(db_session)
    ticket = make_ticket(db_session)
    svc.do_agent_reply(
        db_session, actor_of(agent), ticket, "Please log in at https://ledgerdesk-exchnage.com"
    )
    db_session.flush()
    (finding,) = findings(db_session, ticket)
    assert finding.kind == "phishing_link"
    assert LINK_TAG in tags(ticket)
    assert system_messages(db_session, ticket) == []
    events = [
        e for e in queries.ticket_events(db_session, ticket) if e.action == "guard.lookalike_link"
    ]
    assert events and events[0].after is not None and events[0].after["direction"] == "outbound"


def test_api_create_reads_back_no_secret(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    words = phrase("english", 24, seed=106)
    key = hex64(107)
    response = client.post(
        "/api/v1/tickets",
        json={
            "subject": "Wallet help",
            "body": f"seed: {' '.join(words)}\nprivate key: {key}",
            "requester": {"email": f"guard-{uuid.uuid4().hex[:8]}@example.com"},
        },
        headers=bearer(seeded["agent_token"]),
    )
    assert response.status_code == 201, response.text
    ticket_id = response.json()["id"]
    with app.state.sessionmaker() as session:
        stored = all_text(session, ticket_id)
        kinds = session.scalars(
            select(GuardFinding.kind).where(GuardFinding.ticket_id == ticket_id)
        ).all()
    assert_no_run_of(stored, words)
    assert key not in stored
    assert sorted(kinds) == ["private_key", "seed_phrase"]
    assert key not in response.text and " ".join(words[:3]) not in response.text
    detail = client.get(f"/api/v1/tickets/{ticket_id}", headers=bearer(seeded["agent_token"]))
    assert key not in detail.text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_portal_shows_the_warning_as_from_the_desk(
    client: TestClient, app: Any, seeded: dict[str, Any], lang: str
) -> None:
    from tests.tickets.test_api import portal_login

    email = f"guard-portal-{uuid.uuid4().hex[:8]}@example.com"
    with app.state.sessionmaker() as session:
        make_customer(session, email=email)
        session.commit()
    portal_login(client, app, email)
    body = "my password: Qwerty2024!" if lang == "en" else "我的登录密码：Qwerty2024!"
    created = client.post("/api/v1/tickets", json={"subject": "login", "body": body})
    assert created.status_code == 201, created.text
    page = client.get(f"/portal/tickets/{created.json()['id']}")
    assert page.status_code == 200
    assert "Qwerty2024" not in page.text
    assert ("never ask" in page.text) if lang == "en" else ("永远不会" in page.text)


def test_secret_typed_into_help_center_search_is_not_logged(db_session: Session) -> None:
    from ledgerdesk.kb.feedback import do_log_search
    from ledgerdesk.kb.models import SearchSource

    words = phrase("english", 12, seed=108)
    log = do_log_search(
        db_session, " ".join(words), lang="en", source=SearchSource.help, article_ids=[]
    )
    assert log is not None
    assert log.query == "[removed: seed phrase]"


def test_a_bare_hex_value_is_removed_and_the_reply_says_how_to_send_a_txid(
    db_session: Session,
) -> None:
    value = hex64(109)
    ticket = make_ticket(db_session, body=value)
    db_session.flush()
    (finding,) = findings(db_session, ticket)
    assert finding.kind == "private_key" and finding.detail == {"ambiguous": True}
    (warning,) = system_messages(db_session, ticket)
    assert "txid: 0x" in warning
    customer = ticket.requester
    svc.do_customer_reply(db_session, customer_actor(customer), ticket, f"txid: {value}")
    db_session.flush()
    assert value in all_text(db_session, ticket.id)


def test_hostile_bodies_through_the_api(
    client: TestClient, app: Any, seeded: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 100 KB body is refused with a clear message and stores nothing; a body packed with
    links still has its key removed and its look-alike flagged."""
    from ledgerdesk.core.settings import get_settings

    email = f"guard-hostile-{uuid.uuid4().hex[:8]}@example.com"
    subject = f"big-{uuid.uuid4().hex[:8]}"
    huge = client.post(
        "/api/v1/tickets",
        json={"subject": subject, "body": "充值没到账 " * 20_000, "requester": {"email": email}},
        headers=bearer(seeded["agent_token"]),
    )
    assert huge.status_code == 422, huge.text
    assert "body: String should have at most 50000 characters" in huge.text
    with app.state.sessionmaker() as session:
        assert session.scalar(select(Ticket.id).where(Ticket.subject == subject)) is None
    key = hex64(110)
    links = " ".join(f"https://site{i}.example.com/" for i in range(1_500))
    body = f"{links} https://{OFFICIAL.replace('.com', '-support.com')}/login private key {key}"
    assert len(body) < 50_000
    try:
        # the official domain through the real configuration, as an operator sets it
        with monkeypatch.context() as patch:
            patch.setenv("LEDGERDESK_OFFICIAL_DOMAINS", OFFICIAL)
            get_settings.cache_clear()
            created = client.post(
                "/api/v1/tickets",
                json={"subject": "links", "body": body, "requester": {"email": email}},
                headers=bearer(seeded["agent_token"]),
            )
    finally:
        get_settings.cache_clear()
    assert created.status_code == 201, created.text
    ticket_id = created.json()["id"]
    with app.state.sessionmaker() as session:
        stored = all_text(session, ticket_id)
        kinds = set(
            session.scalars(select(GuardFinding.kind).where(GuardFinding.ticket_id == ticket_id))
        )
    assert key not in stored
    assert kinds == {"private_key", "phishing_link"}


def test_a_locked_sqlite_database_answers_503_not_500(app_settings: Any) -> None:
    """The embedded database's one writer can stay busy past the busy timeout (a long job):
    the client gets a clear, retryable 503 and nothing is stored."""
    from sqlalchemy.exc import OperationalError

    from ledgerdesk.web.app import create_app

    application = create_app(app_settings)

    @application.get("/api/v1/_locked")
    def locked() -> None:
        raise OperationalError("INSERT …", {}, Exception("database is locked"))

    with TestClient(application, raise_server_exceptions=False) as c:
        response = c.get("/api/v1/_locked", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "busy"


def test_a_phrase_pasted_into_the_channel_checker_is_not_logged(db_session: Session) -> None:
    from ledgerdesk.trust import services as trust
    from ledgerdesk.trust.models import VerificationCheck

    words = phrase("english", 12, seed=111)
    trust.verify(db_session, " ".join(words), "api")
    db_session.flush()
    logged = db_session.scalars(
        select(VerificationCheck.query).order_by(VerificationCheck.id.desc()).limit(1)
    ).one()
    assert_no_run_of(logged, words)
    assert "[removed: seed phrase]" in logged
