"""Sentence vectors triage has already computed, so a message is embedded once per process.

A triage job embeds the messages it took from the queue in one model call and leaves the
vectors here; classifying each message then finds its vector instead of calling the model.
An intent model and the tone model that share an embedder also share the vector of a text.
Entries are keyed by the embedder's name, the view (``query``/``passage``) and the exact text
embedded, so a hit is the very vector the model gives for that text: the encoder's batch and
single-text results are bit-identical (tests/triage/test_batching.py checks it).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]
Key = tuple[str, str, str]


class VectorCache:
    """A bounded, thread-safe LRU of sentence vectors (about 1.5 KB each at 384 dimensions)."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._vectors: OrderedDict[Key, Vector] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._vectors)

    def embed(
        self,
        model: str,
        view: str,
        texts: Sequence[str],
        compute: Callable[[list[str]], Vector],
        batch: int = 64,
    ) -> list[Vector]:
        """The vectors of ``texts``: known ones from the cache, the others from ``compute``
        called on the distinct missing texts, at most ``batch`` at a time."""
        with self._lock:
            known: dict[str, Vector] = {}
            for text in texts:
                vector = self._vectors.get((model, view, text))
                if vector is not None:
                    known[text] = vector
                    self._vectors.move_to_end((model, view, text))
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        for start in range(0, len(missing), batch):
            part = missing[start : start + batch]
            known.update(zip(part, compute(part), strict=True))
        with self._lock:
            self.hits += len(texts) - len(missing)
            self.misses += len(missing)
            for text in missing:
                self._vectors[(model, view, text)] = known[text]
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
        return [known[t] for t in texts]
