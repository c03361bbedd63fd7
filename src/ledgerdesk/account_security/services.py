"""Shared pieces of the security requests, and "lock my account now".

A lock is confirmed by a portal sign-in (``do_lock``), by a code e-mailed to the address on
file at the exchange (``do_start_lock_by_email`` then ``do_confirm_lock_by_code``) or by the
assistant after the customer said yes (``do_record_assistant_lock``). The exchange is called
at once; one urgent ticket for the security team is opened per lock. Asking again while the
account is locked changes nothing: the same request and ticket answer, and the exchange is not
called again. Every step is a ``SecurityRequestStep``. The caller owns the transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.account_security import mail
from ledgerdesk.account_security.models import (
    RequestKind,
    RequestStatus,
    SecurityRequest,
    SecurityRequestStep,
)
from ledgerdesk.accounts.models import Customer
from ledgerdesk.accounts.services import SYSTEM, do_upsert_customer, normalise_email
from ledgerdesk.cases.register import team_for
from ledgerdesk.core import i18n
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import DomainError, NotAuthenticated
from ledgerdesk.core.settings import get_settings
from ledgerdesk.exchange.client import (
    CustomerProfile,
    ExchangeClient,
    ExchangeError,
    ExchangeErrorKind,
    get_exchange,
)
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Channel, Priority, Status, Ticket

log = logging.getLogger("ledgerdesk.account_security")

MAX_CODE_ATTEMPTS = 5
LOCK_REASON = "The customer asked the desk to lock the account now ({reference})"


class ExchangeUnavailable(DomainError):
    status_code = 503
    code = "exchange_unavailable"


@dataclass(frozen=True)
class LockResult:
    request: SecurityRequest
    already: bool  # the account was locked by an earlier request: nothing new happened
    locked: bool  # False: the exchange did not lock it; the urgent ticket asks a person to


# --- the log ------------------------------------------------------------------------------


def record(
    session: Session, request: SecurityRequest, step: str, actor: str = "customer", **detail: Any
) -> SecurityRequestStep:
    """Add one step to the request's log (never a code or a token in ``detail``)."""
    moment = utcnow()
    entry = SecurityRequestStep(
        request_id=request.id, step=step, actor_kind=actor, at=moment, detail=detail
    )
    request.updated_at = moment
    session.add(entry)
    session.flush()
    return entry


def steps_of(session: Session, request: SecurityRequest) -> list[SecurityRequestStep]:
    return list(
        session.scalars(
            select(SecurityRequestStep)
            .where(SecurityRequestStep.request_id == request.id)
            .order_by(SecurityRequestStep.id)
        )
    )


def latest(
    session: Session, account: str, kind: RequestKind, statuses: tuple[RequestStatus, ...]
) -> SecurityRequest | None:
    return session.scalar(
        select(SecurityRequest)
        .where(
            SecurityRequest.exchange_customer_id == account,
            SecurityRequest.kind == kind,
            SecurityRequest.status.in_(statuses),
        )
        .order_by(SecurityRequest.id.desc())
        .limit(1)
    )


# --- the exchange -------------------------------------------------------------------------


def exchange() -> ExchangeClient:
    client = get_exchange()
    if client is None:
        raise ExchangeNotConfigured(NOT_CONFIGURED)
    return client


NOT_CONFIGURED = (
    "Account security requests need the exchange connection, which this desk does "
    "not have. Please contact support."
)


class ExchangeNotConfigured(DomainError):
    """The desk has no exchange connection: nothing to retry, an operator must set it up."""

    status_code = 409
    code = "exchange_not_configured"


def unavailable(exc: ExchangeError) -> DomainError:
    if exc.kind == ExchangeErrorKind.not_configured:
        return ExchangeNotConfigured(NOT_CONFIGURED)
    log.warning("account security: the exchange failed (%s)", exc.kind.value)
    return ExchangeUnavailable(
        "The exchange cannot be reached right now. Please try again in a few minutes."
    )


