"""Reading cases for lists: the console register, the customer's "My cases", the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Customer
from ledgerdesk.accounts.services import Actor
from ledgerdesk.cases.models import OPEN_CASE, Case, CaseKind, CaseStatus
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import InvalidInput


@dataclass(frozen=True)
class CaseFilter:
    kind: CaseKind | None = None
    status: CaseStatus | None = None
    overdue: bool = False


def parse_filter(kind: str, status: str, overdue: str | bool) -> CaseFilter:
    """The list's filters from query strings; InvalidInput names a bad one."""
    try:
        chosen_kind = CaseKind(kind) if kind else None
    except ValueError:
        raise InvalidInput("Unknown case kind", field="kind") from None
    try:
        chosen_status = CaseStatus(status) if status else None
    except ValueError:
        raise InvalidInput("Unknown case status", field="status") from None
    flag = overdue if isinstance(overdue, bool) else overdue in ("1", "true", "on", "yes")
    return CaseFilter(kind=chosen_kind, status=chosen_status, overdue=flag)


def visible(actor: Actor) -> Any:
    """The cases ``actor`` may see (``register.can_see`` as a query condition)."""
    if actor.is_customer:
        return Case.customer_id == actor.id
    if actor.sees_everything:
        return True
    if actor.is_agent:
        return or_(Case.assignee_id == actor.id, Case.team_id.in_(sorted(actor.team_ids)))
    return False


def list_cases(
    session: Session, actor: Actor, chosen: CaseFilter, *, page: int = 1, per_page: int = 50
) -> tuple[list[tuple[Case, Customer]], int]:
    """Newest first, with each case's customer; and the total."""
    query = select(Case, Customer).join(Customer, Customer.id == Case.customer_id)
    query = query.where(visible(actor))
    if chosen.kind is not None:
        query = query.where(Case.kind == chosen.kind)
    if chosen.status is not None:
        query = query.where(Case.status == chosen.status)
    if chosen.overdue:
        query = query.where(Case.status.in_(OPEN_CASE), Case.due_at < utcnow())
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(Case.received_at.desc(), Case.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return [(row[0], row[1]) for row in rows], total


def is_overdue(case: Case) -> bool:
    return case.is_open and case.due_at is not None and case.due_at < utcnow()
