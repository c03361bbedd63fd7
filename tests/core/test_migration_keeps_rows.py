"""Upgrading an SQLite desk past issue 16's migrations, and back, keeps every row: a column
added to ``teams`` or ``tickets`` must never go through SQLite's batch copy, whose DROP of the
old table cascades (team memberships, messages)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import Engine, text

from ledgerdesk.core.db import make_engine
from ledgerdesk.core.migrate import alembic_config, upgrade

COUNTED = ("teams", "team_members", "tickets", "messages", "routing_rules")
NOW = "2026-11-02 09:00:00"
SEED = (
    "INSERT INTO teams (id, name, tier, created_at) VALUES (1, 'L1', 'L1', :now)",
    "INSERT INTO agents (id, email, name, password_hash, role, locale, active, created_at)"
    " VALUES (1, 'a@example.test', 'A', 'h', 'agent', 'en', 1, :now)",
    "INSERT INTO team_members (team_id, agent_id) VALUES (1, 1)",
    "INSERT INTO customers (id, external_id, name, email, locale, vip, created_at)"
    " VALUES (1, 'u1', 'Ann', 'ann@example.test', 'en', 0, :now)",
    "INSERT INTO tickets (id, subject, status, priority, channel, language, search_text,"
    " requester_id, team_id, created_at, updated_at, last_seq)"
    " VALUES (1, 's', 'open', 'normal', 'portal', 'en', ' ', 1, 1, :now, :now, 1)",
    "INSERT INTO messages (id, ticket_id, kind, author_kind, author_customer_id, body,"
    " created_at, seq) VALUES (1, 1, 'public', 'customer', 1, 'hi', :now, 1)",
    "INSERT INTO routing_rules (id, name, position, enabled, intents, languages, team_id, stop,"
    " created_at, updated_at) VALUES (1, 'r', 0, 1, '[]', '[]', 1, 0, :now, :now)",
)


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t: int(conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one())  # noqa: S608
            for t in COUNTED
        }


def test_upgrade_and_downgrade_keep_memberships_and_messages(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'desk.db'}")
    upgrade(engine, "0013")
    with engine.begin() as conn:
        for statement in SEED:
            conn.execute(text(statement), {"now": NOW})
    seeded = _counts(engine)
    assert set(seeded.values()) == {1}
    upgrade(engine)
    assert _counts(engine) == seeded
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0013")
    assert _counts(engine) == seeded
    engine.dispose()
