"""Console routes for the inbox's tools: bulk actions on the selected tickets, and saving or
deleting a saved view. Forms post, then redirect back to the inbox with what happened."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ledgerdesk.core.errors import DomainError, InvalidInput
from ledgerdesk.core.i18n import gettext
from ledgerdesk.core.types import PathId, parse_id
from ledgerdesk.tickets import bulk
from ledgerdesk.tickets.inbox_query import fold_view
from ledgerdesk.tickets.inbox_tools import current_query
from ledgerdesk.tickets.models import Status
from ledgerdesk.tickets.saved_views import access_view, do_create_view, do_delete_view
from ledgerdesk.web.deps import ConsoleAgent, Db
from ledgerdesk.web.messages import translate_message
from ledgerdesk.web.templating import flash

router = APIRouter(prefix="/console", include_in_schema=False)


def _back(value: str) -> str:
    """Back to the inbox page the form was on (only ever an inbox address of this site)."""
    value = value[:2000]
    if value.startswith("/console/inbox") and "\\" not in value and "//" not in value:
        return value
    return "/console/inbox"


def _id_list(values: list[str]) -> list[int]:
    ids = []
    for value in values[: bulk.MAX_BULK + 1]:
        number = parse_id(value.strip())
        if number is None:
            raise InvalidInput(f"'{value[:40]}' is not a ticket number", field="ids")
        ids.append(number)
    return ids


def _optional_id(value: str, field: str) -> int | None:
    if not value.strip() or value.strip() == "none":
        return None
    number = parse_id(value.strip())
    if number is None:
        raise InvalidInput(f"'{value[:40]}' is not a valid {field}", field=field)
    return number


def _report(request: Request, result: bulk.BulkResult) -> None:
    flash(
        request,
        "ok" if not result.refused else "error",
        gettext("%(changed)s changed, %(unchanged)s already so, %(refused)s refused")
        % {
            "changed": len(result.changed),
            "unchanged": len(result.unchanged),
            "refused": len(result.refused),
        },
    )
    for ticket_id, why in result.refused[:5]:
        flash(request, "error", f"#{ticket_id}: {translate_message(why)}")


@router.post("/inbox/bulk")
def bulk_action(
    request: Request,
    db: Db,
    agent_actor: ConsoleAgent,
    action: Annotated[str, Form(max_length=16)] = "",
    ids: Annotated[list[str] | None, Form()] = None,  # counted by the service (at most 100)
    assignee_id: Annotated[str, Form(max_length=20)] = "",
    team_id: Annotated[str, Form(max_length=20)] = "",
    status: Annotated[str, Form(max_length=16)] = "",
    tag: Annotated[str, Form(max_length=200)] = "",
    target_id: Annotated[str, Form(max_length=20)] = "",
    back: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """One action on every selected ticket; the flash says how many changed or refused."""
    try:
        selected = _id_list(ids or [])
        if action == "status":
            try:
                new_status = Status(status)
            except ValueError:
                raise InvalidInput("Choose a status", field="status") from None
            result = bulk.do_bulk_status(db, agent_actor, selected, new_status)
        elif action == "merge":
            target = _optional_id(target_id.lstrip("#"), "target_id")
            into, result = bulk.do_bulk_merge(db, agent_actor, selected, target)
            if result.changed:
                flash(request, "ok", gettext("Merged into #%(number)s") % {"number": into})
        else:
            result = bulk.run(
                db,
                agent_actor,
                action,
                selected,
                agent_id=_optional_id(assignee_id, "assignee_id"),
                team_id=_optional_id(team_id, "team_id"),
                tag=tag,
            )
        db.commit()
    except DomainError as exc:
        db.rollback()
        flash(request, "error", exc.message)
        return RedirectResponse(_back(back), status_code=303)
    _report(request, result)
    return RedirectResponse(_back(back), status_code=303)


@router.post("/views")
def save_view(
    request: Request,
    db: Db,
    agent_actor: ConsoleAgent,
    name: Annotated[str, Form(max_length=200)] = "",
    shared: Annotated[str, Form(max_length=8)] = "",
    query: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Save the inbox's current filters (``query``: the page's query string) as a view."""
    from urllib.parse import parse_qsl

    try:
        params = dict(parse_qsl(query.lstrip("?"), keep_blank_values=False))
        parsed = fold_view(current_query(db, agent_actor, params))
        view = do_create_view(db, agent_actor, name, parsed, shared=bool(shared))
        db.commit()
    except DomainError as exc:
        db.rollback()
        flash(request, "error", exc.message)
        return RedirectResponse(_back("/console/inbox?" + query.lstrip("?")), status_code=303)
    flash(request, "ok", gettext("View saved"))
    return RedirectResponse(f"/console/inbox?view=saved:{view.id}", status_code=303)


@router.post("/views/{view_id}/delete")
def delete_view(request: Request, view_id: PathId, db: Db, agent_actor: ConsoleAgent) -> Response:
    try:
        do_delete_view(db, agent_actor, access_view(db, agent_actor, view_id))
        db.commit()
    except DomainError as exc:
        db.rollback()
        flash(request, "error", exc.message)
        return RedirectResponse("/console/inbox", status_code=303)
    flash(request, "ok", gettext("View deleted"))
    return RedirectResponse("/console/inbox", status_code=303)
