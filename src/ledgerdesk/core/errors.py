"""Typed domain errors. Each maps to one HTTP status and a stable machine code."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a user can cause. ``code`` is stable; ``message`` is for people."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class NotPermitted(DomainError):
    status_code = 403
    code = "not_permitted"


class NotAuthenticated(DomainError):
    status_code = 401
    code = "not_authenticated"


class InvalidInput(DomainError):
    status_code = 422
    code = "invalid_input"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class TicketClosed(Conflict):
    code = "ticket_closed"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class TooLarge(DomainError):
    status_code = 413
    code = "too_large"


class RateLimited(DomainError):
    status_code = 429
    code = "rate_limited"

    def __init__(
        self, message: str, *, field: str | None = None, retry_after: int | None = None
    ) -> None:
        super().__init__(message, field=field)
        # Seconds until the limit lets the next attempt through (the ``Retry-After`` header);
        # None when the refusal does not end with time (e.g. a code that must be re-issued).
        self.retry_after = retry_after
