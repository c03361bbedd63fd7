"""Console pages of cases: the register list (every kind), the case page with each step of a
complaint or appeal, and converting a ticket into a complaint."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.services import Actor
from ledgerdesk.cases import commitments_panel as _commitments  # noqa: F401 - registers its panel
from ledgerdesk.cases import complaints_lifecycle as life
from ledgerdesk.cases import complaints_queries as cq
from ledgerdesk.cases import deadlines, register
from ledgerdesk.cases.complaints import do_convert_ticket
from ledgerdesk.cases.models import Case, CaseKind, CaseStatus
from ledgerdesk.cases.panels import PANELS
from ledgerdesk.core.errors import DomainError, InvalidInput
from ledgerdesk.core.i18n import gettext
from ledgerdesk.core.types import PageNumber, PathId
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Ticket
from ledgerdesk.web.deps import ConsoleAgent, Db
from ledgerdesk.web.templating import flash, render, templates

router = APIRouter(prefix="/console", include_in_schema=False)
Text = Annotated[str, Form(max_length=50_000)]


def _shell(db: Any, actor: Actor) -> dict[str, Any]:
    return {"me": accounts.get_agent(db, actor.id or 0)}


@router.get("/cases")
def case_list(
    request: Request,
    db: Db,
    actor: ConsoleAgent,
    kind: str = "",
    status: str = "",
    overdue: str = "",
    page: PageNumber = 1,
) -> Response:
    chosen = cq.parse_filter(kind[:32], status[:32], overdue[:8])
    rows, total = cq.list_cases(db, actor, chosen, page=min(page, 10_000))
    return render(
        request,
        "cases/list.html",
        **_shell(db, actor),
        rows=rows,
        total=total,
        page=page,
        chosen=chosen,
        kinds=list(CaseKind),
        statuses=list(CaseStatus),
        overdue_of=cq.is_overdue,
    )


def _panel(case: Case) -> str | None:
    name = f"cases/_panel_{case.kind.value}.html"
    try:
        templates.env.get_template(name)
    except Exception:
        return None
    return name


def case_context(db: Any, actor: Actor, case: Case) -> dict[str, Any]:
    """What the case page shows (and a kind's panel receives)."""
    ids = register.linked_ticket_ids(db, case)
    linked = [t for t in (db.get(Ticket, i) for i in ids) if t is not None]
    extra = PANELS[case.kind.value](db, case) if case.kind.value in PANELS else {}
    customer = accounts.get_customer(db, case.customer_id)
    return {
        **_shell(db, actor),
        **extra,
        "case": case,
        "steps": register.steps(db, case),
        "tickets": linked,
        "customer": customer,
        "panel": _panel(case),
        "profiles": deadlines.profiles(),
        "profile": deadlines.profiles().get(case.jurisdiction or ""),
        "outcomes": life.OUTCOMES,
        "decision_outcomes": life.DECISION_OUTCOMES,
        "close_outcomes": life.CLOSE_OUTCOMES,
        "summary_until": life.summary_until(case),
        "can_summarise": life.can_resolve_summarily(case),
        "overdue": cq.is_overdue(case),
        "is_complaint": case.kind in life.COMPLAINT_KINDS,
    }


def _case_page(
    request: Request, db: Any, actor: Actor, case_id: int, status_code: int = 200, **extra: Any
) -> Response:
    case = register.access_case(db, actor, case_id)
    return render(
        request,
        "cases/case.html",
        status_code=status_code,
        **case_context(db, actor, case),
        **extra,
    )


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: PathId, db: Db, actor: ConsoleAgent) -> Response:
    return _case_page(request, db, actor, case_id)


def _act(
    request: Request,
    db: Any,
    actor: Actor,
    case_id: int,
    change: Callable[[Case], Any],
    done: str,
    **keep: Any,
) -> Response:
    """One step, then back to the case page; a refused step shows why, keeping the input."""
    try:
        case = register.access_case(db, actor, case_id)
        change(case)
        db.commit()
    except DomainError as exc:
        db.rollback()
        field = {"field_error": exc.message, "error_field": exc.field} if exc.field else {}
        return _case_page(
            request,
            db,
            actor,
            case_id,
            status_code=exc.status_code,
            error=exc.message,
            **field,
            **keep,
        )
    flash(request, "ok", done)
    return RedirectResponse(f"/console/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/admit")
