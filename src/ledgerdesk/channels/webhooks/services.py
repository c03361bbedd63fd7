"""Webhook endpoints and their deliveries: every write and read, for admins only.

``do_*`` functions change endpoints (create, update, rotate the secret, delete), queue a test
event or replay a delivery; each records an event in the desk's log (host only: a URL's path
and query may carry the receiver's token) and clears the listener's "any endpoint?" cache.
The secret is made here (``secrets.token_urlsafe``) and returned only by create and rotate."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import Actor, require_role
from ledgerdesk.ai.guard.storage import guard_text
from ledgerdesk.channels.models import WebhookDelivery, WebhookEndpoint
from ledgerdesk.channels.webhooks import listener
from ledgerdesk.channels.webhooks.events import EVENT_TYPES, TEST_EVENT
from ledgerdesk.channels.webhooks.payload import ping_payload
from ledgerdesk.channels.webhooks.sender import resolve
from ledgerdesk.channels.webhooks.tasks import queue_attempt
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import InvalidInput, NotFound
from ledgerdesk.core.outbound import OutboundBlocked
from ledgerdesk.core.settings import Settings
from ledgerdesk.core.text import has_control
from ledgerdesk.tickets.services import record_event

MAX_URL = 2000
MAX_DESCRIPTION = 200
MAX_ENDPOINTS = 50
_UNSET: Any = object()


@dataclass(frozen=True)
class WithSecret:
    """An endpoint just created or rotated, with its secret (shown this once)."""

    endpoint: WebhookEndpoint
    secret: str


def _admin(actor: Actor) -> None:
    require_role(actor, Role.admin)


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


# --- checks -----------------------------------------------------------------------------------


def check_url(url: str, settings: Settings) -> str:
    """A URL the desk may post to: http(s), no credentials, no secret in it, a host that
    resolves to public addresses (unless private ones are allowed)."""
    url = url.strip()
    if not url:
        raise InvalidInput("Enter the URL that receives the events", field="url")
    if len(url) > MAX_URL or has_control(url) or any(c.isspace() for c in url):
        raise InvalidInput(
            f"The URL must be at most {MAX_URL} characters, without spaces", field="url"
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port out of range
    except ValueError:
        raise InvalidInput("This is not a valid URL", field="url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("The URL must start with https:// (or http://)", field="url")
    if parts.username is not None or parts.password is not None:
        raise InvalidInput("Put no user name or password in the URL", field="url")
    if guard_text(url) != url:
        raise InvalidInput(
            "The URL contains what looks like a private key or recovery phrase", field="url"
        )
    try:
        resolve(url, allow_private=settings.webhooks_allow_private)
    except OutboundBlocked as exc:
        raise InvalidInput(f"The desk cannot send to this URL: {exc}", field="url") from None
    return url


def check_events(events: Sequence[str]) -> list[str]:
    """Known event types, each once, in the catalogue's order (empty: every type)."""
    unknown = sorted({e for e in events if e not in EVENT_TYPES})
    if unknown:
        raise InvalidInput(
            f"Unknown event type: {unknown[0][:64]}; choose from {', '.join(EVENT_TYPES)}",
            field="events",
        )
    return [e for e in EVENT_TYPES if e in set(events)]


def check_description(description: str) -> str:
    description = description.strip()
    if len(description) > MAX_DESCRIPTION or has_control(description):
        raise InvalidInput(
            f"The description must be at most {MAX_DESCRIPTION} characters of plain text",
            field="description",
        )
    return description


# --- reading ------------------------------------------------------------------------------------


def list_endpoints(session: Session, actor: Actor) -> list[WebhookEndpoint]:
    _admin(actor)
    return list(session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def access_endpoint(session: Session, actor: Actor, endpoint_id: int) -> WebhookEndpoint:
    _admin(actor)
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound(f"Webhook {endpoint_id} not found")
    return endpoint


def list_deliveries(
    session: Session,
    actor: Actor,
    endpoint: WebhookEndpoint,
    *,
    before_id: int | None = None,
    limit: int = 50,
) -> list[WebhookDelivery]:
    """The endpoint's deliveries, newest first (``before_id``: older than that one)."""
    _admin(actor)
    query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    if before_id is not None:
        query = query.where(WebhookDelivery.id < before_id)
    return list(session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit)))


def access_delivery(
    session: Session, actor: Actor, endpoint: WebhookEndpoint, delivery_id: int
) -> WebhookDelivery:
    _admin(actor)
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.endpoint_id != endpoint.id:
        raise NotFound(f"Delivery {delivery_id} of webhook {endpoint.id} not found")
    return delivery


