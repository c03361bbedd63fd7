"""Portal pages of account security: "Lock my account now", "Reset lost 2FA", and the cancel
link of a reset. Handlers are thin: limits, one service call, the page. A code step is bound
to the browser that asked for it (the request id in its session)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ledgerdesk.account_security import reset, services
from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.services import Actor
from ledgerdesk.core.errors import DomainError
from ledgerdesk.core.i18n import get_locale
from ledgerdesk.core.settings import get_settings
from ledgerdesk.web.clientip import client_address
from ledgerdesk.web.deps import Db, OptionalActor
from ledgerdesk.web.errors import with_retry_after
from ledgerdesk.web.templating import render

router = APIRouter(include_in_schema=False)
LOCK_KEY = "acct_sec_lock"
RESET_KEY = "acct_sec_reset"
Email = Annotated[str, Form(max_length=320)]
Code = Annotated[str, Form(max_length=20)]


def _me(db: Session, actor: Actor | None) -> Any:
    if actor is None or not actor.is_customer:
        return None
    return accounts.get_customer(db, actor.id or 0)


def _limit(request: Request, email: str) -> None:
    """Requests (and so e-mails) per client address, and per account from one address."""
    settings = request.app.state.settings
    limiter = request.app.state.limiter
    client = client_address(request)
    limiter.hit(settings.account_security_rate_limit, "acct-sec-ip", client)
    limiter.hit(settings.code_rate_limit, "acct-sec-email-ip", f"{email.lower()} {client}")


def _page(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    response = render(request, f"account_security/{name}.html", status_code=status_code, **context)
    error = context.get("exc")
    return with_retry_after(response, error) if isinstance(error, DomainError) else response


def _refused(
    request: Request, db: Session, name: str, exc: DomainError, **context: Any
) -> Response:
    db.rollback()
    return _page(request, name, exc.status_code, error=exc.message, exc=exc, **context)


# --- lock my account now ------------------------------------------------------------------


@router.get("/portal/security/lock")
def lock_page(request: Request, db: Db, actor: OptionalActor) -> Response:
    me = _me(db, actor)
    current = None
    if me is not None:
        try:
            current = services.current_lock(db, services.account_of(me).id)
        except DomainError as exc:  # the page still offers the button: the POST says more
            return _page(request, "lock", me=me, step="confirm", error=exc.message)
    return _page(request, "lock", me=me, step="confirm" if me else "email", current=current)


@router.post("/portal/security/lock")
def lock_now(request: Request, db: Db, actor: OptionalActor) -> Response:
    me = _me(db, actor)
    if me is None:
        return RedirectResponse("/portal/security/lock", status_code=303)
    try:
        _limit(request, me.email)
        result = services.do_lock(db, me, locale=get_locale())
        db.commit()
    except DomainError as exc:
        return _refused(request, db, "lock", exc, me=me, step="confirm")
    return _page(request, "lock", me=me, step="done", result=result)


@router.post("/portal/security/lock/code")
def lock_code(request: Request, db: Db, actor: OptionalActor, email: Email) -> Response:
    me = _me(db, actor)
    try:
        _limit(request, email)
        started = services.do_start_lock_by_email(db, email, get_locale())
        db.commit()
    except DomainError as exc:
        return _refused(request, db, "lock", exc, me=me, step="email", email=email)
    request.session[LOCK_KEY] = started.id if started is not None else 0
    return _page(request, "lock", me=me, step="code", email=email)


@router.post("/portal/security/lock/verify")
def lock_verify(
    request: Request, db: Db, actor: OptionalActor, email: Email, code: Code
) -> Response:
    me = _me(db, actor)
    bound = request.session.get(LOCK_KEY)
    try:
        result = services.do_confirm_lock_by_code(db, bound if isinstance(bound, int) else 0, code)
        db.commit()
    except DomainError as exc:
        return _refused(request, db, "lock", exc, me=me, step="code", email=email)
    if result is None:
        error = "Wrong code; check the latest e-mail and try again"
        return _page(request, "lock", 401, me=me, step="code", email=email, error=error)
    request.session.pop(LOCK_KEY, None)
    return _page(request, "lock", me=me, step="done", result=result)


# --- reset lost 2FA -----------------------------------------------------------------------


def _reset_context(request: Request, me: Any) -> dict[str, Any]:
    policy = get_settings()  # the services read the same settings
    return {
        "me": me,
        "checks": policy.twofa_reset_checks,
        "hold_hours": policy.twofa_reset_hold_hours,
        "deposit_days": policy.twofa_reset_deposit_days,
    }


@router.get("/portal/security/2fa-reset")
def reset_page(request: Request, db: Db, actor: OptionalActor) -> Response:
    me = _me(db, actor)
    email = me.email if me is not None else ""
    return _page(request, "twofa_reset", step="email", email=email, **_reset_context(request, me))


@router.post("/portal/security/2fa-reset")
def reset_start(
    request: Request,
    db: Db,
    actor: OptionalActor,
    email: Email,
    new_contact: Annotated[str, Form(max_length=320)] = "",
) -> Response:
    context = _reset_context(request, _me(db, actor))
    typed: dict[str, Any] = {"email": email, "new_contact": new_contact}
    try:
        _limit(request, email)
        started = reset.do_start_reset(db, email, new_contact, get_locale())
        db.commit()
    except DomainError as exc:
        return _refused(request, db, "twofa_reset", exc, step="email", **typed, **context)
    request.session[RESET_KEY] = started.id if started is not None else 0
    return _page(request, "twofa_reset", step="checks", **typed, **context)


@router.post("/portal/security/2fa-reset/verify")
def reset_verify(
    request: Request,
    db: Db,
    actor: OptionalActor,
    email: Email,
    code: Code,
    deposit_asset: Annotated[str, Form(max_length=20)] = "",
    deposit_amount: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    context = _reset_context(request, _me(db, actor))
    bound = request.session.get(RESET_KEY)
    answers = reset.Answers(code, deposit_asset, deposit_amount)
    try:
        verdict = reset.do_verify_reset(db, bound if isinstance(bound, int) else 0, answers)
        db.commit()
    except DomainError as exc:
        return _refused(request, db, "twofa_reset", exc, step="checks", email=email, **context)
    if verdict.failed is not None:
        step = "refused" if verdict.refused else "checks"
        return _page(
            request, "twofa_reset", 422, step=step, email=email, failed=verdict.failed, **context
        )
    request.session.pop(RESET_KEY, None)
    return _page(request, "twofa_reset", step="done", done=verdict.request, **context)


# --- the cancel link ----------------------------------------------------------------------


@router.get("/account-security/2fa-reset/cancel/{cancel_token}")
def cancel_page(request: Request, cancel_token: str, db: Db, actor: OptionalActor) -> Response:
    me = _me(db, actor)
    try:
        found = reset.request_from_token(db, cancel_token)
    except DomainError as exc:
        return _page(request, "cancel", exc.status_code, me=me, error=exc.message, exc=exc)
    return _page(request, "cancel", me=me, token=cancel_token, found=found)


@router.post("/account-security/2fa-reset/cancel/{cancel_token}")
def cancel_reset(request: Request, cancel_token: str, db: Db, actor: OptionalActor) -> Response:
    me = _me(db, actor)
    try:
        cancelled = reset.do_cancel_reset(db, cancel_token)
        db.commit()
    except DomainError as exc:
        return _refused(request, db, "cancel", exc, me=me)
    return _page(request, "cancel", me=me, cancelled=cancelled)
