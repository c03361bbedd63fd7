"""JSON routes of cases under /api/v1: the list and one case (agents see the cases of their
teams and their own, leads and admins all, customers theirs), and a customer's filing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from ledgerdesk.accounts.services import Actor
from ledgerdesk.cases import complaints_queries as cq
from ledgerdesk.cases import register
from ledgerdesk.cases.complaints import ComplaintForm, do_file
from ledgerdesk.cases.complaints_schemas import (
    CaseList,
    CasePublic,
    CaseStepPublic,
    ComplaintCreate,
)
from ledgerdesk.cases.letters import case_url
from ledgerdesk.cases.models import Case, CaseKind
from ledgerdesk.cases.portal import PUBLIC_STEPS
from ledgerdesk.core.errors import NotPermitted
from ledgerdesk.core.types import PageNumber, PathId
from ledgerdesk.web.deps import CurrentActor, Db

router = APIRouter(prefix="/api/v1", tags=["cases"])
CUSTOMER_DETAILS = ("what_happened", "wants", "facts_dates", "refs", "appeal_of")


def _public(db: Session, actor: Actor, case: Case, *, with_steps: bool) -> CasePublic:
    steps = register.steps(db, case) if with_steps else []
    if actor.is_customer:  # internal notes and warnings stay inside the desk
        steps = [s for s in steps if s.step in PUBLIC_STEPS]
    details = dict(case.details)
    if actor.is_customer:
        details = {k: v for k, v in details.items() if k in CUSTOMER_DETAILS}
    return CasePublic(
        id=case.id,
        reference=case.reference,
        kind=case.kind.value,
        status=case.status.value,
        subject=case.subject,
        topic=case.topic,
        language=case.language,
        channel=case.channel,
        jurisdiction=case.jurisdiction,
        customer_id=case.customer_id,
        ticket_id=case.ticket_id,
        team_id=case.team_id,
        assignee_id=case.assignee_id,
        points=list(case.points),
        received_at=case.received_at,
        acknowledged_at=case.acknowledged_at,
        due_at=case.due_at,
        limit_at=case.limit_at,
        decided_at=case.decided_at,
        closed_at=case.closed_at,
        outcome=case.outcome,
        overdue=cq.is_overdue(case),
        url=case_url(case),
        steps=[
            CaseStepPublic(seq=s.seq, step=s.step, actor_type=s.actor_type, at=s.at) for s in steps
        ],
        details=details if with_steps else {},
    )


@router.get("/cases")
def list_cases(
    db: Db,
    actor: CurrentActor,
    kind: Annotated[CaseKind | None, Query()] = None,
    status: Annotated[str, Query(max_length=32)] = "",
    overdue: bool = False,
    page: PageNumber = 1,
) -> CaseList:
    """Cases the caller may see, newest first (50 a page); filters: kind, status, overdue."""
    chosen = cq.parse_filter(kind.value if kind else "", status, overdue)
    rows, total = cq.list_cases(db, actor, chosen, page=page)
    items = [_public(db, actor, case, with_steps=False) for case, _customer in rows]
    return CaseList(items=items, total=total, page=page)


@router.get("/cases/{case_id}")
def get_case(case_id: PathId, db: Db, actor: CurrentActor) -> CasePublic:
    """One case with its register steps (a customer sees the steps sent to them)."""
    case = register.access_case(db, actor, case_id)
    return _public(db, actor, case, with_steps=True)


@router.post("/complaints", status_code=201)
def file_complaint(data: ComplaintCreate, db: Db, actor: CurrentActor) -> CasePublic:
    """The signed-in customer files a complaint or appeal; it is acknowledged at once by
    e-mail and on its working ticket."""
    if not actor.is_customer:
        raise NotPermitted("Only a signed-in customer can file a complaint here")
    form = ComplaintForm(
        name=data.name,
        email=data.email,
        what_happened=data.what_happened,
        points="\n".join(data.points),
        wants=data.wants,
        language=data.language,
        phone=data.phone,
        account_id=data.account_id,
        facts_dates=data.facts_dates,
        refs=data.refs,
        subject=data.subject,
        topic=data.topic,
        appeal_of=data.appeal_of,
        payout_address=data.payout_address,
    )
    case = do_file(db, actor, form, CaseKind(data.kind), channel="api")
    db.commit()
    return _public(db, actor, case, with_steps=True)
