"""The request id: one per HTTP request, carried into the jobs that request queued.

The web middleware binds it (from a well-formed ``X-Request-ID`` header or a fresh one); the
outbox stores it beside each job and the worker binds it again while the job runs, so every
log line of a request and of the work it caused carries the same id.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_REQUEST_ID: ContextVar[str | None] = ContextVar("ledgerdesk_request_id", default=None)
_WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{8,64}")


def new_request_id() -> str:
    return secrets.token_hex(8)


def accepted_request_id(header: str | None) -> str:
    """A caller's id when it is well formed (a proxy's), else a fresh one: an id reaches
    logs, so nothing else a client sends is taken."""
    if header and _WELL_FORMED.fullmatch(header):
        return header
    return new_request_id()


def current_request_id() -> str | None:
    return _REQUEST_ID.get()


@contextmanager
def request_id_bound(value: str | None) -> Iterator[None]:
    """Bind ``value`` as the current request id for the block (None unbinds)."""
    token = _REQUEST_ID.set(value)
    try:
        yield
    finally:
        _REQUEST_ID.reset(token)
