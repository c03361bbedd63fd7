"""``ledgerdesk verify log`` against tampering: every edit of a logged row, a reordering, a
removed row, an altered or removed stored node or head and a forged signature is reported
with a line saying what no longer matches; an untouched log verifies.

Rows and log live in the rolled-back ``db_session`` transaction. Edits go around the ORM, as
an attacker with database access would make them; where a table refuses changes with a
trigger (the complaint register, migration 0021; the log itself, migration 0025) the test
drops the trigger first, inside the transaction."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.cases import register as cases_register
from ledgerdesk.cases.models import CaseEvent, CaseKind
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Event, Message, Priority
from ledgerdesk.trust import log, merkle
from ledgerdesk.trust.log_models import LogCursor, LogHead, LogIsAppendOnly, LogLeaf, LogNode
from ledgerdesk.trust.verify_log import summary, verify_log
from tests.conftest import make_customer, make_ticket


@dataclass
class Desk:
    """A ticket (its events and opening message) and a complaint step, all logged."""

    session: Session
    events: list[int]
    message: int
    step: int

    def leaf(self, source: str, source_id: int) -> int:
        entry = log.leaf_for(self.session, source, source_id)
        assert entry is not None
        return entry.idx


def _append_all(session: Session) -> LogHead:
    while log.append_pending(session):
        pass
    head = log.sign_head(session)
    assert head is not None
    return head


def _make_rows(session: Session) -> tuple[list[int], int, int]:
    customer = make_customer(session)
    ticket = make_ticket(session, requester=customer, body="My USDT deposit is missing")
    case = cases_register.do_open_case(
        session,
        accounts.customer_actor(customer),
        cases_register.NewCase(
            kind=CaseKind.complaint, customer_id=customer.id, subject="Deposit", ticket_id=ticket.id
        ),
    )
    tickets.do_set_priority(session, SYSTEM, ticket, Priority.high)
    tickets.do_set_priority(session, SYSTEM, ticket, Priority.urgent)
    session.flush()
    events = list(session.scalars(select(Event.id).where(Event.ticket_id == ticket.id)))
    message = session.scalar(select(Message.id).where(Message.ticket_id == ticket.id).limit(1))
    step = session.scalar(select(CaseEvent.id).where(CaseEvent.case_id == case.id))
    assert len(events) >= 2 and message is not None and step is not None
    return events, message, step


@pytest.fixture
def desk(empty_log: Session) -> Desk:
    """Rows logged into a log of the test's own (every source row of the database is in it)."""
    events, message, step = _make_rows(empty_log)
    _append_all(empty_log)
    return Desk(empty_log, events, message, step)


@pytest.fixture
def real_desk(db_session: Session) -> Iterator[Desk]:
    """Rows logged into the database's real log tables, whose triggers are then dropped."""
    events, message, step = _make_rows(db_session)
    _append_all(db_session)
    yield Desk(db_session, events, message, step)


def _drop_triggers(session: Session, table: str) -> None:
    """What an attacker with database access does before editing an append-only table."""
    if session.get_bind().dialect.name == "postgresql":
        name = "case_events_append_only" if table == "case_events" else f"{table}_append_only"
        session.execute(text(f"DROP TRIGGER {name} ON {table}"))
    else:
        for action in ("update", "delete"):
            session.execute(text(f"DROP TRIGGER {table}_no_{action}"))


MISMATCH = "the stored row no longer matches the logged leaf"


def _problems(session: Session) -> list[str]:
    report = verify_log(session, batch=8)  # small batches: many batch edges
    assert not report.ok
    return report.problems


def test_an_untouched_log_verifies(desk: Desk) -> None:
    report = verify_log(desk.session, batch=8)
    assert report.problems == []
    assert report.ok
    size = log.tree_size(desk.session)
    assert report.leaves == size and report.heads == 1
    head = log.latest_head(desk.session)
    assert head is not None and report.latest_root == head.root_hash
    assert summary(report) == (
        f"log verified: {size} leaves, 1 signed tree heads, latest root {head.root_hash}"
    )
    # a second head over more rows: both heads check out, in one pass
    _make_rows(desk.session)
    _append_all(desk.session)
    again = verify_log(desk.session, batch=5)
    assert again.ok and again.heads == 2 and again.leaves > size


def test_an_edited_event_is_reported(desk: Desk) -> None:
    event = desk.events[0]
    desk.session.execute(update(Event).where(Event.id == event).values(after={"status": "solved"}))
    assert _problems(desk.session) == [
        f"leaf {desk.leaf('event', event)} (event {event}): "
        "the stored row no longer matches the logged leaf"
    ]


