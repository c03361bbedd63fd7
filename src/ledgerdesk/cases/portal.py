"""Portal pages of cases: the complaint and appeal forms, "My cases" and a case's page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.services import Actor
from ledgerdesk.cases import complaints_queries as cq
from ledgerdesk.cases import letters, register
from ledgerdesk.cases.commitments import enabled as commitments_enabled
from ledgerdesk.cases.complaints import APPEAL_OF, TOPICS, ComplaintForm, do_file
from ledgerdesk.cases.complaints_lifecycle import OUTCOMES
from ledgerdesk.cases.models import Case, CaseKind
from ledgerdesk.core.errors import DomainError
from ledgerdesk.core.i18n import get_locale, gettext
from ledgerdesk.core.types import PageNumber, PathId
from ledgerdesk.tickets import queries
from ledgerdesk.tickets.models import Ticket
from ledgerdesk.web.deps import Db, PortalCustomer
from ledgerdesk.web.templating import flash, render

router = APIRouter(prefix="/portal", include_in_schema=False)
FIELDS = (
    "name",
    "email",
    "phone",
    "account_id",
    "facts_dates",
    "what_happened",
    "points",
    "wants",
    "refs",
    "subject",
    "topic",
    "appeal_of",
    "language",
    "payout_address",
)
# Steps the client sees on their case page (internal notes and warnings stay inside).
PUBLIC_STEPS = frozenset(
    {
        "received",
        "acknowledged",
        "inadmissible",
        "delay_notice",
        "decision",
        "summary_resolution",
        "closed",
    }
)


def _form_values(form: FormData) -> dict[str, str]:
    return {name: str(form.get(name, ""))[:20_000] for name in FIELDS}


def _page(
    request: Request, db: Any, actor: Actor, kind: CaseKind, values: dict[str, str], **extra: Any
) -> Response:
    return render(
        request,
        "cases/portal_file.html",
        me=accounts.get_customer(db, actor.id or 0),
        kind=kind.value,
        values=values,
        topics=TOPICS,
        appeal_of=APPEAL_OF,
        commitments_on=commitments_enabled(),
        **extra,
    )


def _defaults(db: Any, actor: Actor) -> dict[str, str]:
    me = accounts.get_customer(db, actor.id or 0)
    values = dict.fromkeys(FIELDS, "")
    values.update(
        name=me.name or "",
        email=me.email,
        language=get_locale(),
        topic="other",
        account_id=me.external_id or "",
    )
    return values


@router.get("/complaints/new")
def complaint_form(request: Request, db: Db, actor: PortalCustomer) -> Response:
    return _page(request, db, actor, CaseKind.complaint, _defaults(db, actor))


@router.get("/appeals/new")
def appeal_form(request: Request, db: Db, actor: PortalCustomer) -> Response:
    return _page(request, db, actor, CaseKind.appeal, _defaults(db, actor))


async def _file(request: Request, db: Any, actor: Actor, kind: CaseKind) -> Response:
    values = _form_values(await request.form())
    try:
        case = do_file(db, actor, ComplaintForm(**values), kind)
        db.commit()
    except DomainError as exc:
        db.rollback()
        return _page(
            request,
            db,
            actor,
            kind,
            values,
            status_code=exc.status_code,
            field_error=exc.message,
            error_field=exc.field or "",
        )
    flash(
        request,
        "ok",
        gettext("Received: your reference is %(reference)s. We sent you an acknowledgement.")
        % {"reference": case.reference},
    )
    return RedirectResponse(f"/portal/cases/{case.id}", status_code=303)


@router.post("/complaints/new")
async def file_complaint(request: Request, db: Db, actor: PortalCustomer) -> Response:
    return await _file(request, db, actor, CaseKind.complaint)


@router.post("/appeals/new")
async def file_appeal(request: Request, db: Db, actor: PortalCustomer) -> Response:
    return await _file(request, db, actor, CaseKind.appeal)


@router.get("/cases")
def my_cases(request: Request, db: Db, actor: PortalCustomer, page: PageNumber = 1) -> Response:
    rows, total = cq.list_cases(db, actor, cq.CaseFilter(), page=min(page, 10_000))
    return render(
        request,
        "cases/portal_cases.html",
        me=accounts.get_customer(db, actor.id or 0),
        cases=[case for case, _customer in rows],
        total=total,
        page=page,
    )


def _letters(db: Any, actor: Actor, case: Case) -> list[Any]:
    """The letters on the working ticket (public messages the desk wrote)."""
    ticket = db.get(Ticket, case.ticket_id) if case.ticket_id is not None else None
    if ticket is None:
        return []
    return [
        m for m in queries.ticket_messages(db, actor, ticket) if m.author_kind.value == "system"
    ]


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: PathId, db: Db, actor: PortalCustomer) -> Response:
    case = register.access_case(db, actor, case_id)
    steps = [s for s in register.steps(db, case) if s.step in PUBLIC_STEPS]
    return render(
        request,
        "cases/portal_case.html",
        me=accounts.get_customer(db, actor.id or 0),
        case=case,
        steps=steps,
        letters=_letters(db, actor, case),
        outcomes=OUTCOMES,
        contact=letters.base_values(db, case)["contact"],
    )
