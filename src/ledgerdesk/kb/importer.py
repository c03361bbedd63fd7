"""Import and export the knowledge base as files.

Two input formats:

* a folder of Markdown files with YAML front matter (``id``, ``lang``, ``title``, ``category``,
  ``section``, ``status``, ``intents``, ``tags``), one file per translation, with an optional
  ``categories.json`` at the folder's root that defines categories and sections;
* a JSON-lines file, one ``{"id", "lang", "title", "body"}`` object per line (``category``,
  ``section``, ``status``, ``intents``, ``tags`` optional); a ``.json`` file holding one
  array of such objects is read the same way.

Imports are idempotent by id and language: an unchanged translation writes nothing, a
changed one becomes a new version. Each file (or line) is checked and applied on its own, in
a savepoint: a bad one is reported with the reason and the rest still goes in. The caller
owns the transaction. ``export_path`` writes the folder layout, which imports back unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ledgerdesk.accounts.services import Actor
from ledgerdesk.core.errors import DomainError, InvalidInput
from ledgerdesk.kb import services as svc
from ledgerdesk.kb.models import Article, ArticleStatus, Category, Section
from ledgerdesk.kb.render import variables

CATEGORIES_FILE = "categories.json"
ARTICLES_DIR = "articles"
GENERAL = "general"
GENERAL_NAMES = {"en": "General", "zh-CN": "综合"}
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportIssue:
    source: str  # a file path relative to the import root, or "line N"
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


@dataclass
class ImportReport:
    articles_created: int = 0
    translations_created: int = 0
    translations_updated: int = 0
    unchanged: int = 0
    categories: int = 0
    sections: int = 0
    errors: list[ImportIssue] = field(default_factory=list)
    warnings: list[ImportIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def imported(self) -> int:
        return self.translations_created + self.translations_updated + self.unchanged


class BadEntry(Exception):
    """One file or line that cannot be imported; the message says why."""


@dataclass(frozen=True)
class Entry:
    """One translation to import, checked."""

    source: str
    slug: str
    lang: str
    title: str
    body: str
    category: str | None
    section: str | None
    status: ArticleStatus | None
    intents: list[str] | None
    tags: list[str] | None


# --- parsing ----------------------------------------------------------------------------


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        raise BadEntry(f"not valid UTF-8 (byte {exc.start}); save the file as UTF-8") from None


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """The YAML front matter (between two ``---`` lines) and the Markdown body after it."""
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        raise BadEntry("no front matter: the file must start with a '---' line")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        raise BadEntry("the front matter is not closed by a '---' line")
    try:
        meta = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as exc:
        raise BadEntry(f"bad YAML in the front matter: {_yaml_reason(exc)}") from None
    if not isinstance(meta, dict):
        raise BadEntry("the front matter must be a mapping of fields (id: …, lang: …)")
    return meta, "\n".join(lines[end + 1 :])


def _yaml_reason(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        # +2: the mark counts from 0 inside the front matter, which starts on the file's line 2
        return f"{exc.problem} (line {exc.problem_mark.line + 2})"
    return str(exc).splitlines()[0]


def _text(meta: dict[str, Any], name: str, *, required: bool) -> str | None:
    value = meta.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise BadEntry(f"missing field '{name}'")
        return None
    if not isinstance(value, str | int | float):
        raise BadEntry(f"field '{name}' must be text")
    return str(value)


def _list(meta: dict[str, Any], name: str) -> list[str] | None:
    value = meta.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        value = [part for part in value.replace(",", " ").split() if part]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise BadEntry(f"field '{name}' must be a list, e.g. {name}: [a, b]")
    return [str(v) for v in value]


def make_entry(source: str, meta: dict[str, Any], body: str, known: dict[str, str]) -> Entry:
    """Check one translation's fields with the same rules the editor uses. A field left out
    (status, intents, tags) is ``None``: a new article gets the default, an existing one keeps
    what it has."""
    status_text = _text(meta, "status", required=False)
    try:
        status = ArticleStatus(status_text) if status_text else None
    except ValueError:
        allowed = ", ".join(s.value for s in ArticleStatus)
        raise BadEntry(f"unknown status '{status_text}': use one of {allowed}") from None
    category = _text(meta, "category", required=False)
    section = _text(meta, "section", required=False)
    intents, tags = _list(meta, "intents"), _list(meta, "tags")
    try:
        return Entry(
            source=source,
            slug=svc.check_slug(_text(meta, "id", required=True) or ""),
            lang=svc.check_lang(_text(meta, "lang", required=True) or ""),
            title=svc.check_title(_text(meta, "title", required=True) or ""),
            body=svc.check_body(body, known),
            category=svc.check_slug(category) if category else None,
            section=svc.check_slug(section) if section else None,
            status=status,
            intents=svc.check_intents(intents) if intents is not None else None,
            tags=svc.check_tags(tags) if tags is not None else None,
        )
    except InvalidInput as exc:
        raise BadEntry(_lower_first(exc.message)) from None


def _lower_first(message: str) -> str:
    return message[:1].lower() + message[1:] if message[1:2].islower() else message


# --- sources ----------------------------------------------------------------------------

Loader = Callable[[dict[str, str]], Entry]


def _markdown_loader(root: Path, file: Path) -> tuple[str, Loader]:
    source = str(file.relative_to(root)) if file != root else file.name

    def load(known: dict[str, str]) -> Entry:
        meta, body = split_front_matter(decode(file.read_bytes()))
        return make_entry(source, meta, body, known)

    return source, load


def _record_entry(data: Any, source: str, known: dict[str, str]) -> Entry:
    if not isinstance(data, dict):
        raise BadEntry('each article must be a JSON object: {"id", "lang", "title", "body"}')
    body = data.get("body")
    if not isinstance(body, str) or not body.strip():
        raise BadEntry("missing field 'body'")
    return make_entry(source, data, body, known)


def _jsonl_loaders(file: Path) -> Iterator[tuple[str, Loader]]:
    data = file.read_bytes()
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):
        yield from _json_array_loaders(data)
        return
    for number, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        source = f"line {number}"

        def load(known: dict[str, str], raw: bytes = raw, source: str = source) -> Entry:
            try:
                record = json.loads(decode(raw))
            except json.JSONDecodeError as exc:
                raise BadEntry(f"not valid JSON: {exc.msg} (column {exc.colno})") from None
            return _record_entry(record, source, known)

        yield source, load


def _json_array_loaders(data: bytes) -> Iterator[tuple[str, Loader]]:
    """A ``.json`` file holding one array of article objects (not JSON lines)."""
    try:
        items = json.loads(decode(data))
    except (json.JSONDecodeError, BadEntry) as exc:
        reason = f"{exc.msg} (line {exc.lineno})" if isinstance(exc, json.JSONDecodeError) else exc
        message = f"not valid JSON: {reason}"

        def refuse(known: dict[str, str]) -> Entry:
            raise BadEntry(message)

        yield "file", refuse
        return
    for number, item in enumerate(items, 1):

        def load(known: dict[str, str], item: Any = item, source: str = f"item {number}") -> Entry:
            return _record_entry(item, source, known)

        yield f"item {number}", load


# --- applying ---------------------------------------------------------------------------


def import_path(
    session: Session, path: Path, actor: Actor, *, progress: Progress | None = None
) -> ImportReport:
    """Import a folder of Markdown files, one Markdown file, or a JSON-lines file."""
    report = ImportReport()
    if path.is_dir():
        if (path / CATEGORIES_FILE).is_file():
            _import_categories(session, actor, path / CATEGORIES_FILE, report)
        files = sorted(p for p in path.rglob("*.md") if p.is_file())
        if not files:
            raise InvalidInput(f"{path} holds no Markdown (.md) files", field="path")
        sources = [_markdown_loader(path, f) for f in files]
    elif path.is_file() and path.suffix.lower() in JSONL_SUFFIXES:
        sources = list(_jsonl_loaders(path))
    elif path.is_file() and path.suffix.lower() == ".md":
        sources = [_markdown_loader(path, path)]
    elif not path.exists():
        raise InvalidInput(f"{path} does not exist", field="path")
    else:
        raise InvalidInput(
            f"{path} is neither a folder of Markdown files nor a .jsonl file", field="path"
        )
    _apply_all(session, actor, sources, report, progress)
    return report


def _apply_all(
    session: Session,
    actor: Actor,
    sources: list[tuple[str, Loader]],
    report: ImportReport,
    progress: Progress | None,
) -> None:
    known = variables()
    seen: dict[tuple[str, str], str] = {}
    for done, (source, load) in enumerate(sources, 1):
        try:
            entry = load(known)
            first = seen.setdefault((entry.slug, entry.lang), source)
            if first != source:
                raise BadEntry(f"'{entry.slug}' in {entry.lang} was already imported from {first}")
            with session.begin_nested():
                _apply(session, actor, entry, report)
        except (BadEntry, DomainError) as exc:
            message = exc.message if isinstance(exc, DomainError) else str(exc)
            report.errors.append(ImportIssue(source, message))
        except SQLAlchemyError as exc:
            reason = str(exc.orig if hasattr(exc, "orig") else exc).splitlines()[0]
            report.errors.append(ImportIssue(source, f"the database refused it: {reason}"))
        except OSError as exc:
            report.errors.append(ImportIssue(source, f"cannot read it: {exc.strerror or exc}"))
        if progress is not None:
            progress(done, len(sources))


def _apply(session: Session, actor: Actor, entry: Entry, report: ImportReport) -> None:
    section = _resolve_section(session, actor, entry, report)
    note = f"Imported from {entry.source}"[: svc.MAX_NOTE]
    article = session.scalar(select(Article).where(Article.slug == entry.slug))
    if article is None:
        svc.do_create_article(
            session,
            actor,
            svc.NewArticle(
                slug=entry.slug,
                section_id=section.id,
                lang=entry.lang,
                title=entry.title,
                body=entry.body,
                status=entry.status or ArticleStatus.published,
                intents=entry.intents or [],
                tags=entry.tags or [],
                note=note,
            ),
        )
        report.articles_created += 1
        report.translations_created += 1
        return
    existed = svc.translation_of(article, entry.lang) is not None
    changes = svc.ArticleChanges(section_id=section.id, intents=entry.intents, tags=entry.tags)
    changed = svc.do_update_article(session, actor, article, changes)
    version = svc.do_save_translation(
        session, actor, article, entry.lang, entry.title, entry.body, note
    )
    if entry.status is not None and entry.status != article.status:
        changed = svc.do_set_status(session, actor, article, entry.status) or changed
    if version is not None and not existed:
        report.translations_created += 1
    elif version is not None or changed:
        report.translations_updated += 1
    else:
        report.unchanged += 1


def _general_category(session: Session, actor: Actor, report: ImportReport) -> Category:
    category = session.scalar(select(Category).where(Category.slug == GENERAL))
    if category is None:
        category = svc.do_upsert_category(session, actor, GENERAL, name=GENERAL_NAMES, position=999)
        report.categories += 1
    return category


def _resolve_section(session: Session, actor: Actor, entry: Entry, report: ImportReport) -> Section:
    """The entry's section; a missing one is created (under its category if that exists,
    else under ``general``), and no section at all means ``general``."""
    slug = entry.section or GENERAL
    section = session.scalar(select(Section).where(Section.slug == slug))
    if section is not None:
        if entry.category and entry.category != section.category.slug:
            report.warnings.append(
                ImportIssue(
                    entry.source,
                    f"section '{slug}' belongs to category '{section.category.slug}', "
                    f"not '{entry.category}'",
                )
            )
        return section
    category = None
    if entry.category:
        category = session.scalar(select(Category).where(Category.slug == entry.category))
    if category is None:
        category = _general_category(session, actor, report)
    names = GENERAL_NAMES if slug == GENERAL else {"en": slug.replace("-", " ").capitalize()}
    section = svc.do_upsert_section(session, actor, category, slug, name=names, position=999)
    report.sections += 1
    if entry.section:
        report.warnings.append(
            ImportIssue(entry.source, f"section '{slug}' was new: created under '{category.slug}'")
        )
    return section


def _import_categories(session: Session, actor: Actor, file: Path, report: ImportReport) -> None:
    """Create or rename the categories and sections ``categories.json`` defines."""
    try:
        data = json.loads(decode(file.read_bytes()))
        if not isinstance(data, list):
            raise BadEntry("must be a JSON list of categories")
        with session.begin_nested():
            for position, item in enumerate(data):
                _import_category(session, actor, item, position, report)
    except json.JSONDecodeError as exc:
        report.errors.append(
            ImportIssue(CATEGORIES_FILE, f"not valid JSON: {exc.msg} (line {exc.lineno})")
        )
    except (BadEntry, DomainError) as exc:
        message = exc.message if isinstance(exc, DomainError) else str(exc)
        report.errors.append(ImportIssue(CATEGORIES_FILE, message))


def _import_category(
    session: Session, actor: Actor, item: Any, position: int, report: ImportReport
) -> None:
    if not isinstance(item, dict) or not isinstance(item.get("slug"), str):
        raise BadEntry(f"category {position + 1} needs a 'slug'")
    category = svc.do_upsert_category(
        session,
        actor,
        item["slug"],
        name=_names(item, "name", item["slug"]),
        description=_names(item, "description", item["slug"]),
        position=position,
    )
    report.categories += 1
    for index, sub in enumerate(item.get("sections") or []):
        if not isinstance(sub, dict) or not isinstance(sub.get("slug"), str):
            raise BadEntry(f"section {index + 1} of '{category.slug}' needs a 'slug'")
        svc.do_upsert_section(
            session,
            actor,
            category,
            sub["slug"],
            name=_names(sub, "name", sub["slug"]),
            position=index,
        )
        report.sections += 1


def _names(item: dict[str, Any], key: str, slug: str) -> dict[str, str]:
    value = item.get(key) or {}
    if not isinstance(value, dict):
        raise BadEntry(f"'{key}' of '{slug}' must be an object of languages, e.g. {{\"en\": …}}")
    return {str(k): str(v) for k, v in value.items()}


# --- export -----------------------------------------------------------------------------


def export_path(session: Session, path: Path) -> int:
    """Write every category and every article translation (all statuses) as the Markdown
    folder layout; returns how many article files were written."""
    (path / ARTICLES_DIR).mkdir(parents=True, exist_ok=True)
    categories = [
        {
            "slug": c.slug,
            "name": c.name,
            "description": c.description,
            "sections": [{"slug": s.slug, "name": s.name} for s in c.sections],
        }
        for c in session.scalars(select(Category).order_by(Category.position, Category.id))
    ]
    (path / CATEGORIES_FILE).write_text(
        json.dumps(categories, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    written = 0
    for article in session.scalars(select(Article).order_by(Article.slug)):
        for t in article.translations:
            meta = {
                "id": article.slug,
                "lang": t.lang,
                # Plain ``str``: a guarded column hands back ``GuardedText``, which YAML's safe
                # dumper does not know.
                "title": str(t.title),
                "category": article.section.category.slug,
                "section": article.section.slug,
                "status": article.status.value,
                "intents": [str(i) for i in article.intents],
                "tags": [str(tag) for tag in article.tags],
            }
            front = yaml.safe_dump(
                meta, allow_unicode=True, sort_keys=False, default_flow_style=None, width=1000
            )
            target = path / ARTICLES_DIR / f"{article.slug}.{t.lang}.md"
            target.write_text(f"---\n{front}---\n\n{t.body}\n", encoding="utf-8")
            written += 1
    return written
