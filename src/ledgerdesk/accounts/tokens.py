"""API tokens: issue (optionally expiring, for oneself or, as an admin, for another agent),
check a presented token, list and revoke. Each issue through ``do_issue_token`` and each
revocation is written to the security log. Only the token's SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from ledgerdesk.accounts import security_log
from ledgerdesk.accounts.models import Agent, ApiToken, Role, TeamMember
from ledgerdesk.accounts.security_log import Target
from ledgerdesk.accounts.services import Actor, require_role
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import InvalidInput, NotAuthenticated, NotFound
from ledgerdesk.core.text import clean

MAX_EXPIRY_DAYS = 3650
TOKEN_PREFIX = "ldk_"  # noqa: S105 - a public prefix, not a secret


@dataclass(frozen=True)
class Issued:
    token: str
    row: ApiToken


def check_expiry(expires_in_days: int | None, expires_at: datetime | None) -> datetime | None:
    """When a new token stops working: ``None`` (never), in N days, or at a future moment."""
    if expires_in_days is not None and expires_at is not None:
        raise InvalidInput("Give expires_in_days or expires_at, not both", field="expires_at")
    now = utcnow()
    if expires_in_days is not None:
        if not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
            raise InvalidInput(
                f"expires_in_days must be between 1 and {MAX_EXPIRY_DAYS}", field="expires_in_days"
            )
        return now + timedelta(days=expires_in_days)
    if expires_at is not None:
        if expires_at.tzinfo is not None:  # stored as naive UTC
            try:
                expires_at = expires_at.astimezone(UTC).replace(tzinfo=None)
            except (OverflowError, ValueError):  # e.g. year 1 with a positive offset
                raise InvalidInput("expires_at is out of range", field="expires_at") from None
        if expires_at <= now:
            raise InvalidInput("expires_at must be in the future", field="expires_at")
        if expires_at > now + timedelta(days=MAX_EXPIRY_DAYS):
            raise InvalidInput(
                f"expires_at must be within {MAX_EXPIRY_DAYS} days", field="expires_at"
            )
    return expires_at


# --- creating and checking tokens ------------------------------------------------------


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def do_create_api_token(
    session: Session, actor: Actor, agent: Agent, name: str, expires_at: datetime | None = None
) -> str:
    """Create a token for ``agent`` and return it; this is the only time it is visible."""
    return add_api_token(session, actor, agent, name, expires_at)[0]


def add_api_token(
    session: Session, actor: Actor, agent: Agent, name: str, expires_at: datetime | None = None
) -> tuple[str, ApiToken]:
    """The new token and its row, not logged (``do_issue_token`` is the logged way). The
    name is a guarded column, so the secret guard cleans it on assignment."""
    if actor.kind != "system" and actor.id != agent.id:
        require_role(actor, Role.admin)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        agent_id=agent.id,
        name=clean(name).strip() or "token",
        token_hash=_sha256(token),
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return token, row


def authenticate_token(session: Session, token: str) -> Agent:
    """The active agent owning ``token`` (one query for token and agent together)."""
    row = session.execute(
        select(ApiToken, Agent)
        .join(Agent, Agent.id == ApiToken.agent_id)
        .where(
            ApiToken.token_hash == _sha256(token),
            ApiToken.revoked.is_(False),
            Agent.active.is_(True),
        )
    ).first()
    now = utcnow()
    if row is None or (row[0].expires_at is not None and row[0].expires_at <= now):
        raise NotAuthenticated("Invalid, expired or revoked API token")
    api_token, agent = row
    # Written at most once a minute, so a busy integration does not turn reads into writes.
    if api_token.last_used_at is None or now - api_token.last_used_at > timedelta(minutes=1):
        api_token.last_used_at = now
    return agent


_TOKENS = cast(Table, ApiToken.__table__)
_AGENTS = cast(Table, Agent.__table__)
_MEMBERS = cast(Table, TeamMember.__table__)
# Token, agent and the agent's teams in one statement (one row per team), read with Core:
# no ORM objects are built for the check an API request makes before anything else.
_AUTH_QUERY = (
    select(
        _TOKENS.c.id,
        _TOKENS.c.expires_at,
        _TOKENS.c.last_used_at,
        _AGENTS.c.id,
        _AGENTS.c.role,
        _MEMBERS.c.team_id,
    )
    .join(_AGENTS, _AGENTS.c.id == _TOKENS.c.agent_id)
    .outerjoin(_MEMBERS, _MEMBERS.c.agent_id == _AGENTS.c.id)
    .where(_TOKENS.c.revoked.is_(False), _AGENTS.c.active.is_(True))
)


def authenticate_actor(session: Session, token: str) -> tuple[Actor, bool]:
    """The acting agent for ``token``, and whether its last-used time was moved on (the
    caller commits that). The same rules as ``authenticate_token``, checked in the database
    on every request, so a revoked token, an expired one or a deactivated agent's stops
    working at once (nothing is cached between requests)."""
    rows = session.execute(_AUTH_QUERY.where(_TOKENS.c.token_hash == _sha256(token))).all()
    now = utcnow()
    if not rows or (rows[0][1] is not None and rows[0][1] <= now):
        raise NotAuthenticated("Invalid, expired or revoked API token")
    token_id, _expires, last_used, agent_id, role, _team = rows[0]
    teams = frozenset(row[5] for row in rows if row[5] is not None)
    touched = last_used is None or now - last_used > timedelta(minutes=1)
    if touched:  # at most once a minute, as authenticate_token does
        session.execute(update(_TOKENS).where(_TOKENS.c.id == token_id).values(last_used_at=now))
    return Actor(kind="agent", id=agent_id, role=Role(role), team_ids=teams), touched


# --- issuing, listing and revoking, logged ----------------------------------------------


def do_issue_token(
    session: Session,
    actor: Actor,
    agent: Agent,
    name: str,
    *,
    expires_at: datetime | None = None,
    address: str = "",
) -> Issued:
    """A token for ``agent`` (oneself, or anyone for an admin); logged."""
    token, row = add_api_token(session, actor, agent, name, expires_at)
    security_log.do_record(
        session,
        "token_created",
        actor=actor,
        target=Target("agent", agent.id),
        address=address,
        detail=f"token {row.id}: {row.name}",
    )
    return Issued(token, row)


def list_tokens(session: Session, actor: Actor, *, everyone: bool = False) -> list[ApiToken]:
    """The actor's own tokens, or (admins, ``everyone``) every agent's; newest first."""
    query = select(ApiToken).order_by(ApiToken.id.desc()).limit(500)
    if not (everyone and actor.role == Role.admin):
        query = query.where(ApiToken.agent_id == (actor.id or 0))
    return list(session.scalars(query))


def access_token(session: Session, actor: Actor, token_id: int) -> ApiToken:
    """A token the actor may manage (their own; any for an admin), or ``NotFound`` (other
    agents' tokens are not revealed)."""
    row = session.get(ApiToken, token_id)
    if row is None or (row.agent_id != actor.id and actor.role != Role.admin):
        raise NotFound(f"Token {token_id} not found")
    return row


def do_revoke_token(session: Session, actor: Actor, row: ApiToken, *, address: str = "") -> None:
    """Revoke at once; revoking twice changes nothing."""
    if row.revoked:
        return
    row.revoked = True
    row.revoked_at = utcnow()
    security_log.do_record(
        session,
        "token_revoked",
        actor=actor,
        target=Target("agent", row.agent_id),
        address=address,
        detail=f"token {row.id}: {row.name}",
    )


def status(row: ApiToken) -> str:
    """``active``, ``expired`` or ``revoked``."""
    if row.revoked:
        return "revoked"
    if row.expires_at is not None and row.expires_at <= utcnow():
        return "expired"
    return "active"


def do_revoke_agent_tokens(session: Session, agent_id: int) -> int:
    """Revoke every live token of an agent (deactivation); the count."""
    now = utcnow()
    rows = session.scalars(
        select(ApiToken).where(ApiToken.agent_id == agent_id, ApiToken.revoked.is_(False))
    ).all()
    for row in rows:
        row.revoked = True
        row.revoked_at = now
    return len(rows)
