"""The customer's anti-phishing code: a word of their choosing that every genuine e-mail
from the desk shows at the top. Checking a proposed code (with a reason in the reader's
language when it is refused), and setting, changing or removing it with an e-mail that tells
the customer."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import datetime
from itertools import pairwise

from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Customer, Role
from ledgerdesk.accounts.services import Actor, mail_locale
from ledgerdesk.channels.outgoing import QueuedMail, queue_customer_mail
from ledgerdesk.core import i18n
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import InvalidInput, NotPermitted
from ledgerdesk.core.settings import get_settings

ANTI_PHISHING_MIN_LENGTH = 4


ANTI_PHISHING_MAX_LENGTH = 20


class BadAntiPhishingCode(InvalidInput):
    """A refused anti-phishing code. ``template`` and ``params`` let a page say why in the
    reader's language; ``message`` is the same in English."""

    def __init__(self, template: str, **params: str | int) -> None:
        super().__init__(template % params, field="anti_phishing_code")
        self.template = template
        self.params = params


def check_anti_phishing_code(code: str, email: str) -> str:
    """The code as it will be stored (surrounding spaces trimmed, Unicode NFC), or
    ``BadAntiPhishingCode`` naming the rule it breaks."""
    code = unicodedata.normalize("NFC", code.strip())
    if len(code) > ANTI_PHISHING_MAX_LENGTH:
        raise BadAntiPhishingCode(
            "The anti-phishing code can be at most %(max)s characters long; this one has "
            "%(length)s.",
            max=ANTI_PHISHING_MAX_LENGTH,
            length=len(code),
        )
    if len(code) < ANTI_PHISHING_MIN_LENGTH:
        raise BadAntiPhishingCode(
            "The anti-phishing code must be at least %(min)s characters long.",
            min=ANTI_PHISHING_MIN_LENGTH,
        )
    _check_code_characters(code)
    _check_not_email_name(code, email)
    _check_not_trivial_digits(code)
    return code


def _show(ch: str) -> str:
    if ch.isprintable() and not unicodedata.category(ch).startswith("M"):
        return f"'{ch}'"
    return f"U+{ord(ch):04X}"


def _check_code_characters(code: str) -> None:
    previous = ""
    for ch in code:
        category = unicodedata.category(ch)
        if ch.isspace():
            raise BadAntiPhishingCode(
                "The anti-phishing code cannot contain spaces or line breaks."
            )
        if category.startswith("C"):
            # Bidi overrides (U+202E) and zero-width characters make a code read differently
            # from what it is; control characters have no business in an e-mail line.
            raise BadAntiPhishingCode(
                "The anti-phishing code cannot contain invisible or text-direction "
                "characters (found %(char)s).",
                char=_show(ch),
            )
        # Combining marks are part of letters in many scripts, but only after a letter.
        mark_ok = category.startswith("M") and previous[:1] in ("L", "M")
        if not (category.startswith("L") or category == "Nd" or ch in "-_" or mark_ok):
            raise BadAntiPhishingCode(
                "The anti-phishing code can contain only letters, digits, '-' and '_' "
                "(not %(char)s).",
                char=_show(ch),
            )
        previous = category
    if all(ch in "-_" for ch in code):
        raise BadAntiPhishingCode("The anti-phishing code must contain a letter or a digit.")


def _check_not_email_name(code: str, email: str) -> None:
    local = email.partition("@")[0].partition("+")[0].casefold()
    name = "".join(ch for ch in local if ch.isalnum())
    plain = "".join(ch for ch in code.casefold() if ch.isalnum())
    # A name of one or two letters is inside too many good codes to forbid.
    if name and (plain == name or (len(name) >= 3 and name in plain)):
        raise BadAntiPhishingCode(
            "The anti-phishing code must not contain the name part of your e-mail address "
            "(%(name)s): anyone who has an e-mail from you could guess it.",
            name=local,
        )


