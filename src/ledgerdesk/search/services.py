"""Search for the rest of ledgerdesk: ``search_articles``, ``related_articles`` and indexing.

Writers never touch the index directly. A change to an article enqueues ``search.article``
in its own transaction; the job analyses and embeds the article into ``search_documents``;
every process keeps an in-memory ``HybridIndex`` and catches up from that table by version
before it answers (checked at most every 0.2 s). So a published article is findable within
a second in every process, and a crash at any point only delays indexing.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ledgerdesk.ai.embeddings import Embedder, get_embedder
from ledgerdesk.core.errors import InvalidInput
from ledgerdesk.core.settings import get_settings
from ledgerdesk.core.text import clean
from ledgerdesk.jobs.outbox import enqueue, handler
from ledgerdesk.kb.indexing import SearchableDoc, searchable_documents
from ledgerdesk.search.analysis import analyse, has_chinese, latin_words
from ledgerdesk.search.index import Admission, Doc, HybridIndex, Query, Scored
from ledgerdesk.search.models import SearchDocument
from ledgerdesk.search.vector_cache import vector_cache

MAX_QUERY_CHARS = 500
MAX_LIMIT = 50
TITLE_WEIGHT = 3  # title terms count this many times: a word in the title says more
EMBED_CHARS = (
    300  # title and opening lines; measured better than 500 or 1000 and 3x faster (bench/)
)
# Which documents count as answers (index.Admission). Chosen on a coarse grid over our
# labelled queries plus 25 off-topic ones (bench/RESULTS.md): e5 similarities of unrelated
# text reach 0.87, so meaning alone must pass that; words alone must hold half the query's
# information. No labelled query loses its answers; 23 of 25 off-topic queries find nothing.
ADMISSION = Admission(min_coverage=0.5, min_similarity=0.87, min_similarity_with_words=0.82)
SYNC_INTERVAL = 0.2
_VERSION_LOCK = 7_401_301  # PostgreSQL advisory lock: index writers commit versions in order


@dataclass(frozen=True)
class ArticleHit:
    article_id: int
    lang: str
    score: float
    lexical: float = 0.0
    semantic: float = 0.0


def normalise_lang(lang: str | None) -> str | None:
    """``en`` / ``zh`` / ``zh-CN`` / ``zh-Hans`` to a translation language, or InvalidInput."""
    if lang is None or lang == "":
        return None
    value = lang.strip().lower().replace("_", "-")
    if value in ("en", "en-us", "en-gb"):
        return "en"
    if value in ("zh", "zh-cn", "zh-hans", "zh-tw", "zh-hk", "zh-hant"):
        return "zh-CN"
    raise InvalidInput(f"unknown language {lang!r}: use en or zh", field="lang")


def check_query(query: str) -> str:
    """The query without control characters and outer space; refused past 500 characters."""
    value = clean(query).strip()
    if len(value) > MAX_QUERY_CHARS:
        raise InvalidInput(
            f"the query is {len(value)} characters long; the limit is {MAX_QUERY_CHARS}",
            field="q",
        )
    return value


# ---- the per-process index ----------------------------------------------------------------


@dataclass
class _Live:
    index: HybridIndex
    embedder: Embedder | None
    high_water: int = 0
    checked: float = 0.0
    lock: threading.RLock = field(default_factory=threading.RLock)
    queries: OrderedDict[str, npt.NDArray[np.float32]] = field(default_factory=OrderedDict)


_registry: dict[str, _Live] = {}
_registry_lock = threading.Lock()


def _live(session: Session) -> _Live:
    url = session.get_bind().engine.url.render_as_string(hide_password=True)
    with _registry_lock:
        live = _registry.get(url)
        if live is None:
            embedder = get_embedder(get_settings())
            live = _Live(HybridIndex(embedder.dim if embedder else 0), embedder)
            _registry[url] = live
        return live


def reset_indexes() -> None:
    """Forget every in-memory index (tests; a process that switched databases)."""
    with _registry_lock:
        _registry.clear()


def _sync(session: Session, live: _Live, force: bool = False) -> None:
    now = time.monotonic()
    if not force and now - live.checked < SYNC_INTERVAL:
        return
    live.checked = now
    newest = session.scalar(select(func.max(SearchDocument.version))) or 0
    if newest <= live.high_water:
        return
    rows = session.scalars(
        select(SearchDocument)
        .where(SearchDocument.version > live.high_water)
        .order_by(SearchDocument.version)
    ).all()
    model = live.embedder.name if live.embedder else None
    fresh: list[Doc] = []
    for row in rows:
        if row.deleted:
            live.index.remove(row.key)
            continue
        vector = None
        if row.vector is not None and row.model == model:
            vector = np.frombuffer(row.vector, dtype=np.float32)
        fresh.append(
            Doc(
                row.key,
                row.ref_id,
                row.lang,
                row.visibility,
                row.terms.split(),
                row.words.split(),
                vector,
            )
        )
    if live.high_water == 0 and not len(live.index):
        live.index.add_many(fresh)
    else:
        for doc in fresh:
            live.index.add(doc)
    live.high_water = max(newest, rows[-1].version if rows else 0)


def _query_vector(live: _Live, query: str) -> npt.NDArray[np.float32] | None:
    if live.embedder is None:
        return None
    cached = live.queries.get(query)
    if cached is not None:
        live.queries.move_to_end(query)
        return cached
    vector: npt.NDArray[np.float32] = live.embedder.embed_queries([query])[0]
    live.queries[query] = vector
    if len(live.queries) > 2048:
        live.queries.popitem(last=False)
    return vector


def search_articles(
    session: Session,
    query: str,
    *,
    lang: str | None = None,
    limit: int = 10,
    include_internal: bool = False,
    mode: str = "hybrid",
) -> list[ArticleHit]:
    """Articles answering ``query``, best first, one hit per article.

    ``lang`` restricts matching to translations in that language; without it every
    translation competes and the article's best one counts. Customers see published
    articles only; ``include_internal`` adds agent-only ones.
    """
    value = check_query(query)
    wanted = normalise_lang(lang)
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    if mode not in ("hybrid", "lexical", "semantic"):
        raise InvalidInput("mode must be hybrid, lexical or semantic", field="mode")
    if not value:
        return []
    live = _live(session)
    with live.lock:
        _sync(session, live)
        visibilities = ["public", "internal"] if include_internal else ["public"]
        allowed = live.index.mask([wanted] if wanted else None, visibilities)
        vector = _query_vector(live, value) if mode != "lexical" else None
        found = live.index.search(
            Query(analyse(value), latin_words(value), vector),
            allowed,
            limit=limit,
            mode=mode,
            admit=ADMISSION,
        )
    return [_hit(s) for s in found]


def _hit(scored: Scored) -> ArticleHit:
    return ArticleHit(scored.ref_id, scored.lang, scored.score, scored.lexical, scored.semantic)


def related_articles(
    session: Session, article_id: int, lang: str, limit: int = 5
) -> list[ArticleHit]:
    """Published articles closest in meaning to ``article_id`` (itself excluded)."""
    wanted = normalise_lang(lang) or "en"
    live = _live(session)
    with live.lock:
        _sync(session, live)
        key = _key(article_id, wanted)
        vector = live.index.vector_of(key)
        if vector is None:
            return []
        allowed = live.index.mask([wanted], ["public"])
        found = live.index.search(Query((), (), vector), allowed, limit=limit + 1, mode="semantic")
    return [_hit(s) for s in found if s.ref_id != article_id][:limit]


def language_of(query: str) -> str:
    return "zh-CN" if has_chinese(query) else "en"


# ---- indexing ---------------------------------------------------------------------------


def _key(article_id: int, lang: str) -> str:
    return f"article:{article_id}:{lang}"


def enqueue_article(session: Session, article_id: int) -> None:
    enqueue(session, "search.article", {"article_id": article_id})


@handler("search.article")
def index_article_job(session: Session, payload: dict[str, Any]) -> None:
    index_article(session, int(payload["article_id"]))


def index_article(session: Session, article_id: int) -> int:
    """Write the analysed translations of one article; return how many documents changed."""
    docs = searchable_documents(session, article_id)
    embedder = get_embedder(get_settings())
    model = embedder.name if embedder else ""
    existing = {
        row.key: row
        for row in session.scalars(
            select(SearchDocument).where(
                SearchDocument.kind == "article", SearchDocument.ref_id == article_id
            )
        )
    }
    passages = [f"{d.title}\n{d.text}"[:EMBED_CHARS] for d in docs]
    digests = [hashlib.sha256(f"{model}\n{p}".encode()).hexdigest() for p in passages]
    vectors = _vectors(embedder, docs, passages, digests, existing)
    version = _next_version(session)
    for doc, vector, digest in zip(docs, vectors, digests, strict=True):
        version += 1
        key = _key(article_id, doc.lang)
        row = existing.pop(key, None) or SearchDocument(key=key, kind="article", ref_id=article_id)
        row.lang, row.visibility, row.title = doc.lang, doc.visibility, doc.title[:500]
        row.terms = " ".join(analyse(doc.title) * TITLE_WEIGHT + analyse(doc.text))
        row.words = " ".join(sorted(set(latin_words(f"{doc.title} {doc.text}"))))
        row.vector, row.model, row.digest = vector, model if vector else "", digest
        row.version, row.deleted = version, False
        session.add(row)
    for row in existing.values():
        if not row.deleted:
            version += 1
            row.deleted, row.version = True, version
    session.flush()
    return len(docs)


def _vectors(
    embedder: Embedder | None,
    docs: Sequence[SearchableDoc],
    passages: list[str],
    digests: list[str],
    existing: dict[str, SearchDocument],
) -> list[bytes | None]:
    """Vectors for ``passages``, reusing stored ones whose text and model are unchanged."""
    if embedder is None:
        return [None] * len(docs)
    out: list[bytes | None] = []
    missing: list[int] = []
    for i, doc in enumerate(docs):
        row = existing.get(_key(doc.article_id, doc.lang))
        if row is not None and row.digest == digests[i] and row.vector is not None:
            out.append(row.vector)
        else:
            out.append(None)
            missing.append(i)
    cache = vector_cache(get_settings().passage_cache_dir)
    if missing:
        kept = cache.get_many(embedder.name, [passages[i] for i in missing])
        for i, vector in zip(missing, kept, strict=True):
            out[i] = vector
        missing = [i for i in missing if out[i] is None]
    if missing:
        matrix = embedder.embed_passages([passages[i] for i in missing])
        for i, row_vector in zip(missing, matrix, strict=True):
            out[i] = row_vector.astype(np.float32).tobytes()
        cache.put_many(embedder.name, [(passages[i], out[i] or b"") for i in missing])
    return out


def _next_version(session: Session) -> int:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _VERSION_LOCK})
    return session.scalar(select(func.max(SearchDocument.version))) or 0


def reindex_articles(session: Session, progress: Callable[[int, int], None] | None = None) -> int:
    """Re-analyse and re-embed every article now (after a model or dictionary change)."""
    from ledgerdesk.kb.indexing import all_article_ids

    ids = all_article_ids(session)
    for done, article_id in enumerate(ids, 1):
        index_article(session, article_id)
        if progress:
            progress(done, len(ids))
    return len(ids)
