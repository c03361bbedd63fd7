"""The assistant's part: a lost 2FA is answered with the self-service reset link, a complaint
is offered the complaint form, and its account lock goes through the account-security
service (one security request; a repeat is a step of it, with no second lock call)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from ledgerdesk.ai.assistant import policy
from ledgerdesk.ai.assistant.engine import answer
from ledgerdesk.ai.assistant.types import Context


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
