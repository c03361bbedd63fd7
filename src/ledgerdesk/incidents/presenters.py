"""Incidents as people read them: status labels, the text in the reader's language, the
network's name, and the JSON shapes of the API and the public status feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ledgerdesk.chain.registry import get_registry
from ledgerdesk.core.i18n import get_locale
from ledgerdesk.incidents.models import Incident, IncidentStatus, IncidentUpdate
from ledgerdesk.web.labels import label


def status_label(status: IncidentStatus) -> str:
    return label(status)  # web/labels.py INCIDENT_LABELS


def is_zh(locale: str | None = None) -> bool:
    return (locale or get_locale()).lower().startswith("zh")


def title(incident: Incident, locale: str | None = None) -> str:
    return incident.title_zh if is_zh(locale) else incident.title_en


def body(item: Incident | IncidentUpdate, locale: str | None = None) -> str:
    return item.body_zh if is_zh(locale) else item.body_en


def network_name(network_id: str | None, locale: str | None = None) -> str:
    if not network_id:
        return ""
    network = get_registry().network(network_id)
    return network.name(locale or get_locale()) if network else network_id


def network_choices() -> list[tuple[str, str]]:
    return [(n.id, n.name(get_locale())) for n in get_registry().networks if not n.testnet]


def matches(incident: Incident) -> str:
    """What the incident matches, in words ("Deposit missing · TRON")."""
    parts = [label(incident.intent) if incident.intent else "", network_name(incident.network)]
    return " · ".join(p for p in parts if p)


@dataclass
class PublicIncident:
    id: int
    title: str
    body: str
    status: IncidentStatus
    status_label: str
    started_at: datetime
    resolved_at: datetime | None
    updates: list[dict[str, Any]]


def public(incident: Incident, *, with_updates: bool = True) -> PublicIncident:
    """What the status page shows: the public text only, in the page's language."""
    updates = [
        {"status_label": status_label(u.status), "body": body(u), "at": u.created_at}
        for u in (incident.updates if with_updates else [])
    ]
    return PublicIncident(
        id=incident.id,
        title=title(incident),
        body=body(incident),
        status=incident.status,
        status_label=status_label(incident.status),
        started_at=incident.started_at,
        resolved_at=incident.resolved_at,
        updates=updates,
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() + "Z" if value else None


def feed_item(incident: Incident, base_url: str) -> dict[str, Any]:
    """One open incident in ``/status.json`` (read by the chat widget and help pages)."""
    return {
        "id": incident.id,
        "title": title(incident),
        "status": incident.status.value,
        "status_label": status_label(incident.status),
        "started_at": _iso(incident.started_at),
        "url": f"{base_url}/status/{incident.id}",
    }
