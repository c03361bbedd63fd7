"""Macros in the agent console: /console/macros lists the shared macros and the agent's own,
with a form to add one (personal; leads and admins may share it) and a page to edit or delete
each. On the ticket page a panel (loaded after the page) offers the macros: applying one sets
its team and tags, and shows the page again with the filled reply in the reply box and its
status preselected for the send. Forms post, then redirect (PRG); a refused macro re-renders
the form with what was typed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, Response

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import Actor
from ledgerdesk.core.errors import DomainError, InvalidInput
from ledgerdesk.core.i18n import gettext
from ledgerdesk.core.text import clean
from ledgerdesk.core.types import MAX_ID, PathId, parse_id
from ledgerdesk.macros import services as svc
from ledgerdesk.macros.models import Macro
from ledgerdesk.tickets.services import access_ticket
from ledgerdesk.web.deps import ConsoleAgent, Db
from ledgerdesk.web.templating import flash, render

router = APIRouter(prefix="/console", include_in_schema=False)
MacroId = Annotated[int, PathParam(ge=1, le=MAX_ID)]


def _posted(
    name: Annotated[str, Form(max_length=2_000)] = "",
    body_en: Annotated[str, Form(max_length=40_000)] = "",
    body_zh: Annotated[str, Form(max_length=40_000)] = "",
    shared: Annotated[str, Form(max_length=20)] = "",
    status: Annotated[str, Form(max_length=200)] = "",
    tags: Annotated[str, Form(max_length=2_000)] = "",
    team_id: Annotated[str, Form(max_length=200)] = "",
) -> dict[str, Any]:
    """The macro form as typed (the checkbox is absent when unticked)."""
    return {
        "name": name,
        "body_en": body_en,
        "body_zh": body_zh,
        "shared": bool(shared),
        "status": status,
        "tags": tags,
        "team_id": team_id,
    }


PostedMacro = Annotated[dict[str, Any], Depends(_posted)]


def _macro_in(form: dict[str, Any]) -> svc.MacroIn:
    team = form["team_id"].strip()
    team_id = parse_id(team) if team else None
    if team and team_id is None:
        raise InvalidInput(f"'{clean(team[:20])}' is not a team", field="team_id")
    tags = [t for t in form["tags"].replace(",", " ").split() if t]
    return svc.MacroIn(
        name=form["name"],
        body_en=form["body_en"],
        body_zh=form["body_zh"],
        shared=form["shared"],
        status=form["status"].strip() or None,
        tags=tags,
        team_id=team_id,
    )


def _kept(form: dict[str, Any]) -> dict[str, Any]:
    """What the agent typed, to show again."""
    return {k: clean(v[:20_000]) if isinstance(v, str) else v for k, v in form.items()}


def _form_of(macro: Macro | None) -> dict[str, Any]:
    if macro is None:
        return {"shared": False}
    return {
        "name": macro.name,
        "body_en": macro.body_en,
        "body_zh": macro.body_zh,
        "shared": macro.owner_id is None,
        "status": macro.status or "",
        "tags": " ".join(macro.tags),
        "team_id": str(macro.team_id or ""),
    }


def _page(
    request: Request,
    db: Any,
    actor: Actor,
    template: str,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    return render(
        request,
        template,
        status_code=status_code,
        me=accounts.get_agent(db, actor.id or 0),
        teams=accounts.list_teams(db),
        statuses=[s.value for s in svc.STATUSES],
        may_share=actor.role in (Role.lead, Role.admin),
        placeholders=svc.FIELDS,
        **extra,
    )


def _list_page(request: Request, db: Any, actor: Actor, **extra: Any) -> Response:
    macros = svc.list_macros(db, actor)
    editable = {m.id for m in macros if svc.may_edit(actor, m)}
    extra.setdefault("form", _form_of(None))
    return _page(request, db, actor, "macros/list.html", macros=macros, editable=editable, **extra)


@router.get("/macros")
def macros_page(request: Request, db: Db, agent_actor: ConsoleAgent) -> Response:
    return _list_page(request, db, agent_actor)


@router.post("/macros")
def create_macro(
    request: Request, db: Db, agent_actor: ConsoleAgent, form: PostedMacro
) -> Response:
    try:
        macro = svc.do_create_macro(db, agent_actor, _macro_in(form))
        db.commit()
    except DomainError as exc:
        db.rollback()
        error = gettext(exc.message)
        return _list_page(
            request, db, agent_actor, status_code=exc.status_code, error=error, form=_kept(form)
        )
    flash(request, "ok", gettext("Macro saved: %(name)s") % {"name": macro.name})
    return RedirectResponse("/console/macros", status_code=303)


@router.get("/macros/{macro_id}")
def macro_page(request: Request, macro_id: MacroId, db: Db, agent_actor: ConsoleAgent) -> Response:
    macro = svc.access_macro(db, agent_actor, macro_id)
    return _page(
        request,
        db,
        agent_actor,
        "macros/edit.html",
        macro=macro,
        form=_form_of(macro),
        editable=svc.may_edit(agent_actor, macro),
    )


@router.post("/macros/{macro_id}")
def update_macro(
    request: Request, macro_id: MacroId, db: Db, agent_actor: ConsoleAgent, form: PostedMacro
) -> Response:
    macro = svc.access_macro(db, agent_actor, macro_id)
    try:
        svc.do_update_macro(db, agent_actor, macro, _macro_in(form))
        db.commit()
    except DomainError as exc:
        db.rollback()
        return _page(
            request,
            db,
            agent_actor,
            "macros/edit.html",
            status_code=exc.status_code,
            macro=svc.access_macro(db, agent_actor, macro_id),
            form=_kept(form),
            editable=True,
            error=gettext(exc.message),
        )
    flash(request, "ok", gettext("Macro saved: %(name)s") % {"name": macro.name})
    return RedirectResponse("/console/macros", status_code=303)


@router.post("/macros/{macro_id}/delete")
def delete_macro(
    request: Request, macro_id: MacroId, db: Db, agent_actor: ConsoleAgent
) -> Response:
    macro = svc.access_macro(db, agent_actor, macro_id)
    name = macro.name
    svc.do_delete_macro(db, agent_actor, macro)
    db.commit()
    flash(request, "ok", gettext("Macro deleted: %(name)s") % {"name": name})
    return RedirectResponse("/console/macros", status_code=303)


# --- on the ticket page ---------------------------------------------------------------------


@router.get("/tickets/{ticket_id}/macros")
def ticket_macros(
    request: Request, ticket_id: PathId, db: Db, agent_actor: ConsoleAgent
) -> Response:
    """The macros panel of the ticket page (loaded after the page)."""
    ticket = access_ticket(db, agent_actor, ticket_id)
    macros = svc.list_macros(db, agent_actor)
    return render(request, "macros/_panel.html", ticket=ticket, macros=macros)


@router.post("/tickets/{ticket_id}/macros/apply")
def apply_macro(
    request: Request,
    ticket_id: PathId,
    db: Db,
    agent_actor: ConsoleAgent,
    macro_id: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Apply the macro and show the ticket page with its reply ready to edit and send."""
    from ledgerdesk.tickets.views import _ticket_page  # the ticket page, with a draft

    try:
        ticket = access_ticket(db, agent_actor, ticket_id)
        chosen = parse_id(macro_id.strip())
        if chosen is None:
            raise InvalidInput("Choose a macro", field="macro_id")
        macro = svc.access_macro(db, agent_actor, chosen)
        applied = svc.do_apply_macro(db, agent_actor, ticket, macro)
        db.commit()
    except DomainError as exc:
        db.rollback()
        return _ticket_page(
            request, db, agent_actor, ticket_id, exc.status_code, error=gettext(exc.message)
        )
    try:
        access_ticket(db, agent_actor, ticket_id)
    except DomainError:  # the macro moved it to a team the agent does not see
        flash(request, "ok", gettext("Macro applied: %(name)s") % {"name": macro.name})
        return RedirectResponse("/console/inbox", status_code=303)
    return _ticket_page(
        request,
        db,
        agent_actor,
        ticket_id,
        draft=applied.body,
        draft_kind="public",
        draft_status=applied.status or "",
        flashes=[("ok", gettext("Macro applied: %(name)s") % {"name": macro.name})],
    )
