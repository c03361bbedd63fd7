"""Tables of the transparency log (``docs/trust-log.md``): the leaves (which source row each
index holds), the stored Merkle nodes, the signed tree heads and the signing keys.

Every table here only grows: the ORM refuses UPDATE and DELETE, and migration 0025 adds
database triggers that refuse them too. ``trust.log`` is the only writer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Index,
    LargeBinary,
    SmallInteger,
    String,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import Base


class LogLeaf(Base):
    """Leaf ``idx`` (0, 1, 2... in the order the appender saw the rows commit) is the canonical
    JSON of row ``source_id`` of ``source`` (see ``trust.leaves``); ``salt`` (hex) is the salt
    of a message's body hash, ``None`` for other sources."""

    __tablename__ = "log_leaves"
    __table_args__ = (UniqueConstraint("source", "source_id", name="uq_log_leaves_source"),)

    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[int] = mapped_column(BigInteger)
    salt: Mapped[str | None] = mapped_column(String(32), default=None)
    appended_at: Mapped[datetime] = mapped_column(default=utcnow)


class LogNode(Base):
    """The hash of the complete subtree of ``2**level`` leaves starting at leaf
    ``idx * 2**level``; level 0 holds the leaf hashes. Only complete subtrees are stored, so a
    stored node never changes as the tree grows."""

    __tablename__ = "log_nodes"
    # A proof asked by leaf hash (as in CT) finds its leaf through this index.
    __table_args__ = (
        Index(
            "ix_log_nodes_leaf_hash",
            "hash",
            postgresql_where=text("level = 0"),
            sqlite_where=text("level = 0"),
        ),
    )

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LogHead(Base):
    """A signed tree head: the root of the first ``tree_size`` leaves at ``timestamp`` (ms since
    the epoch), signed with key ``key_id`` (``signature``: hex Ed25519 over
    ``trust.merkle.head_message``)."""

    __tablename__ = "log_heads"
    __table_args__ = (Index("ix_log_heads_timestamp", "timestamp"),)

    tree_size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[str] = mapped_column(String(64))
    timestamp: Mapped[int] = mapped_column(BigInteger)
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LogKey(Base):
    """A public key that has signed tree heads (hex of the raw 32-byte Ed25519 key). A rotated
    key stays here, so old heads still verify."""

    __tablename__ = "log_keys"

    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LogCursor(Base):
    """Per source, every row with an id at or below ``low_id`` is in the log (or was a rolled
    back id, given up on after ``trust.log.GAP_SECONDS``)."""

    __tablename__ = "log_cursors"

    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    low_id: Mapped[int] = mapped_column(BigInteger, default=0)


class LogIsAppendOnly(Exception):
    """Raised when code tries to change or remove a leaf, node or tree head."""


def _refuse(_mapper: Mapper[Any], _connection: Any, target: Any) -> None:
    raise LogIsAppendOnly(f"{type(target).__name__} rows cannot be changed or removed")


for _model in (LogLeaf, LogNode, LogHead, LogKey):
    event.listen(_model, "before_update", _refuse)
    event.listen(_model, "before_delete", _refuse)
