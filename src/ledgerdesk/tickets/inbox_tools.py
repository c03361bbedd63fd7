"""The inbox page's helpers for the routes: which query a request asks for (a saved view's
filters under the address's), what the filter bar and bulk bar need, and "Send and next"
(the next ticket of the view the agent last opened, remembered in their session)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.services import Actor
from ledgerdesk.core.errors import InvalidInput
from ledgerdesk.core.i18n import gettext
from ledgerdesk.core.types import parse_id
from ledgerdesk.tickets import queries
from ledgerdesk.tickets.inbox_query import (
    SORT_COLUMNS,
    InboxQuery,
    merged,
    parse_query,
    to_filter,
)
from ledgerdesk.tickets.models import Channel, Priority, Status
from ledgerdesk.tickets.saved_views import access_view, list_views, view_query
from ledgerdesk.web.templating import flash

_SESSION_KEY = "inbox_query"


def current_query(session: Session, actor: Actor, params: Mapping[str, Any]) -> InboxQuery:
    """The query the address asks for; ``view=saved:<id>`` starts from that saved view."""
    query = parse_query(params)
    if query.view.startswith("saved:"):
        saved = access_view(session, actor, parse_id(query.view[6:]) or 0)
        query = merged(view_query(saved), query)
    return query


def remember(request: Request, query: InboxQuery) -> None:
    """The view the agent is working through, for "Send and next" on a ticket page."""
    request.session[_SESSION_KEY] = {k: v for k, v in vars(query).items() if v}


def remembered(request: Request) -> InboxQuery:
    try:
        return parse_query(request.session.get(_SESSION_KEY) or {})
    except InvalidInput:
        return InboxQuery()


def page_context(session: Session, actor: Actor, query: InboxQuery) -> dict[str, Any]:
    """What the inbox's filter bar, column headers, bulk bar and sidebar need."""
    return {
        "iq": query,
        "sort_columns": SORT_COLUMNS,
        "saved_views": list_views(session, actor),
        "agents": accounts.list_agents(session),
        "statuses": list(Status),
        "priorities": list(Priority),
        "channels": list(Channel),
        "customers": queries.matching_customers(session, query.q) if query.q else [],
    }


def next_ticket(request: Request, session: Session, actor: Actor, current: int) -> int | None:
    """The ticket after ``current`` in the remembered view (read before the reply changes
    its place in the order); the view's first other ticket when ``current`` is not in it."""
    query = remembered(request)
    try:
        if query.view.startswith("saved:"):
            query = current_query(session, actor, vars(query))
        ids = queries.ticket_ids(session, actor, to_filter(query, actor), sort=query.sort)
    except InvalidInput:
        return None
    if current in ids:
        after = ids[ids.index(current) + 1 :]
        return after[0] if after else next((i for i in ids if i != current), None)
    return next((i for i in ids if i != current), None)


def go_next(request: Request, upcoming: int | None) -> RedirectResponse:
    if upcoming is None:
        flash(request, "ok", gettext("No more tickets in this view"))
        return RedirectResponse(remembered(request).url(), status_code=303)
    return RedirectResponse(f"/console/tickets/{upcoming}", status_code=303)
