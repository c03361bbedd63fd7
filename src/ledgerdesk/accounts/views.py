"""Console sign-in and sign-out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ledgerdesk.accounts import services as svc
from ledgerdesk.core import i18n
from ledgerdesk.core.errors import DomainError
from ledgerdesk.web.deps import Db, OptionalActor
from ledgerdesk.web.limits import login_limits
from ledgerdesk.web.templating import render
from ledgerdesk.web.views import safe_next

router = APIRouter(include_in_schema=False)


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
        return render(
            request,
            "login.html",
            status_code=exc.status_code,
            error=exc.message,
            next=safe_next(next, "/console"),
            email=email,
        )
    db.commit()
    request.session.clear()
    request.session["agent_id"] = agent.id
    request.session["lang"] = i18n.normalise_locale(agent.locale) or "en"
    return RedirectResponse(safe_next(next, "/console"), status_code=303)


@router.post("/console/logout")
def logout(request: Request) -> RedirectResponse:
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang
    return RedirectResponse("/console/login", status_code=303)