def admit(
    request: Request,
    case_id: PathId,
    db: Db,
    actor: ConsoleAgent,
    jurisdiction: Annotated[str, Form(max_length=32)] = "",
    payment_services: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    return _act(
        request,
        db,
        actor,
        case_id,
        lambda c: life.do_admit(
            db, actor, c, jurisdiction=jurisdiction or None, payment_services=bool(payment_services)
        ),
        gettext("Admissible: the acknowledgement was sent"),
    )


@router.post("/cases/{case_id}/refuse")
def refuse(
    request: Request, case_id: PathId, db: Db, actor: ConsoleAgent, reasons: Text = ""
) -> Response:
    return _act(
        request,
        db,
        actor,
        case_id,
        lambda c: life.do_refuse(db, actor, c, reasons),
        gettext("Inadmissible: the letter with the reasons was sent"),
        draft_reasons=reasons,
    )


@router.post("/cases/{case_id}/take")
def take(request: Request, case_id: PathId, db: Db, actor: ConsoleAgent) -> Response:
    return _act(
        request,
        db,
        actor,
        case_id,
        lambda c: life.do_take(db, actor, c),
        gettext("You handle this case now"),
    )


@router.post("/cases/{case_id}/note")
def note(
    request: Request, case_id: PathId, db: Db, actor: ConsoleAgent, note: Text = ""
) -> Response:
    return _act(
        request,
        db,
        actor,
        case_id,
        lambda c: life.do_add_note(db, actor, c, note),
        gettext("Note added"),
        draft_note=note,
    )


@router.post("/cases/{case_id}/link")
def link(
    request: Request,
    case_id: PathId,
    db: Db,
    actor: ConsoleAgent,
    ticket_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    def change(case: Case) -> None:
        number = ticket_id.strip().lstrip("#")
        if not number.isdigit() or not 0 < int(number) < 2**31:
            raise InvalidInput("Give a ticket number", field="ticket_id")
        life.do_link(db, actor, case, int(number))

    return _act(request, db, actor, case_id, change, gettext("Ticket linked"))


def _parse_date(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value.strip()).replace(tzinfo=None)
    except ValueError:
        raise InvalidInput(
            "Give the new date as YYYY-MM-DD HH:MM (UTC)", field="new_date"
        ) from None


@router.post("/cases/{case_id}/delay")
def delay(
    request: Request,
    case_id: PathId,
    db: Db,
    actor: ConsoleAgent,
    reasons: Text = "",
    new_date: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    return _act(
        request,
        db,
        actor,
        case_id,
        lambda c: life.do_delay(db, actor, c, reasons, _parse_date(new_date)),
        gettext("Delay notice sent"),
        draft_delay=reasons,
    )


@router.post("/cases/{case_id}/decide")
async def decide(request: Request, case_id: PathId, db: Db, actor: ConsoleAgent) -> Response:
    form = await request.form()
    answers = [
        str(form.get(f"answer_{i}", ""))[:50_000] for i in range(_points_of(db, actor, case_id))
    ]
    outcome = str(form.get("outcome", ""))[:32]
    summary = str(form.get("summary", ""))[:50_000]
    return _act(
        request,
        db,
        actor,
        case_id,
        lambda c: life.do_decide(db, actor, c, answers, outcome, summary),
        gettext("Decision sent"),
        draft_answers=answers,
        draft_summary=summary,
    )


def _points_of(db: Any, actor: Actor, case_id: int) -> int:
    try:
        return len(register.access_case(db, actor, case_id).points)
    except DomainError:
        return 0


@router.post("/cases/{case_id}/summary")
def summary(
    request: Request, case_id: PathId, db: Db, actor: ConsoleAgent, summary: Text = ""
) -> Response:
    return _act(
        request,
        db,
        actor,
        case_id,
        lambda c: life.do_summary_resolution(db, actor, c, summary),
        gettext("Summary resolution sent; the case is closed"),
        draft_summary=summary,
    )


@router.post("/cases/{case_id}/close")
def close(
    request: Request,
    case_id: PathId,
    db: Db,
    actor: ConsoleAgent,
    outcome: Annotated[str, Form(max_length=32)] = "",
    measures: Text = "",
) -> Response:
    return _act(
        request,
        db,
        actor,
        case_id,
        lambda c: life.do_close(db, actor, c, outcome, measures),
        gettext("Case closed"),
    )


@router.post("/tickets/{ticket_id}/complaint")
def convert(
    request: Request,
    ticket_id: PathId,
    db: Db,
    actor: ConsoleAgent,
    points: Text = "",
    language: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Make the ticket a complaint (its working ticket); then decide admissibility."""
    try:
        ticket = tickets.access_ticket(db, actor, ticket_id)
        case = do_convert_ticket(db, actor, ticket, points or ticket.subject, language)
        db.commit()
    except DomainError as exc:
        db.rollback()
        flash(request, "error", exc.message)
        return RedirectResponse(f"/console/tickets/{ticket_id}", status_code=303)
    flash(request, "ok", gettext("Complaint %(reference)s opened") % {"reference": case.reference})
    return RedirectResponse(f"/console/cases/{case.id}", status_code=303)
