"""Official channels in the agent console (/console/trust): every agent sees the registry and
the log of verification checks; admins register and deactivate channels. Forms post, then
redirect (PRG); a refused change re-renders the page with what the admin typed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import Actor
from ledgerdesk.core.errors import DomainError
from ledgerdesk.core.i18n import gettext
from ledgerdesk.core.types import PageNumber, PathId
from ledgerdesk.trust import presenters
from ledgerdesk.trust import services as svc
from ledgerdesk.trust.models import ChannelKind
from ledgerdesk.web.deps import ConsoleAgent, Db
from ledgerdesk.web.templating import flash, render

router = APIRouter(prefix="/console/trust", include_in_schema=False)
PER_PAGE = 50


def _shell(db: Any, actor: Actor) -> dict[str, Any]:
    return {
        "me": accounts.get_agent(db, actor.id or 0),
        "is_admin": actor.role == Role.admin,
        "kind_names": presenters.kind_names(),
    }


def _channels_page(
    request: Request, db: Any, actor: Actor, status_code: int = 200, **extra: Any
) -> Response:
    settings = request.app.state.settings
    return render(
        request,
        "trust/channels.html",
        status_code=status_code,
        **_shell(db, actor),
        channels=svc.list_channels(db, active_only=False),
        configured=svc.official_domains(db, settings),
        kinds=list(ChannelKind),
        form=extra.pop("form", {"kind": "domain"}),
        **extra,
    )


@router.get("")
def trust_home(agent_actor: ConsoleAgent) -> RedirectResponse:
    return RedirectResponse("/console/trust/channels", status_code=303)


@router.get("/channels")
def channels_page(request: Request, db: Db, agent_actor: ConsoleAgent) -> Response:
    return _channels_page(request, db, agent_actor)


@router.post("/channels")
def add_channel(
    request: Request,
    db: Db,
    agent_actor: ConsoleAgent,
    kind: Annotated[str, Form(max_length=16)] = "",
    value: Annotated[str, Form(max_length=1000)] = "",
    label: Annotated[str, Form(max_length=1000)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        channel = svc.do_add_channel(db, agent_actor, kind, value, label, note)
        db.commit()
    except DomainError as exc:
        db.rollback()
        form = {"kind": kind, "value": value, "label": label, "note": note}
        return _channels_page(
            request, db, agent_actor, exc.status_code, error=gettext(exc.message), form=form
        )
    flash(request, "ok", gettext("Official channel added: %(value)s") % {"value": channel.value})
    return RedirectResponse("/console/trust/channels", status_code=303)


@router.post("/channels/{channel_id}/deactivate")
def deactivate_channel(
    request: Request, channel_id: PathId, db: Db, agent_actor: ConsoleAgent
) -> Response:
    try:
        channel = svc.do_deactivate_channel(db, agent_actor, channel_id)
        db.commit()
    except DomainError as exc:
        db.rollback()
        return _channels_page(request, db, agent_actor, exc.status_code, error=gettext(exc.message))
    flash(request, "ok", gettext("No longer official: %(value)s") % {"value": channel.value})
    return RedirectResponse("/console/trust/channels", status_code=303)


@router.get("/checks")
def checks_page(
    request: Request, db: Db, agent_actor: ConsoleAgent, only: str = "", page: PageNumber = 1
) -> Response:
    """Recent verification checks, newest first; ``only=not_official`` keeps the fakes."""
    page = max(1, min(page, 10_000))
    not_official = only == "not_official"
    checks, total = svc.list_checks(
        db, not_official_only=not_official, page=page, per_page=PER_PAGE
    )
    return render(
        request,
        "trust/checks.html",
        **_shell(db, agent_actor),
        checks=checks,
        total=total,
        page=page,
        per_page=PER_PAGE,
        only="not_official" if not_official else "",
    )
