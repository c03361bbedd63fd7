"""Download a case's export ZIP: ``/console/cases/{id}/export.zip`` (console) and
``/api/v1/cases/{id}/export`` (API token). Agents who can see the case; each download is an
``exported`` step in the register."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy.orm import Session

from ledgerdesk.accounts.services import Actor
from ledgerdesk.cases import register
from ledgerdesk.cases.export import build_export
from ledgerdesk.core.types import PathId
from ledgerdesk.web.deps import ConsoleAgent, CurrentAgent, Db

console_router = APIRouter(prefix="/console/cases", include_in_schema=False)
api_router = APIRouter(prefix="/api/v1/cases", tags=["cases"])

ZIP_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The case export: summary.pdf, facts.json, evidence/, manifest.json "
        "and manifest.sha256, in one folder named after the case reference",
        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
    }
}


def _download(db: Session, actor: Actor, case_id: int) -> Response:
    register.require_agent(actor)
    case = register.access_case(db, actor, case_id)
    export = build_export(db, actor, case)
    db.commit()
    return Response(
        export.data,
        media_type="application/zip",
        headers={
            "content-disposition": f"attachment; filename*=UTF-8''{quote(export.filename)}",
            "x-content-type-options": "nosniff",
            "x-export-sha256": export.sha256,
            "cache-control": "no-store",
        },
    )


@console_router.get("/{case_id}/export.zip")
def console_export(case_id: PathId, db: Db, actor: ConsoleAgent) -> Response:
    return _download(db, actor, case_id)


@api_router.get("/{case_id}/export", response_class=Response, responses=ZIP_RESPONSE)
def api_export(case_id: PathId, db: Db, actor: CurrentAgent) -> Response:
    """The case export ZIP (any kind of case) for an agent who can see the case."""
    return _download(db, actor, case_id)
