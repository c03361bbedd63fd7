"""What an admin does to agents (deactivate, reactivate, reset) and what an agent does to their
own sign-in (password change, signing in and out, ending sessions). Every action ends the
sessions it must at once and is written to the security log."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts import security_log, sessions, tokens, totp
from ledgerdesk.accounts import services as svc
from ledgerdesk.accounts.models import Agent, AuthSession, Customer, Role
from ledgerdesk.accounts.security_log import Target
from ledgerdesk.accounts.services import Actor
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import Conflict, DomainError, InvalidInput, NotPermitted

GENERATED_PASSWORD_BYTES = 12  # 16 URL-safe characters


def _target(agent: Agent) -> Target:
    return Target("agent", agent.id)


# --- admin actions --------------------------------------------------------------------------


def _check_admin_over(actor: Actor, agent: Agent, refusal: str) -> None:
    svc.require_role(actor, Role.admin)
    if actor.is_agent and actor.id == agent.id:
        raise NotPermitted(refusal)


def do_deactivate_agent(session: Session, actor: Actor, agent: Agent, *, address: str = "") -> None:
    """Stop the agent signing in: their sessions end and their tokens are revoked now."""
    _check_admin_over(actor, agent, "An admin cannot deactivate their own account")
    if not agent.active:
        raise Conflict("This agent is already deactivated")
    agent.active = False
    ended = sessions.do_end_agent_sessions(session, agent.id)
    revoked = tokens.do_revoke_agent_tokens(session, agent.id)
    security_log.do_record(
        session,
        "agent_deactivated",
        actor=actor,
        target=_target(agent),
        address=address,
        detail=f"{ended} sessions ended, {revoked} tokens revoked",
    )


def do_reactivate_agent(session: Session, actor: Actor, agent: Agent, *, address: str = "") -> None:
    """Let the agent sign in again (their old tokens stay revoked)."""
    svc.require_role(actor, Role.admin)
    if agent.active:
        raise Conflict("This agent is already active")
    agent.active = True
    security_log.do_record(
        session, "agent_reactivated", actor=actor, target=_target(agent), address=address
    )


def do_reset_agent(
    session: Session, actor: Actor, agent: Agent, password: str | None = None, *, address: str = ""
) -> str | None:
    """Give the agent a new password (``password``, or a generated one that is returned to
    show once), turn their 2FA off so they enrol again, and end their sessions."""
    _check_admin_over(actor, agent, "An admin cannot reset their own account")
    generated = None
    if not password:
        generated = password = secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)
    svc.check_password_strength(password)
    agent.password_hash = svc.hash_password(password)
    agent.password_changed_at = utcnow()
    totp.do_clear(session, agent)
    sessions.do_end_agent_sessions(session, agent.id)
    security_log.do_record(
        session, "agent_reset", actor=actor, target=_target(agent), address=address
    )
    return generated


def list_all_agents(session: Session, actor: Actor) -> list[Agent]:
    """Every agent, deactivated ones too (admins)."""
    svc.require_role(actor, Role.admin)
    return list(session.scalars(select(Agent).order_by(Agent.active.desc(), Agent.name)))


# --- the agent's own sign-in ----------------------------------------------------------------


def do_change_password(
    session: Session,
    actor: Actor,
    agent: Agent,
    *,
    current: str,
    new: str,
    keep: AuthSession | None,
    address: str = "",
) -> int:
    """Change one's own password after proving the current one; every other session of the
    agent ends. Returns how many ended."""
    if actor.id != agent.id:
        raise NotPermitted("Agents change only their own password; admins reset others")
    try:
        svc.authenticate_agent(session, agent.email, current)
    except DomainError:
        raise InvalidInput("The current password is not right", field="current") from None
    if current == new:
        raise InvalidInput("The new password must differ from the current one", field="new")
    try:
        svc.check_password_strength(new)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field="new") from None
    agent.password_hash = svc.hash_password(new)
    agent.password_changed_at = utcnow()
    ended = sessions.do_end_agent_sessions(session, agent.id, keep=keep.id if keep else None)
    security_log.do_record(
        session,
        "password_changed",
        actor=actor,
        target=_target(agent),
        address=address,
        detail=f"{ended} other sessions ended",
    )
    return ended


def do_sign_in(
    session: Session,
    *,
    agent: Agent | None = None,
    customer: Customer | None = None,
    user_agent: str,
    address: str,
    max_age_seconds: int,
) -> str:
    """Start a session after every factor was checked, and log it; returns the cookie id."""
    session_id = sessions.do_start_session(
        session,
        agent=agent,
        customer=customer,
        user_agent=user_agent,
        max_age_seconds=max_age_seconds,
    )
    if agent is not None:
        actor, target = svc.agent_actor(agent), _target(agent)
    else:
        assert customer is not None  # do_start_session refused neither-nor
        actor, target = svc.customer_actor(customer), Target("customer", customer.id)
    security_log.do_record(session, "sign_in", actor=actor, target=target, address=address)
    return session_id


def do_record_failed_sign_in(session: Session, email: str, *, address: str) -> None:
    """Log a refused password. The typed e-mail is kept only as the id of a known agent (a
    password typed into the e-mail field must not land in the log)."""
    try:
        address_ = svc.normalise_email(email)
    except InvalidInput:
        address_ = ""
    agent_id = session.scalar(select(Agent.id).where(Agent.email == address_)) if address_ else None
    security_log.do_record(
        session,
        "sign_in_failed",
        actor=None,
        target=Target("agent", agent_id) if agent_id else None,
        address=address,
        detail="" if agent_id else "unknown account",
    )


def do_sign_out(session: Session, session_id: str, *, address: str) -> None:
    row = sessions.do_end_session(session, session_id)
    if row is None:
        return
    if row.agent_id is not None:
        actor, target = Actor(kind="agent", id=row.agent_id), Target("agent", row.agent_id)
    else:
        actor = Actor(kind="customer", id=row.customer_id)
        target = Target("customer", row.customer_id or 0)
    security_log.do_record(session, "sign_out", actor=actor, target=target, address=address)


def do_sign_out_everywhere(session: Session, actor: Actor, *, address: str) -> int:
    """End every session of the signed-in agent, this one included."""
    ended = sessions.do_end_agent_sessions(session, actor.id or 0)
    security_log.do_record(
        session,
        "signed_out_everywhere",
        actor=actor,
        target=Target("agent", actor.id or 0),
        address=address,
        detail=f"{ended} sessions ended",
    )
    return ended


def do_end_one_session(session: Session, actor: Actor, row: AuthSession, *, address: str) -> None:
    row.revoked_at = utcnow()
    security_log.do_record(
        session,
        "session_revoked",
        actor=actor,
        target=Target("agent", row.agent_id or 0),
        address=address,
        detail=f"session {row.id}",
    )
