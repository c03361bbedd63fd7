"""Portal sign-in codes: a 6-digit code e-mailed to an address, tied to the browser that
asked for it, and redeemed for the customer (created on first sign-in). Only a hash of the
code is stored; a code has a short life and a few tries. ``portal.codes`` limits how often
codes are asked for and guessed."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Customer, PortalCode
from ledgerdesk.accounts.services import do_upsert_customer, normalise_email
from ledgerdesk.channels.outgoing import QueuedMail, queue_customer_mail
from ledgerdesk.core import i18n
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import NotAuthenticated
from ledgerdesk.core.settings import get_settings

MAX_CODE_ATTEMPTS = 5
_UNBOUND_CODES_TRIED = 3  # a guess without the browser's binding matches one of 3 codes at most


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedCode:
    code: str
    email: str  # normalised
    id: int  # the row: the browser that asked keeps it, so only it can use up the code's tries


def do_issue_portal_code(
    session: Session, email: str, ttl_seconds: int, *, locale: str = "en"
) -> str:
    """A fresh 6-digit code for ``email`` (see ``do_issue_bound_portal_code``)."""
    return do_issue_bound_portal_code(session, email, ttl_seconds, locale=locale).code


def do_issue_bound_portal_code(
    session: Session, email: str, ttl_seconds: int, *, locale: str = "en", replaces: int = 0
) -> IssuedCode:
    """A fresh 6-digit code for ``email``, e-mailed (in ``locale``) once this commits.

    Only the code ``replaces`` (the one this browser asked for before) stops working: codes
    asked for elsewhere stay valid, so a stranger asking for codes for someone's address
    cannot void the code that person is about to type."""
    email = normalise_email(email)
    now = utcnow()
    old = session.get(PortalCode, replaces) if replaces else None
    if old is not None and old.email == email and old.used_at is None:
        old.used_at = now
    code = f"{secrets.randbelow(1_000_000):06d}"
    expires_at = now + timedelta(seconds=ttl_seconds)
    row = PortalCode(email=email, code_hash=_sha256(email + ":" + code), expires_at=expires_at)
    session.add(row)
    session.flush()
    _queue_portal_code_mail(session, email, code, expires_at, ttl_seconds, locale)
    return IssuedCode(code=code, email=email, id=row.id)


def _queue_portal_code_mail(
    session: Session, email: str, code: str, expires_at: datetime, ttl_seconds: int, locale: str
) -> None:
    # Addressed by e-mail, not customer id: the address may not belong to a customer yet. The
    # mail job looks the customer up when it sends, so a known customer sees their code line.
    locale = i18n.normalise_locale(locale) or "en"
    _ = i18n.translations(locale).ugettext
    subject = _("Your %(platform)s sign-in code") % {"platform": get_settings().platform_name}
    text = "\n\n".join(
        (
            _("Your sign-in code is %(code)s. It expires in %(minutes)s minutes.")
            % {"code": code, "minutes": max(1, ttl_seconds // 60)},
            _(
                "If you did not ask for it, ignore this e-mail. Never give this code to "
                "anyone: our staff will never ask for it."
            ),
        )
    )
    queue_customer_mail(
        session,
        QueuedMail(
            kind="portal_code",
            subject=subject,
            text=text,
            to=email,
            locale=locale,
            valid_until=expires_at,
        ),
    )


def do_redeem_portal_code(
    session: Session,
    email: str,
    code: str,
    *,
    bound_id: int = 0,
    max_attempts: int = 0,
    locale: str | None = None,
) -> Customer | None:
    """The customer for a valid code (created on first sign-in), or ``None`` for a wrong one;
    with ``locale`` (the portal's language at sign-in) the customer is written to in it.

    With ``bound_id`` (the code this browser asked for) only that code is tried, and a wrong
    code uses up one of its ``max_attempts`` tries (``MAX_CODE_ATTEMPTS`` by default): the
    caller commits that count before refusing. Without it, the newest live codes of the e-mail
    are tried and a wrong one changes nothing, so it cannot use up someone else's code: the
    caller limits those guesses. No live code (expired, used, out of tries) raises.
    """
    email = normalise_email(email)
    now = utcnow()
    if bound_id:
        row = session.get(PortalCode, bound_id)
        live = [row] if row is not None and row.email == email else []
    else:
        live = list(
            session.scalars(
                select(PortalCode)
                .where(PortalCode.email == email, PortalCode.used_at.is_(None))
                .order_by(PortalCode.id.desc())
                .limit(_UNBOUND_CODES_TRIED)
            )
        )
    tries = max_attempts or MAX_CODE_ATTEMPTS
    live = [r for r in live if r.used_at is None and r.expires_at >= now and r.attempts < tries]
    if not live:
        raise NotAuthenticated("This code has expired. Ask for a new one.")
    for row in live:
        if hmac.compare_digest(row.code_hash, _sha256(email + ":" + code.strip())):
            row.used_at = now
            return do_upsert_customer(session, email=email, locale=locale)
    if bound_id:
        live[0].attempts += 1
    return None
