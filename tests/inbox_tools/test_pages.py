"""The inbox tools over HTTP on both databases: sortable columns and relative times (en and
zh), the filter bar's 422 on a bad value, bulk actions and saved views through their forms,
the customer page and search, and "Send and next"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient
from sqlalchemy import select

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import agent_actor
from ledgerdesk.tickets.models import Event, Status, Ticket
from ledgerdesk.tickets.view_models import SavedView
from tests.conftest import make_agent, make_customer, make_ticket, unique
from tests.tickets.test_views import console_login


@dataclass
class World:
    lead_email: str
    lead_id: int
    agent_id: int
    agent_email: str
    customer_id: int
    name: str  # the customer's name: searching it lists exactly this world's tickets
    external_id: str
    tickets: list[int]


def _world(app: Any, count: int = 3) -> World:
    with app.state.sessionmaker() as session:
        lead = make_agent(session, Role.lead)
        agent = make_agent(session, Role.agent)
        name = unique("Wangfang")
        external_id = "UID-" + unique("x")[2:]
        customer = make_customer(session, name=name, external_id=external_id, vip=True)
        made = [
            make_ticket(session, customer, agent_actor(lead), subject=f"Deposit {n}")
            for n in range(count)
        ]
        session.commit()
        return World(
            lead.email,
            lead.id,
            agent.id,
            agent.email,
            customer.id,
            name,
            external_id,
            [t.id for t in made],
        )


def _ids_on(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'name="ids" value="(\d+)"', page)]


def test_sorting_relative_times_and_bad_values(client: TestClient, app: Any) -> None:
    world = _world(app)
    console_login(client, world.lead_email)
    page = client.get(f"/console/inbox?view=all&q={world.name}&sort=number")
    assert page.status_code == 200
    assert _ids_on(page.text) == sorted(world.tickets)
    assert 'aria-sort="ascending"' in page.text
    assert "sort=-number" in page.text  # the header flips the order
    assert re.search(
        r'<time datetime="[0-9T:-]+Z" title="[0-9 :-]+ UTC">just now</time>', page.text
    )
    down = client.get(f"/console/inbox?view=all&q={world.name}&sort=-number")
    assert _ids_on(down.text) == sorted(world.tickets, reverse=True)
    client.post("/lang", data={"lang": "zh-CN", "next": "/console/inbox"})
    zh = client.get(f"/console/inbox?view=all&q={world.name}")
    assert "刚刚" in zh.text and "批量操作" in zh.text
    client.post("/lang", data={"lang": "en", "next": "/console/inbox"})
    for bad in ("sort=password", "view=saved:x", "priority=extreme", "assignee=x", "language=%27"):
        answer = client.get(f"/console/inbox?{bad}")
        assert answer.status_code == 422, bad
        assert "flash error" in answer.text


def test_customer_search_and_page(client: TestClient, app: Any) -> None:
    world = _world(app, count=2)
    console_login(client, world.agent_email)
    found = client.get(f"/console/inbox?view=all&q={quote(world.external_id)}")
    assert sorted(_ids_on(found.text)) == sorted(world.tickets)
    assert f'href="/console/customers/{world.customer_id}"' in found.text
    page = client.get(f"/console/customers/{world.customer_id}")
    assert page.status_code == 200
    assert world.name in page.text and world.external_id in page.text and "VIP" in page.text
    assert all(f"/console/tickets/{t}" in page.text for t in world.tickets)
    ticket = client.get(f"/console/tickets/{world.tickets[0]}")
    assert f'href="/console/customers/{world.customer_id}" id="customer-link"' in ticket.text
    assert client.get("/console/customers/999999999").status_code == 404
    assert client.get("/console/customers/abc").status_code in (404, 422)


def test_bulk_assign_and_status_through_the_form(client: TestClient, app: Any) -> None:
    world = _world(app)
    console_login(client, world.lead_email)
    back = f"/console/inbox?view=all&q={world.name}"
    answer = client.post(
        "/console/inbox/bulk",
        data={
            "action": "assign",
            "ids": [str(t) for t in world.tickets],
            "assignee_id": str(world.agent_id),
            "back": back,
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == back
    page = client.get(back)
    assert "3 changed, 0 already so, 0 refused" in page.text
    with app.state.sessionmaker() as session:
        rows = session.scalars(select(Ticket).where(Ticket.id.in_(world.tickets))).all()
        assert {t.assignee_id for t in rows} == {world.agent_id}
        events = session.scalars(
            select(Event).where(
                Event.ticket_id.in_(world.tickets), Event.action == "ticket.assigned"
            )
        ).all()
        assert len(events) == 3
    solved = client.post(
        "/console/inbox/bulk",
        data={"action": "status", "ids": [str(world.tickets[0])], "status": "solved"},
    )
    assert "1 changed" in solved.text
    # bad input answers with a message on the inbox, never a 500; an outside "back" is ignored
    for data in (
        {"action": "status", "ids": [str(world.tickets[1])], "status": "bogus"},
        {"action": "explode", "ids": [str(world.tickets[1])]},
        {"action": "assign", "ids": ["x"], "assignee_id": "1"},
        {"action": "assign", "assignee_id": "1"},
        {"action": "assign", "ids": [str(world.tickets[1])], "assignee_id": "y"},
    ):
        bad = client.post(
            "/console/inbox/bulk",
            data={**data, "back": "https://evil.example/"},
            follow_redirects=False,
        )
        assert bad.status_code == 303 and bad.headers["location"] == "/console/inbox", data
    # a whole page (more than 20) is one post; past 100 the form says so
    client.get("/console/inbox")  # shows (and so clears) the messages of the refused posts
    many = [str(world.tickets[1])] + [str(999_999_000 + n) for n in range(29)]
    page = client.post("/console/inbox/bulk", data={"action": "tag", "ids": many, "tag": "x1"})
    assert page.status_code == 200, page.text
    assert "1 changed, 0 already so, 29 refused" in page.text
    too_many = [str(n) for n in range(1, 103)]
    page = client.post("/console/inbox/bulk", data={"action": "tag", "ids": too_many, "tag": "x"})
    assert "At most 100 tickets at once" in page.text
    with app.state.sessionmaker() as session:
        assert session.get(Ticket, world.tickets[0]).status == Status.solved  # type: ignore[union-attr]
        assert session.get(Ticket, world.tickets[1]).status == Status.new  # type: ignore[union-attr]


def test_saved_view_through_the_form(client: TestClient, app: Any) -> None:
    world = _world(app)
    console_login(client, world.lead_email)
    answer = client.post(
        "/console/views",
        data={
            "name": "Wang's tickets",
            "shared": "yes",
            "query": f"view=all&q={world.name}&sort=number",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    location = answer.headers["location"]
    view_id = int(location.rsplit(":", 1)[1])
    page = client.get(location)
    assert _ids_on(page.text) == sorted(world.tickets)  # its words and its sort order
    assert "Wang&#39;s tickets" in page.text and f'data-saved-view="{view_id}"' in page.text
    # a plain agent sees the shared view but may not delete it; the lead may
    agent = TestClient(app)
    console_login(agent, world.agent_email)
    assert f'data-saved-view="{view_id}"' in agent.get("/console/inbox").text
    agent.post(f"/console/views/{view_id}/delete")
    with app.state.sessionmaker() as session:
        assert session.get(SavedView, view_id) is not None
    assert agent.get(f"/console/inbox?view=saved:{view_id}").status_code == 200
    empty = client.post("/console/views", data={"name": "", "query": "view=all"})
    assert empty.status_code == 200 and "Give the view a name" in empty.text
    client.post(f"/console/views/{view_id}/delete")
    with app.state.sessionmaker() as session:
        assert session.get(SavedView, view_id) is None
    assert client.get(f"/console/inbox?view=saved:{view_id}").status_code == 404


def test_send_and_next_goes_to_the_next_ticket_of_the_view(client: TestClient, app: Any) -> None:
    world = _world(app)
    console_login(client, world.lead_email)
    first, second, third = sorted(world.tickets)
    client.get(f"/console/inbox?view=all&q={world.name}&sort=number")  # the view being worked
    answer = client.post(
        f"/console/tickets/{first}/reply",
        data={"body": "We are checking the deposit.", "next": "1"},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == f"/console/tickets/{second}"
    answer = client.post(
        f"/console/tickets/{third}/reply",
        data={"body": "Credited now.", "next": "1"},
        follow_redirects=False,
    )
    assert answer.headers["location"] == f"/console/tickets/{first}"  # wraps to the first
    plain = client.post(
        f"/console/tickets/{second}/reply", data={"body": "Hello"}, follow_redirects=False
    )
    assert plain.headers["location"] == f"/console/tickets/{second}"
    refused = client.post(f"/console/tickets/{second}/reply", data={"body": " ", "next": "1"})
    assert refused.status_code == 422  # a refused reply stays on its ticket with the message
    ticket_page = client.get(f"/console/tickets/{second}")
    assert 'id="send-next"' in ticket_page.text and "console-inbox.js" in ticket_page.text
