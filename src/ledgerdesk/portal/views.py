"""Customer portal pages. Customers see only their own tickets and never internal notes."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from ledgerdesk.accounts import agent_admin
from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.anti_phishing import BadAntiPhishingCode, do_set_anti_phishing_code
from ledgerdesk.accounts.services import Actor
from ledgerdesk.ai.assistant import tasks as assistant_tasks
from ledgerdesk.ai.assistant.assist import feedback_prompt
from ledgerdesk.cases.watchlist import hits_in_texts
from ledgerdesk.chain import drafts
from ledgerdesk.chain import services as chain_services
from ledgerdesk.chain.views import ANONYMOUS_CHECKS
from ledgerdesk.core.errors import DomainError, NotFound
from ledgerdesk.core.i18n import get_locale, gettext
from ledgerdesk.core.types import PageNumber, PathId, QueryId, parse_id
from ledgerdesk.kb import queries as kb_queries
from ledgerdesk.kb import render as kb_render
from ledgerdesk.kb.deflection import (
    access_deflection,
    do_link_deflection_ticket,
    do_mark_deflected,
    do_record_deflection_click,
    do_record_suggestions,
    do_start_deflection,
)
from ledgerdesk.kb.suggest import Suggestion, question_text, suggest
from ledgerdesk.portal import codes
from ledgerdesk.routing import services as routing_services
from ledgerdesk.tickets import queries
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Channel
from ledgerdesk.web.clientip import client_address
from ledgerdesk.web.deps import Db, OptionalActor, PortalCustomer
from ledgerdesk.web.errors import with_retry_after
from ledgerdesk.web.templating import flash, render
from ledgerdesk.web.uploads import read_uploads
from ledgerdesk.web.views import reset_session_cookie, safe_next

router = APIRouter(prefix="/portal", include_in_schema=False)
log = logging.getLogger("ledgerdesk.portal")


@router.get("")
def portal_home(request: Request, db: Db, actor: PortalCustomer, page: PageNumber = 1) -> Response:
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
    if settings.env != "development" and not settings.smtp_host:
        # Without SMTP the code could only go to the log, which production must never do.
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
        issued = codes.issue_code(request, db, email)
    except DomainError as exc:
        response = render(
            request,
            "portal/login.html",
            status_code=exc.status_code,
            step="email",
            email=email,
            error=exc.message,
            next=safe_next(next, "/portal"),
        )
        return with_retry_after(response, exc)
    if settings.env == "development":
        # The code is e-mailed (queued above); a development desk also prints it, so signing in
        # works without a mail server.
        log.warning("portal sign-in code for %s: %s", issued.email, issued.code)
    return render(
        request,
        "portal/login.html",
        step="code",
        email=issued.email,
        next=safe_next(next, "/portal"),
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
        customer = codes.redeem_code(request, db, email, code, locale=get_locale())
    except DomainError as exc:
        response = render(
            request,
            "portal/login.html",
            status_code=exc.status_code,
            step="code",
            email=email,
            error=exc.message,
            next=safe_next(next, "/portal"),
        )
        return with_retry_after(response, exc)
    session_id = agent_admin.do_sign_in(
        db,
        customer=customer,
        user_agent=request.headers.get("user-agent", ""),
        address=client_address(request),
        max_age_seconds=request.app.state.settings.session_max_age_seconds,
    )
    db.commit()
    reset_session_cookie(request)
    request.session["sid"] = session_id
    return RedirectResponse(safe_next(next, "/portal"), status_code=303)


@router.post("/logout")
def logout(request: Request, db: Db) -> RedirectResponse:
    session_id = request.session.pop("sid", None)
    if isinstance(session_id, str):
        agent_admin.do_sign_out(db, session_id, address=client_address(request))
        db.commit()
    return RedirectResponse("/portal/login", status_code=303)


@router.get("/tickets/new")
def new_ticket_page(
    request: Request, db: Db, actor: PortalCustomer, check: QueryId = None
) -> Response:
    """The form; ``check``: a deposit or withdrawal check of this customer's whose answer
    offered a request, written out as the draft (another customer's check gives a blank
    form)."""
    draft = _check_draft(request, db, actor, check) if check else None
    return render(
        request,
        "portal/new.html",
        me=_me(db, actor),
        subject=draft.subject if draft else "",
        body=draft.body if draft else "",
        deflection="",
        from_check=draft is not None,
        check_id=check if draft is not None else "",
    )


def _attach_check(request: Request, db: Any, actor: Actor, check: str, ticket: Any) -> None:
    """A request sent from a check's filled-in form carries that check, so agents see its
    facts on the ticket; a check id that is not this customer's (or this browser's) is
    ignored."""
    check_id = parse_id(check) if check else None
    if check_id is None:
        return
    anonymous = [i for i in request.session.get(ANONYMOUS_CHECKS, []) if isinstance(i, int)]
    found = drafts.access_check_for_request(
        db, check_id, customer_id=actor.id or 0, anonymous_ids=anonymous
    )
    if found is not None:
        chain_services.do_attach_check(db, actor, found, ticket)


def _check_draft(
    request: Request, db: Any, actor: Actor, check_id: int
) -> drafts.RequestDraft | None:
    anonymous = [i for i in request.session.get(ANONYMOUS_CHECKS, []) if isinstance(i, int)]
    found = drafts.access_check_for_request(
        db, check_id, customer_id=actor.id or 0, anonymous_ids=anonymous
    )
    return drafts.request_draft(found, get_locale()) if found else None


@router.post("/suggest")
def suggest_articles(
    request: Request,
    db: Db,
    actor: PortalCustomer,
    subject: Annotated[str, Form(max_length=300)] = "",
    body: Annotated[str, Form(max_length=50_000)] = "",
    deflection: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Articles for the question being typed (htmx, as the customer writes). A POST: the
    draft must never travel in a URL, where proxies and access logs keep it."""
    found = suggest(db, actor, subject, body, lang=get_locale())
    token = deflection
    if found:
        token = _record_suggestions(db, actor, deflection, subject, body, found)
    return render(request, "portal/_suggestions.html", suggestions=found, token=token)


