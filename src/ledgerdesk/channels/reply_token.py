"""The per-ticket reply address: ``<local>+t<ticket>-<tag>@<domain>``.

The tag is an HMAC of the ticket number under the desk's secret key, so the address can be
checked without storing anything and cannot be guessed for another ticket. It is the last
threading fallback, after the ``In-Reply-To``/``References`` headers and the ``[#1234]``
subject reference: a mail client that drops both still sends the reply to this address."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable
from email.utils import parseaddr

from ledgerdesk.core.settings import Settings, get_settings

_TAG_CHARS = 10
_TOKEN = re.compile(r"\+t(\d{1,12})-([a-z2-7]{" + str(_TAG_CHARS) + r"})@", re.IGNORECASE)


def _tag(ticket_id: int, settings: Settings) -> str:
    key = hashlib.sha256(b"ledgerdesk reply address v1" + settings.resolved_secret_key().encode())
    digest = hmac.new(key.digest(), str(ticket_id).encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().lower()[:_TAG_CHARS]


def base_address(settings: Settings | None = None) -> str:
    """The desk's mailbox address that tokens are added to."""
    settings = settings or get_settings()
    configured = settings.mail_reply_address.strip()
    address = parseaddr(configured or settings.resolved_mail_from)[1]
    return address or "support@localhost"


def reply_address(ticket_id: int, settings: Settings | None = None) -> str:
    """The address a reply about ``ticket_id`` is sent to (the Reply-To of our mails)."""
    settings = settings or get_settings()
    local, _, domain = base_address(settings).rpartition("@")
    local = local.split("+", 1)[0]
    return f"{local}+t{ticket_id}-{_tag(ticket_id, settings)}@{domain}"


def ticket_from_addresses(addresses: Iterable[str], settings: Settings | None = None) -> int | None:
    """The ticket whose valid reply address is among ``addresses``, if any."""
    settings = settings or get_settings()
    for address in addresses:
        found = _TOKEN.search(address)
        if found is None:
            continue
        ticket_id = int(found.group(1))
        if hmac.compare_digest(found.group(2).lower(), _tag(ticket_id, settings)):
            return ticket_id
    return None
