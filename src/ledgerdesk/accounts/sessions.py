"""Server-side sessions for console agents and portal customers.

The signed cookie carries a random session id; the table keeps only its SHA-256, when it was
made and last seen, when it expires and whether it was ended. Signing out, "sign out
everywhere", a password change, a reset and a deactivation end rows here, so a copied or
replayed cookie stops working at once."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Agent, AuthSession, Customer
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import NotFound
from ledgerdesk.core.text import clean

# Writing last_seen on every request would turn every page view into a write.
TOUCH_EVERY = timedelta(minutes=1)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def do_start_session(
    session: Session,
    *,
    agent: Agent | None = None,
    customer: Customer | None = None,
    user_agent: str = "",
    max_age_seconds: int,
) -> str:
    """A new session for exactly one of ``agent`` or ``customer``; returns the id for the
    cookie (the only time it exists outside the browser)."""
    if (agent is None) == (customer is None):
        raise ValueError("a session belongs to one agent or one customer")
    session_id = secrets.token_urlsafe(32)
    now = utcnow()
    _delete_dead(session, agent, customer, now)
    session.add(
        AuthSession(
            id_hash=_hash(session_id),
            agent_id=agent.id if agent else None,
            customer_id=customer.id if customer else None,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(seconds=max_age_seconds),
            # A header anyone can set: the guarded column cleans it like any outside text
            # (bounded first, so a huge header is not scanned whole).
            user_agent=clean(user_agent)[:2000],
        )
    )
    session.flush()
    return session_id


def _delete_dead(
    session: Session, agent: Agent | None, customer: Customer | None, now: datetime
) -> None:
    """Drop the owner's ended and expired sessions, so the table stays the size of the live
    ones (a deleted id is as unknown as a revoked one; the security log keeps the history)."""
    owner = (
        AuthSession.agent_id == agent.id
        if agent is not None
        else AuthSession.customer_id == (customer.id if customer else 0)
    )
    session.execute(
        delete(AuthSession)
        .where(owner, (AuthSession.revoked_at.is_not(None)) | (AuthSession.expires_at <= now))
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class Live:
    """A live session and who it belongs to (an active agent or a customer)."""

    row: AuthSession
    agent: Agent | None
    customer: Customer | None


def find_live(session: Session, session_id: str) -> Live | None:
    """The unexpired, unrevoked session with this id whose agent is still active, in one
    indexed query; ``last_seen_at`` moves on at most once a minute."""
    now = utcnow()
    row = session.execute(
        select(AuthSession, Agent, Customer)
        .outerjoin(Agent, Agent.id == AuthSession.agent_id)
        .outerjoin(Customer, Customer.id == AuthSession.customer_id)
        .where(
            AuthSession.id_hash == _hash(session_id),
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > now,
        )
    ).first()
    if row is None:
        return None
    auth, agent, customer = row
    if auth.agent_id is not None and (agent is None or not agent.active):
        return None
    if auth.customer_id is not None and customer is None:
        return None
    if now - auth.last_seen_at > TOUCH_EVERY:
        auth.last_seen_at = now
    return Live(auth, agent, customer)


def do_end_session(session: Session, session_id: str) -> AuthSession | None:
    """End the session with this id (signing out); ``None`` when it was not live."""
    row = session.scalar(
        select(AuthSession).where(
            AuthSession.id_hash == _hash(session_id), AuthSession.revoked_at.is_(None)
        )
    )
    if row is not None:
        row.revoked_at = utcnow()
    return row


def do_end_agent_sessions(session: Session, agent_id: int, *, keep: int | None = None) -> int:
    """End every live session of an agent except ``keep`` (a session row id); the count."""
    query = (
        update(AuthSession)
        .where(AuthSession.agent_id == agent_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    if keep is not None:
        query = query.where(AuthSession.id != keep)
    result = session.execute(query.execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def list_agent_sessions(session: Session, agent_id: int) -> list[AuthSession]:
    """The agent's live sessions, most recently seen first."""
    return list(
        session.scalars(
            select(AuthSession)
            .where(
                AuthSession.agent_id == agent_id,
                AuthSession.revoked_at.is_(None),
                AuthSession.expires_at > utcnow(),
            )
            .order_by(AuthSession.last_seen_at.desc())
            .limit(100)
        )
    )


def access_agent_session(session: Session, agent_id: int, row_id: int) -> AuthSession:
    """One of the agent's own live sessions, or ``NotFound``."""
    row = session.get(AuthSession, row_id)
    if row is None or row.agent_id != agent_id or row.revoked_at is not None:
        raise NotFound("No such session")
    return row
