"""Outgoing ticket mail threads and stops loops: each mail's Message-ID is recorded, the next
one answers the latest of the thread (sent or received), carries the per-ticket Reply-To when
inbound mail is set up, our loop headers, an HTML part with the anti-phishing line first, and
nothing goes to a suppressed address. Sent through a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from email.utils import parseaddr

from sqlalchemy import select

from ledgerdesk.accounts.portal_codes import do_issue_portal_code
from ledgerdesk.channels import reply_token
from ledgerdesk.channels.mail import is_suppressed, text_of
from ledgerdesk.channels.mail_ids import stored_id
from ledgerdesk.channels.mail_out import MAX_REFERENCES, references
from ledgerdesk.channels.mail_parse import clean_id, ids_in
from ledgerdesk.channels.models import MailAddress, MailMessageId
from ledgerdesk.channels.outgoing import REPLY_NOTICE_TOPIC
from ledgerdesk.channels.ticket_mail import send_reply_notice
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.settings import Settings
from ledgerdesk.jobs.outbox import enqueue, run_pending
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Status
from tests.channels.smtp import PUBLIC_URL, PointMail, SmtpServer, first_line
from tests.channels.test_ticket_mail import Desk, _last_message, _requester, desk, reply

__all__ = ["desk"]
CODE = "Blue-Harbour-4"


def _html(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("html",))
    assert part is not None, "the mail has no HTML part"
    return str(part.get_content())


def _sent_ids(desk: Desk, ticket_id: int) -> list[tuple[str, str, int | None]]:
    with desk.factory() as session:
        rows = session.execute(
            select(
                MailMessageId.message_id,
                MailMessageId.direction,
                MailMessageId.ticket_message_id,
            )
            .where(MailMessageId.ticket_id == ticket_id)
            .order_by(MailMessageId.id)
        )
        return [(r[0], r[1], r[2]) for r in rows]


def _received(desk: Desk, ticket_id: int, message_id: str) -> None:
    """What inbound mail records for a customer's e-mail on the ticket (mailin's writer)."""
    with desk.factory() as session:
        session.add(MailMessageId(message_id=message_id, ticket_id=ticket_id, direction="in"))
        session.commit()


def test_replies_thread_on_the_latest_mail_sent_or_received(
    desk: Desk, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    ticket_id, email = desk.ticket(code=CODE)
    run_pending(desk.factory)  # the anti-phishing notice (no ticket: not in the thread)
    desk.act(ticket_id, reply(desk, "Please send the TXID."))
    run_pending(desk.factory)
    first = smtp_server.inbox.wait_for(email, count=2)[1]
    first_reply = _last_message(desk, ticket_id)
    assert first["In-Reply-To"] is None and first["References"] is None
    own = clean_id(first["Message-ID"])
    assert _sent_ids(desk, ticket_id) == [(own, "out", first_reply)]

    theirs = f"CAF{uuid.uuid4().hex}@mail.gmail.com"
    _received(desk, ticket_id, theirs)
    desk.act(ticket_id, reply(desk, "Found it, crediting now."))
    desk.act(ticket_id, lambda s, t: tickets.do_set_status(s, desk.agent, t, Status.solved))
    run_pending(desk.factory)
    second, solved = smtp_server.inbox.wait_for(email, count=4)[2:]
    assert second["In-Reply-To"] == f"<{theirs}>"
    assert ids_in(second["References"]) == [own, theirs]
    assert solved["In-Reply-To"] == second["Message-ID"]
    assert ids_in(solved["References"]) == [own, theirs, clean_id(second["Message-ID"])]
    recorded = _sent_ids(desk, ticket_id)
    assert [r[1] for r in recorded] == ["out", "in", "out", "out"]
    assert recorded[2] == (clean_id(second["Message-ID"]), "out", _last_message(desk, ticket_id))
    assert recorded[3][2] is None  # the solved notice answers no message
    assert all("<" not in r[0] and ">" not in r[0] for r in recorded)
    for mail in (first, second, solved):
        assert mail["X-Ledgerdesk-Ticket"] == str(ticket_id)
        assert mail["X-Loop"] == "support@example.test"
        assert mail["Auto-Submitted"] == "auto-generated"
        assert mail["Subject"].startswith(f"[#{ticket_id}] ")


def test_references_keep_the_first_and_the_latest() -> None:
    ids = [f"m{n}@desk" for n in range(25)]
    kept = references(ids)
    assert len(kept) == MAX_REFERENCES
    assert kept[0] == "m0@desk" and kept[1:] == ids[-(MAX_REFERENCES - 1) :]
    assert references(ids[:3]) == ids[:3]


def test_reply_to_token_only_when_inbound_mail_is_set_up(
    desk: Desk, smtp_server: SmtpServer, configure_mail: PointMail
) -> None:
    configure_mail(smtp_server.port)
    ticket_id, email = desk.ticket()
    desk.act(ticket_id, reply(desk, "Which network did you use?"))
    run_pending(desk.factory)
    (closed,) = smtp_server.inbox.wait_for(email)
    assert closed["Reply-To"] is None
    assert "Replies to this e-mail are not read." in text_of(closed)

    settings = configure_mail(smtp_server.port, LEDGERDESK_MAIL_INBOUND_TOKEN="t" * 32)
    desk.act(ticket_id, reply(desk, "Thanks, checking TRC20."))
    run_pending(desk.factory)
    opened = smtp_server.inbox.wait_for(email, count=2)[1]
    reply_to = parseaddr(opened["Reply-To"])[1]
    assert reply_to == reply_token.reply_address(ticket_id, settings)
    assert reply_token.ticket_from_addresses([opened["Reply-To"]], settings) == ticket_id
    assert "You can reply to this e-mail to answer" in text_of(opened)
    assert "not read" not in text_of(opened) and "not read" not in _html(opened)


def test_chinese_footer_says_replies_work_when_set_up(
    desk: Desk, smtp_server: SmtpServer, configure_mail: PointMail
) -> None:
    configure_mail(smtp_server.port, LEDGERDESK_MAIL_IMAP_HOST="127.0.0.1")
    ticket_id, email = desk.ticket(locale="zh-CN")
    desk.act(ticket_id, reply(desk, "请提供交易哈希。"))
    run_pending(desk.factory)
    (mail,) = smtp_server.inbox.wait_for(email)
    assert "您可以直接回复此邮件" in text_of(mail) and "您可以直接回复此邮件" in _html(mail)
    assert "不会阅读" not in text_of(mail)


def test_html_part_is_escaped_with_the_code_first_and_no_remote_content(
    desk: Desk, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    ticket_id, email = desk.ticket(code=CODE)
    run_pending(desk.factory)
    body = 'Use <script>alert("x")</script> & <img src="https://evil.test/p.png">\nline two'
    desk.act(ticket_id, reply(desk, body))
    run_pending(desk.factory)
    mail = smtp_server.inbox.wait_for(email, count=2)[1]
    assert mail.get_content_type() == "multipart/alternative"
    assert first_line(mail) == f"Anti-phishing code: {CODE}"
    markup = _html(mail)
    after_body = markup[markup.index("<body") :]
    first_paragraph = after_body[after_body.index(">") + 1 :]
    assert first_paragraph.startswith("<p ") and CODE in first_paragraph.split("</p>")[0]
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img" in markup
    assert "<script" not in markup and "<img" not in markup and 'src="' not in markup
    assert "<br>line two" in markup
    portal = f"{PUBLIC_URL}/portal/tickets/{ticket_id}"
    assert f'<a href="{portal}"' in markup
    assert markup.count("<a ") == 1  # only our own link is clickable
    assert "<style" not in markup and "<link" not in markup


def test_every_customer_mail_starts_with_the_code_in_both_parts(
    desk: Desk, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    """Sign-in code, public reply, reply that solves, solved notice: the code comes first."""
    ticket_id, email = desk.ticket(code=CODE)
    with desk.factory() as session:
        do_issue_portal_code(session, email, 600)
        session.commit()
    desk.act(ticket_id, reply(desk, "A reply."))
    desk.act(ticket_id, lambda s, t: tickets.do_set_status(s, desk.agent, t, Status.solved))
    customer = _requester(desk, ticket_id)
    desk.act(ticket_id, lambda s, t: tickets.do_customer_reply(s, customer, t, "still wrong"))
    desk.act(ticket_id, reply(desk, "Fixed for good.", Status.solved))
    run_pending(desk.factory)
    mails = smtp_server.inbox.wait_for(email, count=5)
    kinds = [m["Subject"] for m in mails]
    assert any("sign-in code" in k for k in kinds), kinds
    assert sum("New reply" in k for k in kinds) == 2 and any("was solved" in k for k in kinds)
    for mail in mails:
        assert first_line(mail) == f"Anti-phishing code: {CODE}", mail["Subject"]
        markup = _html(mail)
        assert markup.index(CODE) < markup.index("</p>"), mail["Subject"]


def test_suppressed_addresses_get_nothing(
    desk: Desk, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    ticket_id, email = desk.ticket()
    with desk.factory() as session:
        assert not is_suppressed(session, email)
        session.add(MailAddress(address=email.lower(), bounced_at=utcnow(), bounce_detail="5.1.1"))
        session.commit()
        assert is_suppressed(session, email)
        assert is_suppressed(session, f"Someone <{email.upper()}>")
        assert is_suppressed(session, "telegram-12345@users.invalid")
        complained = f"c-{uuid.uuid4().hex[:8]}@example.com"
        session.add(MailAddress(address=complained, complained_at=utcnow()))
        healthy = f"h-{uuid.uuid4().hex[:8]}@example.com"
        session.add(MailAddress(address=healthy))  # known, neither bounced nor complained
        session.commit()
        assert is_suppressed(session, complained) and not is_suppressed(session, healthy)
        do_issue_portal_code(session, email, 600)
        session.commit()
    desk.act(ticket_id, reply(desk, "Any news?", Status.solved))
    run_pending(desk.factory)
    assert smtp_server.inbox.to(email) == []
    assert desk.jobs() == [] and _sent_ids(desk, ticket_id) == []


def test_messenger_customer_is_never_mailed(
    desk: Desk, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    from tests.conftest import make_customer, make_ticket

    address = f"telegram-{uuid.uuid4().int % 10**9}@users.invalid"
    with desk.factory() as session:
        who = make_customer(session, email=address, external_id=f"telegram:{address[9:18]}")
        ticket_id = make_ticket(session, who).id
        session.commit()
    desk.act(ticket_id, reply(desk, "Hello from the console."))
    run_pending(desk.factory)
    assert smtp_server.inbox.to(address) == []
    assert desk.jobs() == []


def test_run_twice_sends_once_and_records_one_id(
    desk: Desk, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    ticket_id, email = desk.ticket()
    desk.act(ticket_id, reply(desk, "Please send a screenshot."))
    message_id = _last_message(desk, ticket_id)
    run_pending(desk.factory)
    with desk.factory() as session:
        enqueue(session, REPLY_NOTICE_TOPIC, {"message_id": message_id})
        session.commit()
    run_pending(desk.factory)
    with desk.factory() as session:
        send_reply_notice(session, {"message_id": message_id})
        session.commit()
    (mail,) = smtp_server.inbox.wait_for(email)
    assert _sent_ids(desk, ticket_id) == [(clean_id(mail["Message-ID"]), "out", message_id)]


def test_an_id_kept_as_a_digest_is_left_out_of_the_thread(
    desk: Desk, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    """A received id the secret guard would change is stored as a digest no client knows."""
    ticket_id, email = desk.ticket()
    readable = f"{uuid.uuid4().hex}@mail.example.com"
    _received(desk, ticket_id, readable)
    _received(desk, ticket_id, stored_id("9f86d081" * 8 + "@mx.example"))
    desk.act(ticket_id, reply(desk, "Received, checking."))
    run_pending(desk.factory)
    (mail,) = smtp_server.inbox.wait_for(email)
    assert mail["In-Reply-To"] == f"<{readable}>"
    assert ids_in(mail["References"]) == [readable]
