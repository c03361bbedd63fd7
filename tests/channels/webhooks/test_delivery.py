"""From a ticket event to a signed POST on a real local receiver, on SQLite and PostgreSQL:
the listener queues one job per flush only while an endpoint is on, deliveries follow the
retry schedule to delivered or dead, replays resend the same payload, private addresses are
refused unless allowed, and the jobs are safe to run twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.channels.models import WebhookDelivery, WebhookEndpoint
from ledgerdesk.channels.outgoing import recording_history
from ledgerdesk.channels.webhooks import listener
from ledgerdesk.channels.webhooks import services as svc
from ledgerdesk.channels.webhooks.tasks import (
    AUTO_DISABLE_AFTER,
    AUTO_DISABLED,
    BACKOFF_SECONDS,
    MAX_ATTEMPTS,
    TURNED_OFF,
    deliver,
)
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import InvalidInput
from ledgerdesk.core.settings import get_settings
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Status
from tests.channels.webhooks.conftest import run_webhook_jobs, webhook_jobs
from tests.channels.webhooks.receiver import Receiver
from tests.conftest import actor_of, make_agent, make_ticket

pytestmark = pytest.mark.usefixtures("allow_private")
NOTE = "Customer's card ends 4242; call back after 5pm"


def _endpoint(
    session: Session, receiver: Receiver, events: list[str] | None = None
) -> WebhookEndpoint:
    made = svc.do_create_endpoint(
        session, SYSTEM, get_settings(), url=receiver.url, events=events or []
    )
    receiver.secret = made.secret
    return made.endpoint


def _deliveries(session: Session, endpoint: WebhookEndpoint) -> list[WebhookDelivery]:
    query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    return list(session.scalars(query.order_by(WebhookDelivery.id)))


def test_events_are_delivered_signed(db_session: Session, receiver: Receiver) -> None:
    endpoint = _endpoint(db_session, receiver)
    agent = make_agent(db_session, Role.admin)
    ticket = make_ticket(db_session, subject="USDT deposit not credited")
    tickets.do_add_note(db_session, actor_of(agent), ticket, NOTE)
    tickets.do_set_status(db_session, actor_of(agent), ticket, Status.pending)
    db_session.flush()
    assert run_webhook_jobs(db_session) > 0

    got = receiver.wait_for(3)
    assert [r.headers["ledgerdesk-event"] for r in got] == [
        "ticket.created",
        "message.note",
        "ticket.status_changed",
    ]
    assert all(r.verified and r.status == 200 for r in got), [r.problem for r in got]
    deliveries = _deliveries(db_session, endpoint)
    assert [d.status for d in deliveries] == ["delivered"] * 3
    assert [r.headers["ledgerdesk-delivery"] for r in got] == [str(d.id) for d in deliveries]
    assert got[0].headers["user-agent"].startswith("ledgerdesk-webhooks/")
    assert got[0].headers["content-type"] == "application/json"
    assert got[0].path == "/hooks/ledgerdesk"
    created = got[0].json()
    assert created["type"] == "ticket.created"
    assert created["ticket"]["id"] == ticket.id
    assert created["ticket"]["subject"] == "USDT deposit not credited"
    assert created["ticket"]["requester_id"] == ticket.requester_id
    assert created["ticket"]["url"].endswith(f"/console/tickets/{ticket.id}")
    assert created["actor"]["kind"] == "customer"
    status = got[2].json()
    assert status["data"] == {"before": {"status": "new"}, "after": {"status": "pending"}}
    assert status["actor"] == {"kind": "agent", "id": agent.id}
    # Metadata only: neither the note nor the opening message leaves the desk.
    everything = b"".join(r.body for r in got)
    assert b"4242" not in everything and b"500 USDT" not in everything
    for d in deliveries:
        assert (d.attempts, d.last_status_code, d.last_error) == (1, 200, None)
        assert d.delivered_at is not None and d.last_duration_ms is not None


def test_no_endpoint_no_job_and_one_job_per_flush(db_session: Session, receiver: Receiver) -> None:
    make_ticket(db_session)
    db_session.flush()
    assert webhook_jobs(db_session) == []
    _endpoint(db_session, receiver)
    agent = make_agent(db_session, Role.admin)
    ticket = make_ticket(db_session)  # several flushes: a job per flush with events
    db_session.flush()  # (a job queued by a flush is written by the next one, or the commit)
    before = len(webhook_jobs(db_session))
    tickets.do_set_priority(db_session, actor_of(agent), ticket, tickets.Priority.high)
    tickets.do_assign(db_session, actor_of(agent), ticket, agent_id=agent.id)
    db_session.flush()
    jobs = webhook_jobs(db_session)
    assert len(jobs) == before + 1
    assert len(jobs[-1].payload["event_ids"]) == 2


def test_subscriptions_and_history(db_session: Session, receiver: Receiver) -> None:
    endpoint = _endpoint(db_session, receiver, events=["ticket.priority_changed"])
    agent = make_agent(db_session, Role.admin)
    ticket = make_ticket(db_session)
    tickets.do_set_priority(db_session, actor_of(agent), ticket, tickets.Priority.urgent)
    db_session.flush()
    with recording_history(db_session):
        tickets.do_set_priority(db_session, actor_of(agent), ticket, tickets.Priority.low)
        db_session.flush()
    run_webhook_jobs(db_session)
    [received] = receiver.wait_for(1)
    assert received.json()["data"]["after"] == {"priority": "urgent"}
    assert [d.event_type for d in _deliveries(db_session, endpoint)] == ["ticket.priority_changed"]


def test_retried_after_a_500_on_schedule_then_delivered(
    db_session: Session, receiver: Receiver
) -> None:
    endpoint = _endpoint(db_session, receiver, events=["ticket.created"])
    receiver.answers = [500, 503]
    make_ticket(db_session)
    db_session.flush()
    run_webhook_jobs(db_session, limit=1)  # the events job
    assert len(webhook_jobs(db_session)) == 1  # the first attempt
    [delivery] = _deliveries(db_session, endpoint)
    start = utcnow()
    run_webhook_jobs(db_session, limit=1)  # first attempt: 500
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 1, 500)
    assert delivery.last_error == "HTTP 500"
    wait = (delivery.next_attempt_at or start) - start
    assert timedelta(seconds=BACKOFF_SECONDS[0] - 2) < wait <= timedelta(seconds=12)
    [retry] = webhook_jobs(db_session)
    assert retry.available_at >= delivery.next_attempt_at - timedelta(seconds=1)
    assert retry.payload == {"delivery_id": delivery.id, "attempt": 2}
    run_webhook_jobs(db_session)
    got = receiver.wait_for(3)
    assert [r.status for r in got] == [500, 503, 200]
    assert len({r.headers["ledgerdesk-delivery"] for r in got}) == 1  # one delivery, retried
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 3, 200)
    assert delivery.next_attempt_at is None and delivery.last_error is None


def test_dead_after_the_last_attempt_and_endpoint_turned_off(
    db_session: Session, receiver: Receiver
) -> None:
    endpoint = _endpoint(db_session, receiver, events=["ticket.created"])
    receiver.answers = [500] * (MAX_ATTEMPTS * AUTO_DISABLE_AFTER)
    for _ in range(AUTO_DISABLE_AFTER):
        make_ticket(db_session)
    db_session.flush()
    run_webhook_jobs(db_session, limit=MAX_ATTEMPTS * AUTO_DISABLE_AFTER + 10)
    deliveries = _deliveries(db_session, endpoint)
    assert len(deliveries) == AUTO_DISABLE_AFTER
    assert {(d.status, d.attempts) for d in deliveries} == {("dead", MAX_ATTEMPTS)}
    assert all(d.next_attempt_at is None for d in deliveries)
    assert len(receiver.wait_for(MAX_ATTEMPTS * AUTO_DISABLE_AFTER)) == 35
    assert not endpoint.active and endpoint.disabled_reason == AUTO_DISABLED
    # Off: new events are not queued for it; turning it on clears the reason.
    make_ticket(db_session)
    db_session.flush()
    run_webhook_jobs(db_session)
    assert len(_deliveries(db_session, endpoint)) == AUTO_DISABLE_AFTER
    svc.do_update_endpoint(db_session, SYSTEM, get_settings(), endpoint, active=True)
    assert endpoint.active and endpoint.disabled_reason is None


def test_replay_sends_the_same_payload_as_a_new_delivery(
    db_session: Session, receiver: Receiver
) -> None:
    endpoint = _endpoint(db_session, receiver, events=["ticket.created"])
    make_ticket(db_session)
    db_session.flush()
    run_webhook_jobs(db_session)
    [original] = _deliveries(db_session, endpoint)
    copy = svc.do_replay(db_session, SYSTEM, original)
    svc.do_update_endpoint(db_session, SYSTEM, get_settings(), endpoint, active=False)
    run_webhook_jobs(db_session)  # a replay is sent even while the endpoint is off
    first, second = receiver.wait_for(2)
    assert first.body == second.body and second.verified
    assert second.headers["ledgerdesk-delivery"] == str(copy.id) != str(original.id)
    assert (copy.replay_of_id, copy.status, copy.event_id) == (
        original.id,
        "delivered",
        original.event_id,
    )


def test_a_test_event(db_session: Session, receiver: Receiver) -> None:
    endpoint = _endpoint(db_session, receiver)
    delivery = svc.do_send_test(db_session, SYSTEM, endpoint)
    run_webhook_jobs(db_session)
    [received] = receiver.wait_for(1)
    assert received.headers["ledgerdesk-event"] == "webhook.test"
    assert received.json()["data"]["endpoint_id"] == endpoint.id
    assert delivery.status == "delivered"


def test_queued_deliveries_of_an_endpoint_turned_off_are_not_sent(
    db_session: Session, receiver: Receiver
) -> None:
    endpoint = _endpoint(db_session, receiver, events=["ticket.created"])
    make_ticket(db_session)
    db_session.flush()
    run_webhook_jobs(db_session, limit=1)
    svc.do_update_endpoint(db_session, SYSTEM, get_settings(), endpoint, active=False)
    run_webhook_jobs(db_session)
    [delivery] = _deliveries(db_session, endpoint)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("dead", 0, TURNED_OFF)
    assert receiver.received == []


def test_jobs_are_safe_to_run_twice(db_session: Session, receiver: Receiver) -> None:
    endpoint = _endpoint(db_session, receiver, events=["ticket.created"])
    make_ticket(db_session)
    db_session.flush()
    [events_job] = webhook_jobs(db_session)
    payload = dict(events_job.payload)
    run_webhook_jobs(db_session)
    from ledgerdesk.channels.webhooks.tasks import create_deliveries

    create_deliveries(db_session, payload)  # again: no second delivery, no second job
    assert webhook_jobs(db_session) == []
    [delivery] = _deliveries(db_session, endpoint)
    deliver(db_session, {"delivery_id": delivery.id, "attempt": 1})  # a stale repeat
    assert delivery.attempts == 1 and len(receiver.wait_for(1)) == 1


def test_redirects_are_not_followed(db_session: Session, receiver: Receiver) -> None:
    endpoint = _endpoint(db_session, receiver)
    receiver.answers = [302]
    receiver.redirect_to = "http://169.254.169.254/latest/meta-data/"
    delivery = svc.do_send_test(db_session, SYSTEM, endpoint)
    run_webhook_jobs(db_session, limit=1)
    assert len(receiver.wait_for(1)) == 1
    assert (delivery.status, delivery.last_status_code) == ("failed", 302)
    assert delivery.last_error == "HTTP 302: redirects are not followed"


def test_private_addresses_are_refused_unless_allowed(
    db_session: Session, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = _endpoint(db_session, receiver)  # allowed while creating
    monkeypatch.setenv("LEDGERDESK_WEBHOOKS_ALLOW_PRIVATE", "false")
    get_settings.cache_clear()
    for url in (receiver.url, "http://localhost:9/x", "http://10.1.2.3/", "http://[::1]/"):
        with pytest.raises(InvalidInput, match="private, loopback or reserved"):
            svc.do_create_endpoint(db_session, SYSTEM, get_settings(), url=url)
    delivery = svc.do_send_test(db_session, SYSTEM, endpoint)
    run_webhook_jobs(db_session, limit=1)
    assert delivery.status == "failed" and delivery.last_status_code is None
    assert (delivery.last_error or "").startswith("refused: 127.0.0.1 resolves to 127.0.0.1")
    assert endpoint.secret not in (delivery.last_error or "")
    assert receiver.received == []


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://example.com/x", "must start with https://"),
        ("https://user:pw@example.com/", "no user name or password"),
        ("https://exa mple.com/", "without spaces"),
        ("https://example.com:99999/", "not a valid URL"),
        ("", "Enter the URL"),
    ],
)
def test_bad_urls_are_refused(db_session: Session, url: str, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        svc.do_create_endpoint(db_session, SYSTEM, get_settings(), url=url)


def test_unknown_event_types_are_refused(db_session: Session, receiver: Receiver) -> None:
    with pytest.raises(InvalidInput, match=r"Unknown event type: guard\.secret_redacted"):
        svc.do_create_endpoint(
            db_session, SYSTEM, get_settings(), url=receiver.url, events=["guard.secret_redacted"]
        )


def test_the_endpoint_cache_follows_changes(db_session: Session, receiver: Receiver) -> None:
    assert listener.any_active_endpoint(db_session) is False
    endpoint = _endpoint(db_session, receiver)
    assert listener.any_active_endpoint(db_session) is True
    svc.do_update_endpoint(db_session, SYSTEM, get_settings(), endpoint, active=False)
    db_session.flush()  # it reads the connection, as it runs inside a flush
    assert listener.any_active_endpoint(db_session) is False
