"""Deposit and withdrawal checks (on-chain self-service)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

One new table; upgrading writes no rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chain_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("verdict", sa.String(length=32), nullable=False),
        sa.Column("network", sa.String(length=64), nullable=True),
        sa.Column("asset", sa.String(length=32), nullable=True),
        sa.Column("reference", sa.String(length=128), nullable=True),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("requested_by", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_chain_checks_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_chain_checks_ticket_id_tickets"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_checks")),
    )
    op.create_index("ix_chain_checks_ticket", "chain_checks", ["ticket_id", "id"])
    op.create_index("ix_chain_checks_customer", "chain_checks", ["customer_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_chain_checks_customer", table_name="chain_checks")
    op.drop_index("ix_chain_checks_ticket", table_name="chain_checks")
    op.drop_table("chain_checks")
