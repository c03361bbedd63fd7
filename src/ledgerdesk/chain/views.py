"""The self-service check pages: ``/help/deposit-check`` for anyone (chain facts only, or the
account-aware answer when a customer is signed in) and ``/portal/checks`` for signed-in
customers (deposits and withdrawals)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Customer
from ledgerdesk.accounts.services import Actor
from ledgerdesk.chain import presenters
from ledgerdesk.chain import services as svc
from ledgerdesk.chain.diagnosis import DiagnosisInputError
from ledgerdesk.core.errors import DomainError, NotFound
from ledgerdesk.core.i18n import get_locale
from ledgerdesk.web.clientip import client_address
from ledgerdesk.web.deps import Db, OptionalActor, PortalCustomer
from ledgerdesk.web.errors import with_retry_after
from ledgerdesk.web.messages import translate_message
from ledgerdesk.web.templating import render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=200)]
# The anonymous checks this browser made (signed session), so that after signing in the
# customer can open a request filled in from one of them (chain.drafts).
ANONYMOUS_CHECKS = "anonymous_checks"


def _signed_in_customer(db: Db, actor: Actor | None) -> Customer | None:
    if actor is not None and actor.is_customer:
        return accounts.get_customer(db, actor.id or 0)
    return None


def _limit(request: Request) -> None:
    settings = request.app.state.settings
    request.app.state.limiter.hit(
        settings.self_service_rate_limit, "self-service", client_address(request)
    )


def _form_context(**typed: str) -> dict[str, Any]:
    return {"networks": presenters.network_choices(get_locale()), "typed": typed}


@router.get("/help/deposit-check")
def help_deposit_page(request: Request, actor: OptionalActor) -> Response:
    return render(request, "chain/help_check.html", actor=actor, **_form_context())


@router.post("/help/deposit-check")
def help_deposit_check(
    request: Request,
    db: Db,
    actor: OptionalActor,
    network: Text = "",
    asset: Text = "",
    tx_hash: Text = "",
) -> Response:
    customer = _signed_in_customer(db, actor)
    context = _form_context(network=network, asset=asset, tx_hash=tx_hash)
    status = _run_deposit(request, db, actor, customer, context, network, asset, tx_hash)
    refusal = context.pop("refusal", None)
    response = render(request, "chain/help_check.html", status_code=status, actor=actor, **context)
    return with_retry_after(response, refusal) if refusal else response


def _remember_anonymous(request: Request, check_id: int) -> None:
    kept = [i for i in request.session.get(ANONYMOUS_CHECKS, []) if isinstance(i, int)]
    request.session[ANONYMOUS_CHECKS] = [*kept[-4:], check_id]


def _run_deposit(
    request: Request,
    db: Db,
    actor: Actor | None,
    customer: Customer | None,
    context: dict[str, Any],
    network: str,
    asset: str,
    tx_hash: str,
) -> int:
    """Run one deposit check into ``context``; returns the page's status code."""
    try:
        _limit(request)
        diagnosis = svc.diagnose_deposit(
            network=network, asset=asset, tx_hash=tx_hash, customer=customer
        )
        result = svc.do_record_check(
            db, actor or accounts.SYSTEM, diagnosis, customer=customer, locale=get_locale()
        )
        db.commit()
    except DiagnosisInputError as exc:
        db.rollback()
        context["field_error"] = {exc.field or "tx_hash": translate_message(exc.message)}
        return exc.status_code
    except DomainError as exc:
        db.rollback()
        context["error"] = translate_message(exc.message)
        context["refusal"] = exc
        return exc.status_code
    if customer is None and actor is None:
        _remember_anonymous(request, result.check.id)
    context["result"] = presenters.result_view(result, get_locale())
    return 200


@router.get("/portal/checks")
def portal_checks_page(request: Request, db: Db, actor: PortalCustomer) -> Response:
    me = _signed_in_customer(db, actor)
    return _portal(request, db, me, _form_context(), 200)


@router.post("/portal/checks/deposit")
def portal_deposit_check(
    request: Request,
    db: Db,
    actor: PortalCustomer,
    network: Text = "",
    asset: Text = "",
    tx_hash: Text = "",
) -> Response:
    me = _signed_in_customer(db, actor)
    context = _form_context(network=network, asset=asset, tx_hash=tx_hash)
    status = _run_deposit(request, db, actor, me, context, network, asset, tx_hash)
    return _portal(request, db, me, context, status)


@router.post("/portal/checks/withdrawal")
def portal_withdrawal_check(
    request: Request, db: Db, actor: PortalCustomer, reference: Text = ""
) -> Response:
    me = _signed_in_customer(db, actor)
    context = _form_context(reference=reference)
    status = 200
    try:
        _limit(request)
        if me is None:  # signed in, but the customer record has since been removed
            raise NotFound("Your customer record no longer exists")
        diagnosis = svc.diagnose_withdrawal(customer=me, reference=reference)
        result = svc.do_record_check(db, actor, diagnosis, customer=me, locale=get_locale())
        db.commit()
        context["withdrawal_result"] = presenters.result_view(result, get_locale())
    except DiagnosisInputError as exc:
        db.rollback()
        context["field_error"] = {"reference": translate_message(exc.message)}
        status = exc.status_code
    except DomainError as exc:
        db.rollback()
        context["error"] = translate_message(exc.message)
        context["refusal"] = exc
        status = exc.status_code
    return _portal(request, db, me, context, status)


def _portal(
    request: Request, db: Db, me: Customer | None, context: dict[str, Any], status: int
) -> Response:
    locale = get_locale()
    refusal = context.pop("refusal", None)
    response = render(
        request,
        "chain/portal_checks.html",
        status_code=status,
        me=me,
        recent=presenters.recent_checks(db, me, locale) if me else [],
        withdrawals=presenters.withdrawal_choices(me, locale) if me else None,
        **context,
    )
    return with_retry_after(response, refusal) if refusal else response
