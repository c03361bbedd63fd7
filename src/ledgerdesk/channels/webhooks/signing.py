"""The webhook signature: ``Ledgerdesk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>``.

The HMAC key is the endpoint's secret; the message is the timestamp, a dot and the exact body
bytes (``b"1767225600." + body``). A receiver recomputes it, compares in constant time and
refuses a timestamp outside its replay window (five minutes in our documentation), so a
captured request cannot be sent again later. ``verify_signature`` is that check, for our tests
and for integrators writing Python."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "Ledgerdesk-Signature"
DEFAULT_TOLERANCE = 300  # seconds: the replay window docs/webhooks.md asks receivers to use


class SignatureError(ValueError):
    """The signature header is missing, malformed, stale or does not match the body."""


def compute(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``f"{timestamp}." + body`` under ``secret``."""
    message = str(int(timestamp)).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Ledgerdesk-Signature`` header value for ``body`` sent at ``timestamp``."""
    return f"t={int(timestamp)},v1={compute(secret, timestamp, body)}"


def parse_header(header: str) -> tuple[int, list[str]]:
    """The timestamp and every ``v1`` signature of a header; raises SignatureError."""
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isascii() and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif key == "v1" and value:
            signatures.append(value.strip().lower())
    if timestamp is None:
        raise SignatureError("the signature header has no valid timestamp (t=)")
    if not signatures:
        raise SignatureError("the signature header has no v1 signature")
    return timestamp, signatures


def verify_signature(
    secret: str, header: str, body: bytes, now: float, tolerance: float = DEFAULT_TOLERANCE
) -> int:
    """Check a received ``Ledgerdesk-Signature`` header against the raw ``body`` at ``now``
    (unix seconds); return the signed timestamp. Raises SignatureError when the header is
    malformed, the timestamp is more than ``tolerance`` seconds from ``now`` (either way), or
    no ``v1`` value matches."""
    timestamp, signatures = parse_header(header or "")
    if abs(now - timestamp) > tolerance:
        raise SignatureError(
            f"the signature timestamp is {int(abs(now - timestamp))} s away from now "
            f"(tolerance {int(tolerance)} s): a replayed or delayed request"
        )
    expected = compute(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise SignatureError("no signature matches the body and the secret")
    return timestamp
