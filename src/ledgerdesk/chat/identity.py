"""Who is on the widget side of a chat.

Two ways in, both ending in a *visitor token* the widget keeps (only its SHA-256 is stored):

- **signed**: the exchange signs a short JWT (HS256, ``LEDGERDESK_CHAT_JWT_SECRET``) naming its
  user (``sub`` → ``Customer.external_id``), ``email``, ``iat`` and ``exp`` (at most 24 hours
  apart); optional ``name``, ``locale`` and ``aud`` (checked against
  ``LEDGERDESK_CHAT_JWT_AUDIENCE`` when present). The visitor is verified at once.
- **email**: the customer types an address. The visitor is not verified: it sees only the
  conversations it opened itself, until it proves the address with an e-mailed code (the
  portal's codes, bound to this visitor) and then sees all of that customer's chats.

An unverified visitor never changes the customer record it names (name, language).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Customer
from ledgerdesk.accounts.portal_codes import do_issue_bound_portal_code, do_redeem_portal_code
from ledgerdesk.accounts.services import (
    Actor,
    do_upsert_customer,
    find_customer_by_email,
    normalise_email,
)
from ledgerdesk.chat.models import ChatVisitor
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import Conflict, DomainError, InvalidInput, NotAuthenticated
from ledgerdesk.core.settings import get_settings
from ledgerdesk.core.text import clean

TOKEN_PREFIX = "ldc_"  # noqa: S105 - a visible prefix, not a secret
MAX_TOKEN_LIFETIME = timedelta(hours=24)
LEEWAY_SECONDS = 30
REQUIRED_CLAIMS = ("sub", "email", "exp", "iat")
# A visitor's last-seen time is written at most this often.
_SEEN_EVERY = timedelta(minutes=1)


class SignedIdentityOff(DomainError):
    """The desk has no JWT secret, so it cannot check an exchange's token."""

    status_code = 400
    code = "signed_identity_off"


@dataclass(frozen=True)
class Visitor:
    """Who is on the widget side (see the module docstring)."""

    id: int
    customer_id: int
    identity: str  # "signed" | "email"
    verified: bool


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _as_visitor(row: ChatVisitor) -> Visitor:
    return Visitor(
        id=row.id, customer_id=row.customer_id, identity=row.identity, verified=row.verified
    )


def visitor_actor(visitor: Visitor) -> Actor:
    """The visitor acts as its customer."""
    return Actor(kind="customer", id=visitor.customer_id)


def _new_visitor(
    session: Session, customer: Customer, identity: str, verified: bool
) -> tuple[Visitor, str]:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    row = ChatVisitor(
        token_hash=_sha256(token),
        customer_id=customer.id,
        identity=identity,
        verified=verified,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(days=get_settings().chat_visitor_days),
    )
    session.add(row)
    session.flush()
    return _as_visitor(row), token


# --- signed identity --------------------------------------------------------------------

_JWT_ERRORS: tuple[tuple[type[Exception], str], ...] = (
    (jwt.ExpiredSignatureError, "The chat sign-in token has expired; ask the page for a new one"),
    (jwt.ImmatureSignatureError, "The chat sign-in token is not valid yet (check the clock)"),
    (jwt.InvalidSignatureError, "The chat sign-in token's signature does not match"),
    (jwt.InvalidAlgorithmError, "The chat sign-in token must be signed with HS256"),
    (jwt.DecodeError, "The chat sign-in token is not a well-formed JWT"),
)


def _decode(token: str, secret: str) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            leeway=LEEWAY_SECONDS,
            options={"require": list(REQUIRED_CLAIMS), "verify_aud": False},
        )
    except jwt.MissingRequiredClaimError as exc:
        raise NotAuthenticated(f"The chat sign-in token lacks the '{exc.claim}' claim") from None
    except jwt.InvalidTokenError as exc:
        for kind, message in _JWT_ERRORS:
            if isinstance(exc, kind):
                raise NotAuthenticated(message) from None
        raise NotAuthenticated("The chat sign-in token is not valid") from None
    return claims


def _check_claims(claims: dict[str, Any], audience: str) -> None:
    if "aud" in claims:
        given = claims["aud"]
        audiences = [given] if isinstance(given, str) else given
        if not isinstance(audiences, list) or audience not in audiences:
            raise NotAuthenticated(f"The chat sign-in token is not for '{audience}' (its 'aud')")
    lifetime = claims["exp"] - claims["iat"]
    if lifetime <= 0:
        raise NotAuthenticated("The chat sign-in token's 'exp' is not after its 'iat'")
    if lifetime > MAX_TOKEN_LIFETIME.total_seconds():
        raise NotAuthenticated(
            "The chat sign-in token lives longer than 24 hours (exp - iat); sign shorter tokens"
        )
    for name in ("sub", "email"):
        value = claims[name]
        if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
            raise NotAuthenticated(f"The chat sign-in token's '{name}' must be a non-empty string")
    if len(str(claims["sub"])) > 128:
        raise NotAuthenticated("The chat sign-in token's 'sub' is longer than 128 characters")
    for name in ("name", "locale"):
        if name in claims and not isinstance(claims[name], str):
            raise NotAuthenticated(f"The chat sign-in token's '{name}' must be a string")


