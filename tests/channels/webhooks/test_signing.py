"""The signature: ours round-trips and refuses a tampered body, a wrong secret, a stale or
future timestamp and malformed headers; the standard-library snippet in docs/webhooks.md
(run here as written) agrees with it."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from pathlib import Path
from typing import Any

import pytest

from ledgerdesk.channels.webhooks.signing import (
    SignatureError,
    compute,
    parse_header,
    sign,
    verify_signature,
)

DOC = Path(__file__).resolve().parents[3] / "docs" / "webhooks.md"
SECRET = "whsec_test-secret"
BODY = b'{"event_id":7,"type":"ticket.created"}'
NOW = 1_767_225_600


def test_a_signature_verifies_and_is_the_documented_hmac() -> None:
    header = sign(SECRET, NOW, BODY)
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert header == f"t={NOW},v1={expected}"
    assert verify_signature(SECRET, header, BODY, now=NOW + 10) == NOW
    assert compute(SECRET, NOW, BODY) == expected


@pytest.mark.parametrize(
    ("secret", "body", "now", "problem"),
    [
        (SECRET, BODY.replace(b"7", b"8"), NOW, "no signature matches"),
        (SECRET, BODY + b" ", NOW, "no signature matches"),
        ("whsec_other", BODY, NOW, "no signature matches"),
        (SECRET, BODY, NOW + 301, "away from now"),
        (SECRET, BODY, NOW - 301, "away from now"),  # signed in the future
    ],
    ids=["tampered", "appended", "wrong-secret", "old", "future"],
)
def test_refused(secret: str, body: bytes, now: int, problem: str) -> None:
    with pytest.raises(SignatureError, match=problem):
        verify_signature(secret, sign(SECRET, NOW, BODY), body, now=now)


@pytest.mark.parametrize(
    "header",
    ["", "v1=abc", f"t={NOW}", "t=abc,v1=00", f"t={NOW};v1=00", "t=-5,v1=00"],
)
def test_malformed_headers_are_refused(header: str) -> None:
    with pytest.raises(SignatureError):
        verify_signature(SECRET, header, BODY, now=NOW)


def test_any_matching_v1_is_accepted() -> None:
    good = sign(SECRET, NOW, BODY).split(",")[1]
    header = f"t={NOW},v1={'0' * 64},{good}"
    assert parse_header(header) == (NOW, ["0" * 64, good[3:]])
    assert verify_signature(SECRET, header, BODY, now=NOW) == NOW


def test_tolerance_is_the_callers() -> None:
    header = sign(SECRET, NOW, BODY)
    assert verify_signature(SECRET, header, BODY, now=NOW + 3500, tolerance=3600) == NOW
    with pytest.raises(SignatureError):
        verify_signature(SECRET, header, BODY, now=NOW + 31, tolerance=30)


def _documented_verify() -> Any:
    """The ``verify`` function of the Python block in docs/webhooks.md, run as written."""
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    [block] = [b for b in blocks if "def verify(" in b]
    namespace: dict[str, Any] = {}
    exec(compile(block, str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace["verify"]


def test_the_documented_snippet_agrees_with_ours() -> None:
    verify = _documented_verify()
    now = int(time.time())
    header = sign(SECRET, now, BODY)
    assert verify(SECRET, header, BODY) is True
    assert verify(SECRET, header, BODY + b"x") is False
    assert verify("whsec_other", header, BODY) is False
    assert verify(SECRET, sign(SECRET, now - 301, BODY), BODY) is False
    assert verify(SECRET, "v1=" + header.split("v1=")[1], BODY) is False
    assert verify(SECRET, "", BODY) is False
