"""``ledgerdesk verify log`` as a real process against a real SQLite database of its own: exit
0 and the summary line while the log is intact, exit 1 and one line per problem once a logged
row was edited."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update

from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.tickets.models import Event
from ledgerdesk.trust import log
from tests.conftest import make_ticket
from tests.test_cli import run
from tests.trust_log.conftest import drain


def test_verify_log_command(tmp_path: Path) -> None:
    assert run(tmp_path, "migrate").returncode == 0
    engine = make_engine(f"sqlite:///{tmp_path / 'ledgerdesk.db'}")
    try:
        with make_sessionmaker(engine)() as session:
            ticket = make_ticket(session)
            session.commit()
            drain(session)
            session.commit()
            head = log.latest_head(session)
            assert head is not None
            event = session.scalars(select(Event).where(Event.ticket_id == ticket.id)).first()
            assert event is not None
            leaf = log.leaf_for(session, "event", event.id)
            assert leaf is not None
        good = run(tmp_path, "verify", "log")
        assert good.returncode == 0, good.stderr
        assert good.stdout.strip() == (
            f"log verified: {head.tree_size} leaves, 1 signed tree heads, "
            f"latest root {head.root_hash}"
        )
        with engine.begin() as conn:
            conn.execute(update(Event).where(Event.id == event.id).values(action="ticket.deleted"))
        bad = run(tmp_path, "verify", "log")
        assert bad.returncode == 1
        assert bad.stdout.splitlines() == [
            f"leaf {leaf.idx} (event {event.id}): the stored row no longer matches the logged leaf"
        ]
        assert "log NOT verified: 1 problems" in bad.stderr
    finally:
        engine.dispose()
