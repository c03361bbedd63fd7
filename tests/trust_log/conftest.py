"""Fixtures of the transparency-log tests.

The test database is shared by the whole run, and the embedded worker of any test that starts
the app appends every committed row to its log. A test that needs a log of known content
(test vectors, tampering) gets ``empty_log``: inside the rolled-back ``db_session``
transaction, temporary tables named like the log's shadow the real ones (SQLite and
PostgreSQL both look temporary tables up first), so ``trust.log`` writes and reads a log of
its own, gone at the end of the test."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import MetaData
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateTable

from ledgerdesk.core.clock import utcnow
from ledgerdesk.trust import log, merkle
from ledgerdesk.trust.leaves import leaf_bytes
from ledgerdesk.trust.log_models import LogCursor, LogHead, LogKey, LogLeaf, LogNode

LOG_MODELS = (LogLeaf, LogNode, LogHead, LogKey, LogCursor)


@pytest.fixture
def empty_log(db_session: Session) -> Iterator[Session]:
    """``db_session`` with an empty transparency log of its own (temporary tables)."""
    metadata = MetaData()
    for model in LOG_MODELS:
        table = model.__table__.to_metadata(metadata)  # type: ignore[attr-defined]
        table._prefixes = ["TEMPORARY"]
        db_session.execute(CreateTable(table))
    yield db_session


def fake_finding(n: int) -> Any:
    """A stand-in guard-finding row for leaves whose source rows are not the point."""
    return SimpleNamespace(
        id=n, message_id=n, field="body", kind="seed_phrase", created_at=utcnow()
    )


def leaf_hash_of(row: Any) -> bytes:
    return merkle.leaf_hash(leaf_bytes("guard", row))


def drain(session: Session) -> None:
    """Log everything committed so far and sign a head over it, however long the backlog (the
    job does the same over several runs of at most ``log.JOB_BATCH`` rows per source)."""
    while log.append_pending(session) >= log.BATCH:
        pass
    log.sign_head(session)
