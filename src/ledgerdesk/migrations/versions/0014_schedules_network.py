"""Periodic job schedules, the chain network a ticket is about, and SLA clocks

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_schedules",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("next_run_at", sa.DateTime(), nullable=False),
        sa.Column("last_run_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    op.add_column("tickets", sa.Column("network", sa.String(length=32), nullable=True))
    op.create_table(
        "sla_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=True),
        sa.Column("target", sa.String(length=24), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("paused_at", sa.DateTime(), nullable=True),
        sa.Column("warned_at", sa.DateTime(), nullable=True),
        sa.Column("breached_at", sa.DateTime(), nullable=True),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sla_targets_ticket", "sla_targets", ["ticket_id", "target", "id"])
    op.create_index("ix_sla_targets_running", "sla_targets", ["completed_at", "due_at"])
    op.create_index("ix_sla_targets_started", "sla_targets", ["started_at"])


def downgrade() -> None:
    op.drop_table("sla_targets")
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch copy of ``tickets`` would
    # cascade the drop of the old table to its messages.
    op.execute("ALTER TABLE tickets DROP COLUMN network")
    op.drop_table("job_schedules")
