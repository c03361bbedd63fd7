"""Agents, passwords, tokens and portal codes, on both databases."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from ledgerdesk.accounts import services as svc
from ledgerdesk.accounts.models import Customer
from ledgerdesk.accounts.portal_codes import (
    MAX_CODE_ATTEMPTS,
    do_issue_bound_portal_code,
    do_issue_portal_code,
    do_redeem_portal_code,
)
from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.accounts.tokens import authenticate_token, do_create_api_token
from ledgerdesk.core.clock import frozen_at, utcnow
from ledgerdesk.core.errors import Conflict, InvalidInput, NotAuthenticated, NotPermitted
from tests.conftest import PASSWORD, actor_of, make_agent, make_team


def test_passwords_are_argon2_and_authenticate(db_session: Session) -> None:
    agent = make_agent(db_session, email="Mixed.Case@Desk.io")
    assert agent.email == "mixed.case@desk.io"
    assert agent.password_hash.startswith("$argon2id$")
    assert PASSWORD not in agent.password_hash
    assert svc.authenticate_agent(db_session, " MIXED.case@desk.io ", PASSWORD).id == agent.id
    with pytest.raises(NotAuthenticated):
        svc.authenticate_agent(db_session, agent.email, "wrong-password")
    with pytest.raises(NotAuthenticated):
        svc.authenticate_agent(db_session, "nobody@desk.io", PASSWORD)
    agent.active = False
    with pytest.raises(NotAuthenticated):
        svc.authenticate_agent(db_session, agent.email, PASSWORD)


def test_agent_creation_rules(db_session: Session) -> None:
    agent = make_agent(db_session)
    with pytest.raises(NotPermitted):
        svc.do_create_agent(
            db_session, actor_of(agent), email="n@desk.io", name="N", password=PASSWORD
        )
    with pytest.raises(InvalidInput):
        svc.do_create_agent(db_session, SYSTEM, email="n@desk.io", name="N", password="short")
    with pytest.raises(InvalidInput):
        svc.do_create_agent(db_session, SYSTEM, email="no-at-sign", name="N", password=PASSWORD)
    with pytest.raises(Conflict):
        svc.do_create_agent(
            db_session, SYSTEM, email=agent.email.upper(), name="N", password=PASSWORD
        )


def test_teams_and_membership(db_session: Session) -> None:
    team = make_team(db_session)
    agent = make_agent(db_session, teams=[team])
    svc.do_add_team_member(db_session, SYSTEM, team, agent)  # twice is harmless
    assert actor_of(agent).team_ids == frozenset({team.id})
    with pytest.raises(NotPermitted):
        svc.do_create_team(db_session, actor_of(agent), name="X")
    with pytest.raises(Conflict):
        svc.do_create_team(db_session, SYSTEM, name=team.name)


def test_api_tokens_are_hashed_and_revocable(db_session: Session) -> None:
    agent, other = make_agent(db_session), make_agent(db_session)
    token = do_create_api_token(db_session, actor_of(agent), agent, "ci")
    assert token.startswith("ldk_")
    assert authenticate_token(db_session, token).id == agent.id
    with pytest.raises(NotPermitted):
        do_create_api_token(db_session, actor_of(agent), other, "not mine")
    with pytest.raises(NotAuthenticated):
        authenticate_token(db_session, token + "x")


def test_portal_code_flow(db_session: Session) -> None:
    code = do_issue_portal_code(db_session, "New.User@Example.com", 600)
    assert len(code) == 6 and code.isdigit()
    wrong = "000000" if code != "000000" else "111111"
    assert do_redeem_portal_code(db_session, "new.user@example.com", wrong) is None
    customer = do_redeem_portal_code(db_session, "new.user@example.com", code)
    assert customer is not None and customer.email == "new.user@example.com"
    with pytest.raises(NotAuthenticated):  # used codes do not work twice
        do_redeem_portal_code(db_session, "new.user@example.com", code)


def test_portal_code_expires_and_limits_attempts(db_session: Session) -> None:
    with frozen_at(utcnow() - timedelta(hours=1)):
        old = do_issue_portal_code(db_session, "late@example.com", 600)
    with pytest.raises(NotAuthenticated):
        do_redeem_portal_code(db_session, "late@example.com", old)
    issued = do_issue_bound_portal_code(db_session, "guess@example.com", 600)
    wrong = "000000" if issued.code != "000000" else "111111"
    for _ in range(MAX_CODE_ATTEMPTS):
        redeemed = do_redeem_portal_code(db_session, "guess@example.com", wrong, bound_id=issued.id)
        assert redeemed is None
    with pytest.raises(NotAuthenticated):
        do_redeem_portal_code(db_session, "guess@example.com", issued.code, bound_id=issued.id)


def test_unbound_guesses_use_up_no_code(db_session: Session) -> None:
    """A guess from a browser that did not ask for the code cannot burn its tries."""
    issued = do_issue_bound_portal_code(db_session, "victim@example.com", 600)
    wrong = "000000" if issued.code != "000000" else "111111"
    for _ in range(MAX_CODE_ATTEMPTS * 3):
        assert do_redeem_portal_code(db_session, "victim@example.com", wrong) is None
    customer = do_redeem_portal_code(
        db_session, "victim@example.com", issued.code, bound_id=issued.id
    )
    assert customer is not None


def test_single_try_when_the_email_is_past_its_guess_limit(db_session: Session) -> None:
    issued = do_issue_bound_portal_code(db_session, "tight@example.com", 600)
    wrong = "000000" if issued.code != "000000" else "111111"
    assert (
        do_redeem_portal_code(
            db_session, "tight@example.com", wrong, bound_id=issued.id, max_attempts=1
        )
        is None
    )
    with pytest.raises(NotAuthenticated):
        do_redeem_portal_code(
            db_session, "tight@example.com", issued.code, bound_id=issued.id, max_attempts=1
        )


def test_new_code_replaces_only_this_browsers_code(db_session: Session) -> None:
    mine = do_issue_bound_portal_code(db_session, "twice@example.com", 600)
    stranger = do_issue_bound_portal_code(db_session, "twice@example.com", 600)
    again = do_issue_bound_portal_code(db_session, "twice@example.com", 600, replaces=mine.id)
    with pytest.raises(NotAuthenticated):  # replaced
        do_redeem_portal_code(db_session, "twice@example.com", mine.code, bound_id=mine.id)
    # The stranger's request did not void the code this browser holds, nor theirs.
    assert do_redeem_portal_code(db_session, "twice@example.com", again.code, bound_id=again.id)
    assert do_redeem_portal_code(
        db_session, "twice@example.com", stranger.code, bound_id=stranger.id
    )


def test_upsert_customer_by_external_id(db_session: Session) -> None:
    one = svc.do_upsert_customer(db_session, email="u1@example.com", external_id="UID1", name="A")
    again = svc.do_upsert_customer(
        db_session, email="u1@example.com", external_id="UID1", name="B", vip=True, locale="zh-CN"
    )
    assert again.id == one.id and again.name == "B" and again.vip and again.locale == "zh-CN"


def test_upsert_recovers_from_a_lost_insert_race(
    engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests meet an unknown e-mail; the other commits the customer between this one's
    lookup and its insert. The insert's savepoint is undone and the winner's row is used."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    email = f"race-{uuid.uuid4().hex[:8]}@example.com"
    with factory() as winner:
        svc.do_upsert_customer(winner, email=email, external_id=f"W{uuid.uuid4().hex[:8]}")
        winner.commit()
    real_find = svc._find_customer
    calls = {"n": 0}

    def blind_first(session: Any, address: str, external_id: str | None) -> Any:
        calls["n"] += 1
        return None if calls["n"] == 1 else real_find(session, address, external_id)

    monkeypatch.setattr(svc, "_find_customer", blind_first)
    try:
        with factory() as loser:
            customer = svc.do_upsert_customer(loser, email=email, name="Second request")
            loser.commit()
            assert customer.email == email and calls["n"] == 2
    finally:  # this test commits for real; leave the shared database as it was
        with engine.begin() as connection:
            connection.execute(delete(Customer).where(Customer.email == email))
