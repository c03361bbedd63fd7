"""SLA policies: business calendars and holidays, a calendar per team, policies, and two
columns of the SLA clocks (time spent paused, when the warning is due)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sla_calendars",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("hours", sa.String(length=400), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "sla_holidays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("calendar_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["calendar_id"], ["sla_calendars.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("calendar_id", "day"),
    )
    op.create_table(
        "sla_team_calendars",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("calendar_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["calendar_id"], ["sla_calendars.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("team_id"),
    )
    op.create_table(
        "sla_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("priorities", sa.JSON(), nullable=False),
        sa.Column("intents", sa.JSON(), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("team_ids", sa.JSON(), nullable=False),
        sa.Column("vip", sa.Boolean(), nullable=True),
        sa.Column("first_reply", sa.Integer(), nullable=True),
        sa.Column("next_reply", sa.Integer(), nullable=True),
        sa.Column("periodic_update", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.Integer(), nullable=True),
        sa.Column("hours", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sla_targets") as batch:
        batch.add_column(
            sa.Column("paused_seconds", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(sa.Column("warn_at", sa.DateTime(), nullable=True))
    op.create_index("ix_sla_targets_warn", "sla_targets", ["completed_at", "warn_at"])


def downgrade() -> None:
    op.drop_index("ix_sla_targets_warn", table_name="sla_targets")
    with op.batch_alter_table("sla_targets") as batch:
        batch.drop_column("warn_at")
        batch.drop_column("paused_seconds")
    op.drop_table("sla_policies")
    op.drop_table("sla_team_calendars")
    op.drop_table("sla_holidays")
    op.drop_table("sla_calendars")
