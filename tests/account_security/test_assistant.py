"""The assistant's part: a lost 2FA is answered with the self-service reset link, a complaint
is offered the complaint form, and its account lock goes through the account-security
service (one security request; a repeat is a step of it, with no second lock call)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from ledgerdesk.ai.assistant import policy, tools
from ledgerdesk.ai.assistant.engine import answer
from ledgerdesk.ai.assistant.services import do_log_lock
from ledgerdesk.ai.assistant.types import Context, Reply
from tests.account_security.conftest import CHEN, PORTAL_EMAIL, Desk
from tests.conftest import make_customer, make_ticket


@pytest.mark.parametrize(
    ("text", "lost"),
    [
        ("I lost my google authenticator, how do I reset 2FA?", True),
        ("new phone, my authenticator is gone", True),
        ("我的谷歌验证器丢了，怎么办", True),
        ("换了手机，二次验证无法使用", True),
        ("how do I turn on 2FA", False),
        ("my deposit has not arrived", False),
    ],
)
def test_lost_two_factor_is_recognised(text: str, lost: bool) -> None:
    assert policy.lost_two_factor(text) is lost


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("I lost my google authenticator, how do I reset 2FA?", "reset a lost 2FA yourself"),
        ("我的谷歌验证器丢了，怎么重置", "自助重置丢失的两步验证"),
    ],
)
def test_the_assistant_answers_a_lost_2fa_with_the_reset_link(
    db_session: Session, text: str, words: str
) -> None:
    reply = answer(db_session, text, Context(locale="en"))
    assert "/portal/security/2fa-reset" in reply.reply and words in reply.reply
    assert any(s.ref == "twofa_reset_link" for s in reply.sources)


def test_a_compromised_account_is_not_sent_to_the_reset(db_session: Session) -> None:
    reply = answer(
        db_session, "someone hacked my account and reset my 2FA, withdrawing my coins", Context()
    )
    assert reply.action == "handover" and "/portal/security/2fa-reset" not in reply.reply


def test_a_complaint_is_offered_the_complaint_form(db_session: Session) -> None:
    reply = answer(db_session, "I want to file a formal complaint about your service", Context())
    assert reply.action == "handover" and reply.reason == "complaint"
    assert "/portal/complaints/new" in reply.reply


def test_the_assistants_confirmed_lock_is_one_logged_request(
    app: Any, seeded: dict[str, Any], desk: Desk
) -> None:
    """The lock tool against the real demo exchange, then the turn's logging of it, twice:
    one lock call, one request, the second turn a ``repeated`` step of the first."""
    context = Context(customer_ref=CHEN, locale="en")
    with app.state.sessionmaker() as session:
        customer = make_customer(session, email=PORTAL_EMAIL)
        ticket = make_ticket(session, customer)
        for _ in range(2):
            locked = tools.lock_account(context, "en")
            assert locked.verdict == "locked" and not locked.needs_person
            tool = {"name": locked.name, "verdict": locked.verdict, "facts": dict(locked.facts)}
            reply = Reply(action="handover", reply=locked.text, tool=tool)
            do_log_lock(session, reply, ticket, customer)
            desk.client.forget_customer(CHEN)  # the next turn reads the profile afresh
        session.commit()
    assert [t for m, t in desk.state.requests_seen() if t.endswith("/lock")] == [
        f"/v1/customers/{CHEN}/lock"
    ]
    [request] = desk.requests()
    assert request.source == "assistant" and request.ticket_id == ticket.id
    assert desk.steps(request.id) == [
        "lock_confirmed",
        "exchange_locked",
        "ticket_opened",
        "repeated",
    ]
