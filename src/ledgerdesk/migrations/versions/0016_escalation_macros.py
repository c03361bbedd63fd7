"""Tiered escalation (teams' next tier, where an escalated ticket came from, the routing
rules' escalate action) and macros

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain column (the service checks the team): a foreign key would need SQLite's batch
    # copy of ``teams``, whose DROP of the old table cascades to every team membership.
    op.add_column("teams", sa.Column("escalation_team_id", sa.Integer(), nullable=True))
    op.add_column(
        "routing_rules",
        sa.Column("escalate", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "ticket_escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("from_team_id", sa.Integer(), nullable=True),
        sa.Column("to_team_id", sa.Integer(), nullable=True),
        sa.Column("from_tier", sa.String(length=16), nullable=True),
        sa.Column("to_tier", sa.String(length=16), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("returned_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name="fk_ticket_escalations_ticket_id_tickets",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["from_team_id"],
            ["teams.id"],
            name="fk_ticket_escalations_from_team_id_teams",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["to_team_id"],
            ["teams.id"],
            name="fk_ticket_escalations_to_team_id_teams",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_ticket_escalations"),
    )
    op.create_index("ix_ticket_escalations_ticket", "ticket_escalations", ["ticket_id", "id"])
    op.create_table(
        "macros",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=False),
        sa.Column("body_zh", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["agents.id"], name="fk_macros_owner_id_agents", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name="fk_macros_team_id_teams", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["agents.id"],
            name="fk_macros_created_by_id_agents",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_macros"),
    )
    op.create_index("ix_macros_owner_name", "macros", ["owner_id", "name"])


def downgrade() -> None:
    op.drop_table("macros")
    op.drop_table("ticket_escalations")
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+), never a batch copy (see upgrade).
    op.execute("ALTER TABLE routing_rules DROP COLUMN escalate")
    op.execute("ALTER TABLE teams DROP COLUMN escalation_team_id")
