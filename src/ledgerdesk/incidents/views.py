"""The public status page (/status, /status/<id>) and its small JSON feed (/status.json) that
the chat widget reads. Public text only: no customer data, no ticket, no agent.

``?lang=zh-CN`` or ``?lang=en`` (the links in messages to customers carry it) chooses the
language like the site's language switch does, then redirects to the plain address, so the
switch keeps working on the page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from ledgerdesk.core import i18n
from ledgerdesk.core.types import PathId
from ledgerdesk.incidents import presenters
from ledgerdesk.incidents import services as svc
from ledgerdesk.web.deps import Db
from ledgerdesk.web.templating import render

router = APIRouter(include_in_schema=False)
Lang = Annotated[str | None, Query(max_length=16)]


def _chosen(request: Request, lang: str | None) -> Response | None:
    chosen = i18n.normalise_locale(lang)
    if lang is None or chosen is None:
        return None
    request.session["lang"] = chosen
    return RedirectResponse(request.url.path, status_code=303)


@router.get("/status")
def status_page(request: Request, db: Db, lang: Lang = None) -> Response:
    redirect = _chosen(request, lang)
    if redirect is not None:
        return redirect
    incidents = [presenters.public(i, with_updates=False) for i in svc.public_incidents(db)]
    current = [i for i in incidents if i.resolved_at is None]
    recent = [i for i in incidents if i.resolved_at is not None]
    return render(
        request, "incidents/status.html", current=current, recent=recent, days=svc.RECENT_DAYS
    )


@router.get("/status.json")
def status_feed(request: Request, db: Db, lang: Lang = None) -> JSONResponse:
    """The open incidents, in ``lang`` (else the visitor's language)."""
    chosen = i18n.normalise_locale(lang)
    if chosen:
        i18n.set_locale(chosen)
    base = request.app.state.settings.resolved_public_url.rstrip("/")
    items = [presenters.feed_item(i, base) for i in svc.open_incidents(db)]
    return JSONResponse(
        {"incidents": items, "page": f"{base}/status"}, headers={"Cache-Control": "max-age=30"}
    )


@router.get("/status/{incident_id}")
def incident_page(request: Request, incident_id: PathId, db: Db, lang: Lang = None) -> Response:
    redirect = _chosen(request, lang)
    if redirect is not None:
        return redirect
    incident = presenters.public(svc.public_incident(db, incident_id))
    return render(request, "incidents/status_incident.html", incident=incident)


def widget_notice(db: Session) -> dict[str, str] | None:
    """The newest open incident for the chat widget's banner (title and status page link), in
    the current language; None when all is well."""
    found = svc.open_incidents(db)
    if not found:
        return None
    newest = found[0]
    return {"title": presenters.title(newest), "url": f"/status/{newest.id}"}
