"""JSON routes for incidents under /api/v1. Agents read them and link or unlink tickets they
can see; leads and admins open, edit, update and resolve."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from ledgerdesk.core.types import PathId
from ledgerdesk.incidents import linking
from ledgerdesk.incidents import services as svc
from ledgerdesk.incidents.models import Incident, IncidentStatus
from ledgerdesk.incidents.schemas import (
    IncidentCreate,
    IncidentList,
    IncidentPublic,
    IncidentResolve,
    IncidentUpdateIn,
    TicketLink,
    UpdatePublic,
)
from ledgerdesk.web.deps import CurrentAgent, Db

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])


def _public(db: Session, request: Request, incident: Incident) -> IncidentPublic:
    base = request.app.state.settings.resolved_public_url.rstrip("/")
    return IncidentPublic(
        id=incident.id,
        title_en=incident.title_en,
        title_zh=incident.title_zh,
        body_en=incident.body_en,
        body_zh=incident.body_zh,
        status=incident.status.value,
        intent=incident.intent,
        network=incident.network,
        surge_id=incident.surge_id,
        started_at=incident.started_at,
        resolved_at=incident.resolved_at,
        status_url=f"{base}/status/{incident.id}",
        linked_ticket_ids=linking.linked_ticket_ids(db, incident.id),
        updates=[
            UpdatePublic(
                id=u.id,
                status=u.status.value,
                body_en=u.body_en,
                body_zh=u.body_zh,
                sent=u.sent,
                created_at=u.created_at,
            )
            for u in incident.updates
        ],
    )


def _data(data: IncidentCreate) -> svc.IncidentIn:
    return svc.IncidentIn(**data.model_dump())


@router.get("")
def list_incidents(request: Request, db: Db, actor: CurrentAgent) -> IncidentList:
    """Open incidents first, then resolved ones, newest first."""
    return IncidentList(items=[_public(db, request, i) for i in svc.list_incidents(db)])


@router.post("", status_code=201)
def create_incident(
    request: Request, data: IncidentCreate, db: Db, actor: CurrentAgent
) -> IncidentPublic:
    """Open an incident (leads, admins); open matching tickets are linked by a job."""
    incident = svc.do_create_incident(db, actor, _data(data))
    db.commit()
    return _public(db, request, incident)


@router.get("/{incident_id}")
def get_incident(
    request: Request, incident_id: PathId, db: Db, actor: CurrentAgent
) -> IncidentPublic:
    return _public(db, request, svc.access_incident(db, actor, incident_id))


@router.put("/{incident_id}")
def edit_incident(
    request: Request, incident_id: PathId, data: IncidentCreate, db: Db, actor: CurrentAgent
) -> IncidentPublic:
    incident = svc.access_incident(db, actor, incident_id)
    svc.do_edit_incident(db, actor, incident, _data(data))
    db.commit()
    return _public(db, request, incident)


@router.post("/{incident_id}/updates", status_code=201)
def post_update(
    request: Request, incident_id: PathId, data: IncidentUpdateIn, db: Db, actor: CurrentAgent
) -> IncidentPublic:
    incident = svc.access_incident(db, actor, incident_id)
    status = IncidentStatus(data.status) if data.status else None
    svc.do_post_update(
        db, actor, incident, data.body_en, data.body_zh, status=status, send=data.send
    )
    db.commit()
    return _public(db, request, incident)


@router.post("/{incident_id}/resolve")
def resolve(
    request: Request, incident_id: PathId, data: IncidentResolve, db: Db, actor: CurrentAgent
) -> IncidentPublic:
    incident = svc.access_incident(db, actor, incident_id)
    svc.do_resolve(db, actor, incident, data.body_en, data.body_zh, solve=data.solve)
    db.commit()
    return _public(db, request, incident)


@router.post("/{incident_id}/tickets", status_code=201)
def link_ticket(
    request: Request, incident_id: PathId, data: TicketLink, db: Db, actor: CurrentAgent
) -> IncidentPublic:
    incident = svc.access_incident(db, actor, incident_id)
    linking.do_link(db, actor, incident, data.ticket_id)
    db.commit()
    return _public(db, request, incident)


@router.delete("/{incident_id}/tickets/{ticket_id}", status_code=204)
def unlink_ticket(incident_id: PathId, ticket_id: PathId, db: Db, actor: CurrentAgent) -> Response:
    incident = svc.access_incident(db, actor, incident_id)
    linking.do_unlink(db, actor, incident, ticket_id)
    db.commit()
    return Response(status_code=204)