def _check_not_trivial_digits(code: str) -> None:
    if not all(unicodedata.category(ch) == "Nd" for ch in code):
        return
    steps = {b - a for a, b in pairwise(unicodedata.decimal(ch) for ch in code)}
    if steps == {0}:
        raise BadAntiPhishingCode(
            "The anti-phishing code cannot be one digit repeated (like 1111): it is among "
            "the first codes anyone would try."
        )
    if steps in ({1}, {-1}):
        raise BadAntiPhishingCode(
            "The anti-phishing code cannot be a run of consecutive digits (like 1234 or "
            "4321): it is among the first codes anyone would try."
        )


def _require_self_or_admin(actor: Actor, customer: Customer) -> None:
    if actor.is_customer:
        if actor.id != customer.id:
            raise NotPermitted("Customers can change only their own anti-phishing code")
        return
    if actor.kind != "system" and actor.role != Role.admin:
        raise NotPermitted("Only the customer or an admin can change an anti-phishing code")


def do_set_anti_phishing_code(
    session: Session, actor: Actor, customer: Customer, code: str | None
) -> Customer:
    """Set, change or (with ``None``) remove ``customer``'s anti-phishing code, and queue the
    e-mail that tells them. Only the customer themself or an admin may; setting the code the
    customer already has changes nothing and sends nothing."""
    _require_self_or_admin(actor, customer)
    new = None if code is None else check_anti_phishing_code(code, customer.email)
    old = customer.anti_phishing_code
    if new == old:
        return customer
    change = "removed" if new is None else ("set" if old is None else "changed")
    customer.anti_phishing_code = new
    customer.anti_phishing_code_set_at = utcnow()
    session.flush()
    # accounts keeps no event log; the timestamp above and this e-mail are the record.
    _queue_code_notice(session, customer, change, customer.anti_phishing_code_set_at)
    return customer


_NOTICE_SUBJECTS = {
    "set": "Your %(platform)s anti-phishing code was set",
    "changed": "Your %(platform)s anti-phishing code was changed",
    "removed": "Your %(platform)s anti-phishing code was removed",
}


_NOTICE_FIRST_LINES = {
    "set": "Your %(platform)s anti-phishing code was set at %(time)s.",
    "changed": "Your %(platform)s anti-phishing code was changed at %(time)s.",
    "removed": "Your %(platform)s anti-phishing code was removed at %(time)s.",
}


def _queue_code_notice(session: Session, customer: Customer, change: str, at: datetime) -> None:
    settings = get_settings()
    _ = i18n.translations(mail_locale(customer)).ugettext
    site = settings.resolved_public_url
    values = {"platform": settings.platform_name, "time": at.strftime("%Y-%m-%d %H:%M:%S UTC")}
    if change == "removed":
        effect = _(
            "Our e-mails no longer show an anti-phishing code. You can set a new one at "
            "any time at %(url)s."
        ) % {"url": site + "/portal/security"}
    else:
        effect = _(
            "From now on every genuine e-mail from us shows this code at the top. An e-mail "
            "without it, or with another code, is not from us: do not open its links."
        )
    paragraphs = [_(_NOTICE_FIRST_LINES[change]) % values, effect, _not_you(_, site)]
    if settings.official_domains:
        paragraphs.append(
            _("Our official websites: %(domains)s")
            % {"domains": ", ".join(settings.official_domains)}
        )
    queue_customer_mail(
        session,
        QueuedMail(
            kind=f"anti_phishing_{change}",
            subject=_(_NOTICE_SUBJECTS[change]) % values,
            text="\n\n".join(paragraphs),
            customer_id=customer.id,
        ),
    )


def _not_you(_: Callable[[str], str], site: str) -> str:
    return _(
        "If this was not you, someone may have access to your account: type %(url)s into "
        "your browser yourself (do not follow links in e-mails), sign in, open a request and "
        "tell us. We will never ask for your password, 2FA codes, seed phrase or private keys."
    ) % {"url": site + "/portal"}
