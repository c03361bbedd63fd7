"""Incidents in the agent console (/console/incidents): every agent sees them and links or
unlinks tickets by hand; leads and admins open, edit, post updates (optionally sent to every
linked ticket) and resolve. Forms post, then redirect (PRG); a refused form re-renders with
what was typed. ``/console/incidents/new?intent=&network=&surge=`` is prefilled (the surge
alert's "Open an incident" button)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import Actor
from ledgerdesk.core.errors import DomainError, InvalidInput
from ledgerdesk.core.i18n import gettext
from ledgerdesk.core.intents import INTENTS
from ledgerdesk.core.text import clean
from ledgerdesk.core.types import MAX_ID, PathId
from ledgerdesk.incidents import linking, presenters
from ledgerdesk.incidents import services as svc
from ledgerdesk.incidents.models import OPEN_INCIDENT, Incident
from ledgerdesk.web.deps import ConsoleAgent, ConsoleLead, Db
from ledgerdesk.web.labels import label
from ledgerdesk.web.templating import flash, render

router = APIRouter(prefix="/console/incidents", include_in_schema=False)
Text = Annotated[str, Form(max_length=20_000)]


def _shell(db: Session, actor: Actor) -> dict[str, Any]:
    return {
        "me": accounts.get_agent(db, actor.id or 0),
        "is_lead": actor.role in (Role.lead, Role.admin),
        "p": presenters,
    }


def _choices() -> dict[str, Any]:
    return {
        "intents": [(i, label(i)) for i in INTENTS],
        "networks": presenters.network_choices(),
        "statuses": [(s.value, presenters.status_label(s)) for s in OPEN_INCIDENT],
    }


def _posted(
    title_en: Text = "",
    title_zh: Text = "",
    body_en: Text = "",
    body_zh: Text = "",
    intent: Annotated[str, Form(max_length=200)] = "",
    network: Annotated[str, Form(max_length=200)] = "",
    surge_id: Annotated[str, Form(max_length=20)] = "",
) -> dict[str, str]:
    return {
        "title_en": title_en,
        "title_zh": title_zh,
        "body_en": body_en,
        "body_zh": body_zh,
        "intent": intent,
        "network": network,
        "surge_id": surge_id,
    }


Posted = Annotated[dict[str, str], Depends(_posted)]


def _number(value: str, field: str) -> int | None:
    value = value.strip().lstrip("#").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and 0 < int(value) <= MAX_ID):
        raise InvalidInput(f"'{clean(value[:20])}' is not a number", field=field)
    return int(value)


def _incident_in(form: dict[str, str]) -> svc.IncidentIn:
    return svc.IncidentIn(
        title_en=form["title_en"],
        title_zh=form["title_zh"],
        body_en=form["body_en"],
        body_zh=form["body_zh"],
        intent=form["intent"] or None,
        network=form["network"] or None,
        surge_id=_number(form["surge_id"], "surge_id"),
    )


def _kept(form: dict[str, str]) -> dict[str, str]:
    return {k: clean(v[:20_000]) for k, v in form.items()}


def _form_of(incident: Incident) -> dict[str, str]:
    return {
        "title_en": incident.title_en,
        "title_zh": incident.title_zh,
        "body_en": incident.body_en,
        "body_zh": incident.body_zh,
        "intent": incident.intent or "",
        "network": incident.network or "",
        "surge_id": str(incident.surge_id or ""),
    }


# --- list and create ----------------------------------------------------------------------------


@router.get("")
def incidents_page(request: Request, db: Db, agent_actor: ConsoleAgent) -> Response:
    rows = [(i, len(linking.linked_ticket_ids(db, i.id))) for i in svc.list_incidents(db)]
    return render(request, "incidents/list.html", **_shell(db, agent_actor), rows=rows)


@router.get("/new")
def new_incident_page(
    request: Request,
    db: Db,
    agent_actor: ConsoleLead,
    intent: Annotated[str, Query(max_length=64)] = "",
    network: Annotated[str, Query(max_length=32)] = "",
    surge: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """The form, prefilled from a surge alert; unknown values are left out."""
    intent = intent if intent in INTENTS else ""
    network = network.strip().lower()
    known = {n for n, _ in presenters.network_choices()}
    network = network if network in known else ""
    form = {"intent": intent, "network": network, "surge_id": str(surge or "")}
    return _new_page(request, db, agent_actor, form)


def _new_page(
    request: Request,
    db: Session,
    actor: Actor,
    form: dict[str, str],
    status: int = 200,
    **extra: Any,
) -> Response:
    return render(
        request,
        "incidents/new.html",
        status_code=status,
        **_shell(db, actor),
        **_choices(),
        form=form,
        **extra,
    )


@router.post("")
def create_incident(request: Request, db: Db, agent_actor: ConsoleLead, form: Posted) -> Response:
    try:
        incident = svc.do_create_incident(db, agent_actor, _incident_in(form))
        db.commit()
    except DomainError as exc:
        db.rollback()
        return _new_page(
            request, db, agent_actor, _kept(form), exc.status_code, error=gettext(exc.message)
        )
    flash(request, "ok", gettext("Incident opened: %(title)s") % {"title": incident.title_en})
    return RedirectResponse(f"/console/incidents/{incident.id}", status_code=303)


# --- one incident -------------------------------------------------------------------------------


def _incident_page(
    request: Request,
    db: Session,
    actor: Actor,
    incident: Incident,
    status: int = 200,
    **extra: Any,
) -> Response:
    return render(
        request,
        "incidents/incident.html",
        status_code=status,
        **_shell(db, actor),
        **_choices(),
        incident=incident,
        links=linking.links(db, incident.id),
        form=extra.pop("form", _form_of(incident)),
        **extra,
    )


@router.get("/{incident_id}")
def incident_page(
    request: Request, incident_id: PathId, db: Db, agent_actor: ConsoleAgent
) -> Response:
    return _incident_page(
        request, db, agent_actor, svc.access_incident(db, agent_actor, incident_id)
    )


def _refused(
    request: Request, db: Session, actor: Actor, incident_id: int, exc: DomainError, **extra: Any
) -> Response:
    db.rollback()
    incident = svc.access_incident(db, actor, incident_id)
    return _incident_page(
        request, db, actor, incident, exc.status_code, error=gettext(exc.message), **extra
    )


def _back(incident_id: int, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/console/incidents/{incident_id}{anchor}", status_code=303)


@router.post("/{incident_id}")
def edit_incident(
    request: Request, incident_id: PathId, db: Db, agent_actor: ConsoleLead, form: Posted
) -> Response:
    incident = svc.access_incident(db, agent_actor, incident_id)
    try:
        svc.do_edit_incident(db, agent_actor, incident, _incident_in(form))
        db.commit()
    except DomainError as exc:
        return _refused(request, db, agent_actor, incident_id, exc, form=_kept(form))
    flash(request, "ok", gettext("Incident saved"))
    return _back(incident_id)


@router.post("/{incident_id}/updates")
def post_update(
    request: Request,
    incident_id: PathId,
    db: Db,
    agent_actor: ConsoleLead,
    body_en: Text = "",
    body_zh: Text = "",
    status: Annotated[str, Form(max_length=200)] = "",
    send: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    incident = svc.access_incident(db, agent_actor, incident_id)
    try:
        # The status select is shown only while the incident is open.
        chosen = svc.check_status(status) if incident.is_open else None
        svc.do_post_update(
            db,
            agent_actor,
            incident,
            body_en,
            body_zh,
            status=chosen,
            send=bool(send),
        )
        db.commit()
    except DomainError as exc:
        kept = {"body_en": clean(body_en[:20_000]), "body_zh": clean(body_zh[:20_000])}
        return _refused(request, db, agent_actor, incident_id, exc, update_form=kept)
    if send:
        count = len(linking.linked_ticket_ids(db, incident_id))
        flash(
            request,
            "ok",
            gettext("Update posted and sent to %(count)s linked tickets") % {"count": count},
        )
    else:
        flash(request, "ok", gettext("Update posted"))
    return _back(incident_id)


@router.post("/{incident_id}/resolve")
def resolve_incident(
    request: Request,
    incident_id: PathId,
    db: Db,
    agent_actor: ConsoleLead,
    body_en: Text = "",
    body_zh: Text = "",
    solve: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    incident = svc.access_incident(db, agent_actor, incident_id)
    if not incident.is_open:  # a second click (or another lead was quicker)
        flash(request, "ok", gettext("This incident is already resolved"))
        return _back(incident_id)
    try:
        svc.do_resolve(db, agent_actor, incident, body_en, body_zh, solve=bool(solve))
        db.commit()
    except DomainError as exc:
        return _refused(request, db, agent_actor, incident_id, exc)
    flash(request, "ok", gettext("Incident resolved; every linked ticket is told once"))
    return _back(incident_id)


@router.post("/{incident_id}/links")
def link_ticket(
    request: Request,
    incident_id: PathId,
    db: Db,
    agent_actor: ConsoleAgent,
    ticket_id: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    incident = svc.access_incident(db, agent_actor, incident_id)
    try:
        number = _number(ticket_id, "ticket_id")
        if number is None:
            raise InvalidInput("Enter a ticket number", field="ticket_id")
        linking.do_link(db, agent_actor, incident, number)
        db.commit()
    except DomainError as exc:
        return _refused(request, db, agent_actor, incident_id, exc)
    flash(request, "ok", gettext("Ticket #%(id)s linked") % {"id": number})
    return _back(incident_id, "#linked")


@router.post("/{incident_id}/links/{ticket_id}/delete")
def unlink_ticket(
    request: Request, incident_id: PathId, ticket_id: PathId, db: Db, agent_actor: ConsoleAgent
) -> Response:
    incident = svc.access_incident(db, agent_actor, incident_id)
    try:
        linking.do_unlink(db, agent_actor, incident, ticket_id)
        db.commit()
    except DomainError as exc:
        return _refused(request, db, agent_actor, incident_id, exc)
    flash(request, "ok", gettext("Ticket #%(id)s unlinked") % {"id": ticket_id})
    return _back(incident_id, "#linked")
