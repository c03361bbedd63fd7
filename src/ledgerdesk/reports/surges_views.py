"""The common-problems page (``/console/reports/problems``, leads and admins): the day's top
intents and growing terms, and the surge alerts with their example tickets, "acknowledge",
"close" and "Open an incident"; plus the same alerts as JSON (``/api/v1/reports/surges``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import require_role
from ledgerdesk.chain.registry import get_registry
from ledgerdesk.core import i18n
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.i18n import gettext
from ledgerdesk.core.types import PathId
from ledgerdesk.reports import problems, surges
from ledgerdesk.reports.surges_models import SurgeAlert
from ledgerdesk.reports.surges_schemas import SurgeAlertList, SurgeAlertPublic
from ledgerdesk.tickets.models import Ticket
from ledgerdesk.web.deps import ConsoleLead, CurrentAgent, Db
from ledgerdesk.web.templating import flash, render

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1/reports", tags=["reports"])
PAGE = "/console/reports/problems"
RECENT_DAYS = 7


def network_name(network: str | None) -> str:
    if not network:
        return ""
    found = get_registry().network(network)
    return found.name(i18n.get_locale()) if found else network


def incident_link(alert: SurgeAlert) -> str:
    """The incidents pillar's form, prefilled (or the incident already opened from it)."""
    if alert.incident_id is not None:
        return f"/console/incidents/{alert.incident_id}"
    query = {"intent": alert.intent, "network": alert.network or "", "surge": alert.id}
    return "/console/incidents/new?" + urlencode(query)


def _examples(db: Session, alerts: list[SurgeAlert]) -> dict[int, Ticket]:
    ids = {i for a in alerts for i in a.example_ticket_ids}
    if not ids:
        return {}
    return {t.id: t for t in db.scalars(select(Ticket).where(Ticket.id.in_(ids)))}


@router.get(PAGE)
def problems_page(
    request: Request,
    db: Db,
    actor: ConsoleLead,
    day: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    chosen = problems.parse_day(day, utcnow().date())
    alerts = surges.list_alerts(db, utcnow() - timedelta(days=RECENT_DAYS))
    return render(
        request,
        "reports/problems.html",
        me=accounts.get_agent(db, actor.id or 0),
        day=chosen,
        previous_day=chosen - timedelta(days=1),
        next_day=chosen + timedelta(days=1),
        intents=problems.top_intents(db, chosen),
        terms=problems.growing_terms(db, chosen),
        alerts=alerts,
        examples=_examples(db, alerts),
        network_name=network_name,
        incident_link=incident_link,
    )


@router.post(PAGE + "/alerts/{alert_id}/acknowledge")
def acknowledge(request: Request, alert_id: PathId, db: Db, actor: ConsoleLead) -> Response:
    surges.do_acknowledge(db, actor, surges.access_alert(db, actor, alert_id))
    db.commit()
    flash(request, "ok", gettext("Alert acknowledged"))
    return RedirectResponse(PAGE, status_code=303)


@router.post(PAGE + "/alerts/{alert_id}/close")
def close(request: Request, alert_id: PathId, db: Db, actor: ConsoleLead) -> Response:
    surges.do_close(db, actor, surges.access_alert(db, actor, alert_id))
    db.commit()
    flash(request, "ok", gettext("Alert closed"))
    return RedirectResponse(PAGE, status_code=303)


@api_router.get("/surges", response_model=SurgeAlertList)
def list_surges(
    db: Db,
    actor: CurrentAgent,
    days: Annotated[int, Query(ge=1, le=90)] = RECENT_DAYS,
) -> SurgeAlertList:
    """Surge alerts not closed, and those raised in the last ``days`` days (leads, admins)."""
    require_role(actor, Role.lead, Role.admin)
    alerts = surges.list_alerts(db, utcnow() - timedelta(days=days), limit=200)
    return SurgeAlertList(alerts=[SurgeAlertPublic.model_validate(a) for a in alerts])
