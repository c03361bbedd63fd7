"""Cases: the reported-address watchlist

Revision ID: 0023
Revises: 0021
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "watchlist_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("network", sa.String(length=32), nullable=True),
        sa.Column("value", sa.String(length=600), nullable=False),
        sa.Column("match_key", sa.String(length=600), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("source", sa.String(length=120), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("deactivated_at", sa.DateTime(), nullable=True),
        sa.Column("deactivated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name="fk_watchlist_entries_case_id_cases",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["agents.id"],
            name="fk_watchlist_entries_added_by_id_agents",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deactivated_by_id"],
            ["agents.id"],
            name="fk_watchlist_entries_deactivated_by_id_agents",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_watchlist_entries"),
        sa.UniqueConstraint("kind", "match_key", name="uq_watchlist_entries_kind_key"),
    )
    op.create_index("ix_watchlist_entries_key_active", "watchlist_entries", ["match_key", "active"])


def downgrade() -> None:
    op.drop_index("ix_watchlist_entries_key_active", table_name="watchlist_entries")
    op.drop_table("watchlist_entries")
