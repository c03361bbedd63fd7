"""The security log: sign-ins, 2FA changes, tokens, sessions, agent administration and what
admins do to failed background jobs.

Rows name the actor, the target, the kind, the time and the client address; never a password,
a code, a token or a session id. Rows are only ever added; admins read them in the console
(/console/admin/security) and at ``GET /api/v1/security-events``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Role, SecurityEvent
from ledgerdesk.accounts.services import Actor, require_role
from ledgerdesk.core.errors import InvalidInput
from ledgerdesk.core.i18n import gettext
from ledgerdesk.core.text import clean

# Every kind the log records, with its label (translated where it is shown).
KINDS: dict[str, str] = {
    "sign_in": "Sign-in succeeded",
    "sign_in_failed": "Sign-in failed",
    "sign_in_2fa_failed": "Wrong two-factor code",
    "sign_out": "Signed out",
    "signed_out_everywhere": "Signed out everywhere",
    "session_revoked": "Session ended",
    "password_changed": "Password changed",
    "2fa_enabled": "Two-factor sign-in turned on",
    "2fa_disabled": "Two-factor sign-in turned off",
    "recovery_code_used": "Recovery code used",
    "token_created": "API token created",
    "token_revoked": "API token revoked",
    "agent_deactivated": "Agent deactivated",
    "agent_reactivated": "Agent reactivated",
    "agent_reset": "Agent reset",
    "job_retried": "Failed background job run again",
    "job_dropped": "Failed background job dropped",
}


@dataclass(frozen=True)
class Target:
    kind: str  # "agent", "customer", "token" or "job"
    id: int


def do_record(
    session: Session,
    kind: str,
    *,
    actor: Actor | None,
    target: Target | None = None,
    address: str = "",
    detail: str = "",
) -> SecurityEvent:
    """Add one row (the caller's transaction commits it). ``actor`` is ``None`` for an
    anonymous attempt (a failed sign-in)."""
    if kind not in KINDS:
        raise ValueError(f"unknown security event kind {kind!r}")
    event = SecurityEvent(
        kind=kind,
        actor_kind=actor.kind if actor else "anonymous",
        actor_id=actor.id if actor else None,
        target_kind=target.kind if target else None,
        target_id=target.id if target else None,
        detail=clean(detail)[:200],
        client_address=clean(address)[:64],
    )
    session.add(event)
    return event


def list_events(
    session: Session,
    actor: Actor,
    *,
    kind: str | None = None,
    agent_id: int | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[SecurityEvent]:
    """Newest first; ``agent_id`` keeps rows where that agent acted or was the target.
    Admins only."""
    require_role(actor, Role.admin)
    if kind and kind not in KINDS:
        raise InvalidInput(f"Unknown kind; one of: {', '.join(KINDS)}", field="kind")
    query = select(SecurityEvent).order_by(SecurityEvent.id.desc()).limit(limit)
    if kind:
        query = query.where(SecurityEvent.kind == kind)
    if agent_id is not None:
        query = query.where(
            ((SecurityEvent.actor_kind == "agent") & (SecurityEvent.actor_id == agent_id))
            | ((SecurityEvent.target_kind == "agent") & (SecurityEvent.target_id == agent_id))
        )
    if before_id is not None:
        query = query.where(SecurityEvent.id < before_id)
    return list(session.scalars(query))


# The details services write (English, stable for the API) and how a page says them.
_DETAILS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"^(?P<sessions>\d+) sessions ended, (?P<tokens>\d+) tokens revoked$"),
        "%(sessions)s sessions ended, %(tokens)s tokens revoked",
    ),
    (re.compile(r"^(?P<count>\d+) sessions ended$"), "%(count)s sessions ended"),
    (re.compile(r"^(?P<count>\d+) other sessions ended$"), "%(count)s other sessions ended"),
    (re.compile(r"^(?P<count>\d+) left$"), "%(count)s recovery codes left"),
    (re.compile(r"^unknown account$"), "unknown account"),
    (re.compile(r"^token (?P<id>\d+): (?P<name>.*)$", re.S), "token %(id)s: %(name)s"),
    (re.compile(r"^session (?P<id>\d+)$"), "session %(id)s"),
)
# A job's detail is its topic key; the page names the topic in the reader's language.
_JOB_TOPIC = re.compile(r"^topic (?P<topic>[a-z0-9_.]+)$")


def describe_detail(detail: str) -> str:
    """``detail`` in the reader's language (unknown shapes are shown as stored)."""
    for pattern, template in _DETAILS:
        found = pattern.match(detail)
        if found:
            return gettext(template) % found.groupdict()
    job = _JOB_TOPIC.match(detail)
    if job:
        from ledgerdesk.jobs.admin import topic_label  # the topics' names live with the jobs

        return topic_label(job["topic"])
    return detail