def test_an_edited_message_body_is_reported(desk: Desk) -> None:
    desk.session.execute(
        update(Message)
        .where(Message.id == desk.message)
        .values(body="My USDT deposit arrived, thanks")
    )
    assert _problems(desk.session) == [
        f"leaf {desk.leaf('message', desk.message)} (message {desk.message}): "
        "the stored row no longer matches the logged leaf"
    ]


def test_an_edited_complaint_step_is_reported(desk: Desk) -> None:
    _drop_triggers(desk.session, "case_events")
    desk.session.execute(update(CaseEvent).where(CaseEvent.id == desk.step).values(step="resolved"))
    assert _problems(desk.session) == [
        f"leaf {desk.leaf('case_step', desk.step)} (case step {desk.step}): "
        "the stored row no longer matches the logged leaf"
    ]


def test_two_events_with_swapped_contents_are_reported(desk: Desk) -> None:
    first, second = desk.events[:2]
    rows = {
        r.id: r
        for r in desk.session.execute(
            select(Event.id, Event.action, Event.before, Event.after).where(
                Event.id.in_([first, second])
            )
        )
    }
    for target, origin in ((first, second), (second, first)):
        source = rows[origin]
        desk.session.execute(
            update(Event)
            .where(Event.id == target)
            .values(action=source.action, before=source.before, after=source.after)
        )
    assert sorted(_problems(desk.session)) == sorted(
        f"leaf {desk.leaf('event', e)} (event {e}): {MISMATCH}" for e in (first, second)
    )


def test_reordered_leaves_are_reported(desk: Desk) -> None:
    """The log's own order changed: two leaves point at each other's rows."""
    one, two = (desk.leaf("event", e) for e in desk.events[:2])
    # (the test's own log is temporary tables, which have no triggers to drop)
    desk.session.execute(update(LogLeaf).where(LogLeaf.idx == one).values(source_id=-1))
    desk.session.execute(update(LogLeaf).where(LogLeaf.idx == two).values(source_id=desk.events[0]))
    desk.session.execute(update(LogLeaf).where(LogLeaf.idx == one).values(source_id=desk.events[1]))
    assert sorted(_problems(desk.session)) == sorted(
        f"leaf {i} (event {e}): the stored row no longer matches the logged leaf"
        for i, e in ((one, desk.events[1]), (two, desk.events[0]))
    )


def test_removed_rows_are_reported(desk: Desk) -> None:
    event = desk.events[-1]
    desk.session.execute(delete(Event).where(Event.id == event))
    desk.session.execute(delete(Message).where(Message.id == desk.message))
    assert sorted(_problems(desk.session)) == sorted(
        [
            f"leaf {desk.leaf('event', event)}: event {event} is missing",
            f"leaf {desk.leaf('message', desk.message)}: message {desk.message} is missing",
        ]
    )


def test_a_gap_in_the_leaves_is_reported(desk: Desk) -> None:
    index = desk.leaf("message", desk.message)
    desk.session.execute(delete(LogLeaf).where(LogLeaf.idx == index))
    expected = [f"leaf {index}: missing from log_leaves (a gap in the leaf indexes)"]
    cursor = desk.session.scalar(select(LogCursor.low_id).where(LogCursor.source == "message"))
    if cursor is not None and cursor >= desk.message:  # (a younger gap in ids may hold it)
        expected.append(f"message {desk.message} is not in the log")
    assert _problems(desk.session) == expected


def test_the_log_tables_refuse_changes(real_desk: Desk) -> None:
    session = real_desk.session
    index = real_desk.leaf("event", real_desk.events[0])
    for statement in (
        update(LogNode).where(LogNode.level == 0, LogNode.idx == index).values(hash=bytes(32)),
        delete(LogNode).where(LogNode.level == 0, LogNode.idx == index),
        update(LogLeaf).where(LogLeaf.idx == index).values(source_id=0),
        delete(LogHead),
    ):
        with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
            session.execute(statement)
    leaf = session.get(LogLeaf, index)
    assert leaf is not None
    with pytest.raises(LogIsAppendOnly), session.begin_nested():
        leaf.salt = "00" * 16
        session.flush()
    with pytest.raises(LogIsAppendOnly), session.begin_nested():
        session.delete(leaf)
        session.flush()


