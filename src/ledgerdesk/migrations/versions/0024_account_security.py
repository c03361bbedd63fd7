"""Account security: security requests (lock, 2FA reset) and their append-only steps

Revision ID: 0024
Revises: 0021
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "security_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("exchange_customer_id", sa.String(length=128), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("new_contact", sa.String(length=320), nullable=True),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("code_expires_at", sa.DateTime(), nullable=True),
        sa.Column("code_attempts", sa.Integer(), nullable=False),
        sa.Column("failed_checks", sa.Integer(), nullable=False),
        sa.Column("locked_at", sa.DateTime(), nullable=True),
        sa.Column("reset_id", sa.String(length=64), nullable=True),
        sa.Column("hold_until", sa.DateTime(), nullable=True),
        sa.Column("cancel_nonce", sa.String(length=32), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name="fk_security_requests_customer_id_customers"
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name="fk_security_requests_ticket_id_tickets"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_security_requests"),
    )
    op.create_index(
        "ix_security_requests_account",
        "security_requests",
        ["exchange_customer_id", "kind", "status"],
    )
    op.create_table(
        "security_request_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=48), nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["security_requests.id"],
            name="fk_security_request_steps_request_id_security_requests",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_security_request_steps"),
    )
    op.create_index(
        "ix_security_request_steps_request", "security_request_steps", ["request_id", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_security_request_steps_request", table_name="security_request_steps")
    op.drop_table("security_request_steps")
    op.drop_index("ix_security_requests_account", table_name="security_requests")
    op.drop_table("security_requests")
