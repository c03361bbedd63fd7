"""The complaints register for team leads and admins: the console page
``/console/cases/register`` (date range and kind, the Art. 8 analysis, CSV and PDF downloads)
and the API ``GET /api/v1/cases/register`` (JSON) and ``/api/v1/cases/register.csv``.

These routers must be included before the cases' ``/cases/{case_id}`` routes, so that
``register`` is not read as a case id."""

from __future__ import annotations

import enum
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BeforeValidator

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import Actor, require_role
from ledgerdesk.cases import register_export as export
from ledgerdesk.cases.analysis import analyse_register
from ledgerdesk.cases.models import CaseKind
from ledgerdesk.cases.register_report import analysis_tables, render_pdf, summary_lines
from ledgerdesk.cases.register_schemas import RegisterAnalysisPublic, analysis_public
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import DomainError
from ledgerdesk.reports.filters import Day
from ledgerdesk.web.deps import ConsoleLead, CurrentAgent, Db
from ledgerdesk.web.templating import render

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1/cases", tags=["cases"])


class RegisterTable(enum.StrEnum):
    cases = "cases"  # one row per case
    steps = "steps"  # one row per step of the register


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


KindParam = Annotated[CaseKind | None, BeforeValidator(_blank_is_none), Query()]
TableParam = Annotated[RegisterTable, Query()]


def _query(start: Day = None, end: Day = None, kind: KindParam = None) -> export.RegisterQuery:
    return export.make_query(start, end, kind)


async def _lead(actor: CurrentAgent) -> Actor:
    """Leads and admins only; checked before the filters are read."""
    require_role(actor, Role.lead, Role.admin)
    return actor


Lead = Annotated[Actor, Depends(_lead)]
Filters = Annotated[export.RegisterQuery, Depends(_query)]


def _download(body: bytes, media_type: str, name: str) -> Response:
    return Response(
        content=body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _csv(db: Db, query: export.RegisterQuery, table: RegisterTable) -> Response:
    rows = export.load_rows(db, query)
    if table is RegisterTable.steps:
        body = export.steps_csv(rows)
    else:
        body = export.cases_csv(rows, utcnow())
    name = export.file_name(query, table.value, "csv")
    return _download(body, "text/csv; charset=utf-8", name)


# --- console ----------------------------------------------------------------------------------


@router.get("/console/cases/register")
def register_page(
    request: Request,
    db: Db,
    actor: ConsoleLead,
    start: Day = None,
    end: Day = None,
    kind: KindParam = None,
) -> Response:
    shell: dict[str, Any] = {
        "me": accounts.get_agent(db, actor.id or 0),
        "kinds": [k.value for k in CaseKind],
        "form": {
            "start": start.isoformat() if start else "",
            "end": end.isoformat() if end else "",
            "kind": kind.value if kind else "",
        },
    }
    try:
        query = export.make_query(start, end, kind)
    except DomainError as exc:
        return render(
            request, "cases/register.html", status_code=exc.status_code, error=exc.message, **shell
        )
    _rows, analysis = analyse_register(db, query)
    shell["form"] |= {"start": query.start.isoformat(), "end": query.end.isoformat()}
    return render(
        request,
        "cases/register.html",
        **shell,
        a=analysis,
        summary=summary_lines(analysis),
        tables=analysis_tables(analysis),
        query=urlencode(query.params()),
    )


@router.get("/console/cases/register.csv")
def register_csv_download(
    db: Db, _actor: ConsoleLead, query: Filters, table: TableParam = RegisterTable.cases
) -> Response:
    """The register (one row per case) or its steps, as CSV in the viewer's language."""
    return _csv(db, query, table)


@router.get("/console/cases/register.pdf")
def register_pdf_download(db: Db, _actor: ConsoleLead, query: Filters) -> Response:
    """The register and its analysis for the management body, in the viewer's language."""
    rows, analysis = analyse_register(db, query)
    return _download(
        render_pdf(analysis, rows), "application/pdf", export.file_name(query, "report", "pdf")
    )


# --- API --------------------------------------------------------------------------------------


@api_router.get("/register")
def register_analysis(db: Db, _actor: Lead, query: Filters) -> RegisterAnalysisPublic:
    """The Art. 8 analysis of the cases received in the range (leads and admins)."""
    _rows, analysis = analyse_register(db, query)
    return analysis_public(analysis)


@api_router.get(
    "/register.csv",
    response_class=Response,
    responses={
        200: {
            "description": "The register (table=cases) or its steps (table=steps), UTF-8 CSV "
            "with a byte-order mark, column titles in the caller's language",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def register_csv(
    db: Db, _actor: Lead, query: Filters, table: TableParam = RegisterTable.cases
) -> Response:
    """The complaints register as CSV (leads and admins)."""
    return _csv(db, query, table)
