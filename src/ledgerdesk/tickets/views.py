"""The agent console: inbox views and the ticket page. Forms post, then redirect (PRG);
htmx boosts them so the page does not flash. A refused change re-renders with the draft."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.services import Actor
from ledgerdesk.cases.watchlist import hits_in_texts
from ledgerdesk.core.errors import DomainError, InvalidInput
from ledgerdesk.core.i18n import gettext
from ledgerdesk.core.types import PageNumber, PathId, parse_id
from ledgerdesk.kb.suggest import suggest
from ledgerdesk.routing import services as routing
from ledgerdesk.routing.presenters import triage_panel
from ledgerdesk.tickets import inbox_tools, queries, timeline
from ledgerdesk.tickets import services as svc
from ledgerdesk.tickets.inbox_query import InboxQuery, to_filter
from ledgerdesk.tickets.merge import check_merge, do_merge
from ledgerdesk.tickets.models import MessageKind, Priority, Status, Ticket
from ledgerdesk.tickets.saved_views import list_views
from ledgerdesk.tickets.tags import do_untag
from ledgerdesk.web.deps import ConsoleAgent, Db
from ledgerdesk.web.labels import label
from ledgerdesk.web.templating import flash, render
from ledgerdesk.web.uploads import read_uploads

router = APIRouter(prefix="/console", include_in_schema=False)
PER_PAGE = 50


@router.get("")
def console_home() -> RedirectResponse:
    return RedirectResponse("/console/inbox?view=mine", status_code=303)


@router.get("/inbox")
def inbox(request: Request, db: Db, agent_actor: ConsoleAgent, page: PageNumber = 1) -> Response:
    """A view of the inbox (built-in, a team's or a saved one) narrowed by the filter bar and
    sorted by a column; a bad value in the address answers 422 with the message."""
    page = max(1, min(page, 10_000))
    try:
        query = inbox_tools.current_query(db, agent_actor, request.query_params)
    except DomainError as exc:
        query = InboxQuery()
        return _inbox_page(request, db, agent_actor, query, 1, exc.status_code, error=exc.message)
    inbox_tools.remember(request, query)
    return _inbox_page(request, db, agent_actor, query, page)


def _inbox_page(
    request: Request,
    db: Any,
    actor: Actor,
    query: InboxQuery,
    page: int,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    flt = to_filter(query, actor)
    tickets, total = queries.list_tickets(
        db, actor, flt, page=page, per_page=PER_PAGE, sort=query.sort
    )
    return render(
        request,
        "console/inbox.html",
        status_code=status_code,
        **_shell(db, actor),
        **inbox_tools.page_context(db, actor, query),
        tickets=tickets,
        total=total,
        view=query.view,
        q=query.q,
        page=page,
        per_page=PER_PAGE,
        **extra,
    )


@router.get("/counts")
def counts(request: Request, db: Db, agent_actor: ConsoleAgent, view: str = "mine") -> Response:
    return render(
        request,
        "console/_views.html",
        teams=accounts.list_teams(db),
        counts=queries.view_counts(db, agent_actor),
        saved_views=list_views(db, agent_actor),
        view=view[:40],
    )


def _shell(db: Any, actor: Actor) -> dict[str, Any]:
    """What every console page needs. View counts are not here: the sidebar fetches them
    after the page has rendered (and every 30 s), so no page waits for them."""
    return {"me": accounts.get_agent(db, actor.id or 0), "teams": accounts.list_teams(db)}


def _ticket_page(
    request: Request, db: Any, actor: Actor, ticket_id: int, status_code: int = 200, **extra: Any
) -> Response:
    ticket = svc.access_ticket(db, actor, ticket_id)
    messages = queries.ticket_messages(db, actor, ticket)
    others, _ = queries.list_tickets(
        db, actor, queries.TicketFilter(requester_id=ticket.requester_id), per_page=10
    )
    return render(
        request,
        "console/ticket.html",
        status_code=status_code,
        **_shell(db, actor),
        ticket=ticket,
        messages=messages,
        watchlist_hits=hits_in_texts(db, [m.body for m in messages]),
        history=timeline.history(db, queries.ticket_events(db, ticket)),
        merged_from=timeline.merged_from(db, ticket),
        findings=queries.guard_findings(db, actor, ticket),
        triage=triage_panel(db, actor, ticket),
        others=[t for t in others if t.id != ticket.id],
        agents=accounts.list_agents(db),
        statuses=list(Status),
        priorities=list(Priority),
        **extra,
    )


@router.get("/tickets/{ticket_id}")
def ticket_page(request: Request, ticket_id: PathId, db: Db, agent_actor: ConsoleAgent) -> Response:
    return _ticket_page(request, db, agent_actor, ticket_id)


@router.get("/tickets/{ticket_id}/suggestions")
def article_suggestions(
    request: Request, ticket_id: PathId, db: Db, agent_actor: ConsoleAgent
) -> Response:
    """Knowledge-base articles for this ticket's question, to link or quote in a reply
    (loaded after the page, so the ticket never waits for search)."""
    ticket = svc.access_ticket(db, agent_actor, ticket_id)
    first = queries.first_customer_message(db, ticket)
    lang = "zh-CN" if ticket.language.startswith("zh") else "en"
    found = suggest(
        db, agent_actor, ticket.subject, first, lang=lang, limit=5, include_internal=True
    )
    base = str(request.base_url).rstrip("/")
    return render(request, "console/_suggestions.html", suggestions=found, base=base)


def _act(
    request: Request,
    db: Any,
    actor: Actor,
    ticket_id: int,
    change: Callable[[Ticket], Any],
    done: str,
    **keep: Any,
) -> Response:
    """Apply one change to a ticket and redirect back (post/redirect/get). A refused change
    re-renders the ticket page with the reason and whatever the agent typed (``keep``)."""
    try:
        ticket = svc.access_ticket(db, actor, ticket_id)
        landing = change(ticket)
        db.commit()
    except DomainError as exc:
        db.rollback()
        return _ticket_page(
            request, db, actor, ticket_id, status_code=exc.status_code, error=exc.message, **keep
        )
    flash(request, "ok", done)
    target = landing.id if isinstance(landing, Ticket) else ticket_id
    return RedirectResponse(f"/console/tickets/{target}", status_code=303)


@router.post("/tickets/{ticket_id}/reply")
def reply(
    request: Request,
    ticket_id: PathId,
    db: Db,
    agent_actor: ConsoleAgent,
    body: Annotated[str, Form()] = "",  # length checked by the service: the draft is kept
    kind: Annotated[str, Form()] = "public",
    status: Annotated[str, Form()] = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
    # "Send and next": then the next ticket of the inbox view the agent came from
    send_next: Annotated[str, Form(alias="next", max_length=8)] = "",
) -> Response:
    upcoming = inbox_tools.next_ticket(request, db, agent_actor, ticket_id) if send_next else None

    def change(ticket: Ticket) -> None:
        svc.do_add_message(
            db,
            agent_actor,
            ticket,
            body,
            kind=_choice(MessageKind, kind, "kind"),
            attachments=read_uploads(files or []),
            status=_optional(Status, status, "status"),
        )

    done = gettext("Note added" if kind == "note" else "Reply sent")
    answer = _act(request, db, agent_actor, ticket_id, change, done, draft=body, draft_kind=kind)
    if send_next and answer.status_code == 303:
        return inbox_tools.go_next(request, upcoming)
    return answer


@router.post("/tickets/{ticket_id}/properties")
def properties(
    request: Request,
    ticket_id: PathId,
    db: Db,
    agent_actor: ConsoleAgent,
    status: Annotated[str, Form()] = "",
    priority: Annotated[str, Form()] = "",
    assignee_id: Annotated[str, Form()] = "",
    team_id: Annotated[str, Form()] = "",
    add_tags: Annotated[str, Form()] = "",
) -> Response:
    def change(ticket: Ticket) -> None:
        svc.do_update_ticket(
            db,
            agent_actor,
            ticket,
            svc.TicketChanges(
                fields_set={"status", "priority", "assignee_id", "team_id"},
                status=_optional(Status, status, "status") or ticket.status,
                priority=_optional(Priority, priority, "priority") or ticket.priority,
                assignee_id=_optional_id(assignee_id, "assignee_id"),
                team_id=_optional_id(team_id, "team_id"),
                add_tags=_tag_list(add_tags),
            ),
        )

    done = gettext("Ticket updated")
    return _act(request, db, agent_actor, ticket_id, change, done, tags_draft=add_tags)


@router.post("/tickets/{ticket_id}/untag")
def untag(
    request: Request,
    ticket_id: PathId,
    db: Db,
    agent_actor: ConsoleAgent,
    tag: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    def change(ticket: Ticket) -> None:
        do_untag(db, agent_actor, ticket, [tag])

    return _act(request, db, agent_actor, ticket_id, change, gettext("Ticket updated"))


@router.post("/tickets/{ticket_id}/merge")
def merge(
    request: Request,
    ticket_id: PathId,
    db: Db,
    agent_actor: ConsoleAgent,
    target_id: Annotated[str, Form(max_length=20)] = "",
    confirm: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Merging cannot be undone: the first submit shows what will happen (both tickets, the
    messages that move); only the second, with ``confirm``, merges."""
    number = target_id.strip().lstrip("#")

    def target_of(source: Ticket) -> Ticket:
        target_number = _optional_id(number, "target_id")
        if target_number is None:
            raise InvalidInput("Give the number of the ticket to merge into", field="target_id")
        target = svc.access_ticket(db, agent_actor, target_number)
        check_merge(agent_actor, source, target)
        return target

    if confirm != "yes":
        return _merge_preview(request, db, agent_actor, ticket_id, target_of)

    def change(source: Ticket) -> Ticket:
        return do_merge(db, agent_actor, source, target_of(source))

    done = gettext("Merged into #%(number)s") % {"number": number}
    return _act(request, db, agent_actor, ticket_id, change, done)


def _merge_preview(
    request: Request,
    db: Any,
    actor: Actor,
    ticket_id: int,
    target_of: Callable[[Ticket], Ticket],
) -> Response:
    try:
        target = target_of(svc.access_ticket(db, actor, ticket_id))
    except DomainError as exc:
        return _ticket_page(
            request, db, actor, ticket_id, status_code=exc.status_code, error=exc.message
        )
    return _ticket_page(request, db, actor, ticket_id, merge_target=target)


@router.post("/tickets/{ticket_id}/intent")
def correct_intent(
    request: Request,
    ticket_id: PathId,
    db: Db,
    agent_actor: ConsoleAgent,
    intent: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    def change(ticket: Ticket) -> None:
        routing.do_correct_intent(db, agent_actor, ticket, intent.strip())

    done = gettext("Intent corrected: %(intent)s") % {"intent": label(intent.strip()[:64])}
    return _act(request, db, agent_actor, ticket_id, change, done)


MAX_TAGS_AT_ONCE = 20
MAX_TAGS_INPUT = 1000  # characters; the form's maxlength says the same


def _tag_list(value: str) -> list[str]:
    """Tags typed in the properties form (spaces or commas between them)."""
    if len(value) > MAX_TAGS_INPUT:
        raise InvalidInput(f"Tags: at most {MAX_TAGS_INPUT} characters at once", field="add_tags")
    names = [t for t in value.replace(",", " ").split() if t]
    if len(names) > MAX_TAGS_AT_ONCE:
        raise InvalidInput(
            f"At most {MAX_TAGS_AT_ONCE} tags can be added at once", field="add_tags"
        )
    return names


def _choice(enum_cls: Any, value: str, field: str) -> Any:
    try:
        return enum_cls(value)
    except ValueError:
        raise InvalidInput(f"'{value[:40]}' is not a valid {field}", field=field) from None


def _optional(enum_cls: Any, value: str, field: str) -> Any:
    return _choice(enum_cls, value, field) if value else None


def _optional_id(value: str, field: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    number = parse_id(value)
    if number is None:
        raise InvalidInput(f"'{value[:40]}' is not a valid {field}", field=field)
    return number