def delivery_counts(session: Session, endpoint_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Per endpoint: how many deliveries are in each status."""
    counts: dict[int, dict[str, int]] = {i: {} for i in endpoint_ids}
    query = (
        select(WebhookDelivery.endpoint_id, WebhookDelivery.status, func.count())
        .where(WebhookDelivery.endpoint_id.in_(list(endpoint_ids)))
        .group_by(WebhookDelivery.endpoint_id, WebhookDelivery.status)
    )
    for endpoint_id, status, count in session.execute(query):
        counts[endpoint_id][status] = count
    return counts


# --- changing endpoints -------------------------------------------------------------------------


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


def do_create_endpoint(
    session: Session,
    actor: Actor,
    settings: Settings,
    *,
    url: str,
    description: str = "",
    events: Sequence[str] = (),
    active: bool = True,
) -> WithSecret:
    _admin(actor)
    count = session.scalar(select(func.count()).select_from(WebhookEndpoint)) or 0
    if count >= MAX_ENDPOINTS:
        raise InvalidInput(f"A desk has at most {MAX_ENDPOINTS} webhooks; delete one first")
    secret = new_secret()
    endpoint = WebhookEndpoint(
        url=check_url(url, settings),
        description=check_description(description),
        events=check_events(events),
        active=active,
        secret=secret,
        created_by_id=actor.id if actor.is_agent else None,
    )
    session.add(endpoint)
    session.flush()
    _changed(session, actor, "webhook.created", endpoint)
    return WithSecret(endpoint, secret)


def do_update_endpoint(
    session: Session,
    actor: Actor,
    settings: Settings,
    endpoint: WebhookEndpoint,
    *,
    url: str = _UNSET,
    description: str = _UNSET,
    events: Sequence[str] = _UNSET,
    active: bool = _UNSET,
) -> None:
    """Change what is given. Turning an endpoint on clears why the desk turned it off."""
    _admin(actor)
    if url is not _UNSET and url.strip() != endpoint.url:
        endpoint.url = check_url(url, settings)
    if description is not _UNSET:
        endpoint.description = check_description(description)
    if events is not _UNSET:
        endpoint.events = check_events(events)
    if active is not _UNSET and active != endpoint.active:
        endpoint.active = active
        endpoint.disabled_reason = None
    endpoint.updated_at = utcnow()
    _changed(session, actor, "webhook.updated", endpoint)


def do_rotate_secret(session: Session, actor: Actor, endpoint: WebhookEndpoint) -> WithSecret:
    """A new secret at once: deliveries from now on (retries included) are signed with it."""
    _admin(actor)
    endpoint.secret = new_secret()
    endpoint.updated_at = utcnow()
    _changed(session, actor, "webhook.secret_rotated", endpoint)
    return WithSecret(endpoint, endpoint.secret)


def do_delete_endpoint(session: Session, actor: Actor, endpoint: WebhookEndpoint) -> None:
    """Delete the endpoint and its delivery log."""
    _admin(actor)
    _changed(session, actor, "webhook.deleted", endpoint)
    session.delete(endpoint)
    session.flush()


def _changed(session: Session, actor: Actor, action: str, endpoint: WebhookEndpoint) -> None:
    after = {
        "webhook_id": endpoint.id,
        "host": _host(endpoint.url),
        "events": list(endpoint.events or []),
        "active": endpoint.active,
    }
    record_event(session, actor, action, after)
    listener.invalidate(session)


# --- test events and replays --------------------------------------------------------------------


def do_send_test(session: Session, actor: Actor, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Queue a ``webhook.test`` delivery (sent even while the endpoint is turned off)."""
    _admin(actor)
    delivery = WebhookDelivery(
        endpoint_id=endpoint.id, event_type=TEST_EVENT, payload=ping_payload(endpoint.id)
    )
    return _queued(session, delivery)


def do_replay(session: Session, actor: Actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """A new delivery of the same payload (signed again, with a new timestamp when sent)."""
    _admin(actor)
    copy = WebhookDelivery(
        endpoint_id=delivery.endpoint_id,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        payload=dict(delivery.payload),
        replay_of_id=delivery.id,
    )
    return _queued(session, copy)


def _queued(session: Session, delivery: WebhookDelivery) -> WebhookDelivery:
    delivery.status = "pending"
    delivery.next_attempt_at = utcnow()
    session.add(delivery)
    session.flush()
    queue_attempt(session, delivery)
    return delivery
