"""The assistant's numbers on both databases: automated resolutions with the 24-hour rule (a
confirmed answer, or one nobody came back to within a day; once per ticket; help-center answers
only with "yes"), handovers per reason, per-article yes/no, and the date range."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from ledgerdesk.ai.assistant import metrics
from ledgerdesk.core.clock import frozen_at
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import MessageKind, Ticket
from tests.assistant.factory import (
    answer_reply,
    customer_says,
    handover_reply,
    help_row,
    post_reply,
)
from tests.conftest import actor_of, make_agent, make_ticket

T0 = datetime(2020, 3, 10, 9, 0)
NOW = datetime(2020, 3, 12, 12, 0)
DAY = date(2020, 3, 10)
LAST = date(2020, 3, 12)


def _ticket(session: Session, at: datetime = T0) -> Ticket:
    with frozen_at(at - timedelta(minutes=10)):
        return make_ticket(session)


def _world(session: Session) -> None:
    hour = timedelta(hours=1)
    confirmed = _ticket(session)  # "yes", even though the customer wrote again
    post_reply(session, confirmed, answer_reply("s1"), at=T0, feedback="yes")
    customer_says(session, confirmed, "Yes, that solved it", at=T0 + hour)
    quiet = _ticket(session)  # nobody came back: resolved after 24 h
    post_reply(session, quiet, answer_reply("s3"), at=T0)
    back = _ticket(session)  # came back within the day, said no
    post_reply(session, back, answer_reply("s2"), at=T0, feedback="no")
    customer_says(session, back, "No, I still need help", at=T0 + 23 * hour)
    later = _ticket(session)  # came back, but only after the day
    post_reply(session, later, answer_reply("s3"), at=T0)
    customer_says(session, later, "Another question", at=T0 + 25 * hour)
    handed = _ticket(session)  # handed over within the day
    post_reply(session, handed, answer_reply("s3"), at=T0)
    post_reply(session, handed, handover_reply("asked_for_person"), at=T0 + hour)
    young = _ticket(session, NOW - 3 * hour)  # answered 2 hours ago: not decided yet
    post_reply(session, young, answer_reply("s3"), at=NOW - 2 * hour)
    twice = _ticket(session)  # two quiet answers: one resolution
    post_reply(session, twice, answer_reply("s3"), at=T0)
    post_reply(session, twice, answer_reply("s3"), at=T0 + 30 * hour)
    lock = _ticket(session)  # the same reason twice (lock offered, then locked): once
    post_reply(session, lock, handover_reply("account_compromised"), at=T0)
    post_reply(session, lock, handover_reply("account_compromised"), at=T0 + hour)
    help_row(session, answer_reply("s1"), T0, feedback="yes")
    help_row(session, answer_reply("s1"), T0 - 2 * timedelta(days=1), feedback="no")  # outside
    help_row(session, answer_reply("s2"), T0)  # no answer: never resolved
    help_row(session, handover_reply("not_covered"), T0)
    outside = _ticket(session, T0 - timedelta(days=1))
    post_reply(session, outside, handover_reply("complaint"), at=DAY_BEFORE)


DAY_BEFORE = datetime(2020, 3, 9, 23, 59, 59)


def test_resolutions_handovers_and_votes(db_session: Session) -> None:
    _world(db_session)
    m = metrics.compute(db_session, DAY, LAST, now=NOW)
    assert (m.ticket_conversations, m.help_questions, m.conversations) == (8, 3, 11)
    # confirmed, quiet, later, twice + the help-center "yes"
    assert m.resolved == 5 and m.resolution_rate == 5 / 11
    assert m.awaiting == 1
    assert m.handed_over == 3 and m.handover_rate == 3 / 11
    assert m.reasons == {"account_compromised": 1, "asked_for_person": 1, "not_covered": 1}
    votes = {a.slug: (a.yes, a.no) for a in m.articles}
    assert votes == {"s1": (2, 0), "s2": (0, 1)}


def test_the_day_after_a_young_answer_it_is_resolved(db_session: Session) -> None:
    _world(db_session)
    m = metrics.compute(db_session, DAY, LAST, now=NOW + timedelta(days=1))
    assert (m.resolved, m.awaiting) == (6, 0)


def test_a_customer_message_at_exactly_24_hours_counts_as_coming_back(db_session: Session) -> None:
    ticket = _ticket(db_session)
    post_reply(db_session, ticket, answer_reply("s9"), at=T0)
    customer_says(db_session, ticket, "Still here", at=T0 + timedelta(hours=24))
    m = metrics.compute(db_session, DAY, DAY, now=NOW)
    assert (m.ticket_conversations, m.resolved) == (1, 0)


def test_an_agent_stepping_in_within_the_day_is_not_automated(db_session: Session) -> None:
    ticket = _ticket(db_session)
    post_reply(db_session, ticket, answer_reply("s9"), at=T0)
    agent = actor_of(make_agent(db_session))
    with frozen_at(T0 + timedelta(hours=2)):
        tickets.do_add_message(db_session, agent, ticket, "Let me check this for you.")
    with frozen_at(T0 + timedelta(hours=3)):  # an internal note is not stepping in
        other = _ticket(db_session)
        post_reply(db_session, other, answer_reply("s9"), at=T0)
        tickets.do_add_message(db_session, agent, other, "watching", kind=MessageKind.note)
    m = metrics.compute(db_session, DAY, DAY, now=NOW)
    assert (m.ticket_conversations, m.resolved) == (2, 1)


def test_the_range_is_whole_utc_days(db_session: Session) -> None:
    _world(db_session)
    only_before = metrics.compute(db_session, date(2020, 3, 9), date(2020, 3, 9), now=NOW)
    assert (only_before.ticket_conversations, only_before.reasons) == (1, {"complaint": 1})
    assert metrics.bounds(DAY, DAY) == (datetime(2020, 3, 10), datetime(2020, 3, 11))
    empty = metrics.compute(db_session, date(2020, 1, 1), date(2020, 1, 2), now=NOW)
    assert empty.conversations == 0 and empty.resolution_rate == 0.0 and empty.articles == []
