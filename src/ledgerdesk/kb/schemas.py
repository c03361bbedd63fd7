"""API shapes for the knowledge base: separate input and output models, unknown fields refused."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ledgerdesk.core.types import StrictBool, UtcDateTime
from ledgerdesk.kb.models import ArticleStatus, FeedbackReason

ApiLang = Literal["en", "zh", "zh-CN"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FeedbackCreate(_In):
    lang: ApiLang = Field(description="Language of the translation the reader saw")
    helpful: StrictBool
    reason: FeedbackReason | None = Field(
        default=None, description="Only when not helpful: why the article did not help"
    )
    comment: str = Field(default="", max_length=1000)


class FeedbackPublic(BaseModel):
    id: int
    article_id: int
    lang: str
    helpful: bool
    reason: FeedbackReason | None
    created_at: UtcDateTime


class TranslationPublic(BaseModel):
    lang: str
    title: str
    body: str = Field(description="Markdown source, placeholders filled in")
    html: str = Field(description="Rendered, safe HTML")
    version: int
    updated_at: UtcDateTime


class ArticleSummary(BaseModel):
    id: int
    slug: str
    status: ArticleStatus
    title: str
    lang: str = Field(description="Language of ``title``")
    languages: list[str]
    category: str
    section: str
    intents: list[str]
    tags: list[str]
    url: str
    updated_at: UtcDateTime
    published_at: UtcDateTime | None


class ArticleDetail(ArticleSummary):
    translations: list[TranslationPublic]


class ArticlePage(BaseModel):
    items: list[ArticleSummary]
    total: int
    page: int
    per_page: int


class SearchResult(BaseModel):
    article_id: int
    slug: str
    lang: str
    title: str
    score: float
    url: str


class SearchResults(BaseModel):
    query: str
    lang: str | None
    search_id: int | None = Field(description="Id of the logged search; null for empty queries")
    items: list[SearchResult]
