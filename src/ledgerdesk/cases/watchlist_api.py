"""JSON routes for the watchlist under /api/v1. Every agent reads and checks; team leads,
admins and the security team add, change and deactivate (``cases.watchlist``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from ledgerdesk.accounts.services import Actor
from ledgerdesk.cases import watchlist as wl
from ledgerdesk.cases import watchlist_csv
from ledgerdesk.cases.watchlist_models import WatchKind, WatchlistEntry
from ledgerdesk.cases.watchlist_schemas import (
    CheckPublic,
    EntryCreate,
    EntryPage,
    EntryPublic,
    EntryUpdate,
    FromCasePublic,
)
from ledgerdesk.core.i18n import gettext
from ledgerdesk.core.types import PageNumber, PathId
from ledgerdesk.web.deps import CurrentAgent, Db

router = APIRouter(prefix="/api/v1/watchlist", tags=["watchlist"])
PER_PAGE = 50
REPORTED = "Reported in confirmed scam reports — do not send funds to it or open it."
NOT_LISTED = (
    "Not on our watchlist of reported addresses and links. That alone does not make it safe."
)
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}}
}


def public(entry: WatchlistEntry) -> EntryPublic:
    return EntryPublic(
        id=entry.id,
        kind=entry.kind,
        network=entry.network,
        value=entry.value,
        note=entry.note,
        source=entry.source,
        case_id=entry.case_id,
        active=entry.active,
        added_at=entry.added_at,
        deactivated_at=entry.deactivated_at,
    )


@router.get("")
def list_entries(
    db: Db,
    actor: CurrentAgent,
    q: Annotated[str, Query(max_length=200)] = "",
    kind: WatchKind | None = None,
    include_inactive: bool = False,
    page: PageNumber = 1,
) -> EntryPage:
    """Entries newest first; ``q`` searches values, notes, sources and networks."""
    rows, total = wl.list_entries(
        db, actor, q=q, kind=kind, active_only=not include_inactive, page=page, per_page=PER_PAGE
    )
    return EntryPage(items=[public(e) for e in rows], total=total, page=page)


@router.post("", status_code=201)
def add_entry(data: EntryCreate, db: Db, actor: CurrentAgent) -> EntryPublic:
    """Put an address, domain or link on the watchlist (leads, admins, security team)."""
    new = wl.NewEntry(
        value=data.value,
        kind=data.kind.value if data.kind else "",
        network=data.network,
        note=data.note,
        source=data.source,
    )
    entry = wl.do_add_entry(db, actor, new)
    db.commit()
    return public(entry)


@router.get("/check")
def check(
    db: Db, actor: CurrentAgent, value: Annotated[str, Query(max_length=4096)] = ""
) -> CheckPublic:
    """Is this address, domain or link on the watchlist (or under a listed domain)?"""
    wl.require_reader(actor)
    entries = wl.check_value(db, value)
    return CheckPublic(
        value=value.strip(),
        listed=bool(entries),
        entries=[public(e) for e in entries],
        message=gettext(REPORTED if entries else NOT_LISTED),
    )


@router.get("/export.csv", response_class=Response, responses=CSV_RESPONSE)
def export_csv(db: Db, actor: CurrentAgent) -> Response:
    """Every active entry as CSV: kind,network,value,note,source,added_at."""
    return Response(
        watchlist_csv.export_csv(db, actor),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="watchlist.csv"'},
    )


@router.post("/from-case/{case_id}")
def add_from_case(case_id: PathId, db: Db, actor: CurrentAgent) -> FromCasePublic:
    """Put a scam case's addresses and links on the watchlist."""
    result = wl.do_add_from_case(db, actor, case_id)
    db.commit()
    return FromCasePublic(
        added=[public(e) for e in result.added],
        already_listed=[public(e) for e in result.existing],
        refused=[f"{value}: {gettext(message)}" for value, message in result.refused],
    )


@router.get("/{entry_id}")
def get_entry(entry_id: PathId, db: Db, actor: CurrentAgent) -> EntryPublic:
    return public(wl.access_entry(db, actor, entry_id))


@router.patch("/{entry_id}")
def update_entry(entry_id: PathId, data: EntryUpdate, db: Db, actor: CurrentAgent) -> EntryPublic:
    """Change the note, or deactivate (``active: false``) or switch on again."""
    entry = _apply(db, actor, entry_id, data)
    db.commit()
    return public(entry)


def _apply(db: Session, actor: Actor, entry_id: int, data: EntryUpdate) -> WatchlistEntry:
    wl.require_editor(db, actor)
    entry = wl.access_entry(db, actor, entry_id)
    if data.note is not None:
        entry = wl.do_set_note(db, actor, entry_id, data.note)
    if data.active is not None:
        entry = wl.do_set_active(db, actor, entry_id, data.active)
    return entry
