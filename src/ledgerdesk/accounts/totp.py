"""Agent two-factor sign-in: TOTP (RFC 6238, any authenticator app) and recovery codes.

The TOTP secret must be readable to check codes, so it is stored encrypted (Fernet) with a key
derived from ``LEDGERDESK_SECRET_KEY``: a copy of the database alone does not reveal it.
Changing the secret key therefore turns every agent's 2FA off in effect; an admin then resets
the agents (which clears 2FA) and they enrol again. Recovery codes are random and stored as
SHA-256, each usable once. Each accepted code's time step is remembered, so a code seen over a
shoulder cannot be used a second time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts import security_log
from ledgerdesk.accounts import services as svc
from ledgerdesk.accounts.models import Agent, RecoveryCode
from ledgerdesk.accounts.security_log import Target
from ledgerdesk.accounts.services import Actor
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import Conflict, DomainError, InvalidInput, NotAuthenticated
from ledgerdesk.core.settings import get_settings

RECOVERY_CODES = 10
STEP_SECONDS = 30


def _fernet() -> Fernet:
    secret = get_settings().resolved_secret_key().encode()
    key = hmac.new(secret, b"ledgerdesk agent totp secret v1", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _secret_of(agent: Agent) -> str | None:
    if agent.totp_secret is None:
        return None
    try:
        return _fernet().decrypt(agent.totp_secret.encode()).decode()
    except InvalidToken:
        return None  # the secret key changed: this secret can no longer be read


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def is_enabled(agent: Agent) -> bool:
    return agent.totp_enabled_at is not None


# --- enrolment ------------------------------------------------------------------------------


def do_begin_enrolment(session: Session, agent: Agent) -> str:
    """A fresh secret for ``agent`` (kept until confirmed with a code); returns it."""
    if is_enabled(agent):
        raise Conflict("Two-factor sign-in is already on")
    secret = pyotp.random_base32()
    agent.totp_secret = _fernet().encrypt(secret.encode()).decode()
    agent.totp_last_step = None
    session.flush()
    return secret


def pending_secret(agent: Agent) -> str | None:
    """The secret being enrolled, if enrolment has begun and is not confirmed yet."""
    return None if is_enabled(agent) else _secret_of(agent)


def provisioning_uri(agent: Agent, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(
        name=agent.email, issuer_name=get_settings().platform_name
    )


def qr_svg(uri: str, title: str) -> str:
    """The ``otpauth://`` URI as an inline SVG QR code (no request leaves the page)."""
    return str(segno.make(uri, error="m").svg_inline(scale=4, title=title, border=2))


def do_confirm_enrolment(
    session: Session, actor: Actor, agent: Agent, code: str, *, address: str = ""
) -> list[str]:
    """Turn 2FA on once ``code`` proves the app holds the secret; returns the recovery codes
    (the only time they are shown)."""
    if is_enabled(agent) or _secret_of(agent) is None:
        raise Conflict("Start the set-up again: there is no secret waiting for a code")
    if not _accept_totp(agent, code):
        raise InvalidInput(
            "That code is not right; check the app's clock and try again", field="code"
        )
    agent.totp_enabled_at = utcnow()
    codes = _new_recovery_codes(session, agent)
    security_log.do_record(
        session, "2fa_enabled", actor=actor, target=Target("agent", agent.id), address=address
    )
    return codes


def _new_recovery_codes(session: Session, agent: Agent) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.agent_id == agent.id))
    codes = [_format(secrets.token_hex(5)) for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(agent_id=agent.id, code_hash=_sha256(c)) for c in codes)
    session.flush()
    return codes


def _format(raw: str) -> str:
    return f"{raw[:5]}-{raw[5:]}"


def _normalise_recovery(code: str) -> str:
    plain = "".join(ch for ch in code.lower() if ch.isascii() and ch.isalnum())
    return _format(plain) if len(plain) == 10 else ""


# --- checking codes -------------------------------------------------------------------------


def _accept_totp(agent: Agent, code: str) -> bool:
    """True for a current code (one step of clock drift either way) not used before."""
    code = "".join(code.split())
    secret = _secret_of(agent)
    if secret is None or len(code) != 6 or not (code.isascii() and code.isdigit()):
        return False
    totp = pyotp.TOTP(secret)
    now_step = int(utcnow().timestamp()) // STEP_SECONDS
    for step in (now_step - 1, now_step, now_step + 1):
        if step <= (agent.totp_last_step or -1):
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            agent.totp_last_step = step
            return True
    return False


def _use_recovery_code(session: Session, agent: Agent, code: str) -> bool:
    normal = _normalise_recovery(code)
    if not normal:
        return False
    row = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.agent_id == agent.id,
            RecoveryCode.code_hash == _sha256(normal),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return False
    row.used_at = utcnow()
    return True


def do_check_second_factor(session: Session, agent: Agent, code: str, *, address: str = "") -> None:
    """Accept a TOTP code or an unused recovery code for ``agent`` signing in, or record the
    failure and raise ``NotAuthenticated`` (the caller commits either way)."""
    actor = svc.agent_actor(agent)
    if _accept_totp(agent, code):
        return
    if _use_recovery_code(session, agent, code):
        security_log.do_record(
            session,
            "recovery_code_used",
            actor=actor,
            target=Target("agent", agent.id),
            address=address,
            detail=f"{remaining_recovery_codes(session, agent)} left",
        )
        return
    security_log.do_record(
        session, "sign_in_2fa_failed", actor=None, target=Target("agent", agent.id), address=address
    )
    raise NotAuthenticated("Wrong or already used code")


def remaining_recovery_codes(session: Session, agent: Agent) -> int:
    count = session.scalar(
        select(func.count(RecoveryCode.id)).where(
            RecoveryCode.agent_id == agent.id, RecoveryCode.used_at.is_(None)
        )
    )
    return int(count or 0)


# --- turning it off -------------------------------------------------------------------------


def do_disable(
    session: Session,
    actor: Actor,
    agent: Agent,
    *,
    code: str = "",
    password: str = "",
    address: str = "",
) -> None:
    """Turn 2FA off; the agent proves it is them with a current code or their password."""
    if not is_enabled(agent):
        raise Conflict("Two-factor sign-in is not on")
    if not (code and _accept_totp(agent, code)) and not _password_ok(session, agent, password):
        raise NotAuthenticated("Give a current code from your app, or your password")
    do_clear(session, agent)
    security_log.do_record(
        session, "2fa_disabled", actor=actor, target=Target("agent", agent.id), address=address
    )


def _password_ok(session: Session, agent: Agent, password: str) -> bool:
    if not password:
        return False
    try:
        return svc.authenticate_agent(session, agent.email, password).id == agent.id
    except DomainError:
        return False


def do_clear(session: Session, agent: Agent) -> None:
    """Remove the secret and the recovery codes (disable, or an admin's reset)."""
    agent.totp_secret = None
    agent.totp_enabled_at = None
    agent.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.agent_id == agent.id))
    session.flush()
