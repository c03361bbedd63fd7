"""The lost-2FA reset: identity checks per the operator's policy, then the exchange resets the
2FA and holds withdrawals, and alerts with a single-use cancel link go to the old and the new
contact. No agent decides: the checks are ``LEDGERDESK_TWOFA_RESET_CHECKS``.

- ``email_code``: a code e-mailed to the address on file at the exchange (always required);
- ``recent_deposit``: the asset and amount of a deposit credited within
  ``LEDGERDESK_TWOFA_RESET_DEPOSIT_DAYS``, as the exchange records it;
- ``kyc_level``: the exchange's KYC level is at least ``LEDGERDESK_TWOFA_RESET_MIN_KYC_LEVEL``.

A wrong answer is logged and counted (the caller commits it before refusing); after
``MAX_FAILED_CHECKS`` the request is refused and the customer must contact support.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from ledgerdesk.account_security import mail
from ledgerdesk.account_security.models import RequestKind, RequestStatus, SecurityRequest
from ledgerdesk.account_security.services import (
    account_for_email,
    code_matches,
    customer_for,
    exchange,
    issue_code,
    latest,
    new_request,
    open_ticket,
    pending,
    record,
    unavailable,
    use_code,
)
from ledgerdesk.accounts.services import normalise_email
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import Conflict, DomainError, InvalidInput, NotAuthenticated, NotFound
from ledgerdesk.core.settings import get_settings
from ledgerdesk.exchange.client import CustomerProfile, ExchangeError

MAX_FAILED_CHECKS = 3
_SALT = "ledgerdesk.2fa-reset-cancel.v1"


class LinkUsed(DomainError):
    status_code = 410
    code = "link_used"


class LinkExpired(DomainError):
    status_code = 410
    code = "link_expired"


@dataclass(frozen=True)
class Answers:
    """What the customer typed on the checks step."""

    code: str
    deposit_asset: str = ""
    deposit_amount: str = ""


@dataclass(frozen=True)
class Verdict:
    """``request`` is on hold when every check passed; otherwise ``failed`` names the check
    that failed (the page says what to correct) and ``refused`` says no more tries are left."""

    request: SecurityRequest
    failed: str | None = None
    refused: bool = False


def do_start_reset(
    session: Session, email: str, new_contact: str, locale: str
) -> SecurityRequest | None:
    """Start a reset for the account with this e-mail: a code goes to the address on file.
    None when the exchange has no such account (the page says the same either way)."""
    new = normalise_email(new_contact) if new_contact.strip() else None
    profile = account_for_email(email)
    if profile is None or profile.email is None:
        return None
    if new is not None and new == normalise_email(profile.email):
        raise InvalidInput(
            "The new contact must differ from the address on file; leave it empty if you "
            "still use that address",
            field="new_contact",
        )
    running = latest(session, profile.id, RequestKind.twofa_reset, (RequestStatus.on_hold,))
    if running is not None and running.hold_until and running.hold_until > utcnow():
        raise Conflict(
            "A 2FA reset of this account is already running; check the e-mail we sent to the "
            "address on file"
        )
    customer = customer_for(session, profile, locale)
    request = new_request(
        session,
        RequestKind.twofa_reset,
        customer,
        profile,
        source="portal",
        locale=locale,
        new_contact=new,
    )
    checks = list(get_settings().twofa_reset_checks)
    record(session, request, "requested", checks=checks, new_contact=new is not None)
    issue_code(session, request)
    return request


def do_verify_reset(session: Session, request_id: int, answers: Answers) -> Verdict:
    """Run the checks; when all pass, reset at the exchange, hold withdrawals and alert."""
    request = pending(session, request_id, RequestKind.twofa_reset)
    if request is None:
        raise NotAuthenticated("This code has expired. Ask for a new one.")
    if not code_matches(session, request, answers.code):
        return _failed(session, request, "email_code")
    record(session, request, "check_passed", check="email_code")
    try:
        profile = exchange().customer(request.exchange_customer_id)
        failed = _failed_check(profile, answers)
    except ExchangeError as exc:
        raise unavailable(exc) from None
    if failed is not None:
        return _failed(session, request, failed)
    return Verdict(_apply(session, request))


def _failed_check(profile: CustomerProfile, answers: Answers) -> str | None:
    settings = get_settings()
    checks = settings.twofa_reset_checks
    if "kyc_level" in checks and profile.kyc_level < settings.twofa_reset_min_kyc_level:
        return "kyc_level"
    if "recent_deposit" in checks and not _deposit_matches(profile.id, answers):
        return "recent_deposit"
    return None


def _deposit_matches(account: str, answers: Answers) -> bool:
    asset = answers.deposit_asset.strip().upper()
    try:
        amount = Decimal(answers.deposit_amount.strip().replace(",", ""))
    except InvalidOperation:
        return False
    if not asset or not amount.is_finite() or amount <= 0:
        return False
    since = utcnow() - timedelta(days=get_settings().twofa_reset_deposit_days)
    return any(
        d.status == "credited"
        and d.created_at >= since
        and d.asset.upper() == asset
        and d.amount == amount
        for d in exchange().deposits(account, limit=50)
    )


def _failed(session: Session, request: SecurityRequest, check: str) -> Verdict:
    request.failed_checks += 1
    record(session, request, "check_failed", check=check, failures=request.failed_checks)
    if request.failed_checks < MAX_FAILED_CHECKS:
        return Verdict(request, failed=check)
    request.status = RequestStatus.refused
    request.code_hash = None
    record(session, request, "refused", "system")
    return Verdict(request, failed=check, refused=True)


def _apply(session: Session, request: SecurityRequest) -> SecurityRequest:
    record(session, request, "checks_passed", "system", checks=get_settings().twofa_reset_checks)
    hours = get_settings().twofa_reset_hold_hours
    try:
        reset = exchange().reset_two_factor(
            request.exchange_customer_id, hold_hours=hours, reference=request.reference
        )
    except ExchangeError as exc:
        raise unavailable(exc) from None
    use_code(request)
    request.status = RequestStatus.on_hold
    request.reset_id = reset.id
    request.hold_until = reset.hold_until
    request.cancel_nonce = secrets.token_hex(16)
    record(
        session,
        request,
        "reset_applied",
        "system",
        reset_id=reset.id,
        hold_hours=hours,
        hold_until=reset.hold_until.isoformat(),
    )
    sent = mail.queue_reset_alerts(session, request, cancel_link(request))
    record(session, request, "alerts_sent", "system", to=sent)
    return request


# --- the cancel link ----------------------------------------------------------------------


class _ClockSigner(TimestampSigner):
    """Link ages on the desk's clock (``core.clock``), which tests can set."""

    def get_timestamp(self) -> int:
        return int(utcnow().replace(tzinfo=UTC).timestamp())


