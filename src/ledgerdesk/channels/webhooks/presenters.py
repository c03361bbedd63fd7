"""What the console pages show: event types and statuses in words, payloads pretty-printed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ledgerdesk.channels.models import WebhookDelivery, WebhookEndpoint
from ledgerdesk.channels.webhooks.events import EVENT_TYPES, TEST_EVENT
from ledgerdesk.core.i18n import gettext
from ledgerdesk.web.labels import N_

STATUS_LABELS = {
    "pending": N_("Waiting to be sent"),
    "delivered": N_("Delivered"),
    "failed": N_("Failed, will retry"),
    "dead": N_("Gave up"),
}


def event_label(event_type: str) -> str:
    if event_type == TEST_EVENT:
        return gettext("Test event")
    return gettext(EVENT_TYPES[event_type]) if event_type in EVENT_TYPES else event_type


@dataclass(frozen=True)
class EndpointRow:
    endpoint: WebhookEndpoint
    events: list[str]  # labels; empty: every type
    counts: dict[str, int]


@dataclass(frozen=True)
class DeliveryRow:
    delivery: WebhookDelivery
    event: str
    status: str
    payload: str
    error: str
    next_attempt_at: datetime | None


def endpoint_rows(
    endpoints: list[WebhookEndpoint], counts: dict[int, dict[str, int]]
) -> list[EndpointRow]:
    return [
        EndpointRow(e, [event_label(t) for t in e.events or []], counts.get(e.id, {}))
        for e in endpoints
    ]


def _pretty(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True)


def delivery_rows(deliveries: list[WebhookDelivery]) -> list[DeliveryRow]:
    return [
        DeliveryRow(
            d,
            event_label(d.event_type),
            gettext(STATUS_LABELS.get(d.status, d.status)),
            _pretty(d.payload),
            gettext(d.last_error) if d.last_error else "",  # ours are msgids; others stay
            d.next_attempt_at if d.status in ("pending", "failed") else None,
        )
        for d in deliveries
    ]
