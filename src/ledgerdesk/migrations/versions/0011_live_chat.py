"""Live chat: message sequence numbers and client ids, chat visitors and conversations

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-20

Every message gets ``seq`` (1, 2, 3... per ticket, in id order for the messages already there)
and every ticket ``last_seq`` (its highest seq). The numbering runs in batches of tickets and
can be re-run. ``messages.seq`` is added nullable and made NOT NULL after the backfill; on
SQLite, where changing a column means copying the table (and dropping ``messages`` would
cascade to its attachments), it is added NOT NULL with a default of 0 that the backfill
overwrites. Two new tables for the chat side.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000  # tickets numbered per statement

_NUMBER = sa.text(
    "UPDATE messages SET seq = numbered.n FROM ("
    " SELECT id, ROW_NUMBER() OVER (PARTITION BY ticket_id ORDER BY id) AS n"
    " FROM messages WHERE ticket_id >= :low AND ticket_id < :high"
    ") AS numbered WHERE messages.id = numbered.id"
)
_LAST = sa.text(
    "UPDATE tickets SET last_seq = COALESCE("
    " (SELECT MAX(seq) FROM messages WHERE messages.ticket_id = tickets.id), 0)"
    " WHERE id >= :low AND id < :high"
)


def _backfill() -> None:
    bind = op.get_bind()
    top = bind.execute(sa.text("SELECT MAX(id) FROM tickets")).scalar() or 0
    for low in range(0, top + 1, _BATCH):
        params = {"low": low, "high": low + _BATCH}
        bind.execute(_NUMBER, params)
        bind.execute(_LAST, params)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_seq", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("messages", schema=None) as batch_op:
        if sqlite:
            batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=False, server_default="0"))
        else:
            batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("client_id", sa.String(length=64), nullable=True))
    _backfill()
    if not sqlite:
        op.alter_column("messages", "seq", existing_type=sa.Integer(), nullable=False)
    op.create_index("ux_messages_ticket_seq", "messages", ["ticket_id", "seq"], unique=True)
    op.create_index(
        "ux_messages_ticket_client", "messages", ["ticket_id", "client_id"], unique=True
    )
    op.create_table(
        "chat_visitors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("identity", sa.String(length=16), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("pending_code_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_chat_visitors_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_visitors")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_chat_visitors_token_hash")),
    )
    op.create_table(
        "chat_conversations",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("visitor_id", sa.Integer(), nullable=True),
        sa.Column("opening_client_id", sa.String(length=64), nullable=True),
        sa.Column("customer_delivered_seq", sa.Integer(), nullable=False),
        sa.Column("customer_read_seq", sa.Integer(), nullable=False),
        sa.Column("agent_delivered_seq", sa.Integer(), nullable=False),
        sa.Column("agent_read_seq", sa.Integer(), nullable=False),
        sa.Column("page_url", sa.String(length=500), nullable=False),
        sa.Column("offline", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_chat_conversations_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visitor_id"],
            ["chat_visitors.id"],
            name=op.f("fk_chat_conversations_visitor_id_chat_visitors"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_chat_conversations")),
        sa.UniqueConstraint(
            "visitor_id",
            "opening_client_id",
            name=op.f("uq_chat_conversations_visitor_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("chat_conversations")
    op.drop_table("chat_visitors")
    op.drop_index("ux_messages_ticket_client", table_name="messages")
    op.drop_index("ux_messages_ticket_seq", table_name="messages")
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch copy of ``messages`` would
    # cascade the drop of the old table to the attachments.
    op.execute("ALTER TABLE messages DROP COLUMN client_id")
    op.execute("ALTER TABLE messages DROP COLUMN seq")
    op.execute("ALTER TABLE tickets DROP COLUMN last_seq")