def identify_signed(session: Session, token: str) -> tuple[Visitor, str]:
    """A verified visitor for the exchange's signed token, and its visitor token. The
    customer is found by exchange id (or e-mail) and created or updated from the claims."""
    settings = get_settings()
    if not settings.chat_jwt_secret:
        raise SignedIdentityOff(
            "This desk does not accept signed chat tokens (LEDGERDESK_CHAT_JWT_SECRET is not "
            "set); sign in with an e-mail address instead"
        )
    claims = _decode(token, settings.chat_jwt_secret)
    _check_claims(claims, settings.chat_jwt_audience)
    try:
        customer = do_upsert_customer(
            session,
            email=str(claims["email"]),
            external_id=str(claims["sub"]),
            name=claims.get("name") or "",
            locale=claims.get("locale"),
        )
    except InvalidInput:
        raise NotAuthenticated(
            "The chat sign-in token's 'email' is not an e-mail address"
        ) from None
    return _new_visitor(session, customer, "signed", verified=True)


# --- e-mail identity --------------------------------------------------------------------


def identify_email(
    session: Session, email: str, name: str = "", locale: str | None = None
) -> tuple[Visitor, str]:
    """An unverified visitor for the address the customer typed. A new address makes a new
    customer (name and language as given, guarded); a known one is left as it is."""
    address = normalise_email(clean(email))
    if len(name) > 200:
        raise InvalidInput("Name is longer than 200 characters", field="name")
    customer = find_customer_by_email(session, address)
    if customer is None:
        customer = do_upsert_customer(session, email=address, name=name, locale=locale)
    return _new_visitor(session, customer, "email", verified=False)


def _visitor_row(session: Session, token: str | None) -> ChatVisitor:
    if not token:
        raise NotAuthenticated(
            "Start the chat first: send the visitor token as 'Authorization: Chat <token>'"
        )
    row = session.scalar(select(ChatVisitor).where(ChatVisitor.token_hash == _sha256(token)))
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise NotAuthenticated("This chat session has expired or ended; start the chat again")
    if now - row.last_seen_at >= _SEEN_EVERY:
        row.last_seen_at = now
    return row


def visitor_from_token(session: Session, token: str | None) -> Visitor:
    """The live visitor for ``token`` or ``NotAuthenticated``. May move the last-seen time
    on (at most once a minute); the caller commits when the session is dirty."""
    return _as_visitor(_visitor_row(session, token))


def _row(session: Session, visitor: Visitor) -> ChatVisitor:
    row = session.get(ChatVisitor, visitor.id)
    if row is None or row.revoked_at is not None:
        raise NotAuthenticated("This chat session has ended; start the chat again")
    return row


def start_verification(session: Session, visitor: Visitor, locale: str) -> int:
    """E-mail a code to the visitor's customer, bound to this visitor (a newer request voids
    the older code of this visitor only). Returns the code's id, also kept on the visitor."""
    if visitor.verified:
        raise Conflict("This chat is already verified")
    row = _row(session, visitor)
    customer = session.get(Customer, visitor.customer_id)
    if customer is None:
        raise NotAuthenticated("This chat session has ended; start the chat again")
    issued = do_issue_bound_portal_code(
        session,
        customer.email,
        get_settings().portal_code_ttl_seconds,
        locale=locale,
        replaces=row.pending_code_id or 0,
    )
    row.pending_code_id = issued.id
    return issued.id


def verify(session: Session, visitor: Visitor, code: str, bound_id: int | None = None) -> Visitor:
    """Mark the visitor verified when ``code`` is the one e-mailed for it (``bound_id``, by
    default the code it asked for last). A wrong code raises ``NotAuthenticated`` after
    counting one of the code's tries: the caller commits before answering."""
    row = _row(session, visitor)
    if row.verified:
        return _as_visitor(row)
    code = code.strip()
    if not (code.isdigit() and len(code) == 6):
        raise InvalidInput("The code is the 6 digits from the e-mail", field="code")
    bound = bound_id if bound_id is not None else row.pending_code_id
    if not bound:
        raise InvalidInput("Ask for a code first", field="code")
    customer = session.get(Customer, row.customer_id)
    if customer is None:
        raise NotAuthenticated("This chat session has ended; start the chat again")
    redeemed = do_redeem_portal_code(session, customer.email, code, bound_id=bound)
    if redeemed is None or redeemed.id != customer.id:
        raise NotAuthenticated("Wrong code; check the latest e-mail and try again")
    row.verified = True
    row.pending_code_id = None
    return _as_visitor(row)


def customer_of(session: Session, visitor: Visitor) -> Customer:
    customer = session.get(Customer, visitor.customer_id)
    if customer is None:
        raise NotAuthenticated("This chat session has ended; start the chat again")
    return customer


__all__ = [
    "SignedIdentityOff",
    "Visitor",
    "customer_of",
    "identify_email",
    "identify_signed",
    "start_verification",
    "verify",
    "visitor_actor",
    "visitor_from_token",
]
