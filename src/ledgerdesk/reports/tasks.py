"""The job that keeps ``report_ticket_facts`` current (every minute, once across workers)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ledgerdesk.jobs.schedule import periodic
from ledgerdesk.reports import facts

REFRESH_SECONDS = 60


@periodic("reports.refresh", every_seconds=REFRESH_SECONDS)
def refresh_facts(session: Session, payload: dict[str, Any]) -> None:
    """Recompute the facts of the tickets with new events (safe to run twice)."""
    facts.refresh(session)
