"""``ledgerdesk verify log``: recompute the transparency log from the database and say what no
longer matches.

One streaming pass over the leaf indexes, in batches (a log of millions of leaves never sits
in memory): each leaf is rebuilt from its source row (with its stored salt) and compared with
the stored level-0 hash; the stored hashes are folded into the tree the way the appender
builds it (a stack of complete subtrees), so each complete subtree is compared with its stored
node the moment it completes, and each signed tree head's root is compared with the root of
the stack when the pass reaches the head's size. Each head's signature is checked with the
key it names (from ``log_keys``). Last, the count of stored nodes at each level shows nodes
that belong to no leaf, and rows the appender's cursors have passed but the log lacks show
rows added behind its back.

The tree is folded from the *stored* leaf hashes, each checked against its row: an edited row
is then reported once, at its leaf, instead of again at every later head; an edited stored
hash breaks the nodes and heads above it, and those are reported too.

Rows are read as plain database rows (not ORM objects), so a session that still holds an
older copy of a row in memory cannot hide a change in the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerdesk.trust import log, merkle, signing
from ledgerdesk.trust.leaves import BY_NAME, leaf_bytes
from ledgerdesk.trust.log_models import LogCursor, LogHead, LogLeaf, LogNode

BATCH = 4096  # leaves per read; a power of two, so most subtrees complete inside one batch
ID_CHUNK = 900  # ids per IN (...) list, under SQLite's old limit of 999 parameters
MAX_PROBLEMS = 1000  # problems listed one by one; past this only counted

NAMES = {"case_step": "case step", "guard": "guard finding", "security_step": "security step"}


def _name(source: str) -> str:
    return NAMES.get(source, source)


@dataclass
class LogReport:
    """What one verification found. ``problems`` is empty when everything matched."""

    leaves: int = 0
    heads: int = 0
    latest_root: str | None = None
    problems: list[str] = field(default_factory=list)
    unlisted: int = 0  # problems past MAX_PROBLEMS
    last_head: tuple[int, int] | None = None  # (tree size, timestamp) of the head checked last

    @property
    def ok(self) -> bool:
        return not self.problems and not self.unlisted

    def problem(self, text: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)
        else:
            self.unlisted += 1


class _Tree:
    """The complete subtrees of the leaves folded so far, left to right: enough to give the
    root at the current size and to know which stored nodes the next leaf completes."""

    def __init__(self) -> None:
        self.stack: list[tuple[int, bytes]] = []  # (level, hash)
        self.size = 0

    def push(self, digest: bytes) -> list[tuple[int, int, bytes]]:
        """Add the next leaf hash; returns the subtrees it completed as (level, idx, hash)."""
        completed: list[tuple[int, int, bytes]] = []
        level, value = 0, digest
        self.size += 1
        while self.stack and self.stack[-1][0] == level:
            _, left = self.stack.pop()
            value = merkle.node_hash(left, value)
            level += 1
            completed.append((level, (self.size >> level) - 1, value))
        self.stack.append((level, value))
        return completed

    def root(self) -> bytes:
        if not self.stack:
            return merkle.EMPTY_ROOT
        acc = self.stack[-1][1]
        for _, left in reversed(self.stack[:-1]):
            acc = merkle.node_hash(left, acc)
        return acc


def verify_log(session: Session, batch: int = BATCH) -> LogReport:
    """Check the whole log; read-only."""
    report = LogReport()
    size = _extent(session)
    keys = log.public_keys(session)
    heads = _heads(session)
    head = next(heads, None)
    tree = _Tree()
    while head is not None and head.tree_size == 0:
        head = _check_head(head, tree, keys, report, heads)
    for lo in range(0, size, batch):
        hi = min(lo + batch, size)
        leaf_hashes = _leaf_batch(session, lo, hi, report)
        interior = _interior_nodes(session, lo, hi)
        for index in range(lo, hi):
            for level, idx, value in tree.push(leaf_hashes[index]):
                _check_node(level, idx, value, interior, report)
            while head is not None and head.tree_size == tree.size:
                head = _check_head(head, tree, keys, report, heads)
    while head is not None:  # heads beyond the leaves the log holds
        report.heads += 1
        report.problem(f"tree head {head.tree_size}: the log holds only {size} leaves")
        head = next(heads, None)
    _check_extra_nodes(session, size, report)
    _check_unlogged(session, report)
    report.leaves = size
    return report


def _extent(session: Session) -> int:
    """How many leaf indexes to check: past the last leaf and the last leaf hash, so a
    removed last leaf or hash is still noticed."""
    last_leaf = session.scalar(select(func.max(LogLeaf.idx)))
    last_hash = session.scalar(select(func.max(LogNode.idx)).where(LogNode.level == 0))
    ends = [int(v) + 1 for v in (last_leaf, last_hash) if v is not None]
    return max(ends, default=0)


def _heads(session: Session) -> Iterator[Any]:
    """Every stored head by size, read in batches."""
    after = -1
    while True:
        rows = session.execute(
            select(LogHead.__table__)
            .where(LogHead.tree_size > after)
            .order_by(LogHead.tree_size)
            .limit(1000)
        ).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].tree_size


def _check_head(
    head: Any, tree: _Tree, keys: dict[str, str], report: LogReport, heads: Iterator[Any]
) -> Any:
    """Compare one head (at the tree's current size) with the recomputed root and its
    signature; returns the next head."""
    report.heads += 1
    root_hex = tree.root().hex()
    if head.root_hash != root_hex:
        report.problem(f"tree head {head.tree_size}: root does not match the leaves")
    public = keys.get(head.key_id)
    message = merkle.head_message(head.tree_size, head.timestamp, head.root_hash, head.key_id)
    if public is None:
        report.problem(
            f"tree head {head.tree_size}: signed with key {head.key_id}, not in log_keys"
        )
    elif signing.key_id(public) != head.key_id:
        report.problem(
            f"tree head {head.tree_size}: key {head.key_id} does not match its public key"
        )
    elif not signing.verify(public, message, head.signature):
        report.problem(f"tree head {head.tree_size}: bad signature")
    if report.last_head is not None and head.timestamp < report.last_head[1]:
        report.problem(
            f"tree head {head.tree_size}: signed before the smaller tree head {report.last_head[0]}"
        )
    report.last_head = (head.tree_size, head.timestamp)
    report.latest_root = head.root_hash
    return next(heads, None)


def _leaf_batch(session: Session, lo: int, hi: int, report: LogReport) -> dict[int, bytes]:
    """The stored hash of each leaf in [lo, hi), each checked against its source row; a leaf
    without a stored hash is folded in with its rebuilt hash (or zeros, when neither exists)."""
    leaves = {
        row.idx: row
        for row in session.execute(
            select(LogLeaf.idx, LogLeaf.source, LogLeaf.source_id, LogLeaf.salt).where(
                LogLeaf.idx >= lo, LogLeaf.idx < hi
            )
        )
    }
    stored = {
        int(idx): bytes(value)
        for idx, value in session.execute(
            select(LogNode.idx, LogNode.hash).where(
                LogNode.level == 0, LogNode.idx >= lo, LogNode.idx < hi
            )
        )
    }
    rows = _source_rows(session, leaves.values())
    out: dict[int, bytes] = {}
    for index in range(lo, hi):
        rebuilt = _check_leaf(index, leaves.get(index), stored.get(index), rows, report)
        out[index] = stored.get(index) or rebuilt or bytes(32)
    return out


def _source_rows(session: Session, leaves: Any) -> dict[tuple[str, int], Any]:
    """The source rows the leaves name, as plain rows: (source, id) -> row."""
    wanted: dict[str, list[int]] = {}
    for leaf in leaves:
        if leaf.source in BY_NAME:
            wanted.setdefault(leaf.source, []).append(int(leaf.source_id))
    out: dict[tuple[str, int], Any] = {}
    for source, ids in wanted.items():
        table = BY_NAME[source].model.__table__
        for start in range(0, len(ids), ID_CHUNK):
            chunk = ids[start : start + ID_CHUNK]
            for row in session.execute(select(table).where(table.c.id.in_(chunk))):
                out[(source, int(row.id))] = row
    return out


def _check_leaf(
    index: int,
    leaf: Any,
    stored: bytes | None,
    rows: dict[tuple[str, int], Any],
    report: LogReport,
) -> bytes | None:
    """Report what is wrong with leaf ``index``; returns its hash rebuilt from the row."""
    if leaf is None:
        report.problem(f"leaf {index}: missing from log_leaves (a gap in the leaf indexes)")
        return None
    where = f"leaf {index} ({_name(leaf.source)} {leaf.source_id})"
    if leaf.source not in BY_NAME:
        report.problem(f"leaf {index}: unknown source {leaf.source!r}")
        return None
    row = rows.get((leaf.source, int(leaf.source_id)))
    rebuilt = None
    if row is None:
        report.problem(f"leaf {index}: {_name(leaf.source)} {leaf.source_id} is missing")
    else:
        try:
            rebuilt = merkle.leaf_hash(leaf_bytes(leaf.source, row, leaf.salt))
        except ValueError as exc:  # a message whose salt was removed
            report.problem(f"{where}: cannot be rebuilt: {exc}")
    if stored is None:
        report.problem(f"{where}: its stored hash is missing")
    elif rebuilt is not None and rebuilt != stored:
        report.problem(f"{where}: the stored row no longer matches the logged leaf")
    return rebuilt


def _interior_nodes(session: Session, lo: int, hi: int) -> dict[tuple[int, int], bytes]:
    """The stored nodes above the leaves that leaves [lo, hi) complete: node (level, i) is
    completed by leaf (i + 1) * 2**level - 1."""
    out: dict[tuple[int, int], bytes] = {}
    for level in range(1, hi.bit_length() + 1):
        first = ((lo + (1 << level)) >> level) - 1
        last = (hi >> level) - 1
        if first > last:
            continue
        rows = session.execute(
            select(LogNode.idx, LogNode.hash).where(
                LogNode.level == level, LogNode.idx >= first, LogNode.idx <= last
            )
        )
        out.update({(level, int(idx)): bytes(value) for idx, value in rows})
    return out


def _check_node(
    level: int, idx: int, value: bytes, stored: dict[tuple[int, int], bytes], report: LogReport
) -> None:
    found = stored.get((level, idx))
    span = f"leaves {idx << level}-{((idx + 1) << level) - 1}"
    if found is None:
        report.problem(f"node (level {level}, index {idx}) over {span} is missing")
    elif found != value:
        report.problem(
            f"node (level {level}, index {idx}) over {span} does not match the hash of its children"
        )


def _check_extra_nodes(session: Session, size: int, report: LogReport) -> None:
    """Stored nodes no complete subtree of the log's leaves accounts for."""
    counts = session.execute(
        select(LogNode.level, func.count(), func.max(LogNode.idx)).group_by(LogNode.level)
    )
    for level, count, last in counts:
        expected = size >> int(level)
        if int(count) > expected or (last is not None and int(last) >= expected):
            report.problem(
                f"level {level}: {count} stored nodes, but the {size} leaves make {expected}"
            )


def _check_unlogged(session: Session, report: LogReport) -> None:
    """Rows at or below a source's cursor that are not in the log: the appender has passed
    them, so they were added behind its back (or committed after ``trust.log.GAP_SECONDS``)."""
    cursors = dict(session.execute(select(LogCursor.source, LogCursor.low_id)).all())
    for source, low in sorted(cursors.items()):
        if source not in BY_NAME:
            continue
        table = BY_NAME[source].model.__table__
        logged = select(LogLeaf.idx).where(
            LogLeaf.source == source, LogLeaf.source_id == table.c.id
        )
        missing = session.execute(
            select(table.c.id)
            .where(table.c.id <= low, ~logged.exists())
            .order_by(table.c.id)
            .execution_options(yield_per=1000)
        )
        for (row_id,) in missing:
            report.problem(f"{_name(source)} {row_id} is not in the log")


def summary(report: LogReport) -> str:
    """The one line printed when everything matched."""
    root = report.latest_root or merkle.EMPTY_ROOT.hex()
    return (
        f"log verified: {report.leaves} leaves, {report.heads} signed tree heads, "
        f"latest root {root}"
    )
