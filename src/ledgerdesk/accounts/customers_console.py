"""The customer page in the agent console (/console/customers/<id>): who the customer is
(name, e-mail, exchange id, VIP, language) and every ticket of theirs the agent may see,
newest first. Linked from the requester's name on the ticket page and from search."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Customer
from ledgerdesk.core.errors import NotFound
from ledgerdesk.core.types import PageNumber, PathId
from ledgerdesk.tickets import queries
from ledgerdesk.web.deps import ConsoleAgent, Db
from ledgerdesk.web.templating import render

router = APIRouter(prefix="/console/customers", include_in_schema=False)
PER_PAGE = 50


@router.get("/{customer_id}")
def customer_page(
    request: Request, customer_id: PathId, db: Db, agent_actor: ConsoleAgent, page: PageNumber = 1
) -> Response:
    customer = db.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"Customer {customer_id} not found")
    page = max(1, min(page, 10_000))
    tickets, total = queries.list_tickets(
        db,
        agent_actor,
        queries.TicketFilter(requester_id=customer.id),
        page=page,
        per_page=PER_PAGE,
        sort="-created",
    )
    return render(
        request,
        "accounts/customer.html",
        me=accounts.get_agent(db, agent_actor.id or 0),
        teams=accounts.list_teams(db),
        customer=customer,
        tickets=tickets,
        total=total,
        page=page,
        per_page=PER_PAGE,
    )
