"""The ticket page's exchange panel: the customer's profile, flags and last transfers from the
exchange, the deposit and withdrawal checks made for this ticket, and a form to run one.

Loaded after the page (htmx), so a slow or down exchange never delays the ticket.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ledgerdesk.accounts.models import Customer
from ledgerdesk.chain import presenters
from ledgerdesk.chain import services as svc
from ledgerdesk.chain.diagnosis import DiagnosisInputError
from ledgerdesk.core.errors import DomainError
from ledgerdesk.core.i18n import get_locale, gettext
from ledgerdesk.core.types import PathId
from ledgerdesk.exchange.client import (
    CustomerProfile,
    DepositRecord,
    ExchangeError,
    ExchangeErrorKind,
    WithdrawalRecord,
    get_exchange,
)
from ledgerdesk.tickets import services as tickets
from ledgerdesk.web.deps import ConsoleAgent, Db
from ledgerdesk.web.messages import translate_message
from ledgerdesk.web.templating import flash, render

router = APIRouter(prefix="/console/tickets", include_in_schema=False)
Text = Annotated[str, Form(max_length=200)]


@dataclass
class ExchangeContext:
    profile: CustomerProfile | None = None
    deposits: list[DepositRecord] = field(default_factory=list)
    withdrawals: list[WithdrawalRecord] = field(default_factory=list)
    problem: str | None = None  # why there is no profile, in the reader's language


def _problem(exc: ExchangeError) -> str:
    if exc.kind == ExchangeErrorKind.not_found:
        return gettext("The exchange does not know this customer.")
    if exc.kind == ExchangeErrorKind.not_configured:
        return gettext("No exchange connection is configured.")
    return gettext("The exchange could not be reached just now.")


def exchange_context(customer: Customer, limit: int = 5) -> ExchangeContext:
    client = get_exchange()
    if client is None:
        return ExchangeContext(problem=gettext("No exchange connection is configured."))
    try:
        profile = client.customer(customer.external_id)
        return ExchangeContext(
            profile=profile,
            deposits=client.deposits(profile.id, limit=limit),
            withdrawals=client.withdrawals(profile.id, limit=limit),
        )
    except ExchangeError as exc:
        return ExchangeContext(problem=_problem(exc))


def _panel(request: Request, db: Db, agent: Any, ticket_id: int, **extra: Any) -> Response:
    ticket = tickets.access_ticket(db, agent, ticket_id)
    locale = get_locale()
    checks = [(c, presenters.check_view(c, locale)) for c in svc.checks_for_ticket(db, ticket)]
    return render(
        request,
        "chain/_panel.html",
        ticket=ticket,
        context=exchange_context(ticket.requester),
        checks=checks,
        networks=presenters.network_choices(locale),
        typed=extra.pop("typed", {}),
        **extra,
    )


@router.get("/{ticket_id}/exchange")
def exchange_panel(request: Request, ticket_id: PathId, db: Db, agent: ConsoleAgent) -> Response:
    return _panel(request, db, agent, ticket_id)


@router.post("/{ticket_id}/chain-check")
def run_check(
    request: Request,
    ticket_id: PathId,
    db: Db,
    agent: ConsoleAgent,
    network: Text = "",
    asset: Text = "",
    tx_hash: Text = "",
) -> Response:
    """Check a deposit for this ticket's customer; the result is kept on the ticket."""
    typed = {"network": network, "asset": asset, "tx_hash": tx_hash}
    try:
        ticket = tickets.access_ticket(db, agent, ticket_id)
        diagnosis = svc.diagnose_deposit(
            network=network, asset=asset, tx_hash=tx_hash, customer=ticket.requester
        )
        svc.do_record_check(
            db, agent, diagnosis, customer=ticket.requester, ticket=ticket, locale=get_locale()
        )
        db.commit()
    except DiagnosisInputError as exc:
        db.rollback()
        field_error = {exc.field or "tx_hash": translate_message(exc.message)}
        return _answer(request, db, agent, ticket_id, exc.status_code, typed, field_error)
    except DomainError as exc:
        db.rollback()
        return _answer(request, db, agent, ticket_id, exc.status_code, typed, None, exc.message)
    if request.headers.get("hx-request"):
        return _panel(request, db, agent, ticket_id)
    flash(request, "ok", gettext("Deposit checked"))
    return RedirectResponse(f"/console/tickets/{ticket_id}#exchange-panel", status_code=303)


def _answer(
    request: Request,
    db: Db,
    agent: Any,
    ticket_id: int,
    status: int,
    typed: dict[str, str],
    field_error: dict[str, str] | None,
    error: str | None = None,
) -> Response:
    response = _panel(
        request,
        db,
        agent,
        ticket_id,
        typed=typed,
        field_error=field_error,
        error=translate_message(error) if error else None,
    )
    response.status_code = status
    return response
