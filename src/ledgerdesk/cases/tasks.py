"""The deadline warnings job (``cases.deadlines``, every 10 minutes): for each open complaint or
appeal whose promised date or legal limit comes within the profile's warning window (and has not
passed yet: a missed deadline is a breach, which the register's analysis shows), record a
``deadline_warning`` step once per deadline (and date: a delay notice's new date is warned of
again) and notify the assignee, or the team's leads when nobody has the case."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Agent, Role, TeamMember
from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.cases import deadlines, register
from ledgerdesk.cases.models import OPEN_CASE, Case, CaseEvent, CaseKind
from ledgerdesk.channels.notifications import notify
from ledgerdesk.core.clock import utcnow
from ledgerdesk.jobs.schedule import periodic

TOPIC = "cases.deadlines"
NOTIFICATION = "case_deadline"


@periodic(TOPIC, every_seconds=600)
def warn_deadlines(session: Session, payload: dict[str, Any]) -> None:
    check_deadlines(session)


def check_deadlines(session: Session) -> int:
    """Warn of every deadline that is near; returns how many warnings were recorded."""
    now = utcnow()
    cases = session.scalars(
        select(Case).where(
            Case.kind.in_((CaseKind.complaint, CaseKind.appeal)),
            Case.status.in_(OPEN_CASE),
            Case.due_at.is_not(None),
        )
    )
    count = 0
    for case in list(cases):
        hours = deadlines.calendar_for(session, case.team_id)
        profile = deadlines.get_profile(case.jurisdiction)
        for name, moment in (("due", case.due_at), ("limit", case.limit_at)):
            if moment is None or (name == "limit" and moment == case.due_at):
                continue
            if now < deadlines.warn_at(hours, moment, profile.warn_business_days):
                continue
            if now >= moment:  # too late to warn: the register and its analysis show a breach
                continue
            if _warned(session, case, name, moment.isoformat()):
                continue
            register.record_step(
                session,
                case,
                SYSTEM,
                "deadline_warning",
                {"deadline": name, "at": moment.isoformat()},
            )
            _notify(session, case, f"case:{case.id}:{name}:{moment.isoformat()}")
            count += 1
    return count


def _warned(session: Session, case: Case, name: str, at: str) -> bool:
    rows = session.scalars(
        select(CaseEvent.detail).where(
            CaseEvent.case_id == case.id, CaseEvent.step == "deadline_warning"
        )
    )
    return any(d.get("deadline") == name and d.get("at") == at for d in rows)


def recipients(session: Session, case: Case) -> list[int]:
    """The assignee; without one, the leads of the case's team; without those, the admins."""
    if case.assignee_id is not None:
        return [case.assignee_id]
    leads: list[int] = []
    if case.team_id is not None:
        leads = list(
            session.scalars(
                select(Agent.id)
                .join(TeamMember, TeamMember.agent_id == Agent.id)
                .where(TeamMember.team_id == case.team_id, Agent.role == Role.lead, Agent.active)
            )
        )
    if not leads:
        leads = list(
            session.scalars(select(Agent.id).where(Agent.role == Role.admin, Agent.active))
        )
    return leads


def _notify(session: Session, case: Case, key: str) -> None:
    for agent_id in recipients(session, case):
        notify(session, agent_id, NOTIFICATION, key, ticket_id=case.ticket_id)
