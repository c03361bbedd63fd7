"""Migration 0011 numbers the messages already there, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from ledgerdesk.core.db import make_engine
from ledgerdesk.core.migrate import alembic_config, upgrade
from tests.conftest import _create_pg_database, _drop_pg_database

NOW = datetime(2026, 12, 1, 9, 0)


@pytest.fixture(params=["sqlite", "postgresql"])
def blank_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of each kind, for one test."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / f'm-{uuid.uuid4().hex[:6]}.db'}")
        yield engine
        engine.dispose()
        return
    url, admin = _create_pg_database()
    engine = make_engine(url)
    yield engine
    engine.dispose()
    _drop_pg_database(url, admin)


def _seed_at_0010(engine: Engine) -> dict[str, int]:
    """Two tickets with messages written out of order, as a desk before chat has them."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO customers (id, external_id, name, email, locale, vip, created_at)"
                " VALUES (1, 'u1', 'Ann', 'ann@example.com', 'en', false, :now)"
            ),
            {"now": NOW},
        )
        for ticket_id in (1, 2, 3):
            conn.execute(
                text(
                    "INSERT INTO tickets (id, subject, status, priority, channel, language,"
                    " search_text, requester_id, created_at, updated_at)"
                    " VALUES (:id, 's', 'open', 'normal', 'portal', 'en', ' ', 1, :now, :now)"
                ),
                {"id": ticket_id, "now": NOW},
            )
        # Ticket 1: messages 10, 12, 15; ticket 2: 11, 14; ticket 3: none.
        for message_id, ticket_id in ((10, 1), (11, 2), (12, 1), (14, 2), (15, 1)):
            conn.execute(
                text(
                    "INSERT INTO messages (id, ticket_id, kind, author_kind, author_customer_id,"
                    " body, created_at) VALUES (:id, :t, 'public', 'customer', 1, 'hi', :now)"
                ),
                {"id": message_id, "t": ticket_id, "now": NOW},
            )
    return {"tickets": 3}


def _seqs(engine: Engine) -> tuple[dict[int, int], dict[int, int]]:
    with engine.connect() as conn:
        messages = dict(conn.execute(text("SELECT id, seq FROM messages")).all())
        tickets = dict(conn.execute(text("SELECT id, last_seq FROM tickets")).all())
    return messages, tickets


def test_upgrade_numbers_existing_messages_and_downgrade_returns(blank_engine: Engine) -> None:
    from alembic import command

    upgrade(blank_engine, "0010")
    _seed_at_0010(blank_engine)
    upgrade(blank_engine)
    messages, tickets = _seqs(blank_engine)
    assert messages == {10: 1, 12: 2, 15: 3, 11: 1, 14: 2}
    assert tickets == {1: 3, 2: 2, 3: 0}
    # Seqs are unique per ticket and required.
    with pytest.raises(Exception), blank_engine.begin() as conn:  # noqa: B017
        conn.execute(text("UPDATE messages SET seq = 1 WHERE id = 12"))
    with pytest.raises(Exception), blank_engine.begin() as conn:  # noqa: B017
        conn.execute(text("UPDATE messages SET seq = NULL WHERE id = 12"))

    config = alembic_config(blank_engine.url.render_as_string(hide_password=False))
    with blank_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0010")
    with blank_engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM messages")).scalar() == 5
    upgrade(blank_engine)
    assert _seqs(blank_engine) == (messages, tickets)
