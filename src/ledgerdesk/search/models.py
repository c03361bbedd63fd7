"""Analysed documents, written by the indexing job and read by every process's index."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import Base


class SearchDocument(Base):
    """One searchable unit (an article translation). ``version`` grows with every write, in
    commit order, so a process catches up by reading rows above the last version it saw."""

    __tablename__ = "search_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    ref_id: Mapped[int] = mapped_column(Integer, index=True)
    lang: Mapped[str] = mapped_column(String(16))
    visibility: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(500))
    terms: Mapped[str] = mapped_column(Text)
    words: Mapped[str] = mapped_column(Text)
    vector: Mapped[bytes | None] = mapped_column(LargeBinary)
    model: Mapped[str] = mapped_column(String(200), default="")
    # SHA-256 of the embedded text: an unchanged text keeps its vector instead of re-embedding.
    digest: Mapped[str] = mapped_column(String(64), default="")
    version: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), unique=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
