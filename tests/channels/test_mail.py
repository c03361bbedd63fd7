"""Outbound customer e-mail: composed with the anti-phishing code, sent to a real local SMTP
server, queued through the outbox on both databases and retried when the server is down."""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.anti_phishing import do_set_anti_phishing_code
from ledgerdesk.accounts.models import Customer
from ledgerdesk.accounts.portal_codes import do_issue_portal_code
from ledgerdesk.accounts.services import SYSTEM, customer_actor
from ledgerdesk.channels.mail import (
    MailNotConfigured,
    compose_customer_mail,
    send,
    send_customer_mail,
    text_of,
)
from ledgerdesk.channels.outgoing import MAIL_TOPIC, QueuedMail
from ledgerdesk.core.clock import frozen_at, utcnow
from ledgerdesk.core.db import make_sessionmaker
from ledgerdesk.core.settings import Settings
from ledgerdesk.jobs.models import OutboxEntry
from ledgerdesk.jobs.outbox import run_pending
from tests.channels.smtp import (
    MAIL_FROM,
    PUBLIC_URL,
    PointMail,
    SmtpServer,
    first_line,
    free_port,
    start_server,
)


def settings_for(port: int = 25, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_starttls": False,
        "mail_from": MAIL_FROM,
        "public_url": PUBLIC_URL,
        **extra,
    }
    return Settings(**values)


def customer(code: str | None = None, locale: str = "en") -> Customer:
    """A customer as the mail code sees one (not stored: composing reads no database)."""
    return Customer(
        email=f"c-{uuid.uuid4().hex[:8]}@example.com", locale=locale, anti_phishing_code=code
    )


# --- composing ---------------------------------------------------------------------------


def test_code_is_the_first_line_and_in_no_header() -> None:
    msg = compose_customer_mail(
        customer("Blue-Fox_42"), "Your withdrawal", "It was sent.", settings=settings_for()
    )
    lines = text_of(msg).splitlines()
    assert lines[0] == "Anti-phishing code: Blue-Fox_42"
    assert lines[1] == "" and lines[2] == "It was sent."
    assert msg["From"] == MAIL_FROM and msg["Subject"] == "Your withdrawal"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Message-ID"].endswith("@example.test>")
    assert not [k for k, v in msg.items() if "Blue-Fox_42" in str(v)]


def test_chinese_customer_gets_the_chinese_line() -> None:
    msg = compose_customer_mail(
        customer("蓝狐42", "zh_CN"), "提现", "已发送", settings=settings_for()
    )
    assert first_line(msg) == "防钓鱼码：蓝狐42"
    assert msg["Content-Language"] == "zh-CN"
    # The locale of the mail's own text wins, so one e-mail is in one language.
    english = compose_customer_mail(
        customer("蓝狐42", "zh-CN"), "Hi", "Hello", locale="en", settings=settings_for()
    )
    assert first_line(english) == "Anti-phishing code: 蓝狐42"


def test_html_part_starts_with_the_line_escaped() -> None:
    odd = customer("a<b>&c")  # not a valid code; composing must escape whatever it is given
    msg = compose_customer_mail(
        odd,
        "Notice",
        "Plain text",
        html_body="<html><body class='x'><p>Rich text</p></body></html>",
        settings=settings_for(),
    )
    html_part = msg.get_body(preferencelist=("html",))
    assert html_part is not None
    markup = str(html_part.get_content())
    assert "<body class='x'><p style=" in markup
    assert "Anti-phishing code: a&lt;b&gt;&amp;c</p><p>Rich text</p>" in markup
    assert first_line(msg) == "Anti-phishing code: a<b>&c"
    bare = compose_customer_mail(
        odd, "Notice", "Plain", html_body="<p>Fragment</p>", settings=settings_for()
    )
    bare_html = bare.get_body(preferencelist=("html",))
    assert bare_html is not None and str(bare_html.get_content()).startswith("<p style=")