def account_for_email(email: str) -> CustomerProfile | None:
    """The exchange's account with this e-mail, or None (never says which to the customer)."""
    try:
        return exchange().customer(f"email:{normalise_email(email)}")
    except ExchangeError as exc:
        if exc.kind == ExchangeErrorKind.not_found:
            return None
        raise unavailable(exc) from None


def account_of(customer: Customer) -> CustomerProfile:
    """The exchange's account of a signed-in portal customer."""
    try:
        return exchange().customer(customer.external_id)
    except ExchangeError as exc:
        if exc.kind == ExchangeErrorKind.not_found:
            raise NotAuthenticated(
                "The exchange has no account with your e-mail address. Please contact support."
            ) from None
        raise unavailable(exc) from None


def new_request(
    session: Session,
    kind: RequestKind,
    customer: Customer,
    profile: CustomerProfile,
    *,
    source: str,
    locale: str,
    status: RequestStatus = RequestStatus.awaiting_code,
    new_contact: str | None = None,
) -> SecurityRequest:
    now = utcnow()
    request = SecurityRequest(
        kind=kind,
        status=status,
        customer_id=customer.id,
        exchange_customer_id=profile.id,
        email=normalise_email(profile.email or customer.email),
        new_contact=new_contact,
        locale=i18n.normalise_locale(locale) or "en",
        source=source,
        created_at=now,
        updated_at=now,
    )
    session.add(request)
    session.flush()
    return request


def customer_for(session: Session, profile: CustomerProfile, locale: str) -> Customer:
    """The desk's customer record for the exchange account (created on first contact)."""
    assert profile.email is not None  # found by e-mail
    return do_upsert_customer(session, email=profile.email, locale=locale)


# --- one-time codes -----------------------------------------------------------------------


def _digest(request: SecurityRequest, code: str) -> str:
    return hashlib.sha256(f"{request.id}:{request.email}:{code}".encode()).hexdigest()


def issue_code(session: Session, request: SecurityRequest) -> None:
    """A fresh 6-digit code for the request, e-mailed to the address on file."""
    code = f"{secrets.randbelow(1_000_000):06d}"
    ttl = get_settings().portal_code_ttl_seconds
    request.code_hash = _digest(request, code)
    request.code_expires_at = utcnow() + timedelta(seconds=ttl)
    request.code_attempts = 0
    mail.queue_code(session, request, code, ttl)
    record(session, request, "code_sent", "system", to="email_on_file")


def code_matches(session: Session, request: SecurityRequest, code: str) -> bool:
    """Whether ``code`` is the request's live code; a wrong one uses up a try (the caller
    commits before refusing). An expired or used-up code raises. The code stays valid until
    the request is done (``use_code``): a reset whose other checks failed is tried again
    with it."""
    if (
        request.code_hash is None
        or request.code_expires_at is None
        or request.code_expires_at < utcnow()
        or request.code_attempts >= MAX_CODE_ATTEMPTS
    ):
        raise NotAuthenticated("This code has expired. Ask for a new one.")
    if hmac.compare_digest(request.code_hash, _digest(request, code.strip())):
        return True
    request.code_attempts += 1
    record(session, request, "code_wrong", attempts=request.code_attempts)
    return False


def use_code(request: SecurityRequest) -> None:
    request.code_hash = None  # single use


def pending(session: Session, request_id: int, kind: RequestKind) -> SecurityRequest | None:
    request = session.get(SecurityRequest, request_id) if request_id else None
    if request is None or request.kind != kind or request.status != RequestStatus.awaiting_code:
        return None
    return request


# --- the urgent ticket --------------------------------------------------------------------


def open_ticket(
    session: Session, request: SecurityRequest, subject: str, body: str, **values: str
) -> Ticket:
    """The urgent ticket for the security team, in the customer's language."""
    customer = session.get(Customer, request.customer_id)
    assert customer is not None
    _ = i18n.translations(request.locale).ugettext
    filled = {"reference": request.reference, **values}
    ticket = tickets.do_create_ticket(
        session,
        SYSTEM,
        customer,
        tickets.NewTicket(
            subject=_(subject) % filled,
            body=_(body) % filled,
            channel=Channel.portal,
            priority=Priority.urgent,
            language=tickets.ticket_language(request.locale),
            team_id=team_for(session, "security"),
            tags=["account-security"],
        ),
    )
    request.ticket_id = ticket.id
    record(session, request, "ticket_opened", "system", ticket_id=ticket.id)
    return ticket


