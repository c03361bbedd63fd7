"""Nothing acknowledged is lost: real ``serve --workers 2`` and ``worker`` processes on
PostgreSQL and Redis (``LEDGERDESK_JOBS=external``) are killed with SIGKILL under load, and
afterwards every message that got a 2xx is stored once, every owed job ran, every reply's
e-mail and every event's webhook arrived, none under two ids (``crashkit`` does the work;
``bench/crash.py`` is the long run).

And the fix that makes a copy recognisable: a mail job that sent its mail and crashed before
its commit sends it again under the same ``Message-ID``."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Role
from ledgerdesk.channels.mail import send_customer_mail
from ledgerdesk.channels.outgoing import (
    MAIL_TOPIC,
    REPLY_NOTICE_TOPIC,
    QueuedMail,
    queue_customer_mail,
)
from ledgerdesk.channels.ticket_mail import send_reply_notice
from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.core.migrate import upgrade
from ledgerdesk.jobs.models import OutboxEntry
from ledgerdesk.tickets import services as tickets
from tests.channels.smtp import PointMail, SmtpServer
from tests.conftest import make_agent, make_ticket
from tests.scale.conftest import needs_services
from tests.scale.crashkit import crash_run

# Two worker kills (one may land between the SMTP server's "accepted" and the job's commit),
# one of uvicorn's two web processes, then the whole web server at once.
PLAN = ["worker", "web-child", "worker", "web"]


def test_kill_9_under_load_loses_and_repeats_nothing(tmp_path: Path) -> None:
    redis_url = needs_services()
    result = crash_run(
        tmp_path,
        redis_url,
        kills=len(PLAN),
        every=1.5,
        clients=3,
        plan=PLAN,
        migrate_command=False,
        settle_timeout=90,
    )
    verdict = result.verdict
    report = f"{verdict}\n{result.chaos_log}"
    assert verdict.problems == [], report
    assert sum(verdict.kills.values()) == len(PLAN), report
    # Work was really done and acknowledged on every path, and owed mail and webhooks.
    assert all(result.requests_acked.get(k, 0) > 0 for k in ("create", "reply", "chat")), report
    assert verdict.mails_owed > 0 and verdict.webhooks_owed > 0, report
    # A copy under the same id is only possible when a worker died in its send-commit window.
    worker_kills = sum(n for name, n in verdict.kills.items() if name.startswith("worker"))
    assert verdict.mail_copies + verdict.webhook_copies <= worker_kills, report


def _crash_then_rerun(
    factory: sessionmaker[Session],
    payload: dict[str, Any],
    run: Callable[[Session, dict[str, Any]], None],
) -> None:
    with factory() as session:  # the job sends, then its process dies before the commit
        run(session, payload)
        session.rollback()
    with factory() as session:  # the next worker runs the job again
        run(session, payload)
        session.commit()


def _ids(messages: list[EmailMessage]) -> list[str]:
    return [str(m["Message-ID"]) for m in messages]


def test_a_mail_sent_again_after_a_crash_keeps_its_message_id(
    tmp_path: Path, smtp_server: SmtpServer, configure_mail: PointMail
) -> None:
    configure_mail(smtp_server.port)
    engine = make_engine(f"sqlite:///{tmp_path / 'desk.db'}")
    upgrade(engine)
    factory = make_sessionmaker(engine)
    with factory() as session:
        agent = make_agent(session, Role.admin)
        ticket = make_ticket(session)
        reply = tickets.do_add_message(session, accounts.agent_actor(agent), ticket, "Checked.")
        requester = ticket.requester.email
        session.commit()
        payloads = _queued(session)
    _crash_then_rerun(factory, payloads[REPLY_NOTICE_TOPIC], send_reply_notice)
    notices = smtp_server.inbox.wait_for(requester, 2)
    assert len(set(_ids(notices))) == 1, _ids(notices)
    assert all(reply.body in m.get_body(("plain",)).get_content() for m in notices)  # type: ignore[union-attr]

    with factory() as session:  # a queued customer mail: its id travels in the job's payload
        queue_customer_mail(session, QueuedMail(kind="t", subject="s", text="x", to="a@b.test"))
        session.commit()
        payload = _queued(session)[MAIL_TOPIC]
    _crash_then_rerun(factory, payload, send_customer_mail)
    again = smtp_server.inbox.wait_for("a@b.test", 2)
    assert len(set(_ids(again))) == 1, _ids(again)
    # Every other mail has its own id.
    assert set(_ids(again)).isdisjoint(_ids(notices))
    engine.dispose()


def _queued(session: Session) -> dict[str, dict[str, Any]]:
    rows = session.query(OutboxEntry).order_by(OutboxEntry.id.desc()).all()
    return {row.topic: dict(row.payload) for row in rows}
