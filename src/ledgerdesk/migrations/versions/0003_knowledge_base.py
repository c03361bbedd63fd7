"""Knowledge base: categories, sections, articles with translations and versions, feedback,
search logs and clicks, deflection attempts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

Every table is new, so the upgrade is plain DDL and the downgrade drops them in reverse
dependency order.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kb_categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_categories")),
        sa.UniqueConstraint("slug", name=op.f("uq_kb_categories_slug")),
    )
    op.create_table(
        "kb_search_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("query", sa.String(length=500), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "help",
                "portal",
                "console",
                "api",
                name="searchsource",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("result_count", sa.Integer(), nullable=False),
        sa.Column("top_article_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_search_logs")),
    )
    with op.batch_alter_table("kb_search_logs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kb_search_logs_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "kb_sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["kb_categories.id"],
            name=op.f("fk_kb_sections_category_id_kb_categories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_sections")),
        sa.UniqueConstraint("slug", name=op.f("uq_kb_sections_slug")),
    )
    with op.batch_alter_table("kb_sections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kb_sections_category_id"), ["category_id"], unique=False
        )

    op.create_table(
        "kb_articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "published",
                "internal",
                "archived",
                name="articlestatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("intents", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["agents.id"],
            name=op.f("fk_kb_articles_created_by_id_agents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["section_id"], ["kb_sections.id"], name=op.f("fk_kb_articles_section_id_kb_sections")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_articles")),
        sa.UniqueConstraint("slug", name=op.f("uq_kb_articles_slug")),
    )
    with op.batch_alter_table("kb_articles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kb_articles_section_id"), ["section_id"], unique=False)
        batch_op.create_index(
            "ix_kb_articles_status_updated", ["status", "updated_at"], unique=False
        )

    op.create_table(
        "kb_deflections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("suggested_article_ids", sa.JSON(), nullable=False),
        sa.Column("clicked_article_id", sa.Integer(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "open",
                "deflected",
                "ticket_created",
                name="deflectionoutcome",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clicked_article_id"],
            ["kb_articles.id"],
            name=op.f("fk_kb_deflections_clicked_article_id_kb_articles"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_kb_deflections_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_kb_deflections_ticket_id_tickets"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_deflections")),
        sa.UniqueConstraint("token", name=op.f("uq_kb_deflections_token")),
    )
    with op.batch_alter_table("kb_deflections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kb_deflections_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "kb_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "outdated",
                "unclear",
                "did_not_solve",
                "missing_steps",
                "other",
                name="feedbackreason",
                native_enum=False,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["kb_articles.id"],
            name=op.f("fk_kb_feedback_article_id_kb_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_feedback")),
    )
    with op.batch_alter_table("kb_feedback", schema=None) as batch_op:
        batch_op.create_index(
            "ix_kb_feedback_article_created", ["article_id", "created_at"], unique=False
        )

    op.create_table(
        "kb_search_clicks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("search_log_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["kb_articles.id"],
            name=op.f("fk_kb_search_clicks_article_id_kb_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["search_log_id"],
            ["kb_search_logs.id"],
            name=op.f("fk_kb_search_clicks_search_log_id_kb_search_logs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_search_clicks")),
    )
    with op.batch_alter_table("kb_search_clicks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kb_search_clicks_article_id"), ["article_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_kb_search_clicks_search_log_id"), ["search_log_id"], unique=False
        )

    op.create_table(
        "kb_translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["kb_articles.id"],
            name=op.f("fk_kb_translations_article_id_kb_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["agents.id"],
            name=op.f("fk_kb_translations_updated_by_id_agents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_translations")),
        sa.UniqueConstraint("article_id", "lang", name="uq_kb_translations_article_lang"),
    )
    op.create_table(
        "kb_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["kb_articles.id"],
            name=op.f("fk_kb_versions_article_id_kb_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["agents.id"],
            name=op.f("fk_kb_versions_author_id_agents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_versions")),
        sa.UniqueConstraint(
            "article_id", "lang", "number", name="uq_kb_versions_article_lang_number"
        ),
    )


def downgrade() -> None:
    op.drop_table("kb_versions")
    op.drop_table("kb_translations")
    with op.batch_alter_table("kb_search_clicks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kb_search_clicks_search_log_id"))
        batch_op.drop_index(batch_op.f("ix_kb_search_clicks_article_id"))

    op.drop_table("kb_search_clicks")
    with op.batch_alter_table("kb_feedback", schema=None) as batch_op:
        batch_op.drop_index("ix_kb_feedback_article_created")

    op.drop_table("kb_feedback")
    with op.batch_alter_table("kb_deflections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kb_deflections_created_at"))

    op.drop_table("kb_deflections")
    with op.batch_alter_table("kb_articles", schema=None) as batch_op:
        batch_op.drop_index("ix_kb_articles_status_updated")
        batch_op.drop_index(batch_op.f("ix_kb_articles_section_id"))

    op.drop_table("kb_articles")
    with op.batch_alter_table("kb_sections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kb_sections_category_id"))

    op.drop_table("kb_sections")
    with op.batch_alter_table("kb_search_logs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kb_search_logs_created_at"))

    op.drop_table("kb_search_logs")
    op.drop_table("kb_categories")