# --- lock my account now ------------------------------------------------------------------


def lock_at_exchange(client: ExchangeClient, profile: CustomerProfile, reason: str) -> datetime:
    """The moment the account was locked: the exchange's own when it says it is locked
    already (no second call), else it is locked now."""
    if profile.locked and profile.locked_at is not None:
        return profile.locked_at
    return client.lock_account(profile.id, reason)


def do_lock(session: Session, customer: Customer, *, locale: str) -> LockResult:
    """Lock the signed-in customer's account now (the sign-in is the confirmation). When the
    exchange cannot be reached, the security team gets the urgent ticket to lock it."""
    try:
        profile = account_of(customer)
    except (ExchangeUnavailable, ExchangeNotConfigured):
        return _lock_by_a_person(session, customer, locale)
    earlier = _locked_before(session, profile.id, "portal")
    if earlier is not None:
        return earlier
    request = new_request(
        session,
        RequestKind.lock,
        customer,
        profile,
        source="portal",
        locale=locale,
        status=RequestStatus.locked,
    )
    record(session, request, "lock_confirmed", how="portal_sign_in")
    return _lock(session, request, profile)


def do_start_lock_by_email(session: Session, email: str, locale: str) -> SecurityRequest | None:
    """A lock request confirmed by a code sent to the address on file; None when the exchange
    has no such account (the page says the same either way)."""
    profile = account_for_email(email)
    if profile is None or profile.email is None:
        return None
    customer = customer_for(session, profile, locale)
    request = new_request(
        session, RequestKind.lock, customer, profile, source="email_code", locale=locale
    )
    record(session, request, "requested", how="email_code")
    issue_code(session, request)
    return request


def do_confirm_lock_by_code(session: Session, request_id: int, code: str) -> LockResult | None:
    """Lock on the right code; None for a wrong one (the caller commits the try, then
    refuses)."""
    request = pending(session, request_id, RequestKind.lock)
    if request is None:
        raise NotAuthenticated("This code has expired. Ask for a new one.")
    if not code_matches(session, request, code):
        return None
    use_code(request)
    record(session, request, "lock_confirmed", how="email_code")
    try:
        profile = exchange().customer(request.exchange_customer_id)
    except ExchangeError as exc:
        raise unavailable(exc) from None
    earlier = _locked_before(session, profile.id, "email_code")
    if earlier is not None:
        request.status = RequestStatus.locked
        request.locked_at = earlier.request.locked_at
        request.ticket_id = earlier.request.ticket_id
        record(session, request, "already_locked", first=earlier.request.reference)
        return earlier
    request.status = RequestStatus.locked
    return _lock(session, request, profile)


def _locked_before(session: Session, account: str, source: str) -> LockResult | None:
    """The request that locked the account already; logs the repeat on it."""
    earlier = latest(session, account, RequestKind.lock, (RequestStatus.locked,))
    if earlier is None:
        return None
    record(session, earlier, "repeated", source=source)
    return LockResult(earlier, already=True, locked=True)


def _lock(session: Session, request: SecurityRequest, profile: CustomerProfile) -> LockResult:
    reason = LOCK_REASON.format(reference=request.reference)
    try:
        request.locked_at = lock_at_exchange(exchange(), profile, reason)
    except ExchangeError as exc:
        log.warning("account security: lock failed (%s)", exc.kind.value)
        return _failed_lock(session, request, exc.kind.value)
    request.status = RequestStatus.locked
    record(session, request, "exchange_locked", "system", locked_at=request.locked_at.isoformat())
    open_ticket(session, request, *_TICKET_LOCKED, when=_when(request.locked_at))
    mail.queue_locked(session, request)
    return LockResult(request, already=False, locked=True)


