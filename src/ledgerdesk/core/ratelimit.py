"""Rate limits on sign-in and code requests: in memory when embedded, Redis in production."""

from __future__ import annotations

import math
import time

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
            raise self._refusal(item, scope, key)

    def allows(self, rule: str, scope: str, key: str) -> bool:
        """Whether ``key`` has attempts of ``rule`` left (counts nothing)."""
        return bool(self.limiter.test(parse(rule), scope, key))

    def check(self, rule: str, scope: str, key: str) -> None:
        """Raise ``RateLimited`` if ``key`` has used up ``rule``, without counting an attempt
        (for limits that count only failures)."""
        if not self.allows(rule, scope, key):
            raise self._refusal(parse(rule), scope, key)

    def count(self, rule: str, scope: str, key: str) -> None:
        """Count one attempt (a failure) towards ``rule``; never raises."""
        self.limiter.hit(parse(rule), scope, key)

    def reset(self) -> None:
        self.storage.reset()

    def retry_after(self, item: RateLimitItem, scope: str, key: str) -> int:
        """Whole seconds until ``key`` has an attempt of ``item`` again (at least 1): when the
        oldest attempt in the moving window leaves it."""
        reset_at = self.limiter.get_window_stats(item, scope, key).reset_time
        return max(1, min(item.get_expiry(), math.ceil(reset_at - time.time())))

    def _refusal(self, item: RateLimitItem, scope: str, key: str) -> RateLimited:
        # The message names the whole window, the same for every key, so two refusals read
        # alike whatever the timing (a page must not differ between a real account and an
        # unknown one); the Retry-After header carries the exact seconds.
        window = item.get_expiry()
        return RateLimited(
            f"Too many attempts; try again in {window} seconds",
            retry_after=self.retry_after(item, scope, key),
        )
