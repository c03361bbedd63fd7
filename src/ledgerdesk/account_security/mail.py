"""The e-mails of the security requests, in the request's language, queued in the caller's
transaction (sent only if it commits): the one-time code, the lock confirmation, and the 2FA
reset alerts to the old and the new contact with the cancel link."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from ledgerdesk.channels.outgoing import QueuedMail, queue_customer_mail
from ledgerdesk.core import i18n
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.settings import get_settings

if TYPE_CHECKING:
    from ledgerdesk.account_security.models import SecurityRequest

NEVER_SHARE = (
    "Our staff will never ask for your password, 2FA codes, seed phrase or private keys, and "
    "will never ask you to send funds."
)


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def queue_code(session: Session, request: SecurityRequest, code: str, ttl: int) -> None:
    _ = i18n.translations(request.locale).ugettext
    platform = get_settings().platform_name
    purpose = (
        _("to lock your account")
        if request.kind.value == "lock"
        else _("to reset the two-factor authentication (2FA) of your account")
    )
    text = "\n\n".join(
        (
            _("Your security code is %(code)s. It expires in %(minutes)s minutes.")
            % {"code": code, "minutes": max(1, ttl // 60)},
            _("It was asked for %(purpose)s at %(platform)s (request %(reference)s).")
            % {"purpose": purpose, "platform": platform, "reference": request.reference},
            _("If you did not ask for it, ignore this e-mail and never give this code to anyone."),
            _(NEVER_SHARE),
        )
    )
    queue_customer_mail(
        session,
        QueuedMail(
            kind="account_security_code",
            subject=_("Your %(platform)s security code") % {"platform": platform},
            text=text,
            to=request.email,
            locale=request.locale,
            valid_until=utcnow() + timedelta(seconds=ttl),
        ),
    )


def queue_locked(session: Session, request: SecurityRequest) -> None:
    _ = i18n.translations(request.locale).ugettext
    assert request.locked_at is not None
    text = "\n\n".join(
        (
            _(
                "Your account was locked at %(when)s at your request (%(reference)s): nobody "
                "can sign in, trade or withdraw."
            )
            % {"when": _when(request.locked_at), "reference": request.reference},
            _(
                "Our security team has an urgent request open and will contact you to check "
                "the account with you before it is unlocked."
            ),
            _(NEVER_SHARE),
        )
    )
    queue_customer_mail(
        session,
        QueuedMail(
            kind="account_locked",
            subject=_("Your account is locked"),
            text=text,
            customer_id=request.customer_id,
            locale=request.locale,
        ),
    )


def queue_reset_alerts(session: Session, request: SecurityRequest, link: str) -> list[str]:
    """The alert with the cancel link, to the address on file and to the new contact; the
    list says which were sent ("old", "new")."""
    sent = []
    for which, address in (("old", request.email), ("new", request.new_contact)):
        if address:
            queue_customer_mail(session, _reset_alert(request, link, address, which))
            sent.append(which)
    return sent


def _reset_alert(request: SecurityRequest, link: str, address: str, which: str) -> QueuedMail:
    _ = i18n.translations(request.locale).ugettext
    assert request.hold_until is not None
    intro = (
        _("The two-factor authentication (2FA) of your account was reset (%(reference)s).")
        if which == "old"
        else _(
            "This address was given as the new contact when the two-factor authentication "
            "(2FA) of an account was reset (%(reference)s)."
        )
    )
    text = "\n\n".join(
        (
            intro % {"reference": request.reference},
            _(
                "For your protection, withdrawals are held until %(until)s. You will set up a "
                "new 2FA at your next sign-in."
            )
            % {"until": _when(request.hold_until)},
            _(
                "If this was not you, stop the reset now with this link (it works once, until "
                "the hold ends): %(link)s"
            )
            % {"link": link},
            _(NEVER_SHARE),
        )
    )
    return QueuedMail(
        kind="twofa_reset_alert",
        subject=_("Your 2FA was reset: withdrawals are held"),
        text=text,
        to=address,
        locale=request.locale,
        valid_until=request.hold_until,
    )
