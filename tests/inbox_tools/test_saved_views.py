"""Saved views: personal for every agent, shared made by leads and admins; who sees and who
deletes which."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Role
from ledgerdesk.core.errors import InvalidInput, NotFound, NotPermitted
from ledgerdesk.tickets.inbox_query import parse_query
from ledgerdesk.tickets.saved_views import (
    access_view,
    do_create_view,
    do_delete_view,
    list_views,
    view_query,
)
from tests.conftest import actor_of, make_agent


def test_personal_and_shared_views(db_session: Session) -> None:
    lead = actor_of(make_agent(db_session, Role.lead))
    ana = actor_of(make_agent(db_session))
    bo = actor_of(make_agent(db_session))
    urgent = parse_query({"priority": "urgent", "sort": "created", "status": "open_only"})
    shared = do_create_view(db_session, lead, "Urgent first", urgent, shared=True)
    own = do_create_view(db_session, ana, "  My chats ", parse_query({"channel": "chat"}))
    assert own.name == "My chats" and not own.shared
    assert view_query(shared).priority == "urgent" and view_query(shared).sort == "created"
    assert view_query(shared).view == f"saved:{shared.id}"

    ana_sees = [v.id for v in list_views(db_session, ana)]
    assert shared.id in ana_sees and own.id in ana_sees
    assert own.id not in [v.id for v in list_views(db_session, bo)]
    assert access_view(db_session, bo, shared.id) is shared
    with pytest.raises(NotFound):
        access_view(db_session, bo, own.id)
    with pytest.raises(NotPermitted):
        do_create_view(db_session, ana, "Mine for all", urgent, shared=True)
    with pytest.raises(InvalidInput):
        do_create_view(db_session, ana, "   ", urgent)
    with pytest.raises(InvalidInput):
        do_create_view(db_session, ana, "Nothing", parse_query({}))
    with pytest.raises(NotPermitted):
        do_delete_view(db_session, ana, shared)  # only its owner or a lead
    do_delete_view(db_session, ana, own)
    other_lead = actor_of(make_agent(db_session, Role.admin))
    do_delete_view(db_session, other_lead, shared)
    assert shared.id not in [v.id for v in list_views(db_session, bo)]


def test_a_stored_value_that_is_no_longer_valid_is_dropped(db_session: Session) -> None:
    ana = actor_of(make_agent(db_session))
    view = do_create_view(db_session, ana, "Old", parse_query({"priority": "high"}))
    view.filters = {"priority": "extreme", "sort": "-created"}
    assert view_query(view).priority == ""  # the whole bad view falls back to the defaults
