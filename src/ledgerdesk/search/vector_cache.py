"""Passage vectors kept on disk between processes, so indexing an unchanged article again (a
restarted desk, a re-import, another desk on this machine) costs no model call.

Keyed by SHA-256 of the embedding model's name and the passage text; the value is the model's
own float32 vector. Only help-center passages go through it (search indexing): never queries
and never customer text. A cache that cannot be opened or written is skipped with a warning:
indexing never fails because of it.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger(__name__)

_SCHEMA = "CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)"


def _key(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\n{text}".encode()).hexdigest()


class VectorCache:
    """One SQLite file (WAL, so several processes share it); thread-safe within a process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._broken = False

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=10)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(_SCHEMA)
        return connection

    def get_many(self, model: str, texts: Sequence[str]) -> list[bytes | None]:
        """The stored vector of each text (None where there is none)."""
        if self._broken or not texts:
            return [None] * len(texts)
        keys = [_key(model, t) for t in texts]
        found: dict[str, bytes] = {}
        try:
            with self._lock, self._connect() as connection:
                for key in keys:
                    row = connection.execute(
                        "SELECT vector FROM vectors WHERE key = ?", (key,)
                    ).fetchone()
                    if row is not None:
                        found[key] = bytes(row[0])
        except (sqlite3.Error, OSError) as exc:
            self._give_up(exc)
            return [None] * len(texts)
        return [found.get(k) for k in keys]

    def put_many(self, model: str, items: Sequence[tuple[str, bytes]]) -> None:
        if self._broken or not items:
            return
        rows = [(_key(model, text), vector) for text, vector in items]
        try:
            with self._lock, self._connect() as connection:
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


def vector_cache(directory: Path | None) -> VectorCache | None:
    """The cache in ``directory`` (one per process and path), or None when switched off."""
    if directory is None:
        return None
    path = (directory / "passages.sqlite3").resolve()
    with _caches_lock:
        if path not in _caches:
            _caches[path] = VectorCache(path)
        return _caches[path]
