"""What the log's API and page answer, as checked reads: each function validates the request
against the published tree (the latest signed head) and raises a domain error a person can
act on, never an exception that would become a 500.

Proofs are given only within the latest signed tree head, as in Certificate Transparency:
leaves appended after it are not published yet, and a proof against a size nobody holds a
signed root for proves nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ledgerdesk.core.errors import InvalidInput, NotFound
from ledgerdesk.trust import log, merkle
from ledgerdesk.trust.leaves import BY_NAME, leaf_data
from ledgerdesk.trust.log_models import LogHead

HASH_HEX = 64


def published_head(session: Session) -> LogHead:
    """The latest signed tree head, or 404 while the log has none."""
    head = log.latest_head(session)
    if head is None:
        raise NotFound(
            "The log has no signed tree head yet; the first is signed a few seconds after the "
            "first event"
        )
    return head


def stored_head(session: Session, size: int) -> LogHead:
    head = log.head_at(session, size)
    if head is None:
        raise NotFound(f"No tree head was signed at tree size {size}", field="tree_size")
    return head


def _within_published(session: Session, size: int, field: str) -> None:
    published = published_head(session).tree_size
    if size > published:
        raise InvalidInput(
            f"{field} {size} is larger than the latest signed tree head ({published} leaves)",
            field=field,
        )


def parse_hash(value: str, field: str = "hash") -> bytes:
    """A 32-byte hash given as 64 hex characters."""
    text = value.strip().lower()
    if len(text) != HASH_HEX or any(c not in "0123456789abcdef" for c in text):
        raise InvalidInput(
            f"{field} must be a SHA-256 hash as {HASH_HEX} hexadecimal characters", field=field
        )
    return bytes.fromhex(text)


@dataclass(frozen=True)
class InclusionAnswer:
    leaf_index: int
    tree_size: int
    audit_path: list[bytes]


def proof_by_hash(session: Session, hash_hex: str, size: int) -> InclusionAnswer:
    """CT's get-proof-by-hash: the audit path of the leaf with this hash in the tree of
    ``size`` leaves."""
    digest = parse_hash(hash_hex)
    if size < 1:
        raise InvalidInput("tree_size must be at least 1", field="tree_size")
    _within_published(session, size, "tree_size")
    index = log.leaf_index_of(session, digest)
    if index is None:
        raise NotFound("No leaf of this log has this hash", field="hash")
    if index >= size:
        raise NotFound(
            f"This leaf is at index {index}, not among the first {size} leaves", field="hash"
        )
    return InclusionAnswer(index, size, log.inclusion_proof(session, index, size))


def consistency(session: Session, first: int, second: int) -> list[bytes]:
    """CT's get-sth-consistency between two sizes of the published tree."""
    if first < 0:
        raise InvalidInput("first must not be negative", field="first")
    if first > second:
        raise InvalidInput(
            f"first ({first}) must not be larger than second ({second})", field="first"
        )
    _within_published(session, second, "second")
    return log.consistency_proof(session, first, second)


@dataclass(frozen=True)
class LeafAnswer:
    leaf_index: int
    source: str
    source_id: int
    leaf_hash: bytes
    leaf: dict[str, Any] | None
    row_matches: bool
    tree_size: int | None
    audit_path: list[bytes] | None


def leaf_detail(session: Session, source: str, source_id: int) -> LeafAnswer:
    """The leaf of one source row: its index, the leaf rebuilt from the row now (with the
    stored salt), whether that still hashes to what was logged, and its inclusion proof in the
    latest signed head when that head covers it."""
    if source not in BY_NAME:
        raise InvalidInput(f"Unknown log source {source!r}", field="source")
    entry = log.leaf_for(session, source, source_id)
    if entry is None:
        raise NotFound(f"{source} {source_id} is not in the log (yet)")
    stored = log.leaf_hash_at(session, entry.idx)
    if stored is None:
        raise NotFound(f"The log has no hash for leaf {entry.idx}")
    row = session.get(BY_NAME[source].model, source_id)
    data = leaf_data(source, row, entry.salt) if row is not None else None
    matches = data is not None and merkle.leaf_hash(merkle.canonical_json(data)) == stored
    head = log.latest_head(session)
    size = head.tree_size if head is not None and head.tree_size > entry.idx else None
    path = log.inclusion_proof(session, entry.idx, size) if size is not None else None
    return LeafAnswer(entry.idx, source, source_id, stored, data, matches, size, path)
