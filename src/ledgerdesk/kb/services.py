"""The knowledge base's writing side: checks, who may read which article, and writing
articles, their translations and versions, categories and sections. Every write goes through a
``do_*`` function here; each change to an article, its status or a translation queues a search
re-index (``search.article``) in the same transaction. The caller (route, job, CLI) owns the
commit.

Who may do what: every agent reads everything (drafts and internal articles too), creates
articles as drafts and edits content, translations and properties; only leads and admins
change an article's status (publish, unpublish, internal, archive) and restore old versions.
Customers and anonymous readers see published articles only.

Sibling modules: ``kb.feedback`` (readers' feedback, searches and clicks), ``kb.deflection``
(answering a portal question before a ticket) and ``kb.indexing`` (what the search index
reads).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import Actor, require_role
from ledgerdesk.ai.guard.storage import guard_text
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import Conflict, InvalidInput, InvalidTransition, NotFound, NotPermitted
from ledgerdesk.core.intents import INTENTS
from ledgerdesk.core.text import clean
from ledgerdesk.jobs.outbox import enqueue
from ledgerdesk.kb.models import (
    KB_LANGS,
    Article,
    ArticleStatus,
    ArticleTranslation,
    ArticleVersion,
    Category,
    Section,
)
from ledgerdesk.kb.render import check_placeholders

INDEX_TOPIC = "search.article"
MAX_SLUG = 80
MAX_TITLE = 300
MAX_BODY = 100_000
MAX_NOTE = 300
MAX_QUERY = 500
MAX_TAG = 64
MAX_TAGS = 30
MAX_LOGGED_IDS = 10  # article ids kept of a logged search or a deflection's suggestions
_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TAG_RE = re.compile(r"^[\w\-.:]+$", re.UNICODE)
PUBLIC_STATUSES = (ArticleStatus.published,)


# --- checks -----------------------------------------------------------------------------


def check_lang(value: str) -> str:
    """``en`` or ``zh-CN`` (``zh``, ``zh_CN``, ``zh-Hans`` are accepted for Chinese)."""
    low = value.strip().lower().replace("_", "-")
    if low == "en" or low.startswith("en-"):
        return "en"
    if low in ("zh", "zh-cn", "zh-hans", "zh-hans-cn"):
        return "zh-CN"
    raise InvalidInput(
        f"Unknown language '{clean(value)[:20]}': use one of {', '.join(KB_LANGS)}", field="lang"
    )


def check_slug(value: str) -> str:
    slug = value.strip()
    if not slug or len(slug) > MAX_SLUG or not _SLUG_RE.match(slug):
        raise InvalidInput(
            f"Article id '{clean(slug)[:80]}' is not valid: use lowercase letters, digits and "
            f"single hyphens (at most {MAX_SLUG} characters), e.g. deposit-not-credited",
            field="slug",
        )
    return slug


def check_intents(values: Sequence[str]) -> list[str]:
    unknown = [v for v in values if v not in INTENTS]
    if unknown:
        raise InvalidInput(
            f"Unknown intent '{clean(unknown[0])[:40]}'; known intents: {', '.join(INTENTS)}",
            field="intents",
        )
    return list(dict.fromkeys(values))


def check_tags(values: Sequence[str]) -> list[str]:
    tags: list[str] = []
    for raw in values:
        tag = raw.strip().lower()
        if not tag or len(tag) > MAX_TAG or not _TAG_RE.match(tag):
            raise InvalidInput(
                f"Tag '{clean(raw)[:80]}' is not valid: use letters, digits, '-', '_', '.', ':' "
                f"(at most {MAX_TAG})",
                field="tags",
            )
        tags.append(tag)
    tags = list(dict.fromkeys(tags))
    if len(tags) > MAX_TAGS:
        raise InvalidInput(f"At most {MAX_TAGS} tags per article", field="tags")
    return tags


def check_title(value: str) -> str:
    title = " ".join(clean(value).split())
    if not title:
        raise InvalidInput("Title must not be empty", field="title")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"Title is longer than {MAX_TITLE} characters", field="title")
    return title


def check_body(value: str, known: dict[str, str] | None = None) -> str:
    """The body with control characters removed and line ends normalised; every placeholder
    must have a value, so a typo never reaches readers as ``{{ confirmations.BTX }}``."""
    body = clean(value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not body:
        raise InvalidInput("Body must not be empty", field="body")
    if len(body) > MAX_BODY:
        raise InvalidInput(f"Body is longer than {MAX_BODY} characters", field="body")
    unknown = check_placeholders(body, known)
    if unknown:
        raise InvalidInput(
            "Unknown placeholder " + ", ".join("{{ " + name + " }}" for name in unknown),
            field="body",
        )
    return body


def check_query(value: str) -> str:
    """A search query with control characters removed and spaces collapsed; may be empty."""
    query = " ".join(clean(value).split())
    if len(query) > MAX_QUERY:
        raise InvalidInput(
            f"Search query is longer than {MAX_QUERY} characters; shorten it", field="q"
        )
    return query


# --- access -----------------------------------------------------------------------------


def sees_all_articles(actor: Actor | None) -> bool:
    return actor is not None and (actor.is_agent or actor.kind == "system")


def visible_statuses(actor: Actor | None) -> tuple[ArticleStatus, ...]:
    return tuple(ArticleStatus) if sees_all_articles(actor) else PUBLIC_STATUSES


def access_article(session: Session, actor: Actor | None, slug: str) -> Article:
    """The article with this slug, if ``actor`` may read it; unknown and hidden answer 404."""
    article = session.scalar(
        select(Article).where(Article.slug == slug, Article.status.in_(visible_statuses(actor)))
    )
    if article is None:
        raise NotFound(f"Article '{clean(slug)[:80]}' not found")
    return article


def access_article_id(session: Session, actor: Actor | None, article_id: int) -> Article:
    article = session.get(Article, article_id)
    if article is None or article.status not in visible_statuses(actor):
        raise NotFound(f"Article {article_id} not found")
    return article


def _require_agent(actor: Actor) -> None:
    if not (actor.is_agent or actor.kind == "system"):
        raise NotPermitted("Only agents can edit the knowledge base")


def require_editor(actor: Actor) -> None:
    """Publishing, unpublishing, archiving and restoring are for leads and admins."""
    require_role(actor, Role.lead, Role.admin)


def can_edit_status(actor: Actor) -> bool:
    return actor.kind == "system" or (actor.is_agent and actor.role in (Role.lead, Role.admin))


def _author(actor: Actor) -> int | None:
    return actor.id if actor.is_agent else None


def get_section(session: Session, section_id: int) -> Section:
    section = session.get(Section, section_id)
    if section is None:
        raise InvalidInput(f"Section {section_id} does not exist", field="section_id")
    return section


# --- articles and translations ----------------------------------------------------------


def _changed(session: Session, article: Article) -> None:
    """Every change ends here: touch the article and queue its re-index in this transaction."""
    article.updated_at = utcnow()
    enqueue(session, INDEX_TOPIC, {"article_id": article.id})


@dataclass
class NewArticle:
    slug: str
    section_id: int
    lang: str
    title: str
    body: str
    status: ArticleStatus = ArticleStatus.draft
    intents: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    note: str = ""


def do_create_article(session: Session, actor: Actor, data: NewArticle) -> Article:
    """A new article with its first translation (version 1). Agents create drafts; only leads
    and admins create it directly in another status."""
    _require_agent(actor)
    if data.status != ArticleStatus.draft:
        require_editor(actor)
    slug = check_slug(data.slug)
    lang = check_lang(data.lang)
    title, body = check_title(data.title), check_body(data.body)
    intents, tags = check_intents(data.intents), check_tags(data.tags)
    section = get_section(session, data.section_id)
    if session.scalar(select(Article.id).where(Article.slug == slug)) is not None:
        raise Conflict(f"An article with id '{slug}' already exists", field="slug")
    now = utcnow()
    article = Article(
        slug=slug,
        section_id=section.id,
        status=data.status,
        intents=intents,
        tags=tags,
        created_at=now,
        updated_at=now,
        published_at=now if data.status == ArticleStatus.published else None,
        created_by_id=_author(actor),
    )
    session.add(article)
    session.flush()
    _write_translation(session, actor, article, lang, title, body, data.note or "Created")
    _changed(session, article)
    return article


def translation_of(article: Article, lang: str) -> ArticleTranslation | None:
    return next((t for t in article.translations if t.lang == lang), None)


def _write_translation(
    session: Session,
    actor: Actor,
    article: Article,
    lang: str,
    title: str,
    body: str,
    note: str,
) -> ArticleVersion:
    """Store checked text as the translation's next version (creating the translation)."""
    title, body = guard_text(title), guard_text(body)  # scanned once for both rows
    now = utcnow()
    current = translation_of(article, lang)
    if current is None:
        current = ArticleTranslation(lang=lang, title=title, body=body, version=1, updated_at=now)
        article.translations.append(current)
    else:
        current.title, current.body, current.version = title, body, current.version + 1
        current.updated_at = now
    current.updated_by_id = _author(actor)
    version = ArticleVersion(
        article_id=article.id,
        lang=lang,
        number=current.version,
        title=title,
        body=body,
        author_id=_author(actor),
        note=clean(note).strip()[:MAX_NOTE],
        created_at=now,
    )
    session.add(version)
    session.flush()
    return version


