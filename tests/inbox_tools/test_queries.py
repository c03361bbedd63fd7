"""The inbox's reading side on both databases: sortable columns with a stable order across
pages, the new filters (channel, language), the filter bar's validation, and the console
search finding tickets by the customer's name and exchange id."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Role
from ledgerdesk.core.clock import frozen_at
from ledgerdesk.core.errors import InvalidInput
from ledgerdesk.tickets import queries
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.inbox_query import (
    InboxQuery,
    fold_view,
    merged,
    parse_query,
    to_filter,
)
from ledgerdesk.tickets.models import Channel, Priority, Status
from tests.conftest import actor_of, make_agent, make_customer, make_team, make_ticket, unique

T0 = datetime(2026, 3, 2, 9, 0)


def _world(db: Session) -> tuple[object, list[int]]:
    """Five tickets of one fresh customer, made a minute apart, with mixed priorities."""
    lead = actor_of(make_agent(db, Role.lead))
    customer = make_customer(db)
    ids = []
    plan = [
        ("Bravo", Priority.high, Status.open),
        ("alpha", Priority.low, Status.pending),
        ("Charlie", Priority.urgent, Status.open),
        ("delta", Priority.high, Status.on_hold),
        ("Echo", Priority.normal, Status.open),
    ]
    for n, (subject, priority, status) in enumerate(plan):
        with frozen_at(T0 + timedelta(minutes=n)):
            t = make_ticket(db, customer, lead, subject=subject, priority=priority)  # type: ignore[arg-type]
            tickets.do_set_status(db, lead, t, status)
            ids.append(t.id)
    return lead, ids


def _order(db: Session, actor: object, ids: list[int], sort: str, per_page: int = 50) -> list[int]:
    flt = queries.TicketFilter(requester_id=db.get(queries.Ticket, ids[0]).requester_id)  # type: ignore[union-attr]
    pages, page = [], 1
    while True:
        rows, total = queries.list_tickets(db, actor, flt, page=page, per_page=per_page, sort=sort)  # type: ignore[arg-type]
        pages += [t.id for t in rows]
        if page * per_page >= total:
            return pages
        page += 1


def test_sort_columns_and_stable_paging(db_session: Session) -> None:
    lead, ids = _world(db_session)
    b, a, c, d, e = ids
    assert _order(db_session, lead, ids, "-created") == [e, d, c, a, b]
    assert _order(db_session, lead, ids, "created") == [b, a, c, d, e]
    assert _order(db_session, lead, ids, "number") == sorted(ids)
    assert _order(db_session, lead, ids, "-number") == sorted(ids, reverse=True)
    # priority ranks low < normal < high < urgent (not alphabetical); ties by number
    assert _order(db_session, lead, ids, "-priority") == [c, d, b, e, a]
    assert _order(db_session, lead, ids, "priority") == [a, e, b, d, c]
    # status in its life-cycle order: open, pending, on hold
    assert _order(db_session, lead, ids, "status") == [b, c, e, a, d]
    # pages of two give the same order as one page, without repeats or gaps
    for sort in ("-priority", "status", "-updated", "subject"):
        assert _order(db_session, lead, ids, sort, per_page=2) == _order(
            db_session, lead, ids, sort
        )


def test_channel_and_language_filters(db_session: Session) -> None:
    lead = actor_of(make_agent(db_session, Role.lead))
    customer = make_customer(db_session)
    zh = make_ticket(db_session, customer, subject="充值没有到账", body="我的USDT充值没有到账")
    en = make_ticket(db_session, customer, channel=Channel.chat)
    zh.language = "zh-CN"
    db_session.flush()
    base = queries.TicketFilter(requester_id=customer.id)

    def found(**kw: object) -> set[int]:
        flt = queries.TicketFilter(requester_id=customer.id, **kw)  # type: ignore[arg-type]
        return {t.id for t in queries.list_tickets(db_session, lead, flt)[0]}

    assert {t.id for t in queries.list_tickets(db_session, lead, base)[0]} == {zh.id, en.id}
    assert found(language="zh") == {zh.id}
    assert found(language="en") == {en.id}
    assert found(channel=Channel.chat) == {en.id}
    assert found(channel=Channel.email) == set()


def test_search_by_customer_name_and_exchange_id(db_session: Session) -> None:
    agent = actor_of(make_agent(db_session))
    marker = unique("Zhangwei")
    exchange_id = "9" + str(abs(hash(marker)))[:11]
    customer = make_customer(db_session, name=f"{marker} Lee", external_id=exchange_id)
    other = make_customer(db_session)
    mine = make_ticket(db_session, customer, subject="Withdrawal stuck")
    make_ticket(db_session, other, subject="Withdrawal stuck")

    def search(text: str) -> set[int]:
        flt = queries.TicketFilter(text=text)
        return {t.id for t in queries.list_tickets(db_session, agent, flt, per_page=200)[0]}

    assert mine.id in search(marker.lower())  # part of the name, any case
    assert search(marker.lower()) == {mine.id}
    assert search(exchange_id) == {mine.id}  # a numeric exchange id is not a ticket number
    assert search(exchange_id[:6]) >= {mine.id}  # the start of an exchange id
    assert mine.id in search(f"#{mine.id}")  # a ticket number still finds its ticket
    assert [c.id for c in queries.matching_customers(db_session, marker)] == [customer.id]
    assert queries.matching_customers(db_session, "x") == []  # one letter names nobody
    assert queries.matching_customers(db_session, "%") == []  # LIKE wildcards are literal


def test_parse_query_validates_every_value() -> None:
    q = parse_query({"view": "team:3", "priority": "urgent", "sort": "-priority", "tag": "VIP"})
    assert (q.view, q.priority, q.sort, q.tag) == ("team:3", "urgent", "-priority", "vip")
    assert parse_query({}).sort == "-updated" and parse_query({}).view == "mine"
    assert parse_query({"view": "nope"}).view == "open"  # an old address still opens
    for bad in (
        {"sort": "password"},
        {"sort": "--updated"},
        {"view": "saved:x"},
        {"priority": "extreme"},
        {"channel": "fax"},
        {"status": "gone"},
        {"assignee": "someone"},
        {"team": "x"},
        {"language": "'; drop"},
        {"tag": "x" * 65},
    ):
        with pytest.raises(InvalidInput):
            parse_query(bad)


def test_query_urls_and_views(db_session: Session) -> None:
    agent = actor_of(make_agent(db_session, teams=[make_team(db_session)]))
    q = parse_query({"view": "open", "priority": "high", "q": "usdt"})
    assert q.sort_url("priority") == "/console/inbox?view=open&priority=high&q=usdt&sort=-priority"
    flipped = parse_query({"view": "open", "sort": "-priority"}).sort_url("priority")
    assert flipped.endswith("sort=priority")
    flt = to_filter(parse_query({"view": "mine", "assignee": "none"}), agent)
    assert flt.unassigned and flt.assignee_id is None and flt.open_only
    folded = fold_view(parse_query({"view": "mine", "priority": "urgent"}))
    assert (folded.view, folded.status, folded.assignee) == ("all", "open_only", "me")
    saved = InboxQuery(view="saved:1", priority="high", sort="created")
    over = merged(saved, parse_query({"view": "saved:1", "channel": "chat"}))
    assert (over.priority, over.channel, over.sort, over.view) == (
        "high",
        "chat",
        "created",
        "saved:1",
    )
