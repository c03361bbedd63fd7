"""Portal sign-in codes with limits that a stranger cannot turn against the customer.

- Asking for a code is limited per client address and per (e-mail, address) pair, never per
  e-mail alone: someone else asking for codes for your address, from elsewhere, never stops
  you from getting one.
- A code is bound to the browser that asked for it (its row id in the session). Only that
  browser's wrong guesses use up the code's tries, so nobody can burn the code you are about
  to type. Past ``LEDGERDESK_CODE_GUESS_RATE_LIMIT`` wrong guesses for an e-mail (across all
  its codes), each bound code gets a single try: a fresh code typed right still works.
- A code typed in another browser (asked for on the phone, typed on the laptop) is tried
  against the e-mail's newest live codes without using any up; those guesses are limited per
  address and per e-mail, and are refused once the e-mail is past its guess limit.
"""

from __future__ import annotations

from starlette.requests import Request

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Customer
from ledgerdesk.accounts.portal_codes import (
    IssuedCode,
    do_issue_bound_portal_code,
    do_redeem_portal_code,
)
from ledgerdesk.core.errors import NotAuthenticated, RateLimited
from ledgerdesk.core.i18n import get_locale
from ledgerdesk.core.ratelimit import RateLimiter
from ledgerdesk.core.settings import Settings
from ledgerdesk.web.clientip import client_address
from ledgerdesk.web.deps import Db

SESSION_KEY = "portal_code"


def issue_code(request: Request, db: Db, email: str) -> IssuedCode:
    """Check the request limits, issue a code bound to this browser and commit."""
    settings: Settings = request.app.state.settings
    limiter: RateLimiter = request.app.state.limiter
    address = accounts.normalise_email(email)
    client = client_address(request)
    limiter.hit(settings.login_rate_limit, "portal-code-ip", client)
    limiter.hit(settings.code_rate_limit, "portal-code-email-ip", f"{address} {client}")
    issued = do_issue_bound_portal_code(
        db,
        address,
        settings.portal_code_ttl_seconds,
        locale=get_locale(),
        replaces=_bound_code(request, address),
    )
    db.commit()
    request.session[SESSION_KEY] = {"id": issued.id, "email": address}
    return issued


def redeem_code(
    request: Request, db: Db, email: str, code: str, *, locale: str | None = None
) -> Customer:
    """The customer for ``code``, or ``NotAuthenticated``/``RateLimited``; commits. A customer
    signed in with ``locale`` is written to in that language from then on."""
    settings: Settings = request.app.state.settings
    limiter: RateLimiter = request.app.state.limiter
    address = accounts.normalise_email(email)
    bound = _bound_code(request, address)
    fresh = limiter.allows(settings.code_guess_rate_limit, "portal-guess", address)
    if not bound:
        limiter.hit(settings.login_rate_limit, "portal-guess-ip", client_address(request))
        if not fresh:
            raise RateLimited("Too many wrong codes; ask for a new code in this browser")
    customer = do_redeem_portal_code(
        db, address, code, bound_id=bound, max_attempts=0 if fresh else 1, locale=locale
    )
    db.commit()
    if customer is None:
        limiter.count(settings.code_guess_rate_limit, "portal-guess", address)
        raise NotAuthenticated("Wrong code; check the latest e-mail and try again")
    request.session.pop(SESSION_KEY, None)
    return customer


def _bound_code(request: Request, address: str) -> int:
    """The code this browser asked for ``address`` (0 when none)."""
    bound = request.session.get(SESSION_KEY)
    if isinstance(bound, dict) and bound.get("email") == address:
        code_id = bound.get("id")
        return code_id if isinstance(code_id, int) else 0
    return 0
