"""The anti-phishing code: what is accepted and why the rest is refused, who may set it, and
the notification e-mail queued in the same transaction (on both databases)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.anti_phishing import (
    BadAntiPhishingCode,
    check_anti_phishing_code,
    do_set_anti_phishing_code,
)
from ledgerdesk.accounts.models import Customer, Role
from ledgerdesk.accounts.portal_codes import do_issue_portal_code
from ledgerdesk.accounts.services import SYSTEM, customer_actor
from ledgerdesk.channels.outgoing import MAIL_TOPIC
from ledgerdesk.core import i18n
from ledgerdesk.core.db import make_sessionmaker
from ledgerdesk.core.errors import InvalidInput, NotPermitted
from ledgerdesk.core.settings import get_settings
from ledgerdesk.jobs.models import OutboxEntry
from tests.conftest import actor_of, make_agent, make_customer

EMAIL = "john.doe+exchange@example.com"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Blue-Fox_42", "Blue-Fox_42"),
        ("蓝色狐狸", "蓝色狐狸"),
        ("防钓鱼2024", "防钓鱼2024"),
        ("Ünïcödé-Ok", "Ünïcödé-Ok"),
        ("e\u0301clair", "éclair"),  # stored composed (NFC), as every keyboard types it
        ("  abcd  ", "abcd"),  # surrounding spaces from a paste are trimmed
        ("abcd", "abcd"),
        ("a" * 20, "a" * 20),
        ("1357", "1357"),
        ("2024", "2024"),
        ("1123", "1123"),
        ("1234a", "1234a"),
        ("jo-1", "jo-1"),  # "jo" is no name part here; "johndoe" is
        ("قمر-٧٣", "قمر-٧٣"),
    ],
)
def test_good_codes_are_accepted(typed: str, stored: str) -> None:
    assert check_anti_phishing_code(typed, EMAIL) == stored


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("abc", "must be at least 4 characters long"),
        ("", "must be at least 4 characters long"),
        ("a" * 21, "at most 20 characters long; this one has 21"),
        ("x" * 10_240, "at most 20 characters long; this one has 10240"),
        ("ab cd", "cannot contain spaces or line breaks"),
        ("ab\tcd", "cannot contain spaces or line breaks"),
        ("ab\ncd", "cannot contain spaces or line breaks"),
        ("防钓\u3000鱼码", "cannot contain spaces or line breaks"),
        ("abc\u202edcba", r"invisible or text-direction characters \(found U\+202E\)"),
        ("\u2066abcd\u2069", r"invisible or text-direction characters \(found U\+2066\)"),
        ("ab\u200bcd", r"invisible or text-direction characters \(found U\+200B\)"),
        ("ab\x00cd", r"invisible or text-direction characters \(found U\+0000\)"),
        ("ab!cd", r"only letters, digits, '-' and '_' \(not '!'\)"),
        ("pay.me", r"only letters, digits, '-' and '_' \(not '.'\)"),
        ("abc🔒", r"only letters, digits, '-' and '_' \(not '🔒'\)"),
        ("\u0301abcd", r"only letters, digits, '-' and '_' \(not U\+0301\)"),
        ("----", "must contain a letter or a digit"),
        ("john_doe", r"name part of your e-mail address \(john.doe\)"),
        ("JohnDoe", r"name part of your e-mail address \(john.doe\)"),
        ("my_johndoe_7", r"name part of your e-mail address \(john.doe\)"),
        ("1111", "one digit repeated"),
        ("00000000", "one digit repeated"),
        ("１１１１", "one digit repeated"),
        ("1234", "run of consecutive digits"),
        ("4321", "run of consecutive digits"),
        ("0123456789", "run of consecutive digits"),
    ],
)
def test_bad_codes_say_which_rule_they_break(typed: str, reason: str) -> None:
    with pytest.raises(BadAntiPhishingCode, match=reason) as refused:
        check_anti_phishing_code(typed, EMAIL)
    assert isinstance(refused.value, InvalidInput) and refused.value.field == "anti_phishing_code"


def test_reasons_are_translated_for_chinese_pages() -> None:
    with pytest.raises(BadAntiPhishingCode) as refused:
        check_anti_phishing_code("x" * 10_240, EMAIL)
    zh = i18n.translations("zh-CN").ugettext(refused.value.template) % refused.value.params
    assert zh == "防钓鱼码最多 20 个字符，您输入了 10240 个。"
    for typed in ("ab", "a b", "ab\u202ecd", "ab!c", "--_-", "johndoe", "1111", "1234"):
        with pytest.raises(BadAntiPhishingCode) as refused:
            check_anti_phishing_code(typed, EMAIL)
        translated = i18n.translations("zh-CN").ugettext(refused.value.template)
        assert translated != refused.value.template and "防钓鱼码" in translated


# --- the service, on both databases --------------------------------------------------------


def mail_jobs(session: Session, customer: Customer) -> list[dict[str, Any]]:
    rows = session.scalars(select(OutboxEntry).where(OutboxEntry.topic == MAIL_TOPIC))
    return [e.payload for e in rows if e.payload.get("customer_id") == customer.id]


def test_customer_sets_changes_and_removes_own_code(db_session: Session) -> None:
    me = make_customer(db_session)
    actor = customer_actor(me)
    assert me.anti_phishing_code is None and me.anti_phishing_code_set_at is None

    do_set_anti_phishing_code(db_session, actor, me, " Blue-Fox_42 ")
    assert me.anti_phishing_code == "Blue-Fox_42" and me.anti_phishing_code_set_at is not None
    do_set_anti_phishing_code(db_session, actor, me, "Blue-Fox_42")  # the same: nothing
    do_set_anti_phishing_code(db_session, actor, me, "Red-Owl_7")
    do_set_anti_phishing_code(db_session, actor, me, None)
    do_set_anti_phishing_code(db_session, actor, me, None)  # already none: nothing
    db_session.expire_all()
    stored = db_session.get(Customer, me.id)
    assert stored is not None and stored.anti_phishing_code is None
    assert stored.anti_phishing_code_set_at is not None

    jobs = mail_jobs(db_session, me)
    assert [j["kind"] for j in jobs] == [
        "anti_phishing_set",
        "anti_phishing_changed",
        "anti_phishing_removed",
    ]
    assert jobs[1]["subject"] == "Your ledgerdesk anti-phishing code was changed"
    assert "was changed at " in jobs[1]["text"] and " UTC." in jobs[1]["text"]
    assert "If this was not you" in jobs[1]["text"]
    # The code itself is never copied into the queue: the job reads it when it sends.
    assert not [j for j in jobs if "Blue-Fox_42" in str(j) or "Red-Owl_7" in str(j)]


def test_notification_is_written_in_the_customers_language(db_session: Session) -> None:
    me = make_customer(db_session, locale="zh_CN")
    do_set_anti_phishing_code(db_session, customer_actor(me), me, "蓝色狐狸")
    (job,) = mail_jobs(db_session, me)
    assert job["subject"] == "您的 ledgerdesk 防钓鱼码已设置"
    assert "防钓鱼码已于" in job["text"] and "如果这不是您本人的操作" in job["text"]


def test_refused_code_changes_nothing_and_queues_nothing(db_session: Session) -> None:
    me = make_customer(db_session)
    do_set_anti_phishing_code(db_session, customer_actor(me), me, "Good-One")
    with pytest.raises(BadAntiPhishingCode):
        do_set_anti_phishing_code(db_session, customer_actor(me), me, "1234")
    assert me.anti_phishing_code == "Good-One"
    assert len(mail_jobs(db_session, me)) == 1


def test_rolled_back_change_sends_no_mail(engine: Engine) -> None:
    """The notice is written in the change's own transaction: no commit, no e-mail."""
    factory = make_sessionmaker(engine)
    with factory() as session:
        me = make_customer(session)
        session.commit()
    try:
        with factory() as session:
            again = session.get(Customer, me.id)
            assert again is not None
            do_set_anti_phishing_code(session, customer_actor(again), again, "Never-Sent")
            assert len(mail_jobs(session, again)) == 1
            session.rollback()
        with factory() as session:
            again = session.get(Customer, me.id)
            assert again is not None and again.anti_phishing_code is None
            assert mail_jobs(session, again) == []
    finally:
        with engine.begin() as connection:
            connection.execute(delete(Customer).where(Customer.id == me.id))


