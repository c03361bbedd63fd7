"""Chat sends on embedded SQLite wait their turn to write instead of failing.

SQLite has one writer at a time; a second writer waits for the lock (busy_timeout). A chat
send opens its insert with a SAVEPOINT and reads (the secret guard, the checks) before its
first write. Started that way, its transaction is a reader first, and SQLite refuses at once,
without waiting, to turn a reader into a writer when another connection committed since the
read ("database is locked"). Agents replying while widgets mark messages delivered made chat
sends fail like this within seconds (bench/chat_delivery.py), and the websocket closed with
1011. Here another connection writes at the worst moment, just before the send's first write:
the send must get through, and the other writer is the one that waits.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from ledgerdesk.accounts.models import Agent, Role
from ledgerdesk.chat import services as chat
from ledgerdesk.core.db import make_sessionmaker
from tests.chat.support import email_visitor
from tests.conftest import actor_of, make_agent, unique


@pytest.fixture
def sqlite_factory(engine: Engine) -> sessionmaker[Session]:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's one-writer lock; PostgreSQL's row locks are tested elsewhere")
    return make_sessionmaker(engine)


@pytest.fixture
def interloper(engine: Engine) -> Iterator[list[str]]:
    """Another connection commits a write right before the first write that follows a
    SAVEPOINT; records 'committed', or 'waited' when it found the write lock taken."""
    other = sqlite3.connect(str(engine.url.database), timeout=0.3, isolation_level=None)
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        verb = statement.lstrip().split(None, 1)[0].upper()
        print("SQL", statement[:90].replace(chr(10), " "))
        if verb == "SAVEPOINT" and not seen:
            seen.append("savepoint")
        elif verb in ("INSERT", "UPDATE") and seen == ["savepoint"]:
            try:
                # a real change (an UPDATE to the same value writes nothing in SQLite)
                other.execute(
                    "UPDATE chat_visitors SET last_seen_at = datetime('now') "
                    "WHERE id = (SELECT max(id) FROM chat_visitors)"
                )
                seen.append("committed")
            except sqlite3.OperationalError:
                seen.append("waited")

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)
        other.close()


def _opened(factory: sessionmaker[Session]) -> tuple[int, chat.Visitor, int]:
    with factory() as session:
        agent = make_agent(session, role=Role.admin)
        visitor, _token = email_visitor(session)
        ack = chat.send_customer_message(session, visitor, None, unique("open"), "Hello")
        session.commit()
        return agent.id, visitor, ack.conversation


# Every text has a dot: the guard then reads the official domains (a read inside the savepoint,
# before the first write), as it does for most real messages.
SENDS: dict[str, Callable[[Session, int, chat.Visitor, int], chat.Ack]] = {
    "agent reply": lambda s, agent, _v, conv: chat.send_agent_message(
        s, actor_of(s.get_one(Agent, agent)), conv, unique("reply"), "We are on it. Hold on."
    ),
    "customer message": lambda s, _a, visitor, conv: chat.send_customer_message(
        s, visitor, conv, unique("more"), "Any news? It is urgent."
    ),
    "new conversation": lambda s, _a, visitor, _c: chat.send_customer_message(
        s, visitor, None, unique("again"), "Another question. Thanks."
    ),
}


@pytest.mark.parametrize("kind", list(SENDS))
def test_a_send_is_not_refused_when_another_writer_commits_meanwhile(
    sqlite_factory: sessionmaker[Session], kind: str, interloper: list[str]
) -> None:
    agent_id, visitor, conversation = _opened(sqlite_factory)
    interloper.clear()
    with sqlite_factory() as session:
        ack = SENDS[kind](session, agent_id, visitor, conversation)
        session.commit()
    assert not ack.duplicate and ack.seq >= 1
    # the other writer did write (or found the send already writing and waited its turn)
    assert interloper in (["savepoint", "committed"], ["savepoint", "waited"])
