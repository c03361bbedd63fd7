"""The assistant: one row per assistant reply

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

``assistant_replies`` keeps what each reply was built from and how it ended. Messages and
events gain the author kind ``assistant``; they are VARCHAR columns, so no change is needed.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assistant_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("question_message_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=True),
        sa.Column("citations", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("backend", sa.String(length=32), nullable=False),
        sa.Column("model", sa.String(length=120), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("check", sa.JSON(), nullable=False),
        sa.Column("tool", sa.JSON(), nullable=True),
        sa.Column("asked_feedback", sa.Boolean(), nullable=False),
        sa.Column("lock_offered", sa.Boolean(), nullable=False),
        sa.Column("feedback", sa.String(length=8), nullable=True),
        sa.Column("feedback_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_assistant_replies_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_assistant_replies_message_id_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["question_message_id"],
            ["messages.id"],
            name=op.f("fk_assistant_replies_question_message_id_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_assistant_replies_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistant_replies")),
    )
    op.create_index("ix_assistant_replies_ticket", "assistant_replies", ["ticket_id", "id"])
    op.create_index("ix_assistant_replies_created", "assistant_replies", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_assistant_replies_created", table_name="assistant_replies")
    op.drop_index("ix_assistant_replies_ticket", table_name="assistant_replies")
    op.drop_table("assistant_replies")
