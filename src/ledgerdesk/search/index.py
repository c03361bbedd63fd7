"""An in-memory hybrid index: BM25 over analysed terms plus cosine over embeddings.

Documents live in slots. Postings are NumPy arrays per term, grown by doubling, so adding
one document costs a few array appends and scoring a term is one vectorised pass over its
postings. A changed document gets a new slot and the old one is marked dead; dead slots are
compacted away once they are a quarter of the index.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from ledgerdesk.search.analysis import EN_STOP, stem

K1 = 1.2
B = 0.75
RRF_K = 60
CANDIDATES = 100


@dataclass(frozen=True)
class Doc:
    """What the index needs of a document (already analysed)."""

    key: str
    ref_id: int
    lang: str
    visibility: str
    terms: Sequence[str]
    words: Sequence[str] = ()  # Latin surface words, for typo tolerance
    vector: npt.NDArray[np.float32] | None = None


@dataclass(frozen=True)
class Query:
    terms: Sequence[str]  # analysed
    words: Sequence[str] = ()  # Latin surface words of the query
    vector: npt.NDArray[np.float32] | None = None


Group = list[tuple[str, float]]


@dataclass(frozen=True)
class Admission:
    """When a document counts as an answer (see ``_fuse``): it holds at least
    ``min_coverage`` of the query's words (by idf), or is at least ``min_similarity`` close
    in meaning, or shares a word and is ``min_similarity_with_words`` close."""

    min_coverage: float = 0.0
    min_similarity: float = 0.0
    min_similarity_with_words: float = 0.0


@dataclass(frozen=True)
class Scored:
    ref_id: int
    lang: str
    key: str
    score: float
    lexical: float
    semantic: float


class _Postings:
    __slots__ = ("docs", "size", "tf")

    def __init__(self) -> None:
        self.docs = np.empty(4, dtype=np.int32)
        self.tf = np.empty(4, dtype=np.float32)
        self.size = 0

    def append(self, slot: int, tf: float) -> None:
        if self.size == len(self.docs):
            self.docs = np.resize(self.docs, self.size * 2)
            self.tf = np.resize(self.tf, self.size * 2)
        self.docs[self.size] = slot
        self.tf[self.size] = tf
        self.size += 1

    def extend(self, slots: list[int], tfs: list[float]) -> None:
        self.docs = np.concatenate([self.docs[: self.size], np.asarray(slots, dtype=np.int32)])
        self.tf = np.concatenate([self.tf[: self.size], np.asarray(tfs, dtype=np.float32)])
        self.size = len(self.docs)


@dataclass
class _Slots:
    keys: list[str] = field(default_factory=list)
    refs: list[int] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)


class HybridIndex:
    """Not thread-safe for writes: the owner serialises ``add``/``remove`` with searches."""

    def __init__(self, dim: int = 0) -> None:
        self.dim = dim
        self._postings: dict[str, _Postings] = {}
        self._slots = _Slots()
        self._alive = np.zeros(0, dtype=bool)
        self._length = np.zeros(0, dtype=np.float32)
        self._lang = np.zeros(0, dtype=np.int16)
        self._vis = np.zeros(0, dtype=np.int8)
        self._vectors = np.zeros((0, max(dim, 1)), dtype=np.float32)
        self._has_vector = np.zeros(0, dtype=bool)
        self._by_key: dict[str, int] = {}
        self._lang_codes: dict[str, int] = {}
        self._vis_codes: dict[str, int] = {}
        self._words: dict[str, str] = {}  # surface word -> its stem (the index term)
        self._word_list: list[str] | None = None
        self._total_length = 0.0
        self._dead = 0

    # ---- writes -------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._by_key)

    def __contains__(self, key: str) -> bool:
        return key in self._by_key

    def add_many(self, docs: Iterable[Doc]) -> None:
        """Add or replace documents; the bulk path used when loading a whole index."""
        pending: dict[str, tuple[list[int], list[float]]] = {}
        docs = list(docs)
        self._grow(len(self._slots.keys) + len(docs))
        for doc in docs:
            slot, counts = self._place(doc)
            for term, tf in counts.items():
                lists = pending.setdefault(term, ([], []))
                lists[0].append(slot)
                lists[1].append(float(tf))
        for term, (slots, tfs) in pending.items():
            self._postings.setdefault(term, _Postings()).extend(slots, tfs)

    def add(self, doc: Doc) -> None:
        self._grow(len(self._slots.keys) + 1)
        slot, counts = self._place(doc)
        for term, tf in counts.items():
            self._postings.setdefault(term, _Postings()).append(slot, float(tf))

    def remove(self, key: str) -> None:
        slot = self._by_key.pop(key, None)
        if slot is None:
            return
        self._alive[slot] = False
        self._total_length -= float(self._length[slot])
        self._dead += 1
        if self._dead > 1000 and self._dead * 4 > len(self._slots.keys):
            self._compact()

    def _place(self, doc: Doc) -> tuple[int, Counter[str]]:
        self.remove(doc.key)
        slot = len(self._slots.keys)
        counts = Counter(doc.terms)
        self._slots.keys.append(doc.key)
        self._slots.refs.append(doc.ref_id)
        self._slots.langs.append(doc.lang)
        self._by_key[doc.key] = slot
        self._alive[slot] = True
        self._length[slot] = len(doc.terms)
        self._total_length += len(doc.terms)
        self._lang[slot] = self._lang_codes.setdefault(doc.lang, len(self._lang_codes))
        self._vis[slot] = self._vis_codes.setdefault(doc.visibility, len(self._vis_codes))
        if doc.vector is not None and len(doc.vector) == self.dim and self.dim:
            self._vectors[slot] = doc.vector
            self._has_vector[slot] = True
        else:
            self._has_vector[slot] = False
        for word in doc.words:
            # Typo candidates: real words only (not ids, amounts or stop words).
            if word not in self._words and word.isalpha() and word not in EN_STOP:
                self._words[word] = word
                self._word_list = None
        return slot, counts

    def _grow(self, needed: int) -> None:
        capacity = len(self._alive)
        if needed <= capacity:
            return
        new = max(needed + needed // 4, capacity * 2, 64)  # room for the adds after a bulk load
        self._alive = np.resize(self._alive, new)
        self._alive[capacity:] = False
        self._length = np.resize(self._length, new)
        self._lang = np.resize(self._lang, new)
        self._vis = np.resize(self._vis, new)
        self._has_vector = np.resize(self._has_vector, new)
        self._has_vector[capacity:] = False
        vectors = np.zeros((new, max(self.dim, 1)), dtype=np.float32)
        vectors[:capacity] = self._vectors[:capacity]
        self._vectors = vectors

    def _compact(self) -> None:
        """Drop dead slots: renumber the live ones and filter every posting list."""
        n = len(self._slots.keys)
        keep = np.flatnonzero(self._alive[:n])
        renumber = np.full(n, -1, dtype=np.int32)
        renumber[keep] = np.arange(len(keep), dtype=np.int32)
        for term in list(self._postings):
            postings = self._postings[term]
            slots = postings.docs[: postings.size]
            live = self._alive[slots]
            if not live.any():
                del self._postings[term]
                continue
            postings.docs = renumber[slots[live]]
            postings.tf = postings.tf[: postings.size][live]
            postings.size = len(postings.docs)
        capacity = max(len(keep) + len(keep) // 4, 64)
        self._alive = _fit(self._alive[keep], capacity, False)
        self._length = _fit(self._length[keep], capacity, 0)
        self._lang = _fit(self._lang[keep], capacity, 0)
        self._vis = _fit(self._vis[keep], capacity, 0)
        self._has_vector = _fit(self._has_vector[keep], capacity, False)
        vectors = np.zeros((capacity, self._vectors.shape[1]), dtype=np.float32)
        vectors[: len(keep)] = self._vectors[keep]
        self._vectors = vectors
        order = keep.tolist()
        self._slots = _Slots(
            [self._slots.keys[i] for i in order],
            [self._slots.refs[i] for i in order],
            [self._slots.langs[i] for i in order],
        )
        self._by_key = {key: i for i, key in enumerate(self._slots.keys)}
        self._dead = 0

    # ---- reads --------------------------------------------------------------------------
    def mask(
        self, langs: Sequence[str] | None, visibilities: Sequence[str]
    ) -> npt.NDArray[np.bool_]:
        n = len(self._slots.keys)
        allowed = self._alive[:n].copy()
        vis_codes = [self._vis_codes[v] for v in visibilities if v in self._vis_codes]
        allowed &= np.isin(self._vis[:n], vis_codes)
        if langs is not None:
            lang_codes = [self._lang_codes[v] for v in langs if v in self._lang_codes]
            allowed &= np.isin(self._lang[:n], lang_codes)
        return allowed

    def expand(self, query: Query) -> list[Group]:
        """One group per distinct query term: the term itself and, for an English word the
        index does not know, indexed words within one or two edits (typos)."""

        groups: dict[str, dict[str, float]] = {}
        for term in query.terms:
            group = groups.setdefault(term, {})
            group[term] = group.get(term, 0.0) + 1.0
        for word in query.words:
            term = stem(word)
            if not word.isalpha() or len(word) < 4 or term in self._postings or term not in groups:
                continue
            for near, distance in self._near_words(word):
                near_term = stem(near)
                if near_term in self._postings:
                    weight = 0.8 if distance == 1 else 0.6
                    groups[term][near_term] = max(groups[term].get(near_term, 0.0), weight)
        return [list(group.items()) for group in groups.values()]

    def _near_words(self, word: str) -> list[tuple[str, int]]:
        if self._word_list is None:
            self._word_list = list(self._words)
        limit = 1 if len(word) < 8 else 2
        found = process.extract(
            word,
            self._word_list,
            scorer=Levenshtein.distance,
            score_cutoff=limit,
            limit=3,
        )
        return [(candidate, int(distance)) for candidate, distance, _ in found]

    def lexical(
        self, groups: Sequence[Group], allowed: npt.NDArray[np.bool_]
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """BM25 scores, and each document's coverage: the share of the query's information
        (idf of every query term; an unknown term counts as the rarest) it contains."""
        n = len(allowed)
        scores = np.zeros(n, dtype=np.float32)
        matched = np.zeros(n, dtype=np.float32)
        alive_count = int(self._alive[:n].sum())
        if not alive_count or not groups:
            return scores, matched
        avg = self._total_length / alive_count or 1.0
        rarest = math.log(1.0 + (alive_count - 0.5) / 1.5)
        total = 0.0
        for group in groups:
            hit = np.zeros(n, dtype=bool)
            group_idf = 0.0
            for term, weight in group:
                postings = self._postings.get(term)
                if postings is None or not postings.size:
                    continue
                slots = postings.docs[: postings.size]
                live = self._alive[slots]
                df = int(live.sum())
                if not df:
                    continue
                idf = math.log(1.0 + (alive_count - df + 0.5) / (df + 0.5))
                group_idf = max(group_idf, idf)
                tf = postings.tf[: postings.size]
                norm = K1 * (1.0 - B + B * self._length[slots] / avg)
                scores[slots] += (weight * idf) * tf * (K1 + 1.0) / (tf + norm) * live
                hit[slots[live]] = True
            group_idf = group_idf or rarest
            total += group_idf
            matched[hit] += group_idf
        scores[~allowed] = 0.0
        return scores, matched / total

    def semantic(
        self, vector: npt.NDArray[np.float32], allowed: npt.NDArray[np.bool_]
    ) -> npt.NDArray[np.float32]:
        n = len(allowed)
        if not self.dim or vector.shape != (self.dim,):
            return np.zeros(n, dtype=np.float32)
        sims = self._vectors[:n] @ vector
        sims[~(allowed & self._has_vector[:n])] = -1.0
        return sims

    def search(
        self,
        query: Query,
        allowed: npt.NDArray[np.bool_],
        *,
        limit: int = 10,
        mode: str = "hybrid",
        admit: Admission = Admission(),
    ) -> list[Scored]:
        """Best documents, one per ``ref_id``; ``mode`` is hybrid, lexical or semantic.

        Hybrid ranking is reciprocal-rank fusion of the two lists; ``admit`` decides which
        documents are answers at all, so a query about nothing we cover finds nothing.
        """
        if not len(allowed) or not allowed.any():
            return []
        zeros = np.zeros(len(allowed), dtype=np.float32)
        lex, coverage = (
            self.lexical(self.expand(query), allowed) if mode != "semantic" else (zeros, zeros)
        )
        sem = (
            self.semantic(query.vector, allowed)
            if mode != "lexical" and query.vector is not None
            else np.full(len(allowed), -1.0, dtype=np.float32)
        )
        fused = _fuse(lex, coverage, sem, admit, mode)
        return self._group(fused, lex, sem, limit)

    def _group(
        self,
        fused: npt.NDArray[np.float32],
        lex: npt.NDArray[np.float32],
        sem: npt.NDArray[np.float32],
        limit: int,
    ) -> list[Scored]:
        candidates = np.flatnonzero(fused > 0)
        if not len(candidates):
            return []
        take = min(len(candidates), limit * 4)
        top = candidates[np.argpartition(-fused[candidates], take - 1)[:take]]
        top = top[np.argsort(-fused[top], kind="stable")]
        seen: set[int] = set()
        hits: list[Scored] = []
        for slot in top.tolist():
            ref = self._slots.refs[slot]
            if ref in seen:
                continue
            seen.add(ref)
            hits.append(
                Scored(
                    ref,
                    self._slots.langs[slot],
                    self._slots.keys[slot],
                    float(fused[slot]),
                    float(lex[slot]),
                    float(max(sem[slot], 0.0)),
                )
            )
            if len(hits) == limit:
                break
        return hits

    def vector_of(self, key: str) -> npt.NDArray[np.float32] | None:
        slot = self._by_key.get(key)
        if slot is None or not self._has_vector[slot]:
            return None
        return cast(npt.NDArray[np.float32], self._vectors[slot].copy())

    def keys(self) -> list[str]:
        return list(self._by_key)


def _fit(values: npt.NDArray[Any], capacity: int, fill: Any) -> npt.NDArray[Any]:
    out = np.full(capacity, fill, dtype=values.dtype)
    out[: len(values)] = values
    return out


def _ranks(
    scores: npt.NDArray[np.float32], valid: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float32]:
    """1-based rank of each valid slot among the top CANDIDATES; 0 elsewhere."""
    ranks = np.zeros(len(scores), dtype=np.float32)
    candidates = np.flatnonzero(valid)
    if not len(candidates):
        return ranks
    take = min(len(candidates), CANDIDATES)
    top = candidates[np.argpartition(-scores[candidates], take - 1)[:take]]
    top = top[np.argsort(-scores[top], kind="stable")]
    ranks[top] = np.arange(1, len(top) + 1, dtype=np.float32)
    return ranks


def _fuse(
    lex: npt.NDArray[np.float32],
    coverage: npt.NDArray[np.float32],
    sem: npt.NDArray[np.float32],
    admit: Admission,
    mode: str,
) -> npt.NDArray[np.float32]:
    has_words = lex > 0
    if mode == "lexical":
        return np.where(has_words, lex, 0.0).astype(np.float32)
    alone = sem >= admit.min_similarity
    if mode == "semantic":
        return np.where(alone, sem + 1.0, 0.0).astype(np.float32)
    admitted = (
        (has_words & (coverage >= admit.min_coverage))
        | alone
        | (has_words & (sem >= admit.min_similarity_with_words))
    )
    lex_rank = _ranks(lex, has_words)
    sem_rank = _ranks(sem, sem > -1.0)
    fused = np.zeros(len(lex), dtype=np.float32)
    with_lex = lex_rank > 0
    with_sem = sem_rank > 0
    fused[with_lex] += 1.0 / (RRF_K + lex_rank[with_lex])
    fused[with_sem] += 1.0 / (RRF_K + sem_rank[with_sem])
    fused[~admitted] = 0.0
    return fused
