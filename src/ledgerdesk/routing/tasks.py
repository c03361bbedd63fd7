"""Background jobs of the routing pillar."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ledgerdesk.jobs.outbox import handler
from ledgerdesk.routing.services import triage_message


@handler("triage.message")
def triage_job(session: Session, payload: dict[str, Any]) -> None:
    """Triage one customer message (queued by the ticket services when it is stored)."""
    triage_message(session, int(payload["message_id"]))
