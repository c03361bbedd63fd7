"""Jobs on a task queue: the outbox keeps the request id, a dead-letter time and the relay's
last re-send

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_MAX_ATTEMPTS = 12  # jobs.outbox.MAX_ATTEMPTS when this migration was written


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("request_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("dead_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("relayed_at", sa.DateTime(), nullable=True))
    # Jobs that had used up their attempts were silently skipped until now: they become dead
    # letters, visible to admins.
    op.execute(
        sa.text(
            "UPDATE outbox SET dead_at = available_at WHERE attempts >= :max AND dead_at IS NULL"
        ).bindparams(max=_OLD_MAX_ATTEMPTS)
    )


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("relayed_at")
        batch.drop_column("dead_at")
        batch.drop_column("request_id")
