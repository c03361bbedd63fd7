"""Agent notifications: what an agent should look at (assigned to them, a customer replied,
mentioned in a note, a low satisfaction score to review).

``notify`` is the one writer: callers run it in a job or in the transaction of the change,
and the ``(agent, dedupe_key)`` pair makes a notification exist once however often that runs.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.channels.models import Notification
from ledgerdesk.core.clock import utcnow

KINDS = frozenset({"assigned", "customer_replied", "mentioned", "csat_low"})


def notify(
    session: Session,
    agent_id: int,
    kind: str,
    dedupe_key: str,
    *,
    ticket_id: int | None = None,
    message_id: int | None = None,
    actor_agent_id: int | None = None,
) -> Notification | None:
    """Record one notification for ``agent_id``; None when it already exists (or the agent
    caused it themselves)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if actor_agent_id is not None and actor_agent_id == agent_id:
        return None
    existing = session.scalar(
        select(Notification.id).where(
            Notification.agent_id == agent_id, Notification.dedupe_key == dedupe_key
        )
    )
    if existing is not None:
        return None
    row = Notification(
        agent_id=agent_id,
        kind=kind,
        dedupe_key=dedupe_key[:120],
        ticket_id=ticket_id,
        message_id=message_id,
        actor_agent_id=actor_agent_id,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row
