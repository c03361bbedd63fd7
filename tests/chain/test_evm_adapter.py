"""The EVM adapter against the real local chain, and against local servers that play dead,
slow, broken or garbling nodes."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import pytest

from ledgerdesk.chain import adapters
from ledgerdesk.chain.adapters import adapter_for, evm, make_adapter
from ledgerdesk.chain.devnode import DevNode
from ledgerdesk.chain.transport import TransportOptions, final_cache
from ledgerdesk.chain.types import NOT_FOUND, ChainAdapter, ChainError, ChainErrorKind, Transfer
from tests.chain.conftest import DEV_CHAIN_ID
from tests.chain.nodes import Reply, ScriptedNode, proxy, rpc_result, serve, sleeper

LOCAL = TransportOptions(allow_private=True, timeout=3.0, backoff=0.01)
UNKNOWN = "0x" + "ab" * 32


def adapter(url: str, **kwargs: Any) -> ChainAdapter:
    options = kwargs.pop("options", LOCAL)
    return make_adapter("evm", url, options=options, **kwargs)


def fail_kind(call: Any) -> ChainErrorKind:
    with pytest.raises(ChainError) as caught:
        call()
    return caught.value.kind


# -- answers from the real chain --------------------------------------------------------------


def test_native_transfer_with_memo(devnode: DevNode) -> None:
    sender, to = devnode.accounts[0], devnode.accounts[1]
    tx_hash = devnode.send_native(to, 10**18, memo="UID 4711")
    lookup = adapter(devnode.url, chain_id=DEV_CHAIN_ID).lookup_tx(tx_hash)
    assert lookup.found and lookup.status == "success"
    assert lookup.block_number == devnode.head and lookup.confirmations == 1
    assert lookup.transfers == (
        Transfer(asset="native", from_=sender, to=to, amount_raw=10**18, memo="UID 4711"),
    )
    assert not lookup.final
    assert lookup.to_json()["transfers"] == [
        {"asset": "native", "from": sender, "to": to, "amount_raw": str(10**18)}
    ]


def test_upper_case_hash_and_no_memo(devnode: DevNode) -> None:
    tx_hash = devnode.send_native(devnode.accounts[2], 5)
    lookup = adapter(devnode.url).lookup_tx("  0x" + tx_hash[2:].upper() + " ")
    assert lookup.status == "success"
    assert lookup.transfers[0].memo is None and lookup.transfers[0].amount_raw == 5


def test_erc20_transfer(devnode: DevNode, token: str) -> None:
    to = devnode.accounts[3]
    tx_hash = devnode.send_token(token, to, 25_000_000)
    lookup = adapter(devnode.url, chain_id=DEV_CHAIN_ID).lookup_tx(tx_hash)
    assert lookup.status == "success"
    assert lookup.transfers == (
        Transfer(asset=token, from_=devnode.accounts[0], to=to, amount_raw=25_000_000),
    )


def test_pending_then_mined(devnode: DevNode, token: str) -> None:
    to = devnode.accounts[4]
    ask = adapter(devnode.url)
    with devnode.pending_mode():
        token_hash = devnode.send_token(token, to, 3_000_000)
        native_hash = devnode.send_native(to, 777)
        pending = ask.lookup_tx(token_hash)
        assert pending.found and pending.status == "pending"
        assert pending.block_number is None and pending.confirmations is None
        assert pending.transfers == (
            Transfer(asset=token, from_=devnode.accounts[0], to=to, amount_raw=3_000_000),
        )
        assert ask.lookup_tx(native_hash).transfers[0].amount_raw == 777
    # Leaving pending mode mined both in one block.
    mined = ask.lookup_tx(token_hash)
    assert mined.status == "success" and mined.block_number == devnode.head
    assert ask.lookup_tx(native_hash).block_number == devnode.head


def test_failed_transaction(devnode: DevNode, token: str) -> None:
    tx_hash = devnode.send_failing(token)
    lookup = adapter(devnode.url).lookup_tx(tx_hash)
    assert lookup.found and lookup.status == "failed" and lookup.transfers == ()
    assert lookup.block_number == devnode.head and lookup.final
    assert final_cache.get(devnode.url, tx_hash) is not None


def test_not_found(devnode: DevNode) -> None:
    assert adapter(devnode.url, chain_id=DEV_CHAIN_ID).lookup_tx(UNKNOWN) == NOT_FOUND


@pytest.mark.parametrize(
    "text",
    [
        "",
        "0x",
        "0x12",
        "ab" * 32,
        "0x" + "ab" * 31,
        "0x" + "zz" * 32,
        "0x" + "ab" * 33,
        "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf",
    ],
)
def test_invalid_hash_is_refused_before_any_request(text: str) -> None:
    # The URL is private and not allowed: a request would fail with forbidden_address.
    ask = make_adapter("evm", "http://127.0.0.1:9")
    assert fail_kind(lambda: ask.lookup_tx(text)) == ChainErrorKind.invalid_hash


def test_confirmations_grow_as_blocks_are_mined(
    devnode: DevNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    tx_hash = devnode.send_native(devnode.accounts[5], 1)
    ask = adapter(devnode.url, final_after=50)
    assert ask.lookup_tx(tx_hash).confirmations == 1
    devnode.mine(3)
    # Within a second the head is the cached one; fresh, it has moved.
    assert ask.head() == devnode.head - 3
    monkeypatch.setattr(evm, "HEAD_TTL", 0.0)
    assert ask.lookup_tx(tx_hash).confirmations == 4
    devnode.mine(2)
    assert ask.lookup_tx(tx_hash).confirmations == 6
    assert ask.head() == devnode.head


def test_final_answer_is_cached_and_only_the_head_is_asked(
    devnode: DevNode, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(evm, "HEAD_TTL", 0.0)
    tx_hash = devnode.send_token(token, devnode.accounts[6], 1)
    ask = adapter(devnode.url, chain_id=DEV_CHAIN_ID, final_after=3)
    assert not ask.lookup_tx(tx_hash).final
    devnode.mine(2)
    first = ask.lookup_tx(tx_hash)
    assert first.final and first.confirmations == 3
    devnode.mine(4)
    before = dict(devnode.calls)
    again = adapter(devnode.url, chain_id=DEV_CHAIN_ID, final_after=3).lookup_tx(tx_hash)
    asked = {m: n - before.get(m, 0) for m, n in devnode.calls.items() if n != before.get(m, 0)}
    assert asked == {"eth_blockNumber": 1}
    assert again.confirmations == 7
    assert again.transfers == first.transfers and again.final


def test_head_is_cached_for_a_while(devnode: DevNode, monkeypatch: pytest.MonkeyPatch) -> None:
    assert evm.HEAD_TTL == 1.0
    monkeypatch.setattr(evm, "HEAD_TTL", 0.2)
    ask = adapter(devnode.url)
    head = ask.head()
    before = devnode.calls["eth_blockNumber"]
    devnode.mine()
    assert ask.head() == head
    assert devnode.calls["eth_blockNumber"] == before
    time.sleep(evm.HEAD_TTL + 0.05)
    assert ask.head() == head + 1


def test_wrong_chain_id(devnode: DevNode) -> None:
    tx_hash = devnode.send_native(devnode.accounts[7], 1)
    wrong = adapter(devnode.url, chain_id=56)
    with pytest.raises(ChainError) as caught:
        wrong.lookup_tx(tx_hash)
    assert caught.value.kind == ChainErrorKind.wrong_chain
    assert "1337" in caught.value.message and "56" in caught.value.message
    assert fail_kind(wrong.head) == ChainErrorKind.wrong_chain


def test_verified_chain_id_is_asked_once_per_node(devnode: DevNode) -> None:
    before = devnode.calls["eth_chainId"]
    for _ in range(3):
        adapter(devnode.url, chain_id=DEV_CHAIN_ID).lookup_tx(UNKNOWN)
    assert devnode.calls["eth_chainId"] == before + 1


def test_pre_byzantium_receipts(devnode: DevNode, token: str) -> None:
    """A proxy turns the chain's receipts into pre-Byzantium ones (no status): a transaction
    that used all its gas failed, any other succeeded."""

    def legacy(method: str, result: Any) -> Any:
        if method == "eth_getTransactionReceipt" and isinstance(result, dict):
            result = {**result, "status": None, "root": "0x" + "11" * 32}
        return result

    ok_hash = devnode.send_token(token, devnode.accounts[8], 10)
    out_of_gas = devnode.send_token(token, devnode.accounts[8], 10, gas=30_000)
    with serve(ScriptedNode(proxy(devnode.handle, legacy))) as url:
        ok = adapter(url).lookup_tx(ok_hash)
        assert ok.status == "success" and ok.transfers[0].amount_raw == 10
        failed = adapter(url).lookup_tx(out_of_gas)
        assert failed.status == "failed" and failed.transfers == ()


# -- nodes that misbehave -------------------------------------------------------------------


def test_node_that_never_answers() -> None:
    options = TransportOptions(allow_private=True, timeout=0.2, attempts=2, backoff=0.01)
    node = ScriptedNode(sleeper(1.5))
    with serve(node) as url:
        started = time.monotonic()
        assert fail_kind(lambda: adapter(url, options=options).lookup_tx(UNKNOWN)) == (
            ChainErrorKind.timeout
        )
        assert time.monotonic() - started < 1.4
    assert node.hits == 2


def _text(body: bytes) -> Any:
    return lambda request: (200, body)


def _result(value: Any) -> Any:
    return lambda request: rpc_result(request, value)


GARBAGE = {
    "html": _text(b"<html>502 Bad Gateway</html>"),
    "json string": _text(b'"hello"'),
    "json list": _text(b"[1, 2]"),
    "no result": _text(b'{"jsonrpc": "2.0", "id": 0}'),
    "rpc error": _text(b'{"jsonrpc":"2.0","id":0,"error":{"code":-32000,"message":"boom"}}'),
    "error not an object": _text(b'{"jsonrpc":"2.0","id":0,"error":"boom"}'),
    "result a string": _result("hello"),
    "result a list": _result([1, 2, 3]),
    "result empty object": _result({}),
    "result with bad numbers": _result(
        {"hash": UNKNOWN, "blockNumber": "zz", "value": "0x1", "from": "0x1", "input": "0x"}
    ),
    "another transaction": _result(
        {
            "hash": "0x" + "cd" * 32,
            "blockNumber": None,
            "value": "0x1",
            "from": "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf",
            "to": None,
            "input": "0x",
            "gas": "0x5208",
            "nonce": "0x0",
        }
    ),
    "HTTP 400": lambda request: (400, b"{}"),
}


@pytest.mark.parametrize("respond", GARBAGE.values(), ids=GARBAGE.keys())
def test_node_answering_garbage(respond: Any) -> None:
    with serve(ScriptedNode(respond)) as url:
        ask = adapter(url, chain_id=DEV_CHAIN_ID)
        assert fail_kind(lambda: ask.lookup_tx(UNKNOWN)) == ChainErrorKind.bad_response
        ask = adapter(url)
        assert fail_kind(lambda: ask.lookup_tx(UNKNOWN)) == ChainErrorKind.bad_response
        assert fail_kind(ask.head) == ChainErrorKind.bad_response


def test_garbled_receipt_and_block_number(devnode: DevNode, token: str) -> None:
    tx_hash = devnode.send_token(token, devnode.accounts[9], 1)
    broken = {
        "eth_getTransactionReceipt": {"status": "0x7", "blockNumber": "0x1", "logs": []},
        "eth_blockNumber": "0x-1",
    }
    for method, bad in broken.items():

        def garble(name: str, result: Any, method: str = method, bad: Any = bad) -> Any:
            return bad if name == method else result

        evm.reset_caches()
        with serve(ScriptedNode(proxy(devnode.handle, garble))) as url:
            assert fail_kind(lambda url=url: adapter(url).lookup_tx(tx_hash)) == (
                ChainErrorKind.bad_response
            )


def test_http_500_is_retried_then_answered(devnode: DevNode) -> None:
    forward = proxy(devnode.handle)
    failures = {"left": 2}

    def flaky(request: Any) -> Reply:
        if failures["left"]:
            failures["left"] -= 1
            return 500, b"oops"
        return forward(request)

    node = ScriptedNode(flaky)
    with serve(node) as url:
        assert adapter(url).lookup_tx(UNKNOWN) == NOT_FOUND
    assert node.hits == 3


def test_http_500_until_the_retries_are_spent() -> None:
    node = ScriptedNode(lambda request: (500, b"oops"))
    with serve(node) as url:
        assert fail_kind(lambda: adapter(url).lookup_tx(UNKNOWN)) == ChainErrorKind.unreachable
    assert node.hits == LOCAL.attempts


def test_breaker_opens_then_half_opens(devnode: DevNode) -> None:
    options = TransportOptions(
        allow_private=True, attempts=1, breaker_threshold=2, breaker_cooldown=0.3
    )
    healthy = {"now": False}
    forward = proxy(devnode.handle)

    def respond(request: Any) -> Reply:
        return forward(request) if healthy["now"] else (503, b"down")

    node = ScriptedNode(respond)
    with serve(node) as url:
        ask = adapter(url, options=options)
        for _ in range(2):
            assert fail_kind(lambda: ask.lookup_tx(UNKNOWN)) == ChainErrorKind.unreachable
        assert fail_kind(lambda: ask.lookup_tx(UNKNOWN)) == ChainErrorKind.circuit_open
        # A new adapter for the same node shares the breaker.
        assert fail_kind(lambda: adapter(url, options=options).head()) == (
            ChainErrorKind.circuit_open
        )
        assert node.hits == 2
        time.sleep(0.35)
        # Half-open: one trial; it fails, so the breaker opens again at once.
        assert fail_kind(lambda: ask.lookup_tx(UNKNOWN)) == ChainErrorKind.unreachable
        assert fail_kind(lambda: ask.lookup_tx(UNKNOWN)) == ChainErrorKind.circuit_open
        assert node.hits == 3
        time.sleep(0.35)
        healthy["now"] = True
        assert ask.lookup_tx(UNKNOWN) == NOT_FOUND  # the trial succeeds: closed again
        assert ask.lookup_tx(UNKNOWN) == NOT_FOUND


def test_private_address_refused_unless_allowed(devnode: DevNode) -> None:
    before = sum(devnode.calls.values())
    strict = make_adapter("evm", devnode.url)
    assert fail_kind(lambda: strict.lookup_tx(UNKNOWN)) == ChainErrorKind.forbidden_address
    assert fail_kind(strict.head) == ChainErrorKind.forbidden_address
    localhost = make_adapter("evm", devnode.url.replace("127.0.0.1", "localhost"))
    assert fail_kind(lambda: localhost.lookup_tx(UNKNOWN)) == ChainErrorKind.forbidden_address
    assert sum(devnode.calls.values()) == before
    assert adapter(devnode.url).lookup_tx(UNKNOWN) == NOT_FOUND


def test_refused_connection_is_unreachable() -> None:
    assert fail_kind(lambda: adapter("http://127.0.0.1:9").lookup_tx(UNKNOWN)) == (
        ChainErrorKind.unreachable
    )


# -- the factory ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    kind: Any
    url: str
    allow_private: bool = False
    timeout: float = 5.0


@dataclass(frozen=True)
class Network:
    id: str
    chain_id: int | None
    final_after: int
    node: Node | None


def test_adapter_for_a_network(devnode: DevNode) -> None:
    network = Network("devnet", DEV_CHAIN_ID, 7, Node("evm", devnode.url, True, 2.0))
    ask = adapter_for(network)
    assert isinstance(ask, evm.EvmAdapter)
    assert (ask.chain_id, ask.final_after, ask.transport.options.timeout) == (DEV_CHAIN_ID, 7, 2.0)
    assert ask.lookup_tx(UNKNOWN) == NOT_FOUND
    wrong = Network("bsc", 56, 15, Node("evm", devnode.url, True))
    assert fail_kind(lambda: adapter_for(wrong).lookup_tx(UNKNOWN)) == ChainErrorKind.wrong_chain
    strict = Network("devnet", DEV_CHAIN_ID, 7, Node("evm", devnode.url))
    assert fail_kind(lambda: adapter_for(strict).head()) == ChainErrorKind.forbidden_address


def test_adapter_for_a_network_without_node() -> None:
    with pytest.raises(ChainError) as caught:
        adapter_for(Network("eth", 1, 12, None))
    assert caught.value.kind == ChainErrorKind.not_configured
    assert "eth" in caught.value.message


def test_make_adapter_defaults_and_unknown_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    ask = make_adapter("evm", "https://rpc.example.org")
    assert isinstance(ask, evm.EvmAdapter) and ask.final_after == evm.DEFAULT_FINAL_AFTER
    assert ask.kind == "evm"
    assert fail_kind(lambda: make_adapter("solana", "https://x.example")) == (  # type: ignore[arg-type]
        ChainErrorKind.not_configured
    )
    monkeypatch.setitem(adapters._ADAPTERS, "tron", ("no_such_module", "TronAdapter"))
    with pytest.raises(ChainError) as caught:
        make_adapter("tron", "https://api.example")
    assert caught.value.kind == ChainErrorKind.not_configured
    assert "not installed" in caught.value.message


def test_transport_provider_sends_web3_params_as_json(devnode: DevNode) -> None:
    ask = adapter(devnode.url)
    assert isinstance(ask, evm.EvmAdapter)
    block = ask.w3.eth.get_block(1)
    assert block["number"] == 1
    assert json.loads(json.dumps(ask.w3.eth.get_block_number())) == devnode.head
