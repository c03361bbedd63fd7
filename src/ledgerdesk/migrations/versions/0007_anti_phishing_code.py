"""Customers' anti-phishing code, shown at the top of every e-mail the desk sends them

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22

Both columns are nullable and start empty: no customer has a code until they set one in the
portal (``/portal/security``), so upgrading writes no rows and is instant on any size.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("anti_phishing_code", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("anti_phishing_code_set_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("anti_phishing_code_set_at")
        batch_op.drop_column("anti_phishing_code")
