"""The assistant's decision for one customer message (owned by the engine branch)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ledgerdesk.ai.assistant.types import Context, Reply
from ledgerdesk.core.settings import Settings


def answer(
    session: Session, text: str, context: Context, settings: Settings | None = None
) -> Reply:
    """Answer ``text`` (already guarded) or hand over. Never writes to the database."""
    raise NotImplementedError("the engine branch replaces this module")
