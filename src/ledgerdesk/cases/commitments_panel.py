"""The complaint's on-chain commitment on the console case page (``cases/_panel_complaint.html``):
its state on the commitment contract and each transaction. Reads only the database: the jobs of
``cases.commitments`` keep it in step with the chain, so the page never waits for a node."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from ledgerdesk.cases.commitments import commitment_of
from ledgerdesk.cases.models import Case
from ledgerdesk.cases.panels import PANELS


def commitment_panel(session: Session, case: Case) -> dict[str, Any]:
    row = commitment_of(session, case.id)
    if row is None:
        return {"commitment": None}
    deadline = datetime.fromtimestamp(row.deadline, UTC).replace(tzinfo=None)
    return {"commitment": row, "commitment_deadline": deadline}


PANELS["complaint"] = commitment_panel
PANELS["appeal"] = commitment_panel
