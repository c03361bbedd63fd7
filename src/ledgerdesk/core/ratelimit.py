"""Rate limits on sign-in and code requests: in memory when embedded, Redis in production."""

from __future__ import annotations

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from ledgerdesk.core.errors import RateLimited


class RateLimiter:
    """Named limits (``"10/minute"``) checked per key, e.g. the client address or e-mail."""

    def __init__(self, storage_url: str = "") -> None:
        self.storage = storage_from_string(storage_url or "memory://")
        self.limiter = MovingWindowRateLimiter(self.storage)

    def hit(self, rule: str, scope: str, key: str) -> None:
        """Count one attempt; raise ``RateLimited`` when the rule is exceeded."""
        item = parse(rule)
        if not self.limiter.hit(item, scope, key):
            raise _refusal(item)

    def allows(self, rule: str, scope: str, key: str) -> bool:
        """Whether ``key`` has attempts of ``rule`` left (counts nothing)."""
        return bool(self.limiter.test(parse(rule), scope, key))

    def check(self, rule: str, scope: str, key: str) -> None:
        """Raise ``RateLimited`` if ``key`` has used up ``rule``, without counting an attempt
        (for limits that count only failures)."""
        if not self.allows(rule, scope, key):
            raise _refusal(parse(rule))

    def count(self, rule: str, scope: str, key: str) -> None:
        """Count one attempt (a failure) towards ``rule``; never raises."""
        self.limiter.hit(parse(rule), scope, key)

    def reset(self) -> None:
        self.storage.reset()


def _refusal(item: RateLimitItem) -> RateLimited:
    return RateLimited(f"Too many attempts; try again in {item.get_expiry()} seconds")
