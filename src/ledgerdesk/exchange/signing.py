"""HMAC request signing between the desk and the exchange (the rule in docs/exchange-api.yaml).

Every request carries three headers:

- ``X-LD-Key``: the key id, so the exchange can find the secret (and rotate it);
- ``X-LD-Timestamp``: the moment of signing, in whole unix seconds;
- ``X-LD-Signature``: lower-case hex of HMAC-SHA256(secret, canonical string), where the
  canonical string is ``f"{timestamp}\\n{METHOD}\\n{path_and_query}\\n{sha256_hex(body)}"``.

``path_and_query`` is the request target exactly as sent on the wire (``/v1/customers?email=
a%40b.example``), and the body hash of a request without a body is the hash of no bytes.
A receiver refuses a timestamp more than ``WINDOW_SECONDS`` from its own clock, which bounds
how long a captured request can be replayed.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from enum import StrEnum

KEY_HEADER = "X-LD-Key"
TIMESTAMP_HEADER = "X-LD-Timestamp"
SIGNATURE_HEADER = "X-LD-Signature"
WINDOW_SECONDS = 300


class SignatureProblem(StrEnum):
    missing_headers = "missing_headers"
    unknown_key = "unknown_key"
    bad_timestamp = "bad_timestamp"
    expired = "expired"
    bad_signature = "bad_signature"


class SignatureError(Exception):
    """Why a request's signature was refused; ``message`` is safe to send back."""

    def __init__(self, problem: SignatureProblem, message: str) -> None:
        super().__init__(message)
        self.problem = problem
        self.message = message


def body_sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def canonical_string(timestamp: int | str, method: str, path_and_query: str, body: bytes) -> str:
    """The text that is signed: four lines, no trailing newline."""
    return f"{timestamp}\n{method.upper()}\n{path_and_query}\n{body_sha256(body)}"


def sign(secret: str, timestamp: int | str, method: str, path_and_query: str, body: bytes) -> str:
    """Lower-case hex HMAC-SHA256 of the canonical string under ``secret`` (UTF-8)."""
    message = canonical_string(timestamp, method, path_and_query, body).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(
    key_id: str,
    secret: str,
    method: str,
    path_and_query: str,
    body: bytes = b"",
    *,
    now: float | None = None,
) -> dict[str, str]:
    """The three headers for one request, signed at ``now`` (default: the clock)."""
    timestamp = str(int(time.time() if now is None else now))
    return {
        KEY_HEADER: key_id,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, method, path_and_query, body),
    }


def verify(
    secret: str,
    *,
    timestamp: str,
    method: str,
    path_and_query: str,
    body: bytes,
    signature: str,
    now: float | None = None,
    window: int = WINDOW_SECONDS,
) -> None:
    """Raise SignatureError unless ``signature`` is right and ``timestamp`` within ``window``
    seconds of ``now``. The comparison takes the same time wherever the strings differ."""
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        raise SignatureError(
            SignatureProblem.bad_timestamp, f"{TIMESTAMP_HEADER} must be whole unix seconds"
        )
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > window:
        raise SignatureError(
            SignatureProblem.expired,
            f"{TIMESTAMP_HEADER} is more than {window} s away from the server's clock",
        )
    expected = sign(secret, timestamp, method, path_and_query, body)
    if not hmac.compare_digest(expected.encode(), signature.strip().lower().encode()):
        raise SignatureError(SignatureProblem.bad_signature, "the signature does not match")


def is_valid(
    secret: str,
    *,
    timestamp: str,
    method: str,
    path_and_query: str,
    body: bytes,
    signature: str,
    now: float | None = None,
) -> bool:
    """``verify`` as a yes/no answer."""
    try:
        verify(
            secret,
            timestamp=timestamp,
            method=method,
            path_and_query=path_and_query,
            body=body,
            signature=signature,
            now=now,
        )
    except SignatureError:
        return False
    return True
