"""ExchangeClient against the real demo exchange over HTTP on loopback, and against servers
that time out, answer garbage or 500, or are not there."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from ledgerdesk.core.clock import utcnow
from ledgerdesk.exchange.client import ExchangeClient, ExchangeError, ExchangeErrorKind
from ledgerdesk.exchange.demo import RunningService
from ledgerdesk.exchange.demo_state import DemoExchange
from ledgerdesk.exchange.signing import signed_headers
from tests.exchange.conftest import (
    CHEN,
    KEY_ID,
    PORTAL_EMAIL,
    SECRET,
    RawServer,
    Responder,
    closed_port,
)


def _fails(kind: ExchangeErrorKind, call: Callable[[], object]) -> ExchangeError:
    with pytest.raises(ExchangeError) as caught:
        call()
    assert caught.value.kind == kind, caught.value.message
    assert SECRET not in str(caught.value) and SECRET not in repr(caught.value)
    return caught.value


# --- every endpoint -----------------------------------------------------------------------


def test_profile_by_id_and_by_email(client: ExchangeClient) -> None:
    chen = client.customer(CHEN)
    assert (chen.email, chen.name, chen.vip, chen.vip_level) == (PORTAL_EMAIL, "陈思远", True, 2)
    assert chen.kyc_level == 2 and not chen.frozen and not chen.locked
    assert chen.created_at is not None and chen.created_at.tzinfo is None  # naive UTC
    assert client.customer(f"email:{PORTAL_EMAIL.upper()}") == chen
    frozen = client.customer("UID10000004")
    assert frozen.frozen and frozen.name == "Lucas Moreau"


def test_deposit_addresses_filtered_by_asset_and_network(client: ExchangeClient) -> None:
    every = client.deposit_addresses(CHEN)
    assert {a.network for a in every} == {
        "devnet",
        "devnet-memo",
        "ethereum",
        "bsc",
        "tron",
        "bitcoin",
    }
    memo = client.deposit_addresses(CHEN, network="devnet-memo")
    other = client.deposit_addresses("UID10000002", network="devnet-memo")
    assert memo[0].address == other[0].address  # one shared address …
    assert memo[0].memo and other[0].memo and memo[0].memo != other[0].memo  # … its own memo
    usdt = client.deposit_addresses(CHEN, asset="usdt")
    assert usdt and {a.asset for a in usdt} == {"USDT"}
    assert client.deposit_addresses(CHEN, asset="USDT", network="bitcoin") == []


def test_deposits_by_hash_and_limit(client: ExchangeClient, demo_state: DemoExchange) -> None:
    seeded = client.deposits(CHEN)
    assert len(seeded) == 2 and all(d.status == "credited" for d in seeded)
    assert seeded[0].created_at > seeded[1].created_at  # newest first
    made = demo_state.add_deposit(
        CHEN, "ETH", "devnet", "0x" + "ab" * 32, "0xabc", None, Decimal("1.25"), "pending", 3
    )
    client.clear_cache()
    found = client.deposits(CHEN, tx_hash="0x" + "AB" * 32)
    assert found == [made]
    assert found[0].amount == Decimal("1.25") and found[0].confirmations == 3
    assert len(client.deposits(CHEN, limit=1)) == 1
    assert client.deposits(CHEN, tx_hash="0x" + "cd" * 32) == []
    with pytest.raises(ValueError, match="limit"):
        client.deposits(CHEN, limit=0)


def test_withdrawals_and_one_withdrawal(client: ExchangeClient) -> None:
    records = client.withdrawals(CHEN)
    statuses = {w.status for w in records}
    assert statuses == {"processing", "on_hold", "sent", "failed", "cancelled"}
    held = client.withdrawal(CHEN, "W7000000101")
    assert held.status == "on_hold" and held.hold_reason == "2fa_reset"
    assert held.release_at is not None
    assert abs(held.release_at - (utcnow() + timedelta(hours=48))) < timedelta(minutes=5)
    failed = next(w for w in records if w.status == "failed")
    assert failed.failure_reason == "invalid_address"
    assert held.amount == Decimal("250") and held.fee == Decimal("1")


def test_lock_answers_the_time_and_clears_the_cached_profile(
    client: ExchangeClient, demo_state: DemoExchange
) -> None:
    assert not client.customer(CHEN).locked
    assert not client.customer(f"email:{PORTAL_EMAIL}").locked
    before = len(demo_state.requests_seen())
    locked_at = client.lock_account(CHEN, "customer reported account takeover (ticket #7)")
    assert abs(locked_at - utcnow()) < timedelta(minutes=1)
    assert client.customer(CHEN).locked  # not the cached "unlocked" profile
    assert client.customer(f"email:{PORTAL_EMAIL}").locked
    assert len(demo_state.requests_seen()) == before + 3
    assert demo_state.lock_events()[0].reason == "customer reported account takeover (ticket #7)"
    # Locking again is not cached either, and keeps the first moment.
    assert client.lock_account(CHEN, "again") == locked_at
    assert len(demo_state.requests_seen()) == before + 4


# --- caching ------------------------------------------------------------------------------


def test_reads_are_cached_per_path_and_query(
    client: ExchangeClient, demo_state: DemoExchange
) -> None:
    for _ in range(3):
        client.customer(CHEN)
        client.withdrawals(CHEN)
        client.deposit_addresses(CHEN, asset="USDT")
    client.deposit_addresses(CHEN, asset="ETH")
    client.withdrawals(CHEN, limit=5)
    targets = [target for _, target in demo_state.requests_seen()]
    assert targets == [
        f"/v1/customers/{CHEN}",
        f"/v1/customers/{CHEN}/withdrawals?limit=20",
        f"/v1/customers/{CHEN}/deposit-addresses?asset=USDT",
        f"/v1/customers/{CHEN}/deposit-addresses?asset=ETH",
        f"/v1/customers/{CHEN}/withdrawals?limit=5",
    ]


def test_cached_answers_expire(demo: RunningService, demo_state: DemoExchange) -> None:
    exchange = ExchangeClient(demo.url, KEY_ID, SECRET, allow_private=True, cache_seconds=0.2)
    exchange.customer(CHEN)
    exchange.customer(CHEN)
    time.sleep(0.3)
    exchange.customer(CHEN)
    assert len(demo_state.requests_seen()) == 2
    never = ExchangeClient(demo.url, KEY_ID, SECRET, allow_private=True, cache_seconds=0)
    never.customer(CHEN)
    never.customer(CHEN)
    assert len(demo_state.requests_seen()) == 4


def test_cached_lists_cannot_be_changed_by_a_caller(client: ExchangeClient) -> None:
    first = client.withdrawals(CHEN)
    first.clear()
    assert len(client.withdrawals(CHEN)) == 5


# --- refusals -----------------------------------------------------------------------------


def test_wrong_secret_or_key_is_unauthorized(demo: RunningService) -> None:
    wrong = ExchangeClient(demo.url, KEY_ID, "not-the-secret", allow_private=True)
    error = _fails(ExchangeErrorKind.unauthorized, lambda: wrong.customer(CHEN))
    assert "signature does not match" in error.message
    stranger = ExchangeClient(demo.url, "someone-else", SECRET, allow_private=True)
    _fails(ExchangeErrorKind.unauthorized, lambda: stranger.customer(CHEN))
    _fails(ExchangeErrorKind.unauthorized, lambda: stranger.lock_account(CHEN, "x"))


def test_stale_and_unsigned_requests_are_refused_by_the_demo(demo: RunningService) -> None:
    target = f"/v1/customers/{CHEN}"
    stale = signed_headers(KEY_ID, SECRET, "GET", target, now=time.time() - 301)
    fresh = signed_headers(KEY_ID, SECRET, "GET", target)
    with httpx.Client(base_url=demo.url) as http:
        assert http.get(target).status_code == 401
        answer = http.get(target, headers=stale)
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "unauthorized"
        assert http.get(target, headers=fresh).status_code == 200
        # Signed for one customer, replayed against another.
        assert http.get("/v1/customers/UID10000002", headers=fresh).status_code == 401


def test_unknown_customer_and_withdrawal_are_not_found(client: ExchangeClient) -> None:
    _fails(ExchangeErrorKind.not_found, lambda: client.customer("UID19999999"))
    _fails(ExchangeErrorKind.not_found, lambda: client.customer("email:nobody@example.com"))
    _fails(ExchangeErrorKind.not_found, lambda: client.deposits("UID19999999"))
    _fails(ExchangeErrorKind.not_found, lambda: client.withdrawals("UID19999999"))
    _fails(ExchangeErrorKind.not_found, lambda: client.withdrawal(CHEN, "W0000000000"))
    # Another customer's withdrawal is not found through this one.
    _fails(ExchangeErrorKind.not_found, lambda: client.withdrawal("UID10000002", "W7000000101"))
    _fails(ExchangeErrorKind.not_found, lambda: client.lock_account("UID19999999", "x"))
    _fails(ExchangeErrorKind.not_found, lambda: client.customer("../../admin"))
    _fails(ExchangeErrorKind.not_found, lambda: client.customer(""))


def test_private_address_is_refused_without_allow_private(
    demo: RunningService, demo_state: DemoExchange
) -> None:
    exchange = ExchangeClient(demo.url, KEY_ID, SECRET)
    _fails(ExchangeErrorKind.forbidden_address, lambda: exchange.customer(CHEN))
    _fails(ExchangeErrorKind.forbidden_address, lambda: exchange.lock_account(CHEN, "x"))
    internal = ExchangeClient("http://10.1.2.3:8080", KEY_ID, SECRET)
    _fails(ExchangeErrorKind.forbidden_address, lambda: internal.withdrawals(CHEN))
    assert demo_state.requests_seen() == []


def test_not_an_http_url_is_not_configured() -> None:
    _fails(
        ExchangeErrorKind.not_configured,
        lambda: ExchangeClient("ftp://exchange.example", KEY_ID, SECRET),
    )


# --- an exchange that is down or misbehaves -------------------------------------------------


def test_exchange_down_is_unavailable() -> None:
    down = ExchangeClient(f"http://127.0.0.1:{closed_port()}", KEY_ID, SECRET, allow_private=True)
    error = _fails(ExchangeErrorKind.unavailable, lambda: down.customer(CHEN))
    assert "cannot reach" in error.message
    _fails(ExchangeErrorKind.unavailable, lambda: down.lock_account(CHEN, "x"))


def test_a_server_that_does_not_answer_in_time_is_unavailable(
    raw_server: Callable[[Responder], RawServer],
) -> None:
    slow = raw_server(lambda path: (200, b"{}", 2.0))
    exchange = ExchangeClient(slow.url, KEY_ID, SECRET, allow_private=True, timeout=0.3)
    started = time.monotonic()
    error = _fails(ExchangeErrorKind.unavailable, lambda: exchange.customer(CHEN))
    assert time.monotonic() - started < 1.5
    assert "within 0.3 s" in error.message


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_server_errors_are_unavailable(
    raw_server: Callable[[Responder], RawServer], status: int
) -> None:
    broken = raw_server(lambda path: (status, b'{"error": "boom"}', 0))
    exchange = ExchangeClient(broken.url, KEY_ID, SECRET, allow_private=True)
    _fails(ExchangeErrorKind.unavailable, lambda: exchange.withdrawals(CHEN))


def _profile(**changes: Any) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "id": CHEN,
        "email": "a@b.example",
        "name": "A",
        "vip": False,
        "vip_level": 0,
        "kyc_level": 1,
        "frozen": False,
        "locked": False,
        "created_at": "2024-01-02T03:04:05+08:00",
    }
    profile.update(changes)
    return profile


def _withdrawal(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": "W1",
        "asset": "USDT",
        "network": "tron",
        "address": "T...",
        "memo": None,
        "amount": "10",
        "fee": "1",
        "status": "on_hold",
        "hold_reason": "2fa_reset",
        "release_at": "2025-01-03T00:00:00Z",
        "tx_hash": None,
        "failure_reason": None,
        "created_at": "2025-01-01T00:00:00Z",
    }
    record.update(changes)
    return record


GARBAGE: dict[str, bytes] = {
    "not json": b"<html>Bad gateway</html>",
    "not utf-8": b"\xff\xfe\x00",
    "a list": b"[]",
    "null": b"null",
    "id a number": json.dumps(_profile(id=10000001)).encode(),
    "vip a string": json.dumps(_profile(vip="yes")).encode(),
    "vip an integer": json.dumps(_profile(vip=1)).encode(),
    "level a float": json.dumps(_profile(kyc_level=1.5)).encode(),
    "level a boolean": json.dumps(_profile(kyc_level=True)).encode(),
    "level negative": json.dumps(_profile(vip_level=-1)).encode(),
    "no frozen": json.dumps({k: v for k, v in _profile().items() if k != "frozen"}).encode(),
    "time without offset": json.dumps(_profile(created_at="2024-01-02T03:04:05")).encode(),
    "time as a number": json.dumps(_profile(created_at=1704164645)).encode(),
    "time nonsense": json.dumps(_profile(created_at="2024-13-45T99:00:00Z")).encode(),
}


@pytest.mark.parametrize("body", GARBAGE.values(), ids=GARBAGE.keys())
def test_a_profile_of_the_wrong_shape_is_a_bad_response(
    raw_server: Callable[[Responder], RawServer], body: bytes
) -> None:
    server = raw_server(lambda path: (200, body, 0))
    exchange = ExchangeClient(server.url, KEY_ID, SECRET, allow_private=True)
    _fails(ExchangeErrorKind.bad_response, lambda: exchange.customer(CHEN))


BAD_WITHDRAWALS: dict[str, dict[str, Any]] = {
    "amount a float": _withdrawal(amount=10.5),
    "amount negative": _withdrawal(amount="-1"),
    "amount in exponent form": _withdrawal(amount="1e3"),
    "amount words": _withdrawal(amount="ten"),
    "unknown status": _withdrawal(status="lost"),
    "unknown hold reason": _withdrawal(hold_reason="because"),
    "hold without reason": _withdrawal(hold_reason=None),
    "failed without reason": _withdrawal(status="failed", hold_reason=None),
    "unknown failure reason": _withdrawal(status="failed", failure_reason="oops"),
}


@pytest.mark.parametrize("record", BAD_WITHDRAWALS.values(), ids=BAD_WITHDRAWALS.keys())
def test_a_withdrawal_of_the_wrong_shape_is_a_bad_response(
    raw_server: Callable[[Responder], RawServer], record: dict[str, Any]
) -> None:
    body = json.dumps({"withdrawals": [_withdrawal(id="W0"), record]}).encode()
    server = raw_server(lambda path: (200, body, 0))
    exchange = ExchangeClient(server.url, KEY_ID, SECRET, allow_private=True)
    error = _fails(ExchangeErrorKind.bad_response, lambda: exchange.withdrawals(CHEN))
    assert "withdrawal" in error.message


def test_a_well_formed_answer_from_any_server_is_read(
    raw_server: Callable[[Responder], RawServer],
) -> None:
    """The contract, not the demo: offsets become UTC, nanoseconds are cut to microseconds,
    unknown fields are ignored."""
    record = _withdrawal(release_at="2025-01-03T08:00:00.123456789+08:00", extra={"x": 1})
    server = raw_server(lambda path: (200, json.dumps({"withdrawals": [record]}).encode(), 0))
    exchange = ExchangeClient(server.url + "/support/", KEY_ID, SECRET, allow_private=True)
    (read,) = exchange.withdrawals(CHEN, limit=3)
    assert read.release_at is not None and read.release_at.isoformat() == (
        "2025-01-03T00:00:00.123456"
    )
    assert server.seen == [f"/support/v1/customers/{CHEN}/withdrawals?limit=3"]


@pytest.mark.parametrize(
    "body",
    [
        b'{"locked": false, "locked_at": "2025-01-01T00:00:00Z"}',
        b'{"locked": true}',
        b'{"locked": true, "locked_at": "yesterday"}',
        b'"ok"',
    ],
)
def test_a_lock_that_is_not_confirmed_is_a_bad_response(
    raw_server: Callable[[Responder], RawServer], body: bytes
) -> None:
    server = raw_server(lambda path: (200, body, 0))
    exchange = ExchangeClient(server.url, KEY_ID, SECRET, allow_private=True)
    _fails(ExchangeErrorKind.bad_response, lambda: exchange.lock_account(CHEN, "x"))


def test_a_lock_needs_a_reason(client: ExchangeClient) -> None:
    with pytest.raises(ValueError, match="reason"):
        client.lock_account(CHEN, "   ")


def test_repr_never_shows_the_secret(client: ExchangeClient) -> None:
    assert SECRET not in repr(client)
