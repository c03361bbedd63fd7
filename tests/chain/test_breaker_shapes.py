"""A node that answers well-formed JSON of the wrong shape is as broken as one that does not
answer: after ``breaker_threshold`` such answers in a row its circuit breaker opens, for the
EVM, Esplora and Tron adapters alike. Real HTTP servers on 127.0.0.1."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ledgerdesk.chain.adapters import common, make_adapter
from ledgerdesk.chain.adapters.esplora import EsploraAdapter
from ledgerdesk.chain.adapters.tron import TronAdapter
from ledgerdesk.chain.transport import TransportOptions
from ledgerdesk.chain.types import NOT_FOUND, ChainAdapter, ChainError, ChainErrorKind
from tests.chain.nodes import Reply, ScriptedNode, rpc_result, serve
from tests.chain.recorded_server import RecordedServer
from tests.chain.recorded_server import Reply as RestReply

THRESHOLD = 3
OPTIONS = TransportOptions(
    timeout=2.0,
    attempts=1,
    backoff=0.01,
    allow_private=True,
    breaker_threshold=THRESHOLD,
    breaker_cooldown=30.0,
)
EVM_HASH = "0x" + "ab" * 32
PLAIN_HASH = "cd" * 32


@pytest.fixture(autouse=True)
def _no_cached_heads() -> Iterator[None]:
    common.reset_heads()
    yield
    common.reset_heads()


def fail_kind(call: Callable[[], Any]) -> ChainErrorKind:
    with pytest.raises(ChainError) as caught:
        call()
    return caught.value.kind


def evm(url: str, options: TransportOptions = OPTIONS, **kwargs: Any) -> ChainAdapter:
    return make_adapter("evm", url, options=options, **kwargs)


def envelope(body: Any) -> Callable[[Any], Reply]:
    """Every request answered with HTTP 200 and ``body`` as JSON."""
    return lambda request: (200, json.dumps(body).encode())


def result(value: Any) -> Callable[[Any], Reply]:
    """Every request answered with a well-formed JSON-RPC response carrying ``value``."""
    return lambda request: rpc_result(request, value)


# -- EVM ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "respond",
    [
        result({"unexpected": "shape"}),  # a transaction without any of its fields
        result("0x1234"),  # a number where a transaction belongs
        result([1, 2, 3]),
        envelope({"jsonrpc": "2.0", "id": 1}),  # neither result nor error
        envelope([{"jsonrpc": "2.0", "id": 1, "result": None}]),  # a batch answer
        envelope("ok"),
    ],
    ids=["object", "number", "array", "no-result", "batch", "string"],
)
def test_evm_wrong_shapes_open_the_breaker(respond: Callable[[Any], Reply]) -> None:
    node = ScriptedNode(respond)
    with serve(node) as url:
        for _ in range(THRESHOLD):
            assert fail_kind(lambda: evm(url).lookup_tx(EVM_HASH)) == ChainErrorKind.bad_response
        assert fail_kind(lambda: evm(url).lookup_tx(EVM_HASH)) == ChainErrorKind.circuit_open
        assert fail_kind(lambda: evm(url).head()) == ChainErrorKind.circuit_open
    assert node.hits == THRESHOLD


def test_evm_head_and_chain_id_in_the_wrong_shape_open_the_breaker() -> None:
    node = ScriptedNode(result({"number": 7}))
    with serve(node) as url:
        assert fail_kind(lambda: evm(url).head()) == ChainErrorKind.bad_response
        # With a chain id to check, eth_chainId is asked first and fails the same way.
        for _ in range(THRESHOLD - 1):
            kind = fail_kind(lambda: evm(url, chain_id=1337).lookup_tx(EVM_HASH))
            assert kind == ChainErrorKind.bad_response
        assert fail_kind(lambda: evm(url).head()) == ChainErrorKind.circuit_open
    assert node.methods == ["eth_blockNumber"] + ["eth_chainId"] * (THRESHOLD - 1)


def test_a_good_answer_between_bad_ones_restarts_the_count() -> None:
    good = {"now": False}

    def respond(request: Any) -> Reply:
        # ``null`` is a well-formed "no such transaction"; an object without fields is not.
        return rpc_result(request, None if good["now"] else {"unexpected": "shape"})

    node = ScriptedNode(respond)
    with serve(node) as url:
        for _ in range(THRESHOLD - 1):
            assert fail_kind(lambda: evm(url).lookup_tx(EVM_HASH)) == ChainErrorKind.bad_response
        good["now"] = True
        assert evm(url).lookup_tx(EVM_HASH) == NOT_FOUND
        good["now"] = False
        for _ in range(THRESHOLD - 1):
            assert fail_kind(lambda: evm(url).lookup_tx(EVM_HASH)) == ChainErrorKind.bad_response
        assert fail_kind(lambda: evm(url).lookup_tx(EVM_HASH)) == ChainErrorKind.bad_response
        assert fail_kind(lambda: evm(url).lookup_tx(EVM_HASH)) == ChainErrorKind.circuit_open
    assert node.hits == 2 * THRESHOLD


def test_a_half_open_trial_answered_in_the_wrong_shape_opens_again_at_once() -> None:
    options = TransportOptions(
        timeout=2.0,
        attempts=1,
        allow_private=True,
        breaker_threshold=THRESHOLD,
        breaker_cooldown=0.3,
    )
    node = ScriptedNode(result({"unexpected": "shape"}))
    with serve(node) as url:
        ask = evm(url, options)
        for _ in range(THRESHOLD):
            assert fail_kind(lambda: ask.lookup_tx(EVM_HASH)) == ChainErrorKind.bad_response
        assert fail_kind(lambda: ask.lookup_tx(EVM_HASH)) == ChainErrorKind.circuit_open
        time.sleep(0.35)
        assert fail_kind(lambda: ask.lookup_tx(EVM_HASH)) == ChainErrorKind.bad_response
        assert fail_kind(lambda: ask.lookup_tx(EVM_HASH)) == ChainErrorKind.circuit_open
    assert node.hits == THRESHOLD + 1


def test_a_failure_the_transport_counted_is_not_counted_again() -> None:
    """HTTP 400 is a bad_response the transport itself counts; the adapter reporting the
    same error must not make it two failures."""
    node = ScriptedNode(lambda request: (400, b'{"error": "bad request"}'))
    with serve(node) as url:
        for _ in range(THRESHOLD):
            assert fail_kind(lambda: evm(url).lookup_tx(EVM_HASH)) == ChainErrorKind.bad_response
        assert fail_kind(lambda: evm(url).lookup_tx(EVM_HASH)) == ChainErrorKind.circuit_open
    assert node.hits == THRESHOLD


# -- Esplora and Tron (adapters/common.py) -----------------------------------------------------


@pytest.fixture
def rest_node() -> Iterator[RecordedServer]:
    server = RecordedServer(lambda request: server.state["reply"], state={})
    server.start()
    yield server
    server.stop()


@pytest.mark.parametrize(
    "body",
    [
        {"txid": 5, "status": "confirmed"},  # the id is not a string, no outputs
        [{"txid": PLAIN_HASH}],
        "a transaction",
    ],
    ids=["object", "array", "string"],
)
def test_esplora_wrong_shapes_open_the_breaker(rest_node: RecordedServer, body: Any) -> None:
    rest_node.state["reply"] = RestReply.json(body)
    ask = EsploraAdapter(rest_node.url, OPTIONS, final_after=6)
    for _ in range(THRESHOLD):
        assert fail_kind(lambda: ask.lookup_tx(PLAIN_HASH)) == ChainErrorKind.bad_response
    assert fail_kind(lambda: ask.lookup_tx(PLAIN_HASH)) == ChainErrorKind.circuit_open
    assert len(rest_node.requests) == THRESHOLD


def test_esplora_tip_height_that_is_not_a_number_opens_the_breaker(
    rest_node: RecordedServer,
) -> None:
    rest_node.state["reply"] = RestReply(200, b"tip: 840000", "text/plain")
    ask = EsploraAdapter(rest_node.url, OPTIONS, final_after=6)
    for _ in range(THRESHOLD):
        assert fail_kind(ask.head) == ChainErrorKind.bad_response
    assert fail_kind(ask.head) == ChainErrorKind.circuit_open
    assert len(rest_node.requests) == THRESHOLD


@pytest.mark.parametrize(
    ("body", "requests_per_lookup"),
    [
        ([], 1),
        # A non-empty object is read as the transaction, its info is asked for, and only
        # then are the fields checked: two successful requests, one failed lookup.
        ({"txID": 12, "raw_data": "x"}, 2),
        ({"block_header": {"raw_data": {"number": "7"}}}, 2),
    ],
    ids=["array", "fields", "head-shaped"],
)
def test_tron_wrong_shapes_open_the_breaker(
    rest_node: RecordedServer, body: Any, requests_per_lookup: int
) -> None:
    rest_node.state["reply"] = RestReply.json(body)
    ask = TronAdapter(rest_node.url, OPTIONS)
    for _ in range(THRESHOLD):
        assert fail_kind(lambda: ask.lookup_tx(PLAIN_HASH)) == ChainErrorKind.bad_response
    assert fail_kind(ask.head) == ChainErrorKind.circuit_open
    assert len(rest_node.requests) == THRESHOLD * requests_per_lookup
