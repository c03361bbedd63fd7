"""The watchlist in the agent console (/console/watchlist): every agent searches and reads
it; team leads, admins and the security team add, import and deactivate entries, and add a
scam case's values from its case page. Forms post, then redirect (PRG); a refused form
re-renders the page with what was typed and why."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.services import Actor
from ledgerdesk.cases import watchlist as wl
from ledgerdesk.cases import watchlist_csv
from ledgerdesk.cases.watchlist_models import WatchKind
from ledgerdesk.chain.registry import get_registry
from ledgerdesk.core.errors import DomainError
from ledgerdesk.core.i18n import get_locale, gettext
from ledgerdesk.core.types import PageNumber, PathId
from ledgerdesk.web.deps import ConsoleAgent, Db
from ledgerdesk.web.messages import translate_message
from ledgerdesk.web.templating import flash, render

router = APIRouter(prefix="/console/watchlist", include_in_schema=False)
PER_PAGE = 50
Short = Annotated[str, Form(max_length=2000)]


def _kind(value: str) -> WatchKind | None:
    try:
        return WatchKind(value) if value else None
    except ValueError:
        return None


def _page(
    request: Request,
    db: Session,
    actor: Actor,
    status_code: int = 200,
    *,
    q: str = "",
    kind: str = "",
    show: str = "",
    page: int = 1,
    **extra: Any,
) -> Response:
    page = max(1, min(page, 10_000))
    entries, total = wl.list_entries(
        db, actor, q=q, kind=_kind(kind), active_only=show != "all", page=page, per_page=PER_PAGE
    )
    locale = get_locale()
    networks = [(n.id, n.name(locale)) for n in get_registry().networks]
    return render(
        request,
        "cases/watchlist.html",
        status_code=status_code,
        me=accounts.get_agent(db, actor.id or 0),
        can_edit=wl.can_edit(db, actor),
        entries=entries,
        total=total,
        page=page,
        per_page=PER_PAGE,
        q=q[:200],
        kind=kind if _kind(kind) else "",
        show="all" if show == "all" else "",
        kinds=list(WatchKind),
        networks=networks,
        form=extra.pop("form", {}),
        **extra,
    )


@router.get("")
def watchlist_page(
    request: Request,
    db: Db,
    agent_actor: ConsoleAgent,
    q: str = "",
    kind: str = "",
    show: str = "",
    page: PageNumber = 1,
) -> Response:
    return _page(request, db, agent_actor, q=q[:200], kind=kind[:16], show=show[:8], page=page)


@router.post("")
def add_entry(
    request: Request,
    db: Db,
    agent_actor: ConsoleAgent,
    kind: Annotated[str, Form(max_length=16)] = "",
    network: Annotated[str, Form(max_length=64)] = "",
    value: Short = "",
    note: Short = "",
    source: Short = "",
) -> Response:
    form = {"kind": kind, "network": network, "value": value, "note": note, "source": source}
    try:
        entry = wl.do_add_entry(db, agent_actor, wl.NewEntry(value, kind, network, note, source))
        db.commit()
    except DomainError as exc:
        db.rollback()
        return _page(request, db, agent_actor, exc.status_code, error=exc.message, form=form)
    flash(request, "ok", gettext("Added to the watchlist: %(value)s") % {"value": entry.value})
    return RedirectResponse("/console/watchlist", status_code=303)


@router.post("/{entry_id}/deactivate")
def deactivate_entry(
    request: Request, entry_id: PathId, db: Db, agent_actor: ConsoleAgent
) -> Response:
    try:
        entry = wl.do_set_active(db, agent_actor, entry_id, False)
        db.commit()
    except DomainError as exc:
        db.rollback()
        return _page(request, db, agent_actor, exc.status_code, error=exc.message)
    flash(request, "ok", gettext("Removed from the watchlist: %(value)s") % {"value": entry.value})
    return RedirectResponse("/console/watchlist", status_code=303)


@router.get("/export.csv")
def export_csv(db: Db, agent_actor: ConsoleAgent) -> Response:
    return Response(
        watchlist_csv.export_csv(db, agent_actor),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="watchlist.csv"'},
    )


@router.post("/import")
def import_csv(
    request: Request,
    db: Db,
    agent_actor: ConsoleAgent,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    data = file.file.read(watchlist_csv.MAX_BYTES + 1) if file is not None else b""
    try:
        report = watchlist_csv.do_import_csv(db, agent_actor, data)
        db.commit()
    except watchlist_csv.ImportRefused as exc:
        db.rollback()
        rows = [(e.line, translate_message(e.message)) for e in exc.report.errors]
        error = gettext("%(count)s row(s) have errors; nothing was imported.") % {
            "count": len(rows)
        }
        return _page(request, db, agent_actor, 422, error=error, import_errors=rows)
    except DomainError as exc:
        db.rollback()
        return _page(request, db, agent_actor, exc.status_code, error=exc.message)
    flash(
        request,
        "ok",
        gettext("Imported %(rows)s rows: %(added)s added, %(existing)s already listed.")
        % {"rows": report.rows, "added": report.added, "existing": report.existing},
    )
    return RedirectResponse("/console/watchlist", status_code=303)


@router.post("/from-case/{case_id}")
def add_from_case(request: Request, case_id: PathId, db: Db, agent_actor: ConsoleAgent) -> Response:
    """The scam case page's button: its addresses and links go on the watchlist."""
    try:
        result = wl.do_add_from_case(db, agent_actor, case_id)
        db.commit()
    except DomainError as exc:
        db.rollback()
        flash(request, "error", exc.message)
        return RedirectResponse(f"/console/cases/{case_id}", status_code=303)
    flash(
        request,
        "ok",
        gettext("Watchlist: %(added)s added, %(existing)s already listed, %(refused)s refused.")
        % {
            "added": len(result.added),
            "existing": len(result.existing),
            "refused": len(result.refused),
        },
    )
    for value, message in result.refused:
        flash(request, "error", f"{value}: {translate_message(message)}")
    return RedirectResponse(f"/console/cases/{case_id}", status_code=303)
