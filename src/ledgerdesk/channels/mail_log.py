"""Reading the inbound-mail log (``inbound_mails``) for the admin console."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import Actor, require_role
from ledgerdesk.channels.mail_in import OUTCOMES
from ledgerdesk.channels.models import InboundMail


def list_inbound(
    session: Session, actor: Actor, *, outcome: str = "", page: int = 1, per_page: int = 50
) -> tuple[list[InboundMail], int]:
    """Recent inbound mails, newest first, optionally of one outcome. Admins only: the log
    shows every sender's address."""
    require_role(actor, Role.admin)
    query = select(InboundMail)
    if outcome in OUTCOMES:
        query = query.where(InboundMail.outcome == outcome)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(InboundMail.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(rows), total
