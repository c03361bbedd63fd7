"""The transparency log: appending committed rows as leaves, signing tree heads, and proofs.

Nothing here runs on the request path. The periodic job ``trust.log_append`` (every few
seconds, once across all workers) reads the rows committed since its last pass from each
source (``trust.leaves``), orders them by their time, appends them as leaves with the Merkle
nodes they complete, and signs a new tree head when the tree grew. Requests only read.

Commit order: ids are handed out when a row is inserted, not when its transaction commits, so a
slow transaction may commit an id below one already logged. Each source keeps a cursor below
which every row is known to be logged; above it, rows are matched against the log one by one,
and a missing id (a transaction still open, or rolled back) holds the cursor until the next
row after it is ``GAP_SECONDS`` old. A late commit is still logged, just at a later index.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, insert, or_, select, text
from sqlalchemy.orm import Session

from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.settings import Settings
from ledgerdesk.jobs.outbox import enqueue
from ledgerdesk.jobs.schedule import periodic
from ledgerdesk.trust import merkle, signing
from ledgerdesk.trust.leaves import BY_NAME, SALTED, SOURCES, Source, leaf_bytes
from ledgerdesk.trust.log_models import LogCursor, LogHead, LogKey, LogLeaf, LogNode

log = logging.getLogger("ledgerdesk.trust.log")

TOPIC = "trust.log_append"
EVERY_SECONDS = 3
GAP_SECONDS = 120  # how long an id missing below committed rows may still commit
BATCH = 5000  # rows read per source per pass
JOB_BATCH = 5000  # rows per source in one run of the job (PostgreSQL)
JOB_BATCH_SQLITE = 500  # on SQLite the run holds the one write lock: keep it short
FOLLOW_UP_SECONDS = 0.25  # a backlog's next run: soon, with other jobs and requests between
_PG_LOCK = 0x6C6F67  # advisory lock: one appender at a time on PostgreSQL


class ProofError(ValueError):
    """A proof was asked for sizes or leaves the log does not have."""


@periodic(TOPIC, every_seconds=EVERY_SECONDS)
def run_append(session: Session, payload: dict[str, Any]) -> None:
    """The job: append what was committed since the last run, then sign the new head.

    One run appends a bounded number of rows per source, so its transaction stays short (on
    SQLite it holds the one write lock while it runs); a backlog (the first start on a desk
    with history, a worker back from a stop) continues in a follow-up run a moment later,
    which leaves the queue to other jobs in between."""
    batch = JOB_BATCH_SQLITE if session.get_bind().dialect.name == "sqlite" else JOB_BATCH
    added = append_pending(session, batch)
    sign_head(session)
    if added >= batch:
        enqueue(session, TOPIC, {"after": tree_size(session)}, delay_seconds=FOLLOW_UP_SECONDS)


# -- appending ----------------------------------------------------------------------------


def tree_size(session: Session) -> int:
    """How many leaves the log holds (from the primary key's end, not a count)."""
    last = session.scalar(select(func.max(LogLeaf.idx)))
    return 0 if last is None else int(last) + 1


def append_pending(session: Session, batch: int = BATCH) -> int:
    """Append the rows committed since the last pass; returns how many leaves were added.
    The caller commits."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
    cursors = {c.source: c for c in session.scalars(select(LogCursor))}
    found: list[tuple[datetime, int, str, Any]] = []
    for rank, source in enumerate(SOURCES):
        cursor = cursors.get(source.name)
        if cursor is None:
            cursor = LogCursor(source=source.name, low_id=0)
            session.add(cursor)
        rows, new = _unlogged(session, source, cursor.low_id, batch)
        for row in new:
            found.append((getattr(row, source.time_column), rank, source.name, row))
        cursor.low_id = _advance(cursor.low_id, rows, source)
    if not found:
        return 0
    found.sort(key=lambda f: (f[0], f[1], f[3].id))
    append_rows(session, [(name, row) for _, _, name, row in found])
    return len(found)


def _unlogged(
    session: Session, source: Source, low: int, batch: int
) -> tuple[list[Any], list[Any]]:
    """The rows above the cursor (logged or not), and those of them not in the log yet."""
    model: Any = source.model
    rows = list(
        session.scalars(select(model).where(model.id > low).order_by(model.id).limit(batch))
    )
    if not rows:
        return rows, []
    logged = set(
        session.scalars(
            select(LogLeaf.source_id).where(
                LogLeaf.source == source.name,
                LogLeaf.source_id > low,
                LogLeaf.source_id <= rows[-1].id,
            )
        )
    )
    return rows, [r for r in rows if r.id not in logged]


def _advance(low: int, rows: list[Any], source: Source) -> int:
    """The new cursor: past every row seen (all logged by now) up to the first missing id
    that may still commit."""
    old = utcnow() - timedelta(seconds=GAP_SECONDS)
    expected = low + 1
    for row in rows:
        if row.id != expected and _naive(getattr(row, source.time_column)) > old:
            break
        low = row.id
        expected = row.id + 1
    return low


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def append_rows(session: Session, rows: Iterable[tuple[str, Any]]) -> int:
    """Append ``(source, row)`` pairs as the next leaves, with the nodes they complete."""
    size = tree_size(session)
    known = _fetch(session, merkle.frontier(size))
    leaves: list[dict[str, Any]] = []
    nodes: list[dict[str, Any]] = []
    now = utcnow()
    index = size
    for source, row in rows:
        salt = secrets.token_hex(16) if source in SALTED else None
        digest = merkle.leaf_hash(leaf_bytes(source, row, salt))
        leaves.append(
            {"idx": index, "source": source, "source_id": row.id, "salt": salt, "appended_at": now}
        )
        known[(0, index)] = digest
        nodes.append({"level": 0, "idx": index, "hash": digest})
        for level, node in merkle.completed_nodes(index):
            value = merkle.node_hash(known[(level - 1, 2 * node)], known[(level - 1, 2 * node + 1)])
            known[(level, node)] = value
            nodes.append({"level": level, "idx": node, "hash": value})
        index += 1
    if leaves:
        session.execute(insert(LogLeaf), leaves)
        session.execute(insert(LogNode), nodes)
    return len(leaves)


def _nodes_in(keys: list[tuple[int, int]]) -> ColumnElement[bool]:
    """``(level, idx) IN keys`` as one ``level = L AND idx IN (...)`` per level: SQLite scans
    the whole table for a row-value IN, but looks each of these up in the primary key."""
    by_level: dict[int, list[int]] = {}
    for level, idx in keys:
        by_level.setdefault(level, []).append(idx)
    return or_(*(and_(LogNode.level == lv, LogNode.idx.in_(ids)) for lv, ids in by_level.items()))


def _fetch(session: Session, wanted: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    keys = sorted(set(wanted))
    out: dict[tuple[int, int], bytes] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        rows = session.execute(
            select(LogNode.level, LogNode.idx, LogNode.hash).where(_nodes_in(chunk))
        )
        out.update({(level, idx): bytes(value) for level, idx, value in rows})
    missing = [k for k in keys if k not in out]
    if missing:
        raise ProofError(f"the log is missing stored nodes {missing[:3]}")
    return out


# -- tree heads ---------------------------------------------------------------------------


def root_at(session: Session, size: int) -> bytes:
    """The root hash of the first ``size`` leaves, from stored nodes."""
    if size == 0:
        return merkle.EMPTY_ROOT
    return merkle.range_hash(0, size, _fetch(session, merkle.range_nodes(0, size)))


def sign_head(session: Session, settings: Settings | None = None) -> LogHead | None:
    """Sign a head for the current tree when it grew since the last one; returns it."""
    size = tree_size(session)
    last = latest_head(session)
    if size == 0 or (last is not None and last.tree_size >= size):
        return None
    key = signing.signing_key(settings)
    public = signing.public_hex(key)
    kid = signing.key_id(public)
    if session.get(LogKey, kid) is None:
        session.add(LogKey(key_id=kid, public_key=public))
    root_hex = root_at(session, size).hex()
    stamp = int(utcnow().replace(tzinfo=UTC).timestamp() * 1000)
    head = LogHead(
        tree_size=size,
        root_hash=root_hex,
        timestamp=stamp,
        key_id=kid,
        signature=signing.sign(key, merkle.head_message(size, stamp, root_hex, kid)),
    )
    session.add(head)
    session.flush()
    return head


def latest_head(session: Session) -> LogHead | None:
    return session.scalars(select(LogHead).order_by(LogHead.tree_size.desc()).limit(1)).first()


def head_at(session: Session, size: int) -> LogHead | None:
    return session.get(LogHead, size)


def head_json(head: LogHead) -> dict[str, Any]:
    """A tree head as the API and transcripts carry it."""
    return {
        "tree_size": head.tree_size,
        "timestamp": head.timestamp,
        "root_hash": head.root_hash,
        "key_id": head.key_id,
        "signature": head.signature,
    }


def public_keys(session: Session) -> dict[str, str]:
    """Every key that has signed a head: key id -> hex public key."""
    rows = session.execute(select(LogKey.key_id, LogKey.public_key))
    return {key_id: public for key_id, public in rows}


# -- leaves and proofs --------------------------------------------------------------------


def leaf_for(session: Session, source: str, source_id: int) -> LogLeaf | None:
    if source not in BY_NAME:
        raise ValueError(f"unknown log source {source!r}")
    return session.scalars(
        select(LogLeaf).where(LogLeaf.source == source, LogLeaf.source_id == source_id)
    ).first()


def leaves_for(session: Session, source: str, ids: Iterable[int]) -> dict[int, LogLeaf]:
    """The leaves of many rows of one source: source id -> leaf (rows not logged yet are left
    out)."""
    wanted = sorted(set(ids))
    out: dict[int, LogLeaf] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for leaf in session.scalars(
            select(LogLeaf).where(LogLeaf.source == source, LogLeaf.source_id.in_(chunk))
        ):
            out[leaf.source_id] = leaf
    return out


def leaf_hash_at(session: Session, idx: int) -> bytes | None:
    value = session.scalar(select(LogNode.hash).where(LogNode.level == 0, LogNode.idx == idx))
    return bytes(value) if value is not None else None


def leaf_index_of(session: Session, digest: bytes) -> int | None:
    """The index of the leaf with this hash (for a proof asked by hash, as in CT)."""
    value = session.scalar(
        select(LogNode.idx).where(LogNode.level == 0, LogNode.hash == digest).limit(1)
    )
    return int(value) if value is not None else None


def inclusion_proof(session: Session, idx: int, size: int) -> list[bytes]:
    """The audit path of leaf ``idx`` in the tree of ``size`` leaves."""
    if not 0 <= idx < size or size > tree_size(session):
        raise ProofError(f"leaf {idx} is not in a tree of {size} leaves of this log")
    ranges = merkle.inclusion_ranges(idx, size)
    return _hashes(session, ranges)


def inclusion_proofs(session: Session, indexes: Iterable[int], size: int) -> dict[int, list[bytes]]:
    """The audit paths of many leaves in the tree of ``size`` leaves, from one fetch of the
    stored nodes they share (a transcript proves every item this way)."""
    wanted = sorted(set(indexes))
    if not wanted:
        return {}
    if wanted[0] < 0 or wanted[-1] >= size or size > tree_size(session):
        raise ProofError(f"leaves {wanted[0]}..{wanted[-1]} are not in a tree of {size} leaves")
    ranges = {idx: merkle.inclusion_ranges(idx, size) for idx in wanted}
    nodes = _fetch(
        session, [n for rs in ranges.values() for a, b in rs for n in merkle.range_nodes(a, b)]
    )
    return {idx: [merkle.range_hash(a, b, nodes) for a, b in rs] for idx, rs in ranges.items()}


def consistency_proof(session: Session, first: int, second: int) -> list[bytes]:
    """The proof that the tree of ``first`` leaves is a prefix of the one of ``second``."""
    if not 0 <= first <= second or second > tree_size(session):
        raise ProofError(f"no consistency proof from {first} to {second} leaves in this log")
    return _hashes(session, merkle.consistency_ranges(first, second))


def _hashes(session: Session, ranges: list[merkle.Range]) -> list[bytes]:
    wanted = [n for a, b in ranges for n in merkle.range_nodes(a, b)]
    nodes = _fetch(session, wanted)
    return [merkle.range_hash(a, b, nodes) for a, b in ranges]
