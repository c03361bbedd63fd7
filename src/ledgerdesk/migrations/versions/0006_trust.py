"""Trust: the official-channel registry and the verification-check log

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22

Both tables are new, so the upgrade is plain DDL and the downgrade drops them in reverse
dependency order. The check log stores what was checked and the answer, never who asked.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=16)


def upgrade() -> None:
    op.create_table(
        "trust_channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            _enum("channelkind", "domain", "email", "telegram", "discord", "x", "phone"),
            nullable=False,
        ),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("deactivated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["agents.id"],
            name=op.f("fk_trust_channels_created_by_id_agents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trust_channels")),
        sa.UniqueConstraint("kind", "value", name="uq_trust_channels_kind_value"),
    )
    op.create_table(
        "trust_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("query", sa.String(length=500), nullable=False),
        sa.Column(
            "kind",
            _enum(
                "querykind",
                "url",
                "domain",
                "email",
                "telegram",
                "discord",
                "x",
                "handle",
                "phone",
                "unknown",
            ),
            nullable=False,
        ),
        sa.Column(
            "result", _enum("checkresult", "official", "not_official", "invalid"), nullable=False
        ),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=True),
        sa.Column("lookalike_of", sa.String(length=320), nullable=True),
        sa.Column("source", _enum("checksource", "web", "api"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["trust_channels.id"],
            name=op.f("fk_trust_checks_channel_id_trust_channels"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trust_checks")),
    )
    with op.batch_alter_table("trust_checks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_trust_checks_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            "ix_trust_checks_result_created", ["result", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("trust_checks", schema=None) as batch_op:
        batch_op.drop_index("ix_trust_checks_result_created")
        batch_op.drop_index(batch_op.f("ix_trust_checks_created_at"))
    op.drop_table("trust_checks")
    op.drop_table("trust_channels")
