"""The webhook jobs. ``webhooks.events`` (queued by ``listener``) turns new ticket events into
one delivery per matching active endpoint; ``webhooks.deliver`` makes one attempt of one
delivery and schedules the next.

Each delivery keeps its own schedule, visible in the console: attempt 1 at once, then after
10 s, 1 min, 5 min, 30 min, 2 h and 6 h; after the 7th failed attempt it is ``dead``. When
``AUTO_DISABLE_AFTER`` deliveries of an endpoint in a row end dead, the desk turns the
endpoint off (``disabled_reason`` says so) until an admin turns it on again.

Both jobs are safe to run twice: deliveries are made once per (endpoint, event), and a
deliver job names the attempt it is for, so a stale or repeated job does nothing. A crash
after a receiver answered but before the result was stored sends that attempt again:
delivery is at least once, and receivers deduplicate on ``Ledgerdesk-Delivery`` (or the
payload's ``event_id``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.channels.models import WebhookDelivery, WebhookEndpoint
from ledgerdesk.channels.webhooks import listener, sender
from ledgerdesk.channels.webhooks.events import EVENT_TYPES, TEST_EVENT, wants
from ledgerdesk.channels.webhooks.payload import encode, event_payload
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.settings import get_settings
from ledgerdesk.jobs.outbox import enqueue, handler
from ledgerdesk.tickets.models import Event, Ticket

DELIVER_TOPIC = "webhooks.deliver"
BACKOFF_SECONDS = (10, 60, 300, 1800, 7200, 21600)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
AUTO_DISABLE_AFTER = 5
AUTO_DISABLED = "Turned off by the desk: 5 deliveries in a row failed for good"
TURNED_OFF = "Not sent: the webhook is turned off"


def queue_attempt(session: Session, delivery: WebhookDelivery) -> None:
    """Queue the delivery's next attempt for its ``next_attempt_at``."""
    due = delivery.next_attempt_at or utcnow()
    delay = max(0.0, (due - utcnow()).total_seconds())
    payload = {"delivery_id": delivery.id, "attempt": delivery.attempts + 1}
    enqueue(session, DELIVER_TOPIC, payload, delay_seconds=delay)


@handler(listener.EVENTS_TOPIC)
def create_deliveries(session: Session, payload: dict[str, Any]) -> None:
    ids = [int(i) for i in payload.get("event_ids", [])]
    endpoints = list(
        session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True)))
    )
    if not ids or not endpoints:
        return
    made = session.execute(
        select(WebhookDelivery.endpoint_id, WebhookDelivery.event_id).where(
            WebhookDelivery.event_id.in_(ids), WebhookDelivery.replay_of_id.is_(None)
        )
    )
    done = {(endpoint_id, event_id) for endpoint_id, event_id in made}
    settings = get_settings()
    for event in session.scalars(select(Event).where(Event.id.in_(ids)).order_by(Event.id)):
        if event.action not in EVENT_TYPES:
            continue
        ticket = session.get(Ticket, event.ticket_id) if event.ticket_id else None
        body = event_payload(event, ticket, settings)
        for endpoint in endpoints:
            if wants(endpoint.events, event.action) and (endpoint.id, event.id) not in done:
                _create(session, endpoint, event, body)


def _create(
    session: Session, endpoint: WebhookEndpoint, event: Event, body: dict[str, Any]
) -> None:
    delivery = WebhookDelivery(
        endpoint_id=endpoint.id,
        event_id=event.id,
        event_type=event.action,
        payload=body,
        status="pending",
        next_attempt_at=utcnow(),
    )
    session.add(delivery)
    session.flush()
    queue_attempt(session, delivery)


@handler(DELIVER_TOPIC)
def deliver(session: Session, payload: dict[str, Any]) -> None:
    delivery = session.get(WebhookDelivery, int(payload["delivery_id"]))
    if delivery is None or delivery.status in ("delivered", "dead"):
        return
    if delivery.attempts + 1 != int(payload.get("attempt", 0)):
        return  # a repeated job for an attempt already made
    endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
    if endpoint is None:
        return
    explicit = delivery.event_type == TEST_EVENT or delivery.replay_of_id is not None
    if not endpoint.active and not explicit:
        delivery.status, delivery.last_error, delivery.next_attempt_at = "dead", TURNED_OFF, None
        return
    attempt_delivery(session, endpoint, delivery)


def attempt_delivery(
    session: Session, endpoint: WebhookEndpoint, delivery: WebhookDelivery
) -> sender.Attempt:
    """Send once now and record the outcome (and the next attempt, if any)."""
    settings = get_settings()
    headers = {"Ledgerdesk-Event": delivery.event_type, "Ledgerdesk-Delivery": str(delivery.id)}
    attempt = sender.post(
        endpoint.url,
        endpoint.secret,
        encode(delivery.payload),
        headers,
        timeout=settings.webhooks_timeout,
        allow_private=settings.webhooks_allow_private,
    )
    _record(session, endpoint, delivery, attempt)
    return attempt


def _record(
    session: Session, endpoint: WebhookEndpoint, delivery: WebhookDelivery, attempt: Any
) -> None:
    now = utcnow()
    delivery.attempts += 1
    delivery.last_status_code = attempt.status_code
    delivery.last_error = attempt.error
    delivery.last_duration_ms = attempt.duration_ms
    if attempt.ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", now, None
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = "dead", None
        session.flush()
        _maybe_disable(session, endpoint)
    else:
        delivery.status = "failed"
        wait = BACKOFF_SECONDS[delivery.attempts - 1]
        delivery.next_attempt_at = now + timedelta(seconds=wait)
        session.flush()
        queue_attempt(session, delivery)


def _maybe_disable(session: Session, endpoint: WebhookEndpoint) -> None:
    """Turn the endpoint off when its last finished deliveries all ended dead."""
    last = list(
        session.scalars(
            select(WebhookDelivery.status)
            .where(
                WebhookDelivery.endpoint_id == endpoint.id,
                WebhookDelivery.status.in_(("delivered", "dead")),
                WebhookDelivery.attempts > 0,
            )
            .order_by(WebhookDelivery.id.desc())
            .limit(AUTO_DISABLE_AFTER)
        )
    )
    if endpoint.active and len(last) == AUTO_DISABLE_AFTER and set(last) == {"dead"}:
        endpoint.active = False
        endpoint.disabled_reason = AUTO_DISABLED
        endpoint.updated_at = utcnow()
        listener.invalidate(session)