def _record_suggestions(
    db: Any, actor: Actor, token: str, subject: str, body: str, found: list[Suggestion]
) -> str:
    """Keep one deflection attempt per new-request form: started at the first suggestion."""
    query = question_text(subject, body)
    ids = [s.article_id for s in found]
    attempt = _own_attempt(db, actor, token) if token else None
    if attempt is None:
        attempt = do_start_deflection(db, query, customer_id=actor.id)
    do_record_suggestions(db, attempt.token, ids, query)
    db.commit()
    return attempt.token


def _own_attempt(db: Any, actor: Actor, token: str) -> Any:
    try:
        attempt = access_deflection(db, token)
    except NotFound:
        return None
    return attempt if attempt.customer_id == actor.id else None


@router.get("/suggested/{token}/{article_id}")
def suggested_article(
    request: Request, token: str, article_id: PathId, db: Db, actor: PortalCustomer
) -> Response:
    """A suggested article, opened from the new-request form; the click is recorded."""
    attempt = _own_attempt(db, actor, token)
    if attempt is None:
        raise NotFound("This suggestion has expired; search the help center instead")
    article = kb_queries.articles_by_id(db, actor, [article_id])
    if not article:
        raise NotFound(f"Article {article_id} not found")
    do_record_deflection_click(db, token, article_id)
    db.commit()
    values = kb_render.variables()
    translation = kb_queries.pick_translation(article[0], get_locale())
    return render(
        request,
        "portal/suggested.html",
        me=_me(db, actor),
        token=token,
        article=article[0],
        title=kb_render.substitute(translation.title, values),
        html=kb_render.render_html(translation.body, values),
    )


@router.post("/deflection/{token}/solved")
def deflection_solved(request: Request, token: str, db: Db, actor: PortalCustomer) -> Response:
    """The customer says the article answered the question: no ticket needed."""
    if _own_attempt(db, actor, token) is None:
        raise NotFound("This suggestion has expired")
    try:
        do_mark_deflected(db, token)
        db.commit()
    except DomainError as exc:
        db.rollback()
        flash(request, "error", exc.message)
        return RedirectResponse("/portal", status_code=303)
    flash(request, "ok", gettext("Glad that helped. You can always open a request later."))
    return RedirectResponse("/portal", status_code=303)


