"""Console sign-in (password, then a two-factor code when the agent has 2FA) and sign-out."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ledgerdesk.accounts import agent_admin, totp
from ledgerdesk.accounts import services as svc
from ledgerdesk.accounts.models import Agent
from ledgerdesk.core import i18n
from ledgerdesk.core.errors import DomainError, NotAuthenticated
from ledgerdesk.core.i18n import gettext
from ledgerdesk.web.clientip import client_address
from ledgerdesk.web.deps import Db, OptionalActor
from ledgerdesk.web.limits import login_limits
from ledgerdesk.web.templating import flash, render
from ledgerdesk.web.views import reset_session_cookie, safe_next

router = APIRouter(include_in_schema=False)
# The half-signed-in state (password right, code not yet given) lasts this long. It is kept in
# the signed cookie and grants nothing: optional_actor reads only "sid".
PENDING_SECONDS = 300
# Codes per account: six digits must not be guessable across many addresses.
CODE_RATE_LIMIT = "5/minute"


@router.get("/console/login")
def login_page(request: Request, actor: OptionalActor, next: str = "/console") -> Response:
    if actor is not None and actor.is_agent:
        return RedirectResponse(safe_next(next, "/console"), status_code=303)
    return render(request, "login.html", next=safe_next(next, "/console"), email="")


@router.post("/console/login")
def login(
    request: Request,
    db: Db,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=2000)] = "/console",
) -> Response:
    try:
        with login_limits(request, email):
            agent = svc.authenticate_agent(db, email, password)
    except DomainError as exc:
        if isinstance(exc, NotAuthenticated):
            agent_admin.do_record_failed_sign_in(db, email, address=client_address(request))
            db.commit()
        return render(
            request,
            "login.html",
            status_code=exc.status_code,
            error=exc.message,
            next=safe_next(next, "/console"),
            email=email,
        )
    if totp.is_enabled(agent):
        db.commit()  # a password rehash, if any
        reset_session_cookie(request)
        request.session["pending_2fa"] = {"agent": agent.id, "at": int(time.time())}
        return render(request, "login_2fa.html", next=safe_next(next, "/console"))
    return _signed_in(request, db, agent, next)


@router.post("/console/login/2fa")
def login_second_factor(
    request: Request,
    db: Db,
    code: Annotated[str, Form(max_length=40)],
    next: Annotated[str, Form(max_length=2000)] = "/console",
) -> Response:
    agent = _pending_agent(request, db)
    if agent is None:
        flash(request, "error", gettext("Sign in again: the sign-in took too long."))
        return RedirectResponse("/console/login", status_code=303)
    settings = request.app.state.settings
    try:
        request.app.state.limiter.hit(
            settings.login_rate_limit, "login-2fa", client_address(request)
        )
        request.app.state.limiter.hit(CODE_RATE_LIMIT, "login-2fa-agent", str(agent.id))
        totp.do_check_second_factor(db, agent, code, address=client_address(request))
    except DomainError as exc:
        db.commit()  # the failure is logged; a used step stays used
        return render(
            request,
            "login_2fa.html",
            status_code=exc.status_code,
            error=gettext(exc.message),
            next=safe_next(next, "/console"),
        )
    return _signed_in(request, db, agent, next)


def _pending_agent(request: Request, db: Any) -> Agent | None:
    pending = request.session.get("pending_2fa")
    if not isinstance(pending, dict) or not isinstance(pending.get("agent"), int):
        return None
    if not isinstance(pending.get("at"), int) or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop("pending_2fa", None)
        return None
    return svc.find_active_agent(db, pending["agent"])


def _signed_in(request: Request, db: Any, agent: Agent, next: str) -> Response:
    session_id = agent_admin.do_sign_in(
        db,
        agent=agent,
        user_agent=request.headers.get("user-agent", ""),
        address=client_address(request),
        max_age_seconds=request.app.state.settings.session_max_age_seconds,
    )
    db.commit()
    request.session.clear()
    request.session["sid"] = session_id
    request.session["lang"] = i18n.normalise_locale(agent.locale) or "en"
    return RedirectResponse(safe_next(next, "/console"), status_code=303)


@router.post("/console/logout")
def logout(request: Request, db: Db) -> RedirectResponse:
    session_id = request.session.get("sid")
    if isinstance(session_id, str):
        agent_admin.do_sign_out(db, session_id, address=client_address(request))
        db.commit()
    reset_session_cookie(request)
    return RedirectResponse("/console/login", status_code=303)
