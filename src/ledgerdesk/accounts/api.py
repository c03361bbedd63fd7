"""JSON routes for agents, teams and API tokens."""

from __future__ import annotations

from fastapi import APIRouter

from ledgerdesk.accounts import services as svc
from ledgerdesk.accounts.models import Agent, Team
from ledgerdesk.accounts.schemas import (
    AgentCreate,
    AgentPublic,
    Me,
    MemberAdd,
    TeamCreate,
    TeamPublic,
)
from ledgerdesk.core.types import PathId
from ledgerdesk.web.deps import CurrentActor, CurrentAgent, Db

router = APIRouter(prefix="/api/v1", tags=["accounts"])


def _agent(a: Agent) -> AgentPublic:
    return AgentPublic(
        id=a.id,
        email=a.email,
        name=a.name,
        role=a.role,
        locale=a.locale,
        active=a.active,
        team_ids=[t.id for t in a.teams],
    )


def _team(t: Team) -> TeamPublic:
    return TeamPublic(id=t.id, name=t.name, tier=t.tier, member_ids=[m.id for m in t.members])


@router.get("/me")
def me(actor: CurrentActor) -> Me:
    return Me(kind=actor.kind, id=actor.id, role=actor.role, team_ids=sorted(actor.team_ids))


@router.get("/agents")
def list_agents(db: Db, actor: CurrentAgent) -> list[AgentPublic]:
    return [_agent(a) for a in svc.list_agents(db)]


@router.post("/agents", status_code=201)
def create_agent(data: AgentCreate, db: Db, actor: CurrentAgent) -> AgentPublic:
    agent = svc.do_create_agent(
        db,
        actor,
        email=data.email,
        name=data.name,
        password=data.password,
        role=data.role,
        locale=data.locale,
    )
    db.commit()
    return _agent(agent)


@router.get("/teams")
def list_teams(db: Db, actor: CurrentAgent) -> list[TeamPublic]:
    return [_team(t) for t in svc.list_teams(db)]


@router.post("/teams", status_code=201)
def create_team(data: TeamCreate, db: Db, actor: CurrentAgent) -> TeamPublic:
    team = svc.do_create_team(db, actor, name=data.name, tier=data.tier)
    db.commit()
    return _team(team)


@router.post("/teams/{team_id}/members")
def add_member(team_id: PathId, data: MemberAdd, db: Db, actor: CurrentAgent) -> TeamPublic:
    team = svc.get_team(db, team_id)
    svc.do_add_team_member(db, actor, team, svc.get_agent(db, data.agent_id))
    db.commit()
    return _team(team)
