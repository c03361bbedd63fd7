"""Admin pages in the console (/console/admin): agents (deactivate, reactivate, reset) and the
security log. Everyone else gets 403."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from ledgerdesk.accounts import agent_admin, security_log, totp
from ledgerdesk.accounts import services as svc
from ledgerdesk.accounts.models import Agent, Role
from ledgerdesk.accounts.services import Actor
from ledgerdesk.core.errors import DomainError
from ledgerdesk.core.i18n import gettext
from ledgerdesk.core.types import MAX_ID, PathId
from ledgerdesk.web.clientip import client_address
from ledgerdesk.web.deps import ConsoleAgent, Db
from ledgerdesk.web.templating import flash, render

router = APIRouter(prefix="/console/admin", include_in_schema=False)
Id = PathId
PER_PAGE = 100


async def _console_admin(actor: ConsoleAgent) -> Actor:
    svc.require_role(actor, Role.admin)
    return actor


ConsoleAdmin = Annotated[Actor, Depends(_console_admin)]


def _agents_page(
    request: Request, db: Any, actor: Actor, status_code: int = 200, **extra: Any
) -> Response:
    agents = agent_admin.list_all_agents(db, actor)
    return render(
        request,
        "accounts/agents.html",
        status_code=status_code,
        me=svc.get_agent(db, actor.id or 0),
        agents=[(a, totp.is_enabled(a)) for a in agents],
        **extra,
    )


@router.get("/agents")
def agents_page(request: Request, db: Db, agent_actor: ConsoleAdmin) -> Response:
    return _agents_page(request, db, agent_actor)


def _act(request: Request, db: Any, actor: Actor, agent: Agent, action: str) -> Response:
    do = {
        "deactivate": agent_admin.do_deactivate_agent,
        "reactivate": agent_admin.do_reactivate_agent,
    }[action]
    try:
        do(db, actor, agent, address=client_address(request))
        db.commit()
    except DomainError as exc:
        db.rollback()
        return _agents_page(request, db, actor, exc.status_code, error=gettext(exc.message))
    done = {
        "deactivate": gettext("%(name)s was deactivated; their sessions and tokens ended."),
        "reactivate": gettext("%(name)s can sign in again."),
    }[action]
    flash(request, "ok", done % {"name": agent.name})
    return RedirectResponse(f"/console/admin/agents#agent-{agent.id}", status_code=303)


@router.post("/agents/{agent_id}/deactivate")
def deactivate(request: Request, agent_id: Id, db: Db, agent_actor: ConsoleAdmin) -> Response:
    return _act(request, db, agent_actor, svc.get_agent(db, agent_id), "deactivate")


@router.post("/agents/{agent_id}/reactivate")
def reactivate(request: Request, agent_id: Id, db: Db, agent_actor: ConsoleAdmin) -> Response:
    return _act(request, db, agent_actor, svc.get_agent(db, agent_id), "reactivate")


@router.post("/agents/{agent_id}/reset")
def reset(
    request: Request,
    agent_id: Id,
    db: Db,
    agent_actor: ConsoleAdmin,
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    agent = svc.get_agent(db, agent_id)
    try:
        generated = agent_admin.do_reset_agent(
            db, agent_actor, agent, password or None, address=client_address(request)
        )
        db.commit()
    except DomainError as exc:
        db.rollback()
        return _agents_page(request, db, agent_actor, exc.status_code, error=gettext(exc.message))
    # Rendered, not redirected: a generated password is shown once and never put in a cookie.
    return _agents_page(request, db, agent_actor, reset_agent=agent, generated=generated)


@router.get("/security")
def security_page(
    request: Request,
    db: Db,
    agent_actor: ConsoleAdmin,
    kind: Annotated[str, Query(max_length=40)] = "",
    before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    kind = kind if kind in security_log.KINDS else ""
    rows = security_log.list_events(
        db, agent_actor, kind=kind or None, before_id=before, limit=PER_PAGE + 1
    )
    names = {a.id: a.name for a in agent_admin.list_all_agents(db, agent_actor)}
    return render(
        request,
        "accounts/security.html",
        me=svc.get_agent(db, agent_actor.id or 0),
        rows=rows[:PER_PAGE],
        older=rows[PER_PAGE - 1].id if len(rows) > PER_PAGE else None,
        names=names,
        kinds=security_log.KINDS,
        kind=kind,
        describe=security_log.describe_detail,
    )
