"""Transparency log: leaves, stored Merkle nodes, signed tree heads, signing keys, cursors

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_APPEND_ONLY = ("log_leaves", "log_nodes", "log_heads", "log_keys")

_PG_REFUSE = """
CREATE OR REPLACE FUNCTION transparency_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the transparency log is append-only';
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "log_leaves",
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.BigInteger(), nullable=False),
        sa.Column("salt", sa.String(length=32), nullable=True),
        sa.Column("appended_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("idx", name="pk_log_leaves"),
        sa.UniqueConstraint("source", "source_id", name="uq_log_leaves_source"),
    )
    op.create_table(
        "log_nodes",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name="pk_log_nodes"),
    )
    op.create_index(
        "ix_log_nodes_leaf_hash",
        "log_nodes",
        ["hash"],
        postgresql_where=sa.text("level = 0"),
        sqlite_where=sa.text("level = 0"),
    )
    op.create_table(
        "log_heads",
        sa.Column("tree_size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("tree_size", name="pk_log_heads"),
    )
    op.create_index("ix_log_heads_timestamp", "log_heads", ["timestamp"])
    op.create_table(
        "log_keys",
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key_id", name="pk_log_keys"),
        sa.UniqueConstraint("public_key", name="uq_log_keys_public_key"),
    )
    op.create_table(
        "log_cursors",
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("low_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("source", name="pk_log_cursors"),
    )
    # Append-only in the database too, whatever client writes to it.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_REFUSE)
        for table in _APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION transparency_log_append_only()"
            )
    else:
        for table in _APPEND_ONLY:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    "BEGIN SELECT RAISE(ABORT, 'the transparency log is append-only'); END"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS transparency_log_append_only()")
    op.drop_table("log_cursors")
    op.drop_table("log_keys")
    op.drop_index("ix_log_heads_timestamp", table_name="log_heads")
    op.drop_table("log_heads")
    op.drop_index("ix_log_nodes_leaf_hash", table_name="log_nodes")
    op.drop_table("log_nodes")
    op.drop_table("log_leaves")