def test_only_the_customer_or_an_admin_may_set_it(db_session: Session) -> None:
    alice, bob = make_customer(db_session), make_customer(db_session)
    with pytest.raises(NotPermitted, match="only their own"):
        do_set_anti_phishing_code(db_session, customer_actor(bob), alice, "Bobs-Pick")
    for role in (Role.agent, Role.lead):
        with pytest.raises(NotPermitted, match="Only the customer or an admin"):
            do_set_anti_phishing_code(
                db_session, actor_of(make_agent(db_session, role)), alice, "Agent-Pick"
            )
    assert alice.anti_phishing_code is None and mail_jobs(db_session, alice) == []

    admin = actor_of(make_agent(db_session, Role.admin))
    do_set_anti_phishing_code(db_session, admin, alice, "Reset-By-Desk")
    do_set_anti_phishing_code(db_session, SYSTEM, alice, None)
    assert alice.anti_phishing_code is None
    assert [j["kind"] for j in mail_jobs(db_session, alice)] == [
        "anti_phishing_set",
        "anti_phishing_removed",
    ]


def test_email_name_rule_uses_the_customers_own_address(db_session: Session) -> None:
    me = make_customer(db_session, email="satoshi@example.com")
    with pytest.raises(BadAntiPhishingCode, match=r"name part of your e-mail address \(satoshi\)"):
        do_set_anti_phishing_code(db_session, customer_actor(me), me, "Satoshi-2009")
    do_set_anti_phishing_code(db_session, customer_actor(me), me, "Nakamoto-2009")
    assert me.anti_phishing_code == "Nakamoto-2009"


def test_sign_in_code_mail_is_queued_for_the_address(db_session: Session) -> None:
    code = do_issue_portal_code(db_session, "Fresh.Person@Example.com", 600, locale="zh-CN")
    rows = db_session.scalars(select(OutboxEntry).where(OutboxEntry.topic == MAIL_TOPIC))
    (job,) = [e.payload for e in rows if e.payload.get("to") == "fresh.person@example.com"]
    assert job["customer_id"] is None and job["kind"] == "portal_code"
    assert job["locale"] == "zh-CN" and job["valid_until"]
    assert job["text"].startswith(f"您的登录验证码是 {code}")


def test_notice_points_to_the_official_addresses(
    db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEDGERDESK_OFFICIAL_DOMAINS", "example.com, help.example.com")
    monkeypatch.setenv("LEDGERDESK_PUBLIC_URL", "https://help.example.com/")
    get_settings.cache_clear()
    try:
        me = make_customer(db_session)
        do_set_anti_phishing_code(db_session, customer_actor(me), me, "Calm-Sea-3")
        do_set_anti_phishing_code(db_session, customer_actor(me), me, None)
    finally:
        get_settings.cache_clear()  # the environment is restored after the test
    set_notice, removed_notice = mail_jobs(db_session, me)
    assert "type https://help.example.com/portal into your browser" in set_notice["text"]
    assert set_notice["text"].endswith("Our official websites: example.com, help.example.com")
    assert "at any time at https://help.example.com/portal/security." in removed_notice["text"]
