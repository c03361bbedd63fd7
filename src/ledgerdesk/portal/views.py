"""Customer portal pages. Customers see only their own tickets and never internal notes."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.services import Actor
from ledgerdesk.accounts.views import client_key
from ledgerdesk.core.errors import DomainError, NotAuthenticated
from ledgerdesk.core.i18n import gettext
from ledgerdesk.tickets import queries
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Channel
from ledgerdesk.web.deps import Db, OptionalActor, PortalCustomer
from ledgerdesk.web.templating import flash, render
from ledgerdesk.web.uploads import read_uploads
from ledgerdesk.web.views import safe_next

router = APIRouter(prefix="/portal", include_in_schema=False)
log = logging.getLogger("ledgerdesk.portal")


@router.get("")
def portal_home(request: Request, db: Db, actor: PortalCustomer, page: int = 1) -> Response:
    page = max(1, min(page, 10_000))
    items, total = queries.list_tickets(db, actor, queries.TicketFilter(), page=page, per_page=25)
    return render(
        request,
        "portal/home.html",
        me=_me(db, actor),
        tickets=items,
        total=total,
        page=page,
    )


def _me(db: Any, actor: Actor) -> Any:
    return accounts.get_customer(db, actor.id or 0)


@router.get("/login")
def login_page(request: Request, actor: OptionalActor, next: str = "/portal") -> Response:
    if actor is not None and actor.is_customer:
        return RedirectResponse("/portal", status_code=303)
    return render(
        request, "portal/login.html", step="email", email="", next=safe_next(next, "/portal")
    )


@router.post("/login/code")
def request_code(
    request: Request,
    db: Db,
    email: Annotated[str, Form(max_length=320)],
    next: Annotated[str, Form(max_length=2000)] = "/portal",
) -> Response:
    settings = request.app.state.settings
    if settings.env != "development":
        # No e-mail channel yet: a production desk must not write sign-in codes to its log.
        return render(
            request,
            "portal/login.html",
            status_code=503,
            step="email",
            email=email,
            error=gettext(
                "Sign-in codes are sent by e-mail, which is not configured on this desk yet."
            ),
            next=safe_next(next, "/portal"),
        )
    try:
        address = accounts.normalise_email(email)
        limiter = request.app.state.limiter
        limiter.hit(settings.code_rate_limit, "portal-code-email", address)
        limiter.hit(settings.login_rate_limit, "portal-code-ip", client_key(request))
        code = accounts.do_issue_portal_code(db, address, settings.portal_code_ttl_seconds)
        db.commit()
    except DomainError as exc:
        return render(
            request,
            "portal/login.html",
            status_code=exc.status_code,
            step="email",
            email=email,
            error=exc.message,
            next=safe_next(next, "/portal"),
        )
    # Until the e-mail channel lands, the embedded desk prints the code to its log.
    log.warning("portal sign-in code for %s: %s", address, code)
    return render(
        request, "portal/login.html", step="code", email=address, next=safe_next(next, "/portal")
    )


@router.post("/login/verify")
def verify_code(
    request: Request,
    db: Db,
    email: Annotated[str, Form(max_length=320)],
    code: Annotated[str, Form(max_length=20)],
    next: Annotated[str, Form(max_length=2000)] = "/portal",
) -> Response:
    try:
        customer = accounts.do_redeem_portal_code(db, email, code)
        db.commit()
        if customer is None:
            raise NotAuthenticated("Wrong code; check the latest e-mail and try again")
    except DomainError as exc:
        return render(
            request,
            "portal/login.html",
            status_code=exc.status_code,
            step="code",
            email=email,
            error=exc.message,
            next=safe_next(next, "/portal"),
        )
    lang = request.session.get("lang")
    request.session.clear()
    request.session["customer_id"] = customer.id
    if lang:
        request.session["lang"] = lang
    return RedirectResponse(safe_next(next, "/portal"), status_code=303)


@router.post("/logout")
def logout(request: Request) -> RedirectResponse:
    request.session.pop("customer_id", None)
    return RedirectResponse("/portal/login", status_code=303)


@router.get("/tickets/new")
def new_ticket_page(request: Request, db: Db, actor: PortalCustomer) -> Response:
    return render(request, "portal/new.html", me=_me(db, actor), subject="", body="")


@router.post("/tickets")
def submit_ticket(
    request: Request,
    db: Db,
    actor: PortalCustomer,
    subject: Annotated[str, Form(max_length=300)] = "",
    body: Annotated[str, Form(max_length=50_000)] = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    try:
        items = read_uploads(files or [])
        requester = accounts.get_customer(db, actor.id or 0)
        ticket = tickets.do_create_ticket(
            db,
            actor,
            requester,
            tickets.NewTicket(
                subject=subject, body=body, channel=Channel.portal, attachments=items
            ),
        )
        db.commit()
    except DomainError as exc:
        db.rollback()
        return render(
            request,
            "portal/new.html",
            status_code=exc.status_code,
            error=exc.message,
            me=_me(db, actor),
            subject=subject,
            body=body,
        )
    flash(
        request,
        "ok",
        gettext("Ticket #%(number)s received. We will answer here and by e-mail.")
        % {"number": ticket.id},
    )
    return RedirectResponse(f"/portal/tickets/{ticket.id}", status_code=303)


def _ticket_page(
    request: Request, db: Any, actor: Actor, ticket_id: int, status_code: int = 200, **extra: Any
) -> Response:
    ticket = tickets.access_ticket(db, actor, ticket_id)
    return render(
        request,
        "portal/ticket.html",
        status_code=status_code,
        ticket=ticket,
        me=_me(db, actor),
        messages=queries.ticket_messages(db, actor, ticket),
        **extra,
    )


@router.get("/tickets/{ticket_id}")
def ticket_page(request: Request, ticket_id: int, db: Db, actor: PortalCustomer) -> Response:
    return _ticket_page(request, db, actor, ticket_id)


@router.post("/tickets/{ticket_id}/reply")
def reply(
    request: Request,
    ticket_id: int,
    db: Db,
    actor: PortalCustomer,
    body: Annotated[str, Form(max_length=50_000)] = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    try:
        items = read_uploads(files or [])
        ticket = tickets.access_ticket(db, actor, ticket_id)
        tickets.do_customer_reply(db, actor, ticket, body, attachments=items)
        db.commit()
    except DomainError as exc:
        db.rollback()
        return _ticket_page(
            request,
            db,
            actor,
            ticket_id,
            status_code=exc.status_code,
            error=exc.message,
            draft=body,
        )
    flash(request, "ok", gettext("Reply sent"))
    return RedirectResponse(f"/portal/tickets/{ticket_id}", status_code=303)
