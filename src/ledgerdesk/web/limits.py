"""The rate limits of sign-in, in one place: per client address and per account.

Keys are the client address (``web.clientip``) and the normalised e-mail. The per-account
limit counts failures only and is kept for every address typed, known or not, with the same
answer, so it neither locks out a customer who signs in correctly nor tells a stranger which
accounts exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from starlette.requests import Request

from ledgerdesk.accounts.services import normalise_email
from ledgerdesk.core.errors import InvalidInput, NotAuthenticated
from ledgerdesk.core.ratelimit import RateLimiter
from ledgerdesk.core.settings import Settings
from ledgerdesk.web.clientip import client_address


def account_key(email: str) -> str:
    """The e-mail as the limits count it (so ``A@X.io`` and ``a@x.io `` share a count)."""
    try:
        return normalise_email(email)
    except InvalidInput:
        return email.strip().lower()[:320]


@contextmanager
def login_limits(request: Request, email: str) -> Iterator[None]:
    """Around a password check: refuse (``RateLimited``) an address past its attempts or an
    account past its failures, and count a ``NotAuthenticated`` raised inside as a failure."""
    settings: Settings = request.app.state.settings
    limiter: RateLimiter = request.app.state.limiter
    account = account_key(email)
    limiter.hit(settings.login_rate_limit, "login", client_address(request))
    limiter.check(settings.account_login_rate_limit, "login-account", account)
    try:
        yield
    except NotAuthenticated:
        limiter.count(settings.account_login_rate_limit, "login-account", account)
        raise
