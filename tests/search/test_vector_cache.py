"""The on-disk passage vector cache: shared between processes, keyed by model and text, and
never a reason for indexing to fail."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

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