@router.post("/tickets")
def submit_ticket(
    request: Request,
    db: Db,
    actor: PortalCustomer,
    subject: Annotated[str, Form()] = "",  # lengths checked by the service: the draft is kept
    body: Annotated[str, Form()] = "",
    deflection: Annotated[str, Form(max_length=64)] = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
    check: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    try:
        items = read_uploads(files or [])
        requester = accounts.get_customer(db, actor.id or 0)
        # Mail about this ticket goes out in the language the customer wrote it in.
        accounts.do_upsert_customer(db, email=requester.email, locale=get_locale())
        ticket = tickets.do_create_ticket(
            db,
            actor,
            requester,
            tickets.NewTicket(
                subject=subject, body=body, channel=Channel.portal, attachments=items
            ),
        )
        if deflection and _own_attempt(db, actor, deflection) is not None:
            do_link_deflection_ticket(db, deflection, ticket.id)
        _attach_check(request, db, actor, check, ticket)
        first = routing_services.first_message_id(db, ticket)
        if first is not None:
            assistant_tasks.queue_reply(db, ticket, first)
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
            deflection=deflection,
            check_id=check,
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
    messages = queries.ticket_messages(db, actor, ticket)
    return render(
        request,
        "portal/ticket.html",
        status_code=status_code,
        ticket=ticket,
        me=_me(db, actor),
        messages=messages,
        watchlist_hits=hits_in_texts(db, [m.body for m in messages]),
        merged_into=_merged_into(db, actor, ticket),
        prompt=feedback_prompt(db, ticket),  # the assistant's "did this solve it?" buttons
        **extra,
    )


def _merged_into(db: Any, actor: Actor, ticket: Any) -> Any:
    """The ticket this one was merged into, when the customer may see it."""
    if ticket.merged_into_id is None:
        return None
    try:
        return tickets.access_ticket(db, actor, ticket.merged_into_id)
    except DomainError:
        return None


@router.get("/tickets/{ticket_id}")
def ticket_page(request: Request, ticket_id: PathId, db: Db, actor: PortalCustomer) -> Response:
    return _ticket_page(request, db, actor, ticket_id)


@router.post("/tickets/{ticket_id}/reply")
def reply(
    request: Request,
    ticket_id: PathId,
    db: Db,
    actor: PortalCustomer,
    body: Annotated[str, Form()] = "",  # length checked by the service: the draft is kept
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    try:
        items = read_uploads(files or [])
        ticket = tickets.access_ticket(db, actor, ticket_id)
        message = tickets.do_customer_reply(db, actor, ticket, body, attachments=items)
        assistant_tasks.queue_reply(db, ticket, message.id)
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


# --- security: the anti-phishing code ---------------------------------------------------


def _masked(code: str | None) -> str:
    """The first two characters; the rest hidden, and its length with it."""
    return code[:2] + "•" * 6 if code else ""


def _security_page(request: Request, me: Any, status_code: int = 200, **extra: Any) -> Response:
    return render(
        request,
        "portal/security.html",
        status_code=status_code,
        me=me,
        masked=_masked(me.anti_phishing_code),
        **extra,
    )


def _reason(exc: DomainError) -> str:
    if isinstance(exc, BadAntiPhishingCode):
        return gettext(exc.template) % exc.params
    return exc.message


@router.get("/security")
def security_page(request: Request, db: Db, actor: PortalCustomer) -> Response:
    return _security_page(request, _me(db, actor))


@router.post("/security")
def set_anti_phishing_code(
    request: Request,
    db: Db,
    actor: PortalCustomer,
    code: Annotated[str, Form(max_length=50_000)] = "",
) -> Response:
    me = _me(db, actor)
    before = me.anti_phishing_code
    try:
        do_set_anti_phishing_code(db, actor, me, code)
        _limit_code_changes(request, actor, changed=me.anti_phishing_code != before)
        db.commit()
    except DomainError as exc:
        db.rollback()
        typed = code if len(code) <= 64 else ""
        return _security_page(
            request, _me(db, actor), exc.status_code, field_error=_reason(exc), typed=typed
        )
    if me.anti_phishing_code == before:
        flash(request, "ok", gettext("No change: this is already your anti-phishing code."))
    else:
        flash(request, "ok", gettext("Anti-phishing code saved. We sent you an e-mail about it."))
    return RedirectResponse("/portal/security", status_code=303)


@router.post("/security/clear")
def clear_anti_phishing_code(request: Request, db: Db, actor: PortalCustomer) -> Response:
    me = _me(db, actor)
    try:
        changed = me.anti_phishing_code is not None
        do_set_anti_phishing_code(db, actor, me, None)
        _limit_code_changes(request, actor, changed=changed)
        db.commit()
    except DomainError as exc:
        db.rollback()
        return _security_page(request, _me(db, actor), exc.status_code, error=_reason(exc))
    flash(request, "ok", gettext("Anti-phishing code removed. We sent you an e-mail about it."))
    return RedirectResponse("/portal/security", status_code=303)


def _limit_code_changes(request: Request, actor: Actor, *, changed: bool) -> None:
    """Each change e-mails the customer: bound how many a session can cause."""
    if changed:
        settings = request.app.state.settings
        request.app.state.limiter.hit(
            settings.code_rate_limit, "anti-phishing-change", str(actor.id)
        )