def test_without_a_code_the_first_line_suggests_one() -> None:
    msg = compose_customer_mail(customer(None), "Hello", "Body", settings=settings_for())
    assert first_line(msg).startswith("Tip: set an anti-phishing code at ")
    assert f"{PUBLIC_URL}/portal/security" in first_line(msg)
    zh = compose_customer_mail(customer(None, "zh-CN"), "你好", "正文", settings=settings_for())
    assert first_line(zh).startswith("提示：在 ") and "/portal/security" in first_line(zh)


def test_unknown_address_gets_no_code_line() -> None:
    msg = compose_customer_mail(
        None, "Sign-in", "Your code is 123456.", to="new@example.com", settings=settings_for()
    )
    assert text_of(msg).startswith("Your code is 123456.")
    assert msg["To"] == "new@example.com"
    with pytest.raises(ValueError, match="needs a customer"):
        compose_customer_mail(None, "Sign-in", "Body", settings=settings_for())


# --- sending -----------------------------------------------------------------------------


def test_send_delivers_to_the_smtp_server(smtp_server: SmtpServer) -> None:
    someone = customer("Kite-77", "zh-CN")
    send(
        compose_customer_mail(someone, "工单已回复", "您好，我们已回复。", settings=settings_for()),
        settings_for(smtp_server.port),
    )
    (received,) = smtp_server.inbox.to(someone.email)
    assert first_line(received) == "防钓鱼码：Kite-77"
    assert "您好，我们已回复。" in text_of(received)
    assert received["Subject"] == "工单已回复"


def test_development_without_smtp_logs_the_mail(caplog: pytest.LogCaptureFixture) -> None:
    someone = customer("Log-Line-9")
    dev = Settings(smtp_host="")
    with caplog.at_level(logging.INFO, logger="ledgerdesk.mail"):
        send(compose_customer_mail(someone, "Hi", "Body text", settings=dev), dev)
    (record,) = [r for r in caplog.records if someone.email in r.getMessage()]
    assert "Anti-phishing code: Log-Line-9" in record.getMessage()
    assert "Body text" in record.getMessage()


def test_production_without_smtp_refuses_instead_of_logging(
    caplog: pytest.LogCaptureFixture,
) -> None:
    prod = Settings(env="production", secret_key="k" * 40, database_url="postgresql://x/y")
    msg = compose_customer_mail(customer("Secret-1"), "Hi", "Body", settings=prod)
    with caplog.at_level(logging.DEBUG, logger="ledgerdesk.mail"):
        with pytest.raises(MailNotConfigured, match="LEDGERDESK_SMTP_HOST"):
            send(msg, prod)
    assert not [r for r in caplog.records if "Secret-1" in r.getMessage()]


def test_smtp_needs_a_sender_and_production_a_public_url() -> None:
    with pytest.raises(ValueError, match="LEDGERDESK_MAIL_FROM"):
        Settings(smtp_host="mail.example.com")
    with pytest.raises(ValueError, match="LEDGERDESK_PUBLIC_URL"):
        Settings(
            env="production",
            secret_key="k" * 40,
            database_url="postgresql://x/y",
            smtp_host="mail.example.com",
            mail_from=MAIL_FROM,
        )
    with pytest.raises(ValueError, match="LEDGERDESK_PUBLIC_URL"):
        Settings(public_url="support.example.com")


def test_starttls_is_required_when_configured(smtp_server: SmtpServer) -> None:
    """A server that does not offer STARTTLS gets nothing, not a plain-text send."""
    msg = compose_customer_mail(customer("Tls-Only"), "Hi", "Body", settings=settings_for())
    with pytest.raises(smtplib.SMTPNotSupportedError, match="STARTTLS"):
        send(msg, settings_for(smtp_server.port, smtp_starttls=True))
    assert smtp_server.inbox.messages == []


