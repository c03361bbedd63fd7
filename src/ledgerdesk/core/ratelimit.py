"""Rate limits on sign-in and code requests: in memory when embedded, Redis in production."""

from __future__ import annotations

from limits import parse
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
            raise RateLimited(f"Too many attempts; try again in {item.get_expiry()} seconds")

    def reset(self) -> None:
        self.storage.reset()
