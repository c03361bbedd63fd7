"""Incidents: creating and editing them, their public updates and resolving them. Linking
tickets is in ``incidents.linking``, the messages sent to linked tickets in
``incidents.delivery``. Every write is a ``do_*`` function; the caller commits. Work that
touches many tickets (linking the matching ones, mass replies, the resolution notice) is
queued as jobs (``incidents.tasks``) in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import Actor, require_role
from ledgerdesk.chain.registry import get_registry
from ledgerdesk.channels.outgoing import is_history
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import InvalidInput, InvalidTransition, NotFound, NotPermitted
from ledgerdesk.core.i18n import translations
from ledgerdesk.core.intents import INTENTS
from ledgerdesk.core.text import clean
from ledgerdesk.incidents.models import OPEN_INCIDENT, Incident, IncidentStatus, IncidentUpdate
from ledgerdesk.jobs.outbox import enqueue
from ledgerdesk.reports.surges import do_link_incident
from ledgerdesk.web.labels import N_

MAX_TITLE = 200
MAX_BODY = 10_000
RECENT_DAYS = 30  # resolved incidents stay on the status page this long
LINK_TOPIC = "incidents.link"
BROADCAST_TOPIC = "incidents.broadcast"
RESOLVED_TOPIC = "incidents.resolved"
RESOLVED_TEXT = N_("This incident is resolved. Thank you for your patience.")


@dataclass
class IncidentIn:
    title_en: str
    title_zh: str
    body_en: str = ""
    body_zh: str = ""
    intent: str | None = None
    network: str | None = None
    surge_id: int | None = None


def _queue(session: Session, topic: str, payload: dict[str, Any]) -> None:
    """Queue a job, except while history is recorded (the demo loader does the work itself,
    at the moment it happened)."""
    if not is_history(session):
        enqueue(session, topic, payload)


# --- checks -------------------------------------------------------------------------------------


def require_lead(actor: Actor) -> None:
    require_role(actor, Role.lead, Role.admin)


# What the messages call each field (the form's labels, translated with the message).
_FIELD_NAMES = {
    "title_en": "Title (English)",
    "title_zh": "Title (Chinese)",
    "body_en": "Text (English)",
    "body_zh": "Text (Chinese)",
}


def _text(value: str, field: str, limit: int, *, required: bool) -> str:
    value = clean(value or "").strip()
    name = _FIELD_NAMES[field]
    if required and not value:
        raise InvalidInput(f"Please fill in: {name}", field=field)
    if len(value) > limit:
        raise InvalidInput(f"Too long (at most {limit} characters): {name}", field=field)
    return value


def check_intent(value: str | None) -> str | None:
    value = (value or "").strip() or None
    if value is not None and value not in INTENTS:
        raise InvalidInput("Unknown intent: choose one from the list", field="intent")
    return value


def check_network(value: str | None) -> str | None:
    value = (value or "").strip().lower() or None
    if value is not None and get_registry().network(value) is None:
        raise InvalidInput("Unknown network: choose one from the list", field="network")
    return value


def check_incident(data: IncidentIn) -> IncidentIn:
    checked = IncidentIn(
        title_en=_text(data.title_en, "title_en", MAX_TITLE, required=True),
        title_zh=_text(data.title_zh, "title_zh", MAX_TITLE, required=True),
        body_en=_text(data.body_en, "body_en", MAX_BODY, required=False),
        body_zh=_text(data.body_zh, "body_zh", MAX_BODY, required=False),
        intent=check_intent(data.intent),
        network=check_network(data.network),
        surge_id=data.surge_id,
    )
    return checked


def check_status(value: str | None) -> IncidentStatus | None:
    """A status posted with an update (empty: unchanged). Resolving has its own action."""
    if not value:
        return None
    try:
        status = IncidentStatus(value)
    except ValueError:
        raise InvalidInput("Unknown incident status", field="status") from None
    if status == IncidentStatus.resolved:
        raise InvalidInput("Use 'Resolve' to resolve an incident", field="status")
    return status


# --- reading ------------------------------------------------------------------------------------


def access_incident(session: Session, actor: Actor, incident_id: int) -> Incident:
    """The incident, for agents (the public reads ``public_incident``)."""
    if not (actor.is_agent or actor.kind == "system"):
        raise NotPermitted("Only agents can do this")
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"Incident {incident_id} was not found")
    return incident


def list_incidents(session: Session, *, limit: int = 200) -> list[Incident]:
    """Open incidents first, then the rest, newest first."""
    query = select(Incident).order_by(Incident.resolved_at.is_not(None), Incident.id.desc())
    return list(session.scalars(query.limit(limit)))


def open_incidents(session: Session) -> list[Incident]:
    query = select(Incident).where(Incident.status.in_(OPEN_INCIDENT)).order_by(Incident.id.desc())
    return list(session.scalars(query))


def public_incidents(session: Session) -> list[Incident]:
    """What the status page lists: every open incident and those resolved recently."""
    since = utcnow() - timedelta(days=RECENT_DAYS)
    query = (
        select(Incident)
        .where(or_(Incident.status.in_(OPEN_INCIDENT), Incident.resolved_at >= since))
        .order_by(Incident.resolved_at.is_not(None), Incident.started_at.desc())
        .limit(100)
    )
    return list(session.scalars(query))


def public_incident(session: Session, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"Incident {incident_id} was not found")
    return incident


# --- changes ------------------------------------------------------------------------------------


def do_create_incident(session: Session, actor: Actor, data: IncidentIn) -> Incident:
    """Open an incident (leads and admins); the open matching tickets are linked by a job."""
    require_lead(actor)
    data = check_incident(data)
    now = utcnow()
    incident = Incident(
        title_en=data.title_en,
        title_zh=data.title_zh,
        body_en=data.body_en,
        body_zh=data.body_zh,
        intent=data.intent,
        network=data.network,
        surge_id=data.surge_id,
        created_by_id=actor.id if actor.is_agent else None,
        status=IncidentStatus.investigating,
        started_at=now,
        updated_at=now,
    )
    session.add(incident)
    session.flush()
    if data.surge_id is not None:  # opened from a surge alert: the alert points here now
        do_link_incident(session, data.surge_id, incident.id)
    _queue(session, LINK_TOPIC, {"incident_id": incident.id})
    return incident


def do_edit_incident(session: Session, actor: Actor, incident: Incident, data: IncidentIn) -> None:
    """Change the public text or what it matches; a new match links the new matching tickets
    (tickets already linked stay linked)."""
    require_lead(actor)
    data = check_incident(data)
    matched = (incident.intent, incident.network)
    incident.title_en, incident.title_zh = data.title_en, data.title_zh
    incident.body_en, incident.body_zh = data.body_en, data.body_zh
    incident.intent, incident.network = data.intent, data.network
    incident.updated_at = utcnow()
    if incident.is_open and matched != (data.intent, data.network):
        _queue(session, LINK_TOPIC, {"incident_id": incident.id})


def do_post_update(
    session: Session,
    actor: Actor,
    incident: Incident,
    body_en: str,
    body_zh: str,
    *,
    status: IncidentStatus | None = None,
    send: bool = False,
) -> IncidentUpdate:
    """Add a public update (both languages); with ``send``, it is also posted to every linked
    ticket in the ticket's language, once per ticket (a job). A resolved incident still takes
    updates (a post-incident report) but keeps its status."""
    require_lead(actor)
    if status == IncidentStatus.resolved:
        raise InvalidInput("Use 'Resolve' to resolve an incident", field="status")
    if not incident.is_open and status is not None:
        raise InvalidTransition("This incident is resolved; reopen it by opening a new one")
    now = utcnow()
    update = IncidentUpdate(
        incident_id=incident.id,
        status=status or incident.status,
        body_en=_text(body_en, "body_en", MAX_BODY, required=True),
        body_zh=_text(body_zh, "body_zh", MAX_BODY, required=True),
        sent=send,
        author_id=actor.id if actor.is_agent else None,
        created_at=now,
    )
    session.add(update)
    incident.status = update.status
    incident.updated_at = now
    session.flush()
    if send:
        _queue(session, BROADCAST_TOPIC, {"update_id": update.id})
    return update


def do_resolve(
    session: Session,
    actor: Actor,
    incident: Incident,
    body_en: str = "",
    body_zh: str = "",
    *,
    solve: bool = False,
) -> IncidentUpdate:
    """Resolve: a last update (a standard text when none is given) that every linked ticket
    receives once; with ``solve``, the reply also solves each ticket."""
    require_lead(actor)
    if not incident.is_open:
        raise InvalidTransition("This incident is already resolved")
    body_en = _text(body_en, "body_en", MAX_BODY, required=False) or RESOLVED_TEXT
    body_zh = _text(body_zh, "body_zh", MAX_BODY, required=False) or (
        translations("zh-CN").ugettext(RESOLVED_TEXT)
    )
    now = utcnow()
    update = IncidentUpdate(
        incident_id=incident.id,
        status=IncidentStatus.resolved,
        body_en=body_en,
        body_zh=body_zh,
        sent=True,
        author_id=actor.id if actor.is_agent else None,
        created_at=now,
    )
    session.add(update)
    incident.status = IncidentStatus.resolved
    incident.resolved_at = now
    incident.updated_at = now
    session.flush()
    payload = {"incident_id": incident.id, "update_id": update.id, "solve": solve}
    _queue(session, RESOLVED_TOPIC, payload)
    return update