def do_save_translation(
    session: Session,
    actor: Actor,
    article: Article,
    lang: str,
    title: str,
    body: str,
    note: str = "",
) -> ArticleVersion | None:
    """Save one language's title and body as a new version; an unchanged save writes nothing
    and returns ``None``."""
    _require_agent(actor)
    lang = check_lang(lang)
    title, body = check_title(title), check_body(body)
    current = translation_of(article, lang)
    if current is not None and current.title == title and current.body == body:
        return None
    version = _write_translation(session, actor, article, lang, title, body, note)
    _changed(session, article)
    return version


@dataclass
class ArticleChanges:
    """Properties to change; ``None`` leaves one as it is."""

    section_id: int | None = None
    intents: list[str] | None = None
    tags: list[str] | None = None


def do_update_article(
    session: Session, actor: Actor, article: Article, changes: ArticleChanges
) -> bool:
    """Change section, intents or tags; returns whether anything changed."""
    _require_agent(actor)
    changed = False
    if changes.section_id is not None and changes.section_id != article.section_id:
        article.section_id = get_section(session, changes.section_id).id
        session.expire(article, ["section"])
        changed = True
    if changes.intents is not None:
        intents = check_intents(changes.intents)
        if intents != list(article.intents):
            article.intents, changed = intents, True
    if changes.tags is not None:
        tags = check_tags(changes.tags)
        if tags != list(article.tags):
            article.tags, changed = tags, True
    if changed:
        _changed(session, article)
    return changed


