"""The case register: opening a case, recording each step, linking tickets, who may see what.

Every change to a case is a ``record_step`` in the same transaction, so the register (the
``case_events`` rows, append-only) is the history a regulator reads: step, actor, time, facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.services import Actor
from ledgerdesk.cases.models import Case, CaseEvent, CaseKind, CaseStatus, CaseTicket
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import InvalidInput, NotFound, NotPermitted

PREFIX = {CaseKind.complaint: "CMP", CaseKind.appeal: "APL", CaseKind.scam_report: "SCM"}
LANGUAGES = ("en", "zh-CN")


@dataclass(frozen=True)
class NewCase:
    kind: CaseKind
    customer_id: int
    subject: str
    language: str = "en"
    channel: str = "portal"
    topic: str = "other"
    ticket_id: int | None = None
    team_id: int | None = None
    jurisdiction: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    points: list[str] = field(default_factory=list)
    received_at: datetime | None = None  # default: now


def new_reference(session: Session, kind: CaseKind, at: datetime) -> str:
    """``CMP-2026-000042``: the kind, the year received and a number unique for the kind."""
    count = session.scalar(select(func.count()).select_from(Case).where(Case.kind == kind)) or 0
    number = count + 1
    while True:
        reference = f"{PREFIX[kind]}-{at.year}-{number:06d}"
        if session.scalar(select(Case.id).where(Case.reference == reference)) is None:
            return reference
        number += 1


def do_open_case(session: Session, actor: Actor, new: NewCase) -> Case:
    """Open a case and record its first step, ``received`` (with the channel it came by)."""
    if new.language not in LANGUAGES:
        raise InvalidInput("Choose English or Chinese", field="language")
    subject = new.subject.strip()
    if not subject or len(subject) > 300:
        raise InvalidInput("Give a subject of 1 to 300 characters", field="subject")
    received = new.received_at or utcnow()
    case = Case(
        reference=new_reference(session, new.kind, received),
        kind=new.kind,
        status=CaseStatus.received,
        customer_id=new.customer_id,
        ticket_id=new.ticket_id,
        team_id=new.team_id,
        language=new.language,
        channel=new.channel,
        subject=subject,
        topic=new.topic,
        jurisdiction=new.jurisdiction,
        details=dict(new.details),
        points=list(new.points),
        received_at=received,
        created_at=received,
        updated_at=received,
    )
    session.add(case)
    session.flush()
    record_step(
        session, case, actor, "received", {"channel": new.channel, "ticket_id": new.ticket_id}
    )
    return case


def record_step(
    session: Session,
    case: Case,
    actor: Actor,
    step: str,
    detail: dict[str, Any] | None = None,
    *,
    at: datetime | None = None,
) -> CaseEvent:
    """Append one step to the register (and touch the case)."""
    seq = (
        session.scalar(select(func.max(CaseEvent.seq)).where(CaseEvent.case_id == case.id)) or 0
    ) + 1
    moment = at or utcnow()
    entry = CaseEvent(
        case_id=case.id,
        seq=seq,
        step=step,
        actor_type=actor.kind,
        actor_id=actor.id,
        at=moment,
        detail=dict(detail or {}),
    )
    session.add(entry)
    case.updated_at = moment
    session.flush()
    return entry


def steps(session: Session, case: Case) -> list[CaseEvent]:
    return list(
        session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)
        )
    )


def do_link_ticket(session: Session, actor: Actor, case: Case, ticket_id: int) -> bool:
    """Link another ticket to the case; False when it already was."""
    if session.get(CaseTicket, (case.id, ticket_id)) is not None or case.ticket_id == ticket_id:
        return False
    session.add(CaseTicket(case_id=case.id, ticket_id=ticket_id))
    record_step(session, case, actor, "ticket_linked", {"ticket_id": ticket_id})
    return True


def linked_ticket_ids(session: Session, case: Case) -> list[int]:
    rows = session.scalars(
        select(CaseTicket.ticket_id)
        .where(CaseTicket.case_id == case.id)
        .order_by(CaseTicket.linked_at)
    )
    ids = [case.ticket_id] if case.ticket_id is not None else []
    return ids + [t for t in rows if t not in ids]


def can_see(actor: Actor, case: Case) -> bool:
    """Customers see their own cases; leads and admins every case; agents their teams' cases
    and the ones assigned to them."""
    if actor.is_customer:
        return actor.id == case.customer_id
    if actor.sees_everything:
        return True
    if actor.is_agent:
        return case.assignee_id == actor.id or (
            case.team_id is not None and case.team_id in actor.team_ids
        )
    return False


def access_case(session: Session, actor: Actor, case_id: int) -> Case:
    """The case, when ``actor`` may see it; NotFound otherwise (never says it exists)."""
    case = session.get(Case, case_id)
    if case is None or not can_see(actor, case):
        raise NotFound("No such case")
    return case


def require_agent(actor: Actor) -> None:
    if not actor.is_agent and actor.kind != "system":
        raise NotPermitted("Only the desk's agents can do this")


def team_for(session: Session, purpose: str) -> int | None:
    """The team that works ``purpose`` ("complaints" or "security"): the first team whose name
    starts with the configured name (case-insensitive), else the first specialist team."""
    from ledgerdesk.accounts.models import Team, Tier
    from ledgerdesk.core.settings import get_settings

    settings = get_settings()
    wanted = (
        (
            settings.cases_complaints_team
            if purpose == "complaints"
            else settings.cases_security_team
        )
        .strip()
        .casefold()
    )
    teams = list(session.scalars(select(Team).order_by(Team.id)))
    for team in teams:
        if wanted and team.name.casefold().startswith(wanted):
            return team.id
    for team in teams:
        if team.tier == Tier.specialist:
            return team.id
    return None
