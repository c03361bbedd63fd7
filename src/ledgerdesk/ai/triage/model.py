"""A trained text classifier: shared features and one or more linear heads.

Features are three blocks side by side: TF-IDF over character n-grams (typos, unspaced Chinese,
coin codes), TF-IDF over words and word pairs (English stemmed, Chinese cut by jieba, both
after folding traditional characters to simplified), and a sentence embedding from the
embeddings interface. A head is a linear model over those features (``intent``, and in the
bundled model also ``sentiment`` and ``distressed``).

A model is a folder: ``model.json`` (labels, settings, data fingerprint, metrics), ``vocab.json``
(the n-gram vocabularies) and ``weights.npz`` (IDF weights and each head's coefficients). No
pickle: loading a model runs no code from the folder.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt

from ledgerdesk.ai.embeddings import Embedder, Vectors
from ledgerdesk.ai.triage.vectors import VectorCache
from ledgerdesk.core.errors import DomainError
from ledgerdesk.search.analysis import _analyse_cjk, normalise, stem

if TYPE_CHECKING:  # SciPy and scikit-learn are imported when a model is built or loaded:
    # together they take over a second to import, which every command and process would pay.
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer

FORMAT = "ledgerdesk-triage/1"
Floats = npt.NDArray[np.float32]
EMBED_CHARS = 160  # see FeatureConfig.embed_chars (chosen by bench/triage_throughput.py)


class ModelError(DomainError):
    code = "triage_model"
    status_code = 422


@dataclass(frozen=True)
class FeatureConfig:
    char_ngrams: tuple[int, int] = (2, 5)
    word_ngrams: tuple[int, int] = (1, 2)
    min_df: int = 1
    max_chars: int = 2_000  # text beyond this is not featurised (the opening says what it is)
    embed_views: tuple[str, ...] = ("query",)
    embed_weight: float = 3.0
    # Transaction hashes and wallet addresses are removed before featurising: as raw text
    # their dozens of random character n-grams drowned the words around them, and the few
    # training messages holding one taught hex n-grams to mean a stolen account
    # (bench/triage_identifiers.py). Placeholder words instead did worse: they carry what
    # those few messages were about. Models saved before this setting existed keep raw text.
    mask_identifiers: bool = True
    # Only the first ``embed_chars`` characters of the prepared text are embedded (0: all of
    # it). The encoder's cost grows with every token while the opening says what a message is
    # about; the TF-IDF blocks still read up to ``max_chars``. Chosen on the held-out set
    # (bench/triage_throughput.py). Models saved without it get the default.
    embed_chars: int = EMBED_CHARS


@dataclass
class Head:
    """One linear classifier: scores = features · coef.T + intercept, softmax(scores / T)."""

    labels: list[str]
    coef: Floats  # (n_labels, n_features)
    intercept: Floats  # (n_labels,)
    temperature: float = 1.0

    def probabilities(self, features: sp.csr_matrix) -> Floats:
        scores = np.asarray(features @ self.coef.T, dtype=np.float64) + self.intercept
        scores = scores / self.temperature
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return cast(Floats, (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32))


@dataclass(frozen=True)
class Ranked:
    label: str
    confidence: float
    alternatives: tuple[tuple[str, float], ...] = ()


_LATIN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


_IDENTIFIERS = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    r"(?:0x)?[0-9A-Fa-f]{64}"  # transaction hashes (EVM with 0x, TRON and Bitcoin without)
    r"|0x[0-9A-Fa-f]{40}"  # EVM addresses
    r"|bc1[02-9ac-hj-np-z]{25,87}"  # Bitcoin bech32 addresses
    # Base58 (TRON, Bitcoin legacy, Solana, XRP...): 25+ characters with letters and digits.
    r"|(?=[1-9A-HJ-NP-Za-km-z]*[A-Za-z])(?=[1-9A-HJ-NP-Za-km-z]*[1-9])[1-9A-HJ-NP-Za-km-z]{25,90}"
    r")(?![0-9A-Za-z])"
)


def mask_identifiers(text: str) -> str:
    """``text`` without its transaction hashes and wallet addresses (the words around them,
    such as "txid" or "地址", stay)."""
    return _IDENTIFIERS.sub(" ", text)


def prepare(text: str, limit: int, *, mask: bool = False) -> str:
    """The text a model sees: identifiers masked (``mask``), NFKC, lower case, simplified
    Chinese, at most ``limit`` chars."""
    text = text[: limit * 2]  # masking shortens; the limit applies to what the model reads
    return normalise((mask_identifiers(text) if mask else text)[:limit])


def word_tokens(prepared: str) -> list[str]:
    """Stemmed English words and jieba-cut Chinese words, in order; stop words kept."""
    tokens: list[str] = []
    position = 0
    for han in _HAN_RUN.finditer(prepared):
        tokens.extend(stem(w) for w in _LATIN.findall(prepared[position : han.start()]))
        tokens.extend(_cut(han.group()))
        position = han.end()
    tokens.extend(stem(w) for w in _LATIN.findall(prepared[position:]))
    return tokens


@lru_cache(maxsize=8192)
def _cut(run: str) -> tuple[str, ...]:
    return _analyse_cjk(run) or (run,)


def _word_analyzer(ngrams: tuple[int, int]) -> Callable[[str], list[str]]:
    low, high = ngrams

    def analyse(prepared: str) -> list[str]:
        tokens = word_tokens(prepared)
        grams = [t for t in tokens] if low <= 1 else []
        for n in range(max(2, low), high + 1):
            grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        return grams

    return analyse


def char_vectorizer(config: FeatureConfig) -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=config.char_ngrams,
        sublinear_tf=True,
        min_df=config.min_df,
        lowercase=False,
        dtype=np.float32,
    )


def word_vectorizer(config: FeatureConfig) -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer=_word_analyzer(config.word_ngrams),
        sublinear_tf=True,
        min_df=config.min_df,
        lowercase=False,
        dtype=np.float32,
    )


@dataclass
class Featurizer:
    config: FeatureConfig
    chars: TfidfVectorizer
    words: TfidfVectorizer
    embedder: Embedder | None
    cache: VectorCache | None = None  # vectors shared across calls (see vectors.py)

    @property
    def embedder_name(self) -> str | None:
        return self.embedder.name if self.embedder else None

    def embedded_text(self, prepared: str) -> str:
        """What the encoder reads of an already-prepared text: its first ``embed_chars``."""
        limit = self.config.embed_chars
        return prepared[:limit] if limit > 0 else prepared

    def embed(
        self, prepared: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> Floats:
        """Embedding block for already-prepared texts, in batches (progress gets batch sizes)."""
        if self.embedder is None or not self.config.embed_views:
            return np.zeros((len(prepared), 0), dtype=np.float32)
        bounded = [self.embedded_text(p) for p in prepared]
        blocks: list[Floats] = []
        for view in self.config.embed_views:
            embed = self.embedder.embed_queries if view == "query" else self.embedder.embed_passages
            if self.cache is not None:
                rows = self.cache.embed(self.embedder.name, view, bounded, embed)
                blocks.append(
                    np.vstack(rows) if rows else np.zeros((0, self.embedder.dim), np.float32)
                )
                if progress:
                    progress(len(bounded))
                continue
            parts: list[Vectors] = []
            for start in range(0, len(bounded), 64):
                batch = bounded[start : start + 64]
                parts.append(embed(batch))
                if progress:
                    progress(len(batch))
            blocks.append(
                np.vstack(parts) if parts else np.zeros((0, self.embedder.dim), np.float32)
            )
        return cast(Floats, np.hstack(blocks) * np.float32(self.config.embed_weight))

    def transform(self, prepared: Sequence[str], embedded: Floats | None = None) -> sp.csr_matrix:
        import scipy.sparse as sp

        if embedded is None:
            embedded = self.embed(prepared)
        blocks = [self.chars.transform(prepared), self.words.transform(prepared)]
        if embedded.shape[1]:
            blocks.append(sp.csr_matrix(embedded))
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    @property
    def n_features(self) -> int:
        dim = self.embedder.dim * len(self.config.embed_views) if self.embedder else 0
        return len(self.chars.vocabulary_) + len(self.words.vocabulary_) + dim


@dataclass
class TriageModel:
    """Features plus named heads, with what it was trained on."""

    featurizer: Featurizer
    heads: dict[str, Head]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return str(self.meta.get("version", "unsaved"))

    @property
    def labels(self) -> list[str]:
        return self.heads["intent"].labels

    def prepared(self, texts: Sequence[str]) -> list[str]:
        limit = self.featurizer.config.max_chars
        mask = self.featurizer.config.mask_identifiers
        return [prepare(t, limit, mask=mask) for t in texts]

    def features(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.featurizer.transform(self.prepared(texts))

    def rank(self, texts: Sequence[str], head: str = "intent", top: int = 3) -> list[Ranked]:
        return self.rank_features(self.features(texts), head, top)

    def rank_features(self, features: sp.csr_matrix, head: str, top: int = 3) -> list[Ranked]:
        probabilities = self.heads[head].probabilities(features)
        labels = self.heads[head].labels
        ranked: list[Ranked] = []
        for row in probabilities:
            order = np.argsort(-row)[:top]
            best = [(labels[i], round(float(row[i]), 4)) for i in order]
            ranked.append(Ranked(best[0][0], best[0][1], tuple(best[1:])))
        return ranked

    # --- persistence ------------------------------------------------------------------

    def save(self, folder: Path) -> str:
        """Write the model to ``folder``; returns its version (a hash of the weights)."""
        folder.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, Floats] = {
            "chars_idf": self.featurizer.chars.idf_.astype(np.float32),
            "words_idf": self.featurizer.words.idf_.astype(np.float32),
        }
        for name, head in self.heads.items():
            arrays[f"{name}.coef"] = head.coef.astype(np.float32)
            arrays[f"{name}.intercept"] = head.intercept.astype(np.float32)
        vocab = {
            "chars": _terms(self.featurizer.chars.vocabulary_),
            "words": _terms(self.featurizer.words.vocabulary_),
        }
        digest = hashlib.sha256()
        for key in sorted(arrays):
            digest.update(key.encode())
            digest.update(np.ascontiguousarray(arrays[key]).tobytes())
        vocab_text = json.dumps(vocab, ensure_ascii=False, separators=(",", ":"))
        digest.update(vocab_text.encode())
        name = str(self.meta.get("name", "triage"))
        self.meta["version"] = f"{name}-{digest.hexdigest()[:12]}"
        meta = {
            **self.meta,
            "format": FORMAT,
            "features": {**asdict(self.featurizer.config)},
            "embedder": self.featurizer.embedder_name,
            "heads": {
                name: {"labels": head.labels, "temperature": head.temperature}
                for name, head in self.heads.items()
            },
        }
        (folder / "vocab.json").write_text(vocab_text, encoding="utf-8")
        with (folder / "weights.npz").open("wb") as out:
            np.savez_compressed(out, **arrays)  # type: ignore[arg-type]
        (folder / "model.json").write_text(
            json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        return self.version


def _terms(vocabulary: dict[str, int]) -> list[str]:
    terms = [""] * len(vocabulary)
    for term, index in vocabulary.items():
        terms[index] = term
    return terms


def _assemble(
    meta: dict[str, Any],
    vocab: dict[str, list[str]],
    arrays: dict[str, Floats],
    embedder_for: Callable[[str], Embedder | None],
) -> tuple[Featurizer, dict[str, Head]]:
    fields = meta["features"]
    config = FeatureConfig(
        char_ngrams=(int(fields["char_ngrams"][0]), int(fields["char_ngrams"][1])),
        word_ngrams=(int(fields["word_ngrams"][0]), int(fields["word_ngrams"][1])),
        min_df=int(fields["min_df"]),
        max_chars=int(fields["max_chars"]),
        embed_views=tuple(str(v) for v in fields["embed_views"]),
        embed_weight=float(fields["embed_weight"]),
        mask_identifiers=bool(fields.get("mask_identifiers", False)),
        embed_chars=int(fields.get("embed_chars", EMBED_CHARS)),
    )
    chars, words = char_vectorizer(config), word_vectorizer(config)
    for vectorizer, key in ((chars, "chars"), (words, "words")):
        terms = vocab[key]
        idf = arrays[f"{key}_idf"]
        if len(terms) != len(idf) or len(set(terms)) != len(terms):
            raise ValueError(f"{key} vocabulary has {len(terms)} terms for {len(idf)} weights")
        vectorizer.vocabulary = {term: i for i, term in enumerate(terms)}
        vectorizer.idf_ = idf.astype(np.float64)
    embedder = embedder_for(meta["embedder"]) if meta.get("embedder") else None
    featurizer = Featurizer(config, chars, words, embedder)
    heads = {
        name: Head(
            labels=[str(label) for label in spec["labels"]],
            coef=arrays[f"{name}.coef"],
            intercept=arrays[f"{name}.intercept"],
            temperature=float(spec.get("temperature", 1.0)),
        )
        for name, spec in meta["heads"].items()
    }
    return featurizer, heads


def load_model(folder: Path, embedder_for: Callable[[str], Embedder | None]) -> TriageModel:
    """Read a model folder. ``embedder_for(name)`` gives the embedder the model was trained
    with, or raises when this installation cannot provide it."""
    meta_path = folder / "model.json"
    if not meta_path.is_file():
        raise ModelError(f"{folder} is not a triage model: model.json is missing")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        with np.load(folder / "weights.npz", allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise ModelError(f"cannot read the triage model in {folder}: {exc}") from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        found = meta.get("format") if isinstance(meta, dict) else type(meta).__name__
        raise ModelError(f"{folder}: unknown model format {found!r}")
    try:
        featurizer, heads = _assemble(meta, vocab, arrays, embedder_for)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise ModelError(
            f"{folder}: the model files do not fit together ({exc.__class__.__name__}: {exc}); "
            "the folder is damaged or from another version"
        ) from exc
    if "intent" not in heads:
        raise ModelError(f"{folder}: the model has no 'intent' head")
    for name, head in heads.items():
        if head.coef.shape != (len(head.labels), featurizer.n_features) or head.intercept.shape != (
            len(head.labels),
        ):
            raise ModelError(
                f"{folder}: head {name!r} has weights {head.coef.shape} and intercept "
                f"{head.intercept.shape}, expected ({len(head.labels)}, {featurizer.n_features}); "
                "the folder is damaged"
            )
    return TriageModel(featurizer, heads, meta)