def _serializer() -> URLSafeTimedSerializer:
    secret = get_settings().resolved_secret_key()
    return URLSafeTimedSerializer(secret, salt=_SALT, signer=_ClockSigner)


def cancel_link(request: SecurityRequest) -> str:
    token = _serializer().dumps({"r": request.id, "n": request.cancel_nonce})
    return f"{get_settings().resolved_public_url}/account-security/2fa-reset/cancel/{token}"


def request_from_token(session: Session, token: str) -> SecurityRequest:
    """The reset a cancel link names, while it can still be cancelled; ``NotFound`` for a
    forged link, ``LinkUsed``/``LinkExpired`` (410) for one that no longer works."""
    hours = get_settings().twofa_reset_hold_hours
    try:
        data: Any = _serializer().loads(token[:500], max_age=hours * 3600)
    except SignatureExpired:
        raise LinkExpired(
            "This link has expired: the withdrawal hold of that reset is over."
        ) from None
    except BadData:
        raise NotFound(
            "This link is not valid. Please use the link from the e-mail as it is."
        ) from None
    request = session.get(SecurityRequest, data.get("r") if isinstance(data, dict) else None)
    if request is None or request.kind != RequestKind.twofa_reset or request.reset_id is None:
        raise NotFound("This link is not valid. Please use the link from the e-mail as it is.")
    if request.status == RequestStatus.cancelled or request.cancel_nonce != data.get("n"):
        raise LinkUsed("This link was used already: the reset is cancelled.")
    if request.hold_until is None or request.hold_until <= utcnow():
        raise LinkExpired("This link has expired: the withdrawal hold of that reset is over.")
    return request


def do_cancel_reset(session: Session, token: str) -> SecurityRequest:
    """Stop the reset (the link works once): the exchange keeps the old 2FA and lifts the
    hold, and an urgent ticket asks the security team to check the account."""
    request = request_from_token(session, token)
    assert request.reset_id is not None
    try:
        exchange().cancel_two_factor_reset(request.exchange_customer_id, request.reset_id)
    except ExchangeError as exc:
        raise unavailable(exc) from None
    request.status = RequestStatus.cancelled
    request.cancelled_at = utcnow()
    request.cancel_nonce = None
    record(session, request, "cancelled", how="email_link", reset_id=request.reset_id)
    open_ticket(session, request, *_TICKET_CANCELLED)
    return request


_TICKET_CANCELLED = (
    "2FA reset cancelled from the e-mailed link (%(reference)s)",
    "The 2FA reset of your account was cancelled from the link in our e-mail: your previous "
    "2FA stays and the withdrawal hold of that reset is lifted. Someone may have tried to take "
    "over your account, so our security team will contact you here as a matter of urgency. "
    "If you think someone else can sign in, lock your account now at /portal/security/lock.",
)