def do_set_status(session: Session, actor: Actor, article: Article, status: ArticleStatus) -> bool:
    """Publish, unpublish (back to draft), mark internal or archive. Leads and admins only."""
    require_editor(actor)
    if status == article.status:
        return False
    if status == ArticleStatus.published and not article.translations:
        raise InvalidTransition("An article without any text cannot be published")
    article.status = status
    if status == ArticleStatus.published:
        article.published_at = utcnow()
    _changed(session, article)
    return True


def access_version(session: Session, article: Article, version_id: int) -> ArticleVersion:
    version = session.get(ArticleVersion, version_id)
    if version is None or version.article_id != article.id:
        raise NotFound(f"Version {version_id} of article '{article.slug}' not found")
    return version


def do_restore_version(
    session: Session, actor: Actor, article: Article, version_id: int
) -> ArticleVersion:
    """Bring back an old version's text as a NEW version authored by ``actor``; the history
    keeps everything in between."""
    require_editor(actor)
    old = access_version(session, article, version_id)
    current = translation_of(article, old.lang)
    if current is not None and current.title == old.title and current.body == old.body:
        raise Conflict(f"Version {old.number} is already the current text of this translation")
    version = _write_translation(
        session, actor, article, old.lang, old.title, old.body, f"Restored version {old.number}"
    )
    _changed(session, article)
    return version


# --- categories and sections (the importer keeps them in step with categories.json) -----


def do_upsert_category(
    session: Session,
    actor: Actor,
    slug: str,
    *,
    name: dict[str, str],
    description: dict[str, str] | None = None,
    position: int = 0,
) -> Category:
    require_editor(actor)
    slug = check_slug(slug)
    category = session.scalar(select(Category).where(Category.slug == slug))
    if category is None:
        category = Category(slug=slug)
        session.add(category)
    category.name = _names(name, slug)
    category.description = _names(description or {}, "", allow_empty=True)
    category.position = position
    session.flush()
    return category


def do_upsert_section(
    session: Session,
    actor: Actor,
    category: Category,
    slug: str,
    *,
    name: dict[str, str],
    position: int = 0,
) -> Section:
    require_editor(actor)
    slug = check_slug(slug)
    section = session.scalar(select(Section).where(Section.slug == slug))
    if section is None:
        section = Section(slug=slug, category_id=category.id)
        session.add(section)
    section.category_id = category.id
    section.name = _names(name, slug)
    section.position = position
    session.flush()
    session.expire(category, ["sections"])
    return section


def _names(names: dict[str, Any], fallback: str, allow_empty: bool = False) -> dict[str, str]:
    """``{lang: text}`` with known languages only; the fallback fills an empty mapping."""
    out = {check_lang(k): " ".join(clean(str(v)).split())[:300] for k, v in names.items()}
    out = {k: v for k, v in out.items() if v}
    if not out and not allow_empty:
        out = {"en": fallback}
    return out
