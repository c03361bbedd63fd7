"""The console's "Background jobs" page (/console/admin/jobs), for admins: counts by topic,
the oldest waiting job, the failed and dead jobs with Retry and Drop (POST, then redirect)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.services import Actor
from ledgerdesk.core.errors import DomainError
from ledgerdesk.core.i18n import gettext
from ledgerdesk.core.types import PathId
from ledgerdesk.jobs import admin
from ledgerdesk.web.clientip import client_address
from ledgerdesk.web.deps import ConsoleAdmin, Db
from ledgerdesk.web.templating import flash, render

router = APIRouter(prefix="/console/admin/jobs", include_in_schema=False)


def _page(
    request: Request, db: Any, actor: Actor, status_code: int = 200, **extra: Any
) -> Response:
    view = admin.overview(db, actor)
    return render(
        request,
        "jobs/admin.html",
        status_code=status_code,
        me=accounts.get_agent(db, actor.id or 0),
        view=view,
        totals=view.totals,
        failed=[(e, admin.state_of(e)) for e in admin.failed_jobs(db, actor)],
        topic_label=admin.topic_label,
        **extra,
    )


@router.get("")
def jobs_page(request: Request, db: Db, agent_actor: ConsoleAdmin) -> Response:
    return _page(request, db, agent_actor)


@router.post("/{job_id}/retry")
def retry(request: Request, job_id: PathId, db: Db, agent_actor: ConsoleAdmin) -> Response:
    return _act(request, db, agent_actor, job_id, "retry")


@router.post("/{job_id}/drop")
def drop(request: Request, job_id: PathId, db: Db, agent_actor: ConsoleAdmin) -> Response:
    return _act(request, db, agent_actor, job_id, "drop")


def _act(request: Request, db: Any, actor: Actor, job_id: int, action: str) -> Response:
    try:
        entry = admin.get_job(db, actor, job_id)
        topic = entry.topic
        if action == "retry":
            admin.do_retry(db, actor, entry, address=client_address(request))
        else:
            admin.do_drop(db, actor, entry, address=client_address(request))
        db.commit()
    except DomainError as exc:
        db.rollback()
        return _page(request, db, actor, exc.status_code, error=gettext(exc.message))
    done = {
        "retry": gettext("Job #%(id)s (%(topic)s) will run again now."),
        "drop": gettext("Job #%(id)s (%(topic)s) was dropped; it will not run."),
    }[action]
    flash(request, "ok", done % {"id": job_id, "topic": admin.topic_label(topic)})
    return RedirectResponse("/console/admin/jobs", status_code=303)
