"""The signing rule: a known vector (also checked with openssl and Node's crypto when the
docs were written), and refusal of anything tampered with or outside the 300 s window."""

from __future__ import annotations

import pytest

from ledgerdesk.exchange.signing import (
    SignatureError,
    SignatureProblem,
    canonical_string,
    is_valid,
    sign,
    signed_headers,
    verify,
)

SECRET = "ld-demo-secret-2f9c7a1e5b3d4c8a9e0f1a2b3c4d5e6f"
TS = 1735689600
TARGET = "/v1/customers/UID10000001/deposits?limit=20"
LOCK_BODY = b'{"reason": "customer reported account takeover"}'


def test_known_vectors_match_the_documentation() -> None:
    assert canonical_string(TS, "get", TARGET, b"") == (
        "1735689600\nGET\n/v1/customers/UID10000001/deposits?limit=20\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert sign(SECRET, TS, "GET", TARGET, b"") == (
        "43e7655066695fd8714a693ea71bc526e6b41ad962c4200da101ecb9a7692384"
    )
    assert sign(SECRET, TS, "POST", "/v1/customers/UID10000001/lock", LOCK_BODY) == (
        "108058de6e4bbb4a5e3d44d364c6710e696457281ae2b70051c6bcd835b6a92c"
    )


def _check(**changes: object) -> None:
    request: dict[str, object] = {
        "timestamp": str(TS),
        "method": "POST",
        "path_and_query": "/v1/customers/UID10000001/lock",
        "body": LOCK_BODY,
        "signature": sign(SECRET, TS, "POST", "/v1/customers/UID10000001/lock", LOCK_BODY),
        "now": TS + 10,
    }
    request.update(changes)
    verify(str(request.pop("secret", SECRET)), **request)  # type: ignore[arg-type]


def test_a_right_signature_verifies_in_upper_case_too() -> None:
    _check()
    good = sign(SECRET, TS, "POST", "/v1/customers/UID10000001/lock", LOCK_BODY)
    _check(signature=good.upper())


@pytest.mark.parametrize(
    "changes",
    [
        {"body": b'{"reason": "customer reported account takeover!"}'},
        {"path_and_query": "/v1/customers/UID10000002/lock"},
        {"path_and_query": "/v1/customers/UID10000001/lock?x=1"},
        {"method": "GET"},
        {"timestamp": str(TS + 1)},
        {"secret": SECRET + "x"},
        {"signature": "0" * 64},
        {"signature": ""},
    ],
    ids=["body", "path", "query", "method", "timestamp", "secret", "zeros", "empty"],
)
def test_anything_tampered_with_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(SignatureError) as caught:
        _check(**changes)
    assert caught.value.problem == SignatureProblem.bad_signature


@pytest.mark.parametrize("offset", [301, -301, 10_000])
def test_outside_the_window_is_refused(offset: int) -> None:
    with pytest.raises(SignatureError) as caught:
        _check(now=TS + offset)
    assert caught.value.problem == SignatureProblem.expired


@pytest.mark.parametrize("offset", [300, -300, 0])
def test_inside_the_window_is_accepted(offset: int) -> None:
    _check(now=TS + offset)


@pytest.mark.parametrize("timestamp", ["", "12.5", "-5", "1e9", "１２３", "9" * 13])
def test_a_timestamp_that_is_not_whole_seconds_is_refused(timestamp: str) -> None:
    with pytest.raises(SignatureError) as caught:
        _check(timestamp=timestamp)
    assert caught.value.problem == SignatureProblem.bad_timestamp


def test_signed_headers_verify_now() -> None:
    headers = signed_headers("key-1", SECRET, "GET", TARGET)
    assert headers["X-LD-Key"] == "key-1"
    assert is_valid(
        SECRET,
        timestamp=headers["X-LD-Timestamp"],
        method="GET",
        path_and_query=TARGET,
        body=b"",
        signature=headers["X-LD-Signature"],
    )
    assert not is_valid(
        "another-secret",
        timestamp=headers["X-LD-Timestamp"],
        method="GET",
        path_and_query=TARGET,
        body=b"",
        signature=headers["X-LD-Signature"],
    )