def test_starttls_checks_the_certificate() -> None:
    controller, server = start_server(tls=True)
    try:
        msg = compose_customer_mail(customer("Cert-Check"), "Hi", "Body", settings=settings_for())
        with pytest.raises(ssl.SSLCertVerificationError):
            send(msg, settings_for(server.port, smtp_starttls=True))
        assert server.inbox.messages == []
    finally:
        controller.stop()


def test_a_slow_server_is_cut_off_after_the_whole_timeout(smtp_server: SmtpServer) -> None:
    """Each command answers within the timeout, the whole exchange does not: it is cut."""
    smtp_server.inbox.delay = 0.4
    msg = compose_customer_mail(customer("Slow-1"), "Hi", "Body", settings=settings_for())
    started = time.monotonic()
    with pytest.raises(TimeoutError, match=r"did not finish within 0\.6 s"):
        send(msg, settings_for(smtp_server.port, smtp_timeout=0.6))
    assert time.monotonic() - started < 2.0
    assert smtp_server.inbox.messages == []


# --- the mail.customer job on both databases ---------------------------------------------


@dataclass
class Desk:
    """Committed customers on the test database, removed again afterwards."""

    factory: sessionmaker[Session]
    customer_ids: list[int] = field(default_factory=list)

    def customer(self, code: str | None = None, locale: str = "en") -> Customer:
        with self.factory() as session:
            made = accounts.do_upsert_customer(
                session, email=f"m-{uuid.uuid4().hex[:10]}@example.com", locale=locale
            )
            session.flush()
            if code is not None:
                do_set_anti_phishing_code(session, SYSTEM, made, code)
            session.commit()
            self.customer_ids.append(made.id)
            return made

    def set_code(self, customer_id: int, code: str | None) -> None:
        with self.factory() as session:
            found = accounts.get_customer(session, customer_id)
            do_set_anti_phishing_code(session, customer_actor(found), found, code)
            session.commit()

    def mail_jobs(self) -> list[OutboxEntry]:
        with self.factory() as session:
            rows = session.scalars(select(OutboxEntry).where(OutboxEntry.topic == MAIL_TOPIC))
            return list(rows)


@pytest.fixture
def desk(engine: Engine) -> Iterator[Desk]:
    factory = make_sessionmaker(engine)
    with factory() as session:
        mark = session.scalar(select(func.max(OutboxEntry.id))) or 0
    made = Desk(factory)
    yield made
    with engine.begin() as connection:
        connection.execute(
            delete(OutboxEntry).where(OutboxEntry.topic == MAIL_TOPIC, OutboxEntry.id > mark)
        )
        connection.execute(delete(Customer).where(Customer.id.in_(made.customer_ids)))


