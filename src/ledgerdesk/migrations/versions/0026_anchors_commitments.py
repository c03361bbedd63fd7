"""On-chain anchors of tree heads and complaint commitments

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "log_anchors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("network", sa.String(length=64), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_log_anchors"),
    )
    op.create_index("ix_log_anchors_status_size", "log_anchors", ["status", "tree_size"])
    op.create_table(
        "case_commitments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=True),
        sa.Column("case_hash", sa.String(length=64), nullable=False),
        sa.Column("ack_hash", sa.String(length=64), nullable=False),
        sa.Column("deadline", sa.BigInteger(), nullable=False),
        sa.Column("payout", sa.String(length=42), nullable=True),
        sa.Column("compensation", sa.String(length=80), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("register_tx", sa.String(length=66), nullable=True),
        sa.Column("register_block", sa.BigInteger(), nullable=True),
        sa.Column("resolution_hash", sa.String(length=64), nullable=True),
        sa.Column("resolve_tx", sa.String(length=66), nullable=True),
        sa.Column("resolve_block", sa.BigInteger(), nullable=True),
        sa.Column("breach_tx", sa.String(length=66), nullable=True),
        sa.Column("paid", sa.String(length=80), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name="fk_case_commitments_case_id_cases"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_case_commitments"),
        sa.UniqueConstraint("case_id", name="uq_case_commitments_case_id"),
    )


def downgrade() -> None:
    op.drop_table("case_commitments")
    op.drop_index("ix_log_anchors_status_size", table_name="log_anchors")
    op.drop_table("log_anchors")
