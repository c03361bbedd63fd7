"""The portal's scam-report form (``/portal/scam-report``) and its confirmation page; the
console's "look the transactions up again" action."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.services import Actor
from ledgerdesk.cases import register
from ledgerdesk.cases import scam_panel as _panel  # noqa: F401 - registers the console panel
from ledgerdesk.cases.models import Case, CaseKind
from ledgerdesk.cases.scam import MAX_STORY, ScamReportIn, check_report, do_file_scam_report
from ledgerdesk.cases.scam_facts import do_request_tx_facts
from ledgerdesk.cases.scam_types import scam_types
from ledgerdesk.chain.registry import get_registry
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import DomainError, NotFound
from ledgerdesk.core.i18n import get_locale, gettext
from ledgerdesk.core.types import PathId
from ledgerdesk.web.deps import ConsoleAgent, Db, PortalCustomer
from ledgerdesk.web.templating import flash, render
from ledgerdesk.web.uploads import read_uploads

router = APIRouter(prefix="/portal/scam-report", include_in_schema=False)
console_router = APIRouter(prefix="/console/cases", include_in_schema=False)
ROWS = 3  # rows of each repeated group on the form
Short = Annotated[list[str] | None, Form()]  # each value is checked by cases.scam
Story = Annotated[str, Form(max_length=MAX_STORY + 1000)]  # checked exactly by cases.scam


def _choices() -> dict[str, Any]:
    locale = get_locale()
    return {
        "types": [(t.key, t.label(locale), t.hint(locale)) for t in scam_types()],
        "networks": [(n.id, n.name(locale)) for n in get_registry().networks],
        "rows": ROWS,
    }


def _rows(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return pairs + [("", "")] * max(0, ROWS - len(pairs))


def _form_page(
    request: Request,
    db: Any,
    actor: Actor,
    form: ScamReportIn,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    return render(
        request,
        "cases/scam_form.html",
        status_code=status_code,
        me=accounts.get_customer(db, actor.id or 0),
        form=form,
        amounts=_rows(form.amounts),
        tx_rows=_rows(form.tx_hashes),
        address_rows=_rows(form.addresses),
        **_choices(),
        **extra,
    )


@router.get("")
def scam_report_form(request: Request, db: Db, actor: PortalCustomer) -> Response:
    return _form_page(request, db, actor, ScamReportIn())


def _pairs(left: list[str], right: list[str]) -> list[tuple[str, str]]:
    width = max(len(left), len(right))
    return [
        (left[i] if i < len(left) else "", right[i] if i < len(right) else "") for i in range(width)
    ]


@router.post("")
def submit_scam_report(
    request: Request,
    db: Db,
    actor: PortalCustomer,
    scam_type: Annotated[str, Form(max_length=64)] = "",
    happened_on: Annotated[str, Form(max_length=20)] = "",
    happened_time: Annotated[str, Form(max_length=10)] = "",
    story: Story = "",
    amount_asset: Short = None,
    amount_value: Short = None,
    tx_network: Short = None,
    tx_hash: Short = None,
    address_network: Short = None,
    address_value: Short = None,
    handles: Annotated[str, Form(max_length=5000)] = "",
    urls: Annotated[str, Form(max_length=21000)] = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    form = ScamReportIn(
        scam_type=scam_type,
        happened_on=happened_on,
        happened_time=happened_time,
        story=story,
        amounts=_pairs(amount_asset or [], amount_value or []),
        tx_hashes=_pairs(tx_network or [], tx_hash or []),
        addresses=_pairs(address_network or [], address_value or []),
        handles=handles,
        urls=urls,
    )
    try:
        details = check_report(get_registry(), form, utcnow().date())
        customer = accounts.get_customer(db, actor.id or 0)
        items = read_uploads(files or [])
        case = do_file_scam_report(db, actor, customer, details, items, locale=get_locale())
        db.commit()
    except DomainError as exc:
        db.rollback()
        return _form_page(
            request, db, actor, form, exc.status_code, error=exc.message, error_field=exc.field
        )
    return RedirectResponse(f"/portal/scam-report/{case.id}", status_code=303)


@router.get("/{report_id}")
def scam_report_received(
    request: Request, report_id: PathId, db: Db, actor: PortalCustomer
) -> Response:
    """The confirmation: the reference, where to follow the report, and what to do now.
    ``report_id`` is the case's id."""
    case = db.get(Case, report_id)
    if case is None or case.kind != CaseKind.scam_report or not register.can_see(actor, case):
        raise NotFound("No such scam report")
    return render(
        request,
        "cases/scam_done.html",
        me=accounts.get_customer(db, actor.id or 0),
        case=case,
    )


@console_router.post("/{case_id}/tx-facts")
def request_tx_facts(request: Request, case_id: PathId, db: Db, actor: ConsoleAgent) -> Response:
    """Look the reported transactions up again (the job runs after the commit)."""
    try:
        case = register.access_case(db, actor, case_id)
        do_request_tx_facts(db, actor, case)
        db.commit()
    except DomainError as exc:
        db.rollback()
        flash(request, "error", exc.message)
    else:
        flash(request, "ok", gettext("The transactions will be looked up again in a moment."))
    return RedirectResponse(f"/console/cases/{case_id}", status_code=303)
