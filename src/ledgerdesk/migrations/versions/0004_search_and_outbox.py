"""Transactional outbox, analysed search documents, ticket full-text terms

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

``tickets.search_text`` starts as a single space; the ``search.tickets_backfill`` job queued
here fills it in batches (run by the embedded worker or ``ledgerdesk worker``), so upgrading
a large desk does not hold the migration for minutes. ``ledgerdesk kb reindex`` does the
same at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    outbox = op.create_table(
        "outbox",
        sa.Column("id", _BIGINT, autoincrement=True, nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("available_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index("ix_outbox_due", "outbox", ["available_at", "id"], unique=False)
    op.create_table(
        "search_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=True),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("version", _BIGINT, nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_documents")),
        sa.UniqueConstraint("key", name=op.f("uq_search_documents_key")),
        sa.UniqueConstraint("version", name=op.f("uq_search_documents_version")),
    )
    op.create_index(
        op.f("ix_search_documents_ref_id"), "search_documents", ["ref_id"], unique=False
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), server_default=" ", nullable=False))
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_tickets_search",
            "tickets",
            [sa.text("to_tsvector('simple', search_text)")],
            postgresql_using="gin",
        )
    now = datetime.now(UTC).replace(tzinfo=None)
    op.bulk_insert(
        outbox,
        [
            {
                "topic": "search.tickets_backfill",
                "payload": {"after_id": 0},
                "created_at": now,
                "available_at": now,
                "attempts": 0,
            }
        ],
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_tickets_search", table_name="tickets")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("search_text")
    op.drop_index(op.f("ix_search_documents_ref_id"), table_name="search_documents")
    op.drop_table("search_documents")
    op.drop_index("ix_outbox_due", table_name="outbox")
    op.drop_table("outbox")
