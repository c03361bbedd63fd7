"""JSON routes for API tokens, agent administration and the security log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from ledgerdesk.accounts import agent_admin, security_log, tokens
from ledgerdesk.accounts import services as svc
from ledgerdesk.accounts.api import _agent
from ledgerdesk.accounts.models import ApiToken, Role
from ledgerdesk.accounts.schemas import (
    AgentPublic,
    AgentReset,
    AgentResetResult,
    SecurityEventPublic,
    TokenCreate,
    TokenCreated,
    TokenPublic,
)
from ledgerdesk.accounts.services import Actor
from ledgerdesk.core.types import MAX_ID, PathId
from ledgerdesk.web.clientip import client_address
from ledgerdesk.web.deps import CurrentAgent, Db

router = APIRouter(prefix="/api/v1", tags=["accounts"])
Id = PathId


async def _admin(actor: CurrentAgent) -> Actor:
    svc.require_role(actor, Role.admin)
    return actor


CurrentAdmin = Annotated[Actor, Depends(_admin)]


def _token(row: ApiToken) -> TokenPublic:
    return TokenPublic(
        id=row.id,
        agent_id=row.agent_id,
        name=row.name,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        status=tokens.status(row),
    )


@router.post("/tokens", status_code=201)
def create_token(data: TokenCreate, request: Request, db: Db, actor: CurrentAgent) -> TokenCreated:
    """A bearer token for the signed-in agent, or (admins, with ``agent_id``) for another
    agent. Shown once; only its hash is kept. ``expires_in_days`` or ``expires_at`` make it
    stop working at that time."""
    expires_at = tokens.check_expiry(data.expires_in_days, data.expires_at)
    owner = svc.get_agent(db, data.agent_id or actor.id or 0)
    issued = tokens.do_issue_token(
        db, actor, owner, data.name, expires_at=expires_at, address=client_address(request)
    )
    db.commit()
    row = issued.row
    return TokenCreated(
        token=issued.token,
        id=row.id,
        agent_id=row.agent_id,
        name=row.name,
        created_at=row.created_at,
        expires_at=row.expires_at,
    )


@router.get("/tokens")
def list_tokens(
    db: Db, actor: CurrentAgent, all: Annotated[bool, Query()] = False
) -> list[TokenPublic]:
    """Your tokens (never the secret itself); admins pass ``all=true`` for everyone's."""
    return [_token(row) for row in tokens.list_tokens(db, actor, everyone=all)]


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: Id, request: Request, db: Db, actor: CurrentAgent) -> Response:
    """Revoke one of your tokens (admins: anyone's). It answers 401 from now on."""
    row = tokens.access_token(db, actor, token_id)
    tokens.do_revoke_token(db, actor, row, address=client_address(request))
    db.commit()
    return Response(status_code=204)


@router.post("/agents/{agent_id}/deactivate")
def deactivate_agent(agent_id: Id, request: Request, db: Db, actor: CurrentAdmin) -> AgentPublic:
    """Admins: the agent can no longer sign in; their sessions and tokens end now."""
    agent = svc.get_agent(db, agent_id)
    agent_admin.do_deactivate_agent(db, actor, agent, address=client_address(request))
    db.commit()
    return _agent(agent)


@router.post("/agents/{agent_id}/reactivate")
def reactivate_agent(agent_id: Id, request: Request, db: Db, actor: CurrentAdmin) -> AgentPublic:
    """Admins: the agent can sign in again (with new tokens; old ones stay revoked)."""
    agent = svc.get_agent(db, agent_id)
    agent_admin.do_reactivate_agent(db, actor, agent, address=client_address(request))
    db.commit()
    return _agent(agent)


@router.post("/agents/{agent_id}/reset")
def reset_agent(
    agent_id: Id, data: AgentReset, request: Request, db: Db, actor: CurrentAdmin
) -> AgentResetResult:
    """Admins: a new password (the one given, or a generated one returned once), 2FA off,
    every session ended."""
    agent = svc.get_agent(db, agent_id)
    generated = agent_admin.do_reset_agent(
        db, actor, agent, data.password, address=client_address(request)
    )
    db.commit()
    return AgentResetResult(agent=_agent(agent), generated_password=generated)


@router.get("/security-events")
def list_security_events(
    db: Db,
    actor: CurrentAdmin,
    kind: Annotated[str | None, Query(max_length=40)] = None,
    agent_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    before_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[SecurityEventPublic]:
    """Admins: the security log, newest first (page with ``before_id``)."""
    rows = security_log.list_events(
        db, actor, kind=kind, agent_id=agent_id, before_id=before_id, limit=limit
    )
    return [SecurityEventPublic.model_validate(row) for row in rows]
