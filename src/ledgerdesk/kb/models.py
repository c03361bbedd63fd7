"""Knowledge-base tables. Every change to these rows goes through a ``do_*`` function of
``kb.services``, ``kb.feedback`` or ``kb.deflection``."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledgerdesk.ai.guard.storage import GuardedJSON, GuardedLongText, GuardedString
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import Base, db_enum

# Languages an article can be written in (the UI locales).
KB_LANGS: tuple[str, ...] = ("en", "zh-CN")


class ArticleStatus(enum.StrEnum):
    draft = "draft"
    published = "published"
    internal = "internal"  # agents only
    archived = "archived"


class FeedbackReason(enum.StrEnum):
    outdated = "outdated"
    unclear = "unclear"
    did_not_solve = "did_not_solve"
    missing_steps = "missing_steps"
    other = "other"


class SearchSource(enum.StrEnum):
    help = "help"
    portal = "portal"
    console = "console"
    api = "api"


class DeflectionOutcome(enum.StrEnum):
    open = "open"
    deflected = "deflected"
    ticket_created = "ticket_created"


class Category(Base):
    """A top-level group of the help center. ``name``/``description`` are ``{lang: text}``."""

    __tablename__ = "kb_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[dict[str, str]] = mapped_column(GuardedJSON, default=dict)
    description: Mapped[dict[str, str]] = mapped_column(GuardedJSON, default=dict)

    sections: Mapped[list[Section]] = relationship(
        back_populates="category", order_by="Section.position, Section.id"
    )


class Section(Base):
    __tablename__ = "kb_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("kb_categories.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[dict[str, str]] = mapped_column(GuardedJSON, default=dict)

    category: Mapped[Category] = relationship(back_populates="sections", lazy="joined")


class Article(Base):
    """One help article; its text lives in one translation per language.
    ``slug`` is the stable external id (``deposit-not-credited``) used in URLs and imports."""

    __tablename__ = "kb_articles"
    __table_args__ = (Index("ix_kb_articles_status_updated", "status", "updated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("kb_sections.id"), index=True)
    status: Mapped[ArticleStatus] = mapped_column(
        db_enum(ArticleStatus), default=ArticleStatus.draft
    )
    intents: Mapped[list[str]] = mapped_column(GuardedJSON, default=list)
    tags: Mapped[list[str]] = mapped_column(GuardedJSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None
    )

    section: Mapped[Section] = relationship(lazy="joined")
    translations: Mapped[list[ArticleTranslation]] = relationship(
        lazy="selectin", order_by="ArticleTranslation.lang", back_populates="article"
    )


class ArticleTranslation(Base):
    """The current text of an article in one language; ``version`` is its latest version."""

    __tablename__ = "kb_translations"
    __table_args__ = (
        UniqueConstraint("article_id", "lang", name="uq_kb_translations_article_lang"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(GuardedString(300))
    body: Mapped[str] = mapped_column(GuardedLongText)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None
    )

    article: Mapped[Article] = relationship(back_populates="translations")


class ArticleVersion(Base):
    """An immutable snapshot of one translation, written on every save that changed it."""

    __tablename__ = "kb_versions"
    __table_args__ = (
        UniqueConstraint("article_id", "lang", "number", name="uq_kb_versions_article_lang_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(16))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(GuardedString(300))
    body: Mapped[str] = mapped_column(GuardedLongText)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None
    )
    note: Mapped[str] = mapped_column(GuardedString(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Feedback(Base):
    """A reader's "was this helpful?" answer, with an optional reason and comment."""

    __tablename__ = "kb_feedback"
    __table_args__ = (Index("ix_kb_feedback_article_created", "article_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(16))
    helpful: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[FeedbackReason | None] = mapped_column(db_enum(FeedbackReason), default=None)
    comment: Mapped[str] = mapped_column(GuardedLongText, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SearchLog(Base):
    """One finished search: what was asked, where, and which articles came back."""

    __tablename__ = "kb_search_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(GuardedString(500))
    lang: Mapped[str] = mapped_column(String(16))
    source: Mapped[SearchSource] = mapped_column(db_enum(SearchSource))
    result_count: Mapped[int] = mapped_column(Integer)
    top_article_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class SearchClick(Base):
    """A result the searcher opened; ``position`` counts from 1."""

    __tablename__ = "kb_search_clicks"

    id: Mapped[int] = mapped_column(primary_key=True)
    search_log_id: Mapped[int] = mapped_column(
        ForeignKey("kb_search_logs.id", ondelete="CASCADE"), index=True
    )
    article_id: Mapped[int] = mapped_column(
        ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeflectionAttempt(Base):
    """Articles suggested before a ticket is opened, and whether they answered the question.
    ``token`` identifies the attempt to the (anonymous) browser or widget."""

    __tablename__ = "kb_deflections"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), default=None
    )
    query: Mapped[str] = mapped_column(GuardedLongText)
    suggested_article_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    clicked_article_id: Mapped[int | None] = mapped_column(
        ForeignKey("kb_articles.id", ondelete="SET NULL"), default=None
    )
    outcome: Mapped[DeflectionOutcome] = mapped_column(
        db_enum(DeflectionOutcome), default=DeflectionOutcome.open
    )
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