def test_change_notification_arrives_with_the_new_code(
    desk: Desk, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    who = desk.customer()
    desk.set_code(who.id, "Quiet-Lake-7")
    run_pending(desk.factory)
    (notice,) = smtp_server.inbox.to(who.email)
    assert first_line(notice) == "Anti-phishing code: Quiet-Lake-7"
    assert notice["Subject"] == "Your ledgerdesk anti-phishing code was set"
    body = text_of(notice)
    assert "anti-phishing code was set at " in body and " UTC." in body
    assert f"type {PUBLIC_URL}/portal into your browser" in body
    assert not [e for e in desk.mail_jobs() if e.payload.get("customer_id") == who.id]


def test_chinese_customer_notification_is_in_chinese(
    desk: Desk, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    who = desk.customer(locale="zh-CN")
    desk.set_code(who.id, "防钓鱼-甲乙")
    desk.set_code(who.id, None)
    run_pending(desk.factory)
    first, second = smtp_server.inbox.to(who.email)
    # Composed when sent, so both show what the customer has now: no code, so the hint.
    assert first_line(first).startswith("提示：") and first_line(second).startswith("提示：")
    subjects = {first["Subject"], second["Subject"]}
    assert subjects == {"您的 ledgerdesk 防钓鱼码已设置", "您的 ledgerdesk 防钓鱼码已删除"}
    assert "防钓鱼码已于" in text_of(second)


def test_code_changed_between_queue_and_send_is_the_one_sent(
    desk: Desk, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    who = desk.customer(code="First-Code")
    run_pending(desk.factory)
    assert first_line(smtp_server.inbox.wait_for(who.email)[0]) == (
        "Anti-phishing code: First-Code"
    )
    with desk.factory() as session:
        do_issue_portal_code(session, who.email, 600)
        session.commit()
    desk.set_code(who.id, "Second-Code")
    run_pending(desk.factory)
    later = smtp_server.inbox.to(who.email)[1:]
    assert len(later) == 2
    assert {first_line(m) for m in later} == {"Anti-phishing code: Second-Code"}
    assert any("Your sign-in code is" in text_of(m) for m in later)


def test_sign_in_mail_to_a_new_address_has_no_code_line(
    desk: Desk, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    address = f"new-{uuid.uuid4().hex[:8]}@example.com"
    with desk.factory() as session:
        code = do_issue_portal_code(session, address, 600, locale="zh-CN")
        session.commit()
    run_pending(desk.factory)
    (mail,) = smtp_server.inbox.to(address)
    assert first_line(mail) == f"您的登录验证码是 {code}，10 分钟内有效。"
    assert mail["Subject"] == "您的 ledgerdesk 登录验证码"
    assert "防钓鱼码" not in text_of(mail)


def test_expired_sign_in_mail_and_vanished_customer_are_dropped(
    desk: Desk, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    late = f"late-{uuid.uuid4().hex[:8]}@example.com"
    with desk.factory() as session, frozen_at(utcnow() - timedelta(hours=1)):
        do_issue_portal_code(session, late, 600)
        session.commit()
    gone = desk.customer()
    desk.set_code(gone.id, "Gone-Soon")
    with desk.factory() as session:
        session.execute(delete(Customer).where(Customer.id == gone.id))
        session.commit()
    run_pending(desk.factory)
    assert smtp_server.inbox.to(late) == [] and smtp_server.inbox.to(gone.email) == []
    assert not [
        e
        for e in desk.mail_jobs()
        if e.payload.get("to") == late or e.payload.get("customer_id") == gone.id
    ]


def test_smtp_down_keeps_the_mail_and_retries(
    desk: Desk, configure_mail: PointMail, smtp_server: SmtpServer
) -> None:
    configure_mail(free_port())  # nothing listens there
    who = desk.customer()
    desk.set_code(who.id, "Patient-1")
    run_pending(desk.factory)
    (job,) = [e for e in desk.mail_jobs() if e.payload.get("customer_id") == who.id]
    assert job.attempts == 1 and job.available_at > utcnow()
    assert job.last_error and "ConnectionRefusedError" in job.last_error
    # Still failing later: the attempt count grows and the error is kept.
    with frozen_at(utcnow() + timedelta(seconds=3)):
        run_pending(desk.factory)
    (job,) = [e for e in desk.mail_jobs() if e.payload.get("customer_id") == who.id]
    assert job.attempts == 2 and "ConnectionRefusedError" in (job.last_error or "")
    # The server is back (and the code changed meanwhile): the retry delivers the current code.
    desk.set_code(who.id, "Patient-2")
    configure_mail(smtp_server.port)
    with frozen_at(utcnow() + timedelta(seconds=10)):
        run_pending(desk.factory)
    received = smtp_server.inbox.to(who.email)
    assert len(received) == 2
    assert {first_line(m) for m in received} == {"Anti-phishing code: Patient-2"}
    assert not [e for e in desk.mail_jobs() if e.payload.get("customer_id") == who.id]


def test_a_malformed_job_fails_loudly(db_session: Session) -> None:
    with pytest.raises(ValueError, match="exactly one of customer_id and to"):
        send_customer_mail(db_session, {"kind": "x", "subject": "s", "text": "t"})
    with pytest.raises(ValueError, match="exactly one"):
        QueuedMail(kind="x", subject="s", text="t", customer_id=1, to="a@b.c").check()
