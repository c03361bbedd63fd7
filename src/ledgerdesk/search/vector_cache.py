"""Passage vectors kept on disk between processes, so indexing an unchanged article again (a
restarted desk, a re-import, another desk on this machine) costs no model call.

Keyed by SHA-256 of the embedding model's name and the passage text; the value is the model's
own float32 vector. Only help-center passages go through it (search indexing): never queries
and never customer text. A cache that cannot be opened or written is skipped with a warning:
indexing never fails because of it.

Below the cache, read-only, are the vectors shipped with the bundled help center
(``data/search/passage-vectors.sqlite3``, same layout): a new desk indexes the shipped articles
without running the model, which took about a minute on a two-core machine. A passage whose
text or model differs from what was shipped simply misses and is embedded as before.
Regenerate them after changing ``data/kb`` or the passage format::

    python -m ledgerdesk.search.vector_cache data/search/passage-vectors.sqlite3
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sqlite3
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from contextlib import closing
from functools import lru_cache
from pathlib import Path

from ledgerdesk.core.paths import shipped_data_dir

log = logging.getLogger(__name__)

_SCHEMA = "CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)"


def _key(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\n{text}".encode()).hexdigest()


SHIPPED = Path("search") / "passage-vectors.sqlite3"  # under the shipped data directory


@lru_cache(maxsize=1)
def shipped_vectors() -> Mapping[str, bytes]:
    """The vectors shipped with the bundled help center, by key (empty when none ship)."""
    path = shipped_data_dir() / SHIPPED
    if not path.is_file():
        return {}
    try:
        uri = f"{path.as_uri()}?mode=ro&immutable=1"
        with closing(sqlite3.connect(uri, uri=True)) as connection:
            return {key: bytes(vector) for key, vector in connection.execute(_ALL)}
    except sqlite3.Error as exc:
        log.warning("shipped passage vectors %s are not readable (%s); ignored", path, exc)
        return {}


_ALL = "SELECT key, vector FROM vectors"


class VectorCache:
    """One SQLite file (WAL, so several processes share it); thread-safe within a process.
    ``path`` None: only the shipped vectors answer, nothing is written."""

    def __init__(self, path: Path | None, shipped: Mapping[str, bytes] | None = None) -> None:
        self.path = path
        self.shipped: Mapping[str, bytes] = shipped if shipped is not None else {}
        self._lock = threading.Lock()
        self._broken = path is None

    def _connect(self) -> sqlite3.Connection:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=10)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(_SCHEMA)
        return connection

    def get_many(self, model: str, texts: Sequence[str]) -> list[bytes | None]:
        """The stored vector of each text (None where there is none)."""
        keys = [_key(model, t) for t in texts]
        found = {k: self.shipped[k] for k in keys if k in self.shipped}
        if self._broken or len(found) == len(keys):
            return [found.get(k) for k in keys]
        try:
            with self._lock, closing(self._connect()) as connection:
                for key in keys:
                    if key in found:
                        continue
                    row = connection.execute(
                        "SELECT vector FROM vectors WHERE key = ?", (key,)
                    ).fetchone()
                    if row is not None:
                        found[key] = bytes(row[0])
        except (sqlite3.Error, OSError) as exc:
            self._give_up(exc)
        return [found.get(k) for k in keys]

    def put_many(self, model: str, items: Sequence[tuple[str, bytes]]) -> None:
        if self._broken or not items:
            return
        rows = [(_key(model, text), vector) for text, vector in items]
        try:
            with self._lock, closing(self._connect()) as connection, connection:
                connection.executemany(
                    "INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)", rows
                )
        except (sqlite3.Error, OSError) as exc:
            self._give_up(exc)

    def _give_up(self, exc: Exception) -> None:
        self._broken = True
        log.warning(
            "passage vector cache %s is not usable (%s); indexing goes on without it",
            self.path,
            exc,
        )


_caches: dict[Path, VectorCache] = {}
_caches_lock = threading.Lock()


def vector_cache(directory: Path | None) -> VectorCache:
    """The cache in ``directory`` over the shipped vectors (one per process and path);
    ``directory`` None (the cache switched off): the shipped vectors only."""
    path = (directory / "passages.sqlite3").resolve() if directory is not None else None
    with _caches_lock:
        key = path or Path()
        if key not in _caches:
            _caches[key] = VectorCache(path, shipped_vectors())
        return _caches[key]


def build_shipped(out: Path) -> int:
    """Write the vectors of every passage the bundled help center indexes to ``out`` (a fresh
    desk loads ``data/kb`` with an empty cache; that cache becomes the file); returns how many."""
    from ledgerdesk.core.db import make_engine, make_sessionmaker
    from ledgerdesk.core.migrate import upgrade
    from ledgerdesk.core.settings import get_settings
    from ledgerdesk.demo.services import load_default_kb

    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        path = (folder / "cache" / "passages.sqlite3").resolve()
        cache = VectorCache(path)  # without the shipped layer: every passage is embedded
        with _caches_lock:
            _caches[path] = cache
        os.environ["LEDGERDESK_EMBEDDINGS_CACHE"] = "true"
        os.environ["LEDGERDESK_EMBEDDINGS_CACHE_DIR"] = str(path.parent)
        get_settings.cache_clear()
        engine = make_engine(f"sqlite:///{folder / 'desk.db'}")
        try:
            upgrade(engine)
            with make_sessionmaker(engine)() as session:
                load_default_kb(session)
                session.rollback()
        finally:
            engine.dispose()
        with closing(sqlite3.connect(path)) as connection:  # one self-contained file
            connection.execute("PRAGMA journal_mode=DELETE")
            connection.execute("VACUUM")
            count = int(connection.execute("SELECT count(*) FROM vectors").fetchone()[0])
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, out)
    return count


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m ledgerdesk.search.vector_cache OUT.sqlite3")
    # Through the imported module: search indexing looks its caches up there, not in __main__.
    from ledgerdesk.search import vector_cache as this

    print(f"{this.build_shipped(Path(sys.argv[1]))} passage vectors written to {sys.argv[1]}")
