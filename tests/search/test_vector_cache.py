"""The on-disk passage vector cache: shared between processes, keyed by model and text, and
never a reason for indexing to fail."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ledgerdesk.search.vector_cache import VectorCache


def _vector(seed: int) -> bytes:
    return np.random.default_rng(seed).random(8, dtype=np.float32).tobytes()


def test_vectors_come_back_by_model_and_text(tmp_path: Path) -> None:
    cache = VectorCache(tmp_path / "c" / "passages.sqlite3")
    assert cache.get_many("m1", ["a", "b"]) == [None, None]
    cache.put_many("m1", [("a", _vector(1)), ("b", _vector(2))])
    assert cache.get_many("m1", ["b", "x", "a"]) == [_vector(2), None, _vector(1)]
    assert cache.get_many("m2", ["a"]) == [None]  # another model's vectors never answer


def test_another_process_sees_what_one_stored(tmp_path: Path) -> None:
    path = tmp_path / "passages.sqlite3"
    VectorCache(path).put_many("m", [("shared passage", _vector(3))])
    code = (
        "import sys; from pathlib import Path; from ledgerdesk.search.vector_cache import "
        "VectorCache; v = VectorCache(Path(sys.argv[1])).get_many('m', ['shared passage'])[0]; "
        "print(len(v) if v else 0)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True)
    assert out.stdout.strip() == str(len(_vector(3))), out.stderr


def test_an_unusable_place_is_skipped_not_fatal(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = VectorCache(blocker / "passages.sqlite3")
    cache.put_many("m", [("a", _vector(1))])  # no exception
    assert cache.get_many("m", ["a"]) == [None]


def test_shipped_vectors_answer_first_and_are_never_written(tmp_path: Path) -> None:
    from ledgerdesk.search.vector_cache import _key

    shipped = {_key("m", "shipped passage"): _vector(4)}
    cache = VectorCache(tmp_path / "passages.sqlite3", shipped)
    cache.put_many("m", [("own passage", _vector(5))])
    assert cache.get_many("m", ["shipped passage", "own passage", "x"]) == [
        _vector(4),
        _vector(5),
        None,
    ]
    assert cache.get_many("other model", ["shipped passage"]) == [None]
    only_shipped = VectorCache(None, shipped)  # the on-disk cache switched off
    only_shipped.put_many("m", [("own passage", _vector(5))])
    assert only_shipped.get_many("m", ["shipped passage", "own passage"]) == [_vector(4), None]


def test_the_bundled_help_center_indexes_without_running_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every passage of data/kb has its vector in data/search/passage-vectors.sqlite3, so a new
    desk's first start does not spend a minute embedding it."""
    from sqlalchemy import select

    from ledgerdesk.ai.embeddings import PassageCache
    from ledgerdesk.core.db import make_engine, make_sessionmaker
    from ledgerdesk.core.migrate import upgrade
    from ledgerdesk.core.settings import get_settings
    from ledgerdesk.demo.services import load_default_kb
    from ledgerdesk.search.models import SearchDocument

    def refuse(self: PassageCache, texts: Any) -> Any:
        raise AssertionError(
            "a bundled help-center passage has no shipped vector: run `python -m "
            "ledgerdesk.search.vector_cache data/search/passage-vectors.sqlite3`"
        )

    monkeypatch.setattr(PassageCache, "embed_passages", refuse)
    monkeypatch.setenv("LEDGERDESK_EMBEDDINGS_CACHE_DIR", str(tmp_path / "empty-cache"))
    get_settings.cache_clear()
    engine = make_engine(f"sqlite:///{tmp_path / 'desk.db'}")
    try:
        upgrade(engine)
        with make_sessionmaker(engine)() as session:
            report = load_default_kb(session)
            assert report is not None and report.articles_created >= 40
            vectors = session.scalars(select(SearchDocument.vector)).all()
            assert len(vectors) == 2 * report.articles_created and all(vectors)
    finally:
        engine.dispose()
        get_settings.cache_clear()
