"""The agent's own settings in the console (/console/account): signed-in sessions and
"sign out everywhere", password change, two-factor sign-in and API tokens. Forms post, then
redirect; a page that shows a secret once (recovery codes, a new token) is rendered directly,
so the secret never travels in a cookie or a URL."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ledgerdesk.accounts import agent_admin, sessions, tokens, totp
from ledgerdesk.accounts import services as svc
from ledgerdesk.accounts.models import Agent, AuthSession, Role
from ledgerdesk.accounts.services import Actor
from ledgerdesk.core.errors import DomainError, InvalidInput
from ledgerdesk.core.i18n import gettext
from ledgerdesk.core.types import MAX_ID, PathId
from ledgerdesk.web.clientip import client_address
from ledgerdesk.web.deps import ConsoleAgent, Db
from ledgerdesk.web.templating import flash, render
from ledgerdesk.web.views import reset_session_cookie

router = APIRouter(prefix="/console/account", include_in_schema=False)
Id = PathId


def _me(db: Any, actor: Actor) -> Agent:
    return svc.get_agent(db, actor.id or 0)


def _current(request: Request) -> AuthSession | None:
    row = getattr(request.state, "auth_session", None)
    return row if isinstance(row, AuthSession) else None


# --- sessions and password ------------------------------------------------------------------


def _account_page(
    request: Request, db: Any, actor: Actor, status_code: int = 200, **extra: Any
) -> Response:
    current = _current(request)
    me = _me(db, actor)
    return render(
        request,
        "accounts/account.html",
        status_code=status_code,
        me=me,
        sessions=sessions.list_agent_sessions(db, me.id),
        current_id=current.id if current else None,
        two_factor=totp.is_enabled(me),
        **extra,
    )


@router.get("")
def account_page(request: Request, db: Db, agent_actor: ConsoleAgent) -> Response:
    return _account_page(request, db, agent_actor)


@router.post("/sessions/{session_id}/end")
def end_session(request: Request, session_id: Id, db: Db, agent_actor: ConsoleAgent) -> Response:
    row = sessions.access_agent_session(db, agent_actor.id or 0, session_id)
    agent_admin.do_end_one_session(db, agent_actor, row, address=client_address(request))
    db.commit()
    flash(request, "ok", gettext("That session was signed out."))
    return RedirectResponse("/console/account", status_code=303)


@router.post("/sessions/end-all")
def sign_out_everywhere(request: Request, db: Db, agent_actor: ConsoleAgent) -> Response:
    agent_admin.do_sign_out_everywhere(db, agent_actor, address=client_address(request))
    db.commit()
    reset_session_cookie(request)
    flash(request, "ok", gettext("You were signed out everywhere, here too."))
    return RedirectResponse("/console/login", status_code=303)


@router.post("/password")
def change_password(
    request: Request,
    db: Db,
    agent_actor: ConsoleAgent,
    current: Annotated[str, Form(max_length=200)],
    new: Annotated[str, Form(max_length=200)],
    confirm: Annotated[str, Form(max_length=200)],
) -> Response:
    try:
        if new != confirm:
            raise InvalidInput("The new password and its repetition differ", field="confirm")
        ended = agent_admin.do_change_password(
            db,
            agent_actor,
            _me(db, agent_actor),
            current=current,
            new=new,
            keep=_current(request),
            address=client_address(request),
        )
        db.commit()
    except DomainError as exc:
        db.rollback()
        return _account_page(request, db, agent_actor, exc.status_code, error=gettext(exc.message))
    flash(
        request,
        "ok",
        gettext("Password changed; %(count)s other sessions were signed out.") % {"count": ended},
    )
    return RedirectResponse("/console/account", status_code=303)


# --- two-factor sign-in ---------------------------------------------------------------------


def _two_factor_page(
    request: Request, db: Any, actor: Actor, status_code: int = 200, **extra: Any
) -> Response:
    me = _me(db, actor)
    secret = totp.pending_secret(me)
    qr = None
    if secret is not None:
        qr = totp.qr_svg(totp.provisioning_uri(me, secret), gettext("QR code for your app"))
    return render(
        request,
        "accounts/two_factor.html",
        status_code=status_code,
        me=me,
        enabled=totp.is_enabled(me),
        secret=secret,
        qr=qr,
        remaining=totp.remaining_recovery_codes(db, me),
        required=request.app.state.settings.require_agent_2fa,
        **extra,
    )


@router.get("/2fa")
def two_factor_page(request: Request, db: Db, agent_actor: ConsoleAgent) -> Response:
    return _two_factor_page(request, db, agent_actor)


@router.post("/2fa/start")
def two_factor_start(request: Request, db: Db, agent_actor: ConsoleAgent) -> Response:
    totp.do_begin_enrolment(db, _me(db, agent_actor))
    db.commit()
    return RedirectResponse("/console/account/2fa", status_code=303)


@router.post("/2fa/confirm")
def two_factor_confirm(
    request: Request, db: Db, agent_actor: ConsoleAgent, code: Annotated[str, Form(max_length=40)]
) -> Response:
    settings = request.app.state.settings
    try:
        request.app.state.limiter.hit(
            settings.login_rate_limit, "2fa-confirm", client_address(request)
        )
        codes = totp.do_confirm_enrolment(
            db, agent_actor, _me(db, agent_actor), code, address=client_address(request)
        )
        db.commit()
    except DomainError as exc:
        db.rollback()
        return _two_factor_page(
            request, db, agent_actor, exc.status_code, error=gettext(exc.message)
        )
    return _two_factor_page(request, db, agent_actor, recovery_codes=codes)


@router.post("/2fa/disable")
def two_factor_disable(
    request: Request,
    db: Db,
    agent_actor: ConsoleAgent,
    code: Annotated[str, Form(max_length=40)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    settings = request.app.state.settings
    try:
        request.app.state.limiter.hit(
            settings.login_rate_limit, "2fa-disable", client_address(request)
        )
        totp.do_disable(
            db,
            agent_actor,
            _me(db, agent_actor),
            code=code,
            password=password,
            address=client_address(request),
        )
        db.commit()
    except DomainError as exc:
        db.rollback()
        return _two_factor_page(
            request, db, agent_actor, exc.status_code, error=gettext(exc.message)
        )
    flash(request, "ok", gettext("Two-factor sign-in is off."))
    return RedirectResponse("/console/account/2fa", status_code=303)


# --- API tokens -----------------------------------------------------------------------------


def _tokens_page(
    request: Request, db: Any, actor: Actor, status_code: int = 200, **extra: Any
) -> Response:
    is_admin = actor.role == Role.admin
    rows = tokens.list_tokens(db, actor, everyone=is_admin)
    agents = {a.id: a for a in svc.list_agents(db)} if is_admin else {}
    return render(
        request,
        "accounts/tokens.html",
        status_code=status_code,
        me=_me(db, actor),
        rows=[(row, tokens.status(row)) for row in rows],
        is_admin=is_admin,
        agents=agents,
        form=extra.pop("form", {"name": "", "days": "", "agent_id": ""}),
        **extra,
    )


@router.get("/tokens")
def tokens_page(request: Request, db: Db, agent_actor: ConsoleAgent) -> Response:
    return _tokens_page(request, db, agent_actor)


def _days(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 5:
        raise InvalidInput("Expiry must be a number of days", field="expires_in_days")
    return int(value)


def _owner(db: Any, actor: Actor, value: str) -> Agent:
    value = value.strip()
    if not value:
        return _me(db, actor)
    if not (value.isascii() and value.isdecimal()) or int(value) > MAX_ID:
        raise InvalidInput("Choose an agent from the list", field="agent_id")
    return svc.get_agent(db, int(value))


@router.post("/tokens")
def create_token(
    request: Request,
    db: Db,
    agent_actor: ConsoleAgent,
    name: Annotated[str, Form(max_length=200)],
    expires_in_days: Annotated[str, Form(max_length=20)] = "",
    agent_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    form = {"name": name[:120], "days": expires_in_days[:5], "agent_id": agent_id[:12]}
    try:
        if len(name.strip()) > 120 or not name.strip():
            raise InvalidInput("Give the token a name of at most 120 characters", field="name")
        expires_at = tokens.check_expiry(_days(expires_in_days), None)
        issued = tokens.do_issue_token(
            db,
            agent_actor,
            _owner(db, agent_actor, agent_id),
            name,
            expires_at=expires_at,
            address=client_address(request),
        )
        db.commit()
    except DomainError as exc:
        db.rollback()
        return _tokens_page(
            request, db, agent_actor, exc.status_code, error=gettext(exc.message), form=form
        )
    return _tokens_page(request, db, agent_actor, new_token=issued.token, new_row=issued.row)


@router.post("/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: Id, db: Db, agent_actor: ConsoleAgent) -> Response:
    row = tokens.access_token(db, agent_actor, token_id)
    tokens.do_revoke_token(db, agent_actor, row, address=client_address(request))
    db.commit()
    flash(request, "ok", gettext("Token revoked: %(name)s") % {"name": row.name})
    return RedirectResponse("/console/account/tokens", status_code=303)
