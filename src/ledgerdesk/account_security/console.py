"""The security team's view of the log: recent security requests, each with its steps
(``/console/account-security``). The security team's agents, leads and admins may read it."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.account_security.models import SecurityRequest, SecurityRequestStep
from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.services import Actor
from ledgerdesk.cases.register import team_for
from ledgerdesk.core.errors import NotPermitted
from ledgerdesk.web.deps import ConsoleAgent, Db
from ledgerdesk.web.templating import render

router = APIRouter(prefix="/console", include_in_schema=False)
PER_PAGE = 50


def require_security_reader(session: Session, actor: Actor) -> None:
    if actor.sees_everything:
        return
    team = team_for(session, "security")
    if team is None or team not in actor.team_ids:
        raise NotPermitted("Only the security team, team leads and admins can see this")


def list_requests(
    session: Session, actor: Actor, *, before: int | None = None, limit: int = PER_PAGE
) -> tuple[list[SecurityRequest], dict[int, list[SecurityRequestStep]]]:
    """The newest requests (older than ``before``) and their steps, in two queries."""
    require_security_reader(session, actor)
    query = select(SecurityRequest).order_by(SecurityRequest.id.desc()).limit(limit)
    if before is not None:
        query = query.where(SecurityRequest.id < before)
    rows = list(session.scalars(query))
    steps: dict[int, list[SecurityRequestStep]] = defaultdict(list)
    found = session.scalars(
        select(SecurityRequestStep)
        .where(SecurityRequestStep.request_id.in_([r.id for r in rows]))
        .order_by(SecurityRequestStep.id)
    )
    for step in found:
        steps[step.request_id].append(step)
    return rows, steps


@router.get("/account-security")
def requests_page(
    request: Request,
    db: Db,
    actor: ConsoleAgent,
    before: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    rows, steps = list_requests(db, actor, before=before, limit=PER_PAGE + 1)
    return render(
        request,
        "account_security/console.html",
        me=accounts.get_agent(db, actor.id or 0),
        rows=rows[:PER_PAGE],
        steps=steps,
        older=rows[PER_PAGE - 1].id if len(rows) > PER_PAGE else None,
    )