def test_an_altered_or_removed_node_is_reported(real_desk: Desk) -> None:
    session = real_desk.session
    _drop_triggers(session, "log_nodes")
    index = real_desk.leaf("event", real_desk.events[0])
    session.execute(
        update(LogNode).where(LogNode.level == 0, LogNode.idx == index).values(hash=bytes(32))
    )
    head = log.latest_head(session)
    assert head is not None
    problems = verify_log(session).problems
    assert (
        f"leaf {index} (event {real_desk.events[0]}): "
        "the stored row no longer matches the logged leaf"
    ) in problems
    assert f"tree head {head.tree_size}: root does not match the leaves" in problems
    session.execute(delete(LogNode).where(LogNode.level == 0, LogNode.idx == index))
    problems = verify_log(session).problems
    assert f"leaf {index} (event {real_desk.events[0]}): its stored hash is missing" in problems
    # an interior node: the one over this leaf and its neighbour
    session.execute(insert(LogNode), [{"level": 0, "idx": index, "hash": _rebuilt(session, index)}])
    above = (1, index // 2)
    if index // 2 * 2 + 1 < head.tree_size:
        session.execute(
            update(LogNode)
            .where(LogNode.level == above[0], LogNode.idx == above[1])
            .values(hash=bytes(32))
        )
        problems = verify_log(session).problems
        span = f"leaves {above[1] * 2}-{above[1] * 2 + 1}"
        assert (
            f"node (level 1, index {above[1]}) over {span} does not match the hash of its children"
        ) in problems


def _rebuilt(session: Session, index: int) -> bytes:
    from ledgerdesk.trust.leaves import leaf_bytes

    leaf = session.get(LogLeaf, index)
    assert leaf is not None
    row = session.get(Event, leaf.source_id)
    return merkle.leaf_hash(leaf_bytes(leaf.source, row, leaf.salt))


def test_an_altered_head_and_a_forged_signature_are_reported(real_desk: Desk) -> None:
    session = real_desk.session
    _drop_triggers(session, "log_heads")
    head = log.latest_head(session)
    assert head is not None
    size, good = head.tree_size, head.signature
    forged = ("00" if good[:2] != "00" else "11") + good[2:]
    session.execute(update(LogHead).where(LogHead.tree_size == size).values(signature=forged))
    assert f"tree head {size}: bad signature" in verify_log(session).problems
    session.execute(
        update(LogHead)
        .where(LogHead.tree_size == size)
        .values(signature=good, root_hash=merkle.EMPTY_ROOT.hex())
    )
    problems = verify_log(session).problems
    assert f"tree head {size}: root does not match the leaves" in problems
    assert f"tree head {size}: bad signature" in problems  # the signature covers the root
    session.execute(
        update(LogHead).where(LogHead.tree_size == size).values(key_id="0123456789abcdef")
    )
    problems = verify_log(session).problems
    assert f"tree head {size}: signed with key 0123456789abcdef, not in log_keys" in problems


def test_a_row_the_appender_passed_without_logging_is_reported(desk: Desk) -> None:
    """A row added behind the appender's back: here the cursor is moved past a new event, as
    if the row had been inserted below it."""
    ticket_id = desk.session.scalar(select(Event.ticket_id).where(Event.id == desk.events[0]))
    hidden = Event(ticket_id=ticket_id, actor_kind="system", action="ticket.backdated")
    desk.session.add(hidden)
    desk.session.flush()
    desk.session.execute(
        update(LogCursor).where(LogCursor.source == "event").values(low_id=hidden.id)
    )
    assert _problems(desk.session) == [f"event {hidden.id} is not in the log"]


def test_an_edited_account_security_step_is_reported(empty_log: Session) -> None:
    """Locks and 2FA resets are in the log too: a step edited after it was logged stands out."""
    from ledgerdesk.account_security.models import (
        RequestKind,
        RequestStatus,
        SecurityRequest,
        SecurityRequestStep,
    )

    customer = make_customer(empty_log)
    request = SecurityRequest(
        kind=RequestKind.lock,
        status=RequestStatus.locked,
        customer_id=customer.id,
        exchange_customer_id="UID1",
        email=customer.email,
        source="portal",
    )
    empty_log.add(request)
    empty_log.flush()
    step = SecurityRequestStep(
        request_id=request.id, step="locked", actor_kind="customer", detail={"via": "portal"}
    )
    empty_log.add(step)
    empty_log.flush()
    _append_all(empty_log)
    leaf = log.leaf_for(empty_log, "security_step", step.id)
    assert leaf is not None
    assert verify_log(empty_log, batch=8).ok

    empty_log.execute(
        update(SecurityRequestStep)
        .where(SecurityRequestStep.id == step.id)
        .values(detail={"via": "e-mail"})
    )
    assert _problems(empty_log) == [f"leaf {leaf.idx} (security step {step.id}): {MISMATCH}"]
