"""What other parts run when a clock is breached: each function gets (session, ticket, target
name) inside the breach job's transaction, after the ``sla.breached`` event is recorded. The
escalation registers itself here (wired in ``composition``)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from ledgerdesk.tickets.models import Ticket

BreachHook = Callable[[Session, Ticket, str], None]
ON_BREACH: list[BreachHook] = []
