"""``ledgerdesk worker`` as a real process: SIGTERM ends it after the job in hand."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ledgerdesk.channels.outgoing import MAIL_TOPIC, QueuedMail, queue_customer_mail
from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.core.migrate import upgrade
from ledgerdesk.jobs.models import OutboxEntry
from tests.channels.smtp import MAIL_FROM, PUBLIC_URL, SmtpServer

BIN = Path(sys.executable).parent / "ledgerdesk"
BACKLOG = 200


def test_sigterm_stops_the_worker_after_the_current_job(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    url = f"sqlite:///{tmp_path / 'worker.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with make_sessionmaker(engine)() as session:
        for n in range(BACKLOG):
            mail = QueuedMail(kind="test", subject=f"n{n}", text="hello", to=f"c{n}@example.test")
            queue_customer_mail(session, mail)
        session.commit()
    smtp_server.inbox.delay = 0.05  # each e-mail takes about 0.1 s: the backlog about 20 s
    env = {
        **os.environ,
        "LEDGERDESK_DATABASE_URL": url,
        "LEDGERDESK_DATA_DIR": str(tmp_path),
        "LEDGERDESK_SMTP_HOST": "127.0.0.1",
        "LEDGERDESK_SMTP_PORT": str(smtp_server.port),
        "LEDGERDESK_SMTP_STARTTLS": "false",
        "LEDGERDESK_MAIL_FROM": MAIL_FROM,
        "LEDGERDESK_PUBLIC_URL": PUBLIC_URL,
    }
    proc = subprocess.Popen([str(BIN), "worker"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_mail(smtp_server, 3)
        proc.send_signal(signal.SIGTERM)
        started = time.monotonic()
        proc.wait(timeout=30)
        took = time.monotonic() - started
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    assert took < 2.0, f"the worker took {took:.1f} s to stop"
    with make_sessionmaker(engine)() as session:
        # (the worker also queued its periodic jobs, SLA checks and the like: not counted)
        mails = select(func.count()).where(OutboxEntry.topic == MAIL_TOPIC)
        queued = session.scalar(mails) or 0
    delivered = len(smtp_server.inbox.messages)
    engine.dispose()
    # Nothing lost, nothing sent twice: every job was either delivered (and removed) or is
    # still queued for the next worker; most of the backlog is still there.
    assert delivered + queued == BACKLOG
    assert queued > BACKLOG // 2


def _wait_for_mail(server: SmtpServer, count: int) -> None:
    deadline = time.monotonic() + 30
    while len(server.inbox.messages) < count:
        assert time.monotonic() < deadline, "the worker sent nothing"
        time.sleep(0.02)


@pytest.mark.parametrize("delivery", ["redis", "polling"])
def test_worker_with_threads_on_postgresql(
    tmp_path: Path, smtp_server: SmtpServer, delivery: str
) -> None:
    """``worker --concurrency 2`` on PostgreSQL: fed by Dramatiq on Redis (the commit announces
    its jobs), or polling the table; each job runs once and SIGTERM ends it cleanly."""
    import redis

    from ledgerdesk.jobs.delivery import Delivery, namespace_for
    from tests.conftest import REDIS_URL, _create_pg_database, _drop_pg_database, unavailable

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:
        unavailable("Redis", str(exc))
    url, admin = _create_pg_database()
    engine = make_engine(url)
    upgrade(engine)
    env = {
        **os.environ,
        "LEDGERDESK_DATABASE_URL": url,
        "LEDGERDESK_DATA_DIR": str(tmp_path),
        "LEDGERDESK_JOBS": "external",
        "LEDGERDESK_REDIS_URL": REDIS_URL if delivery == "redis" else "",
        "LEDGERDESK_SMTP_HOST": "127.0.0.1",
        "LEDGERDESK_SMTP_PORT": str(smtp_server.port),
        "LEDGERDESK_SMTP_STARTTLS": "false",
        "LEDGERDESK_MAIL_FROM": MAIL_FROM,
        "LEDGERDESK_PUBLIC_URL": PUBLIC_URL,
    }
    cmd = [str(BIN), "worker", "--concurrency", "2"]
    proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)
    sender = Delivery(REDIS_URL, namespace=namespace_for(url))
    if delivery == "redis":
        sender.install()  # this process plays the web process: it announces its commits
    try:
        with make_sessionmaker(engine)() as session:
            for n in range(5):
                mail = QueuedMail(kind="test", subject=f"r{n}", text="hi", to=f"r{n}@example.test")
                queue_customer_mail(session, mail)
            session.commit()
        _wait_for_mail(smtp_server, 5)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    finally:
        sender.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        engine.dispose()
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(namespace_for(url) + "*"):
            client.delete(key)
        _drop_pg_database(url, admin)
    stderr = proc.stderr.read() if proc.stderr else ""
    assert proc.returncode == 0, stderr
    assert ("from Redis" in stderr) == (delivery == "redis"), stderr
    received = sorted(rcpt[0] for rcpt, _message in smtp_server.inbox.messages)
    assert received == [f"r{n}@example.test" for n in range(5)]  # each once