def _lock_by_a_person(session: Session, customer: Customer, locale: str) -> LockResult:
    """No answer from the exchange about the account: the request is logged under the desk's
    id of the customer and a person locks it."""
    account = customer.external_id
    request = SecurityRequest(
        kind=RequestKind.lock,
        status=RequestStatus.lock_failed,
        customer_id=customer.id,
        exchange_customer_id=account,
        email=customer.email,
        locale=i18n.normalise_locale(locale) or "en",
        source="portal",
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    session.add(request)
    session.flush()
    record(session, request, "lock_confirmed", how="portal_sign_in")
    return _failed_lock(session, request, "unavailable")


def _failed_lock(session: Session, request: SecurityRequest, error: str) -> LockResult:
    """The urgent ticket asks a person to lock; a repeat joins the open failed request's
    ticket instead of opening another."""
    request.status = RequestStatus.lock_failed
    record(session, request, "exchange_failed", "system", error=error)
    earlier = session.scalar(
        select(SecurityRequest)
        .where(
            SecurityRequest.exchange_customer_id == request.exchange_customer_id,
            SecurityRequest.kind == RequestKind.lock,
            SecurityRequest.status == RequestStatus.lock_failed,
            SecurityRequest.id != request.id,
            SecurityRequest.ticket_id.is_not(None),
        )
        .order_by(SecurityRequest.id.desc())
        .limit(1)
    )
    if earlier is not None and _is_open(session, earlier.ticket_id):
        request.ticket_id = earlier.ticket_id
        record(session, earlier, "repeated", source=request.source)
        record(session, request, "joined", "system", first=earlier.reference)
    else:
        open_ticket(session, request, *_TICKET_NOT_LOCKED)
    return LockResult(request, already=False, locked=False)


def _is_open(session: Session, ticket_id: int | None) -> bool:
    ticket = session.get(Ticket, ticket_id) if ticket_id else None
    return ticket is not None and ticket.status not in (Status.solved, Status.closed)


def do_record_assistant_lock(
    session: Session, customer: Customer, ticket: Ticket, account: str, locked_at: datetime
) -> SecurityRequest:
    """Log a lock the assistant made after the customer confirmed it; the conversation it
    handed over (urgent, to the security team) is the request's ticket. A repeat is logged on
    the request that locked the account first."""
    earlier = latest(session, account, RequestKind.lock, (RequestStatus.locked,))
    if earlier is not None:
        record(session, earlier, "repeated", "assistant", ticket_id=ticket.id)
        return earlier
    request = SecurityRequest(
        kind=RequestKind.lock,
        status=RequestStatus.locked,
        customer_id=customer.id,
        exchange_customer_id=account,
        email=customer.email,
        locale=i18n.normalise_locale(customer.locale) or "en",
        source="assistant",
        ticket_id=ticket.id,
        locked_at=locked_at,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    session.add(request)
    session.flush()
    record(session, request, "lock_confirmed", "assistant", how="assistant_conversation")
    record(session, request, "exchange_locked", "assistant", locked_at=locked_at.isoformat())
    record(session, request, "ticket_opened", "assistant", ticket_id=ticket.id)
    return request


def current_lock(session: Session, account: str) -> SecurityRequest | None:
    return latest(session, account, RequestKind.lock, (RequestStatus.locked,))


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


_TICKET_LOCKED = (
    "Account locked at the customer's request (%(reference)s)",
    "You asked us to lock your account, and it was locked at %(when)s: nobody can sign in, "
    "trade or withdraw. Our security team will contact you here to check the account with "
    "you before it is unlocked. Never share passwords, 2FA codes or seed phrases with anyone, "
    "including us.",
)
_TICKET_NOT_LOCKED = (
    "Urgent: lock the customer's account (%(reference)s)",
    "You asked us to lock your account. It could not be locked automatically, so our security "
    "team is doing it now as an urgent request and will confirm here.",
)
