"""Esplora adapter against recorded real answers (tests/chain/recorded/esplora, see its
README), served by a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ledgerdesk.chain.adapters.common import reset_heads
from ledgerdesk.chain.adapters.esplora import EsploraAdapter
from ledgerdesk.chain.transport import TransportOptions
from ledgerdesk.chain.types import NOT_FOUND, ChainError, ChainErrorKind, Transfer
from tests.chain.recorded_server import (
    FAST,
    RecordedServer,
    Reply,
    Request,
    recorded,
    reset_chain_state,
)

# Bitcoin test-network transactions recorded by counterparty-core, and a mainnet one seen
# unconfirmed by mempool.space (README names the sources).
OP_RETURN_TX = "c9affbbc45a8749dcb96632356976578fa9f72d4578a34b6bba23e9021b30b32"
TWO_OUTPUT_TX = "f8d74847198e409c3aa79eeb2c101e8fbb894a03858493d2ac3deb7970d12015"
UNCONFIRMED_TX = "40ba6b3c4ce73e3ba0160c137b1cc6c2c7333a2b9c19537b61ee8a8aaf095e0a"
UNKNOWN_TX = "00" * 32
TIP = 69095  # set by us: the head at which the bitcoind recording counted its confirmations

FILES = {
    OP_RETURN_TX: "tx_c9affbbc.json",
    TWO_OUTPUT_TX: "tx_f8d74847.json",
    UNCONFIRMED_TX: "tx_40ba6b3c_unconfirmed.json",
}


def _route(server: RecordedServer, request: Request) -> Reply:
    if request.method == "GET" and request.path == "/blocks/tip/height":
        return Reply(200, str(server.state["tip"]).encode(), "text/plain")
    if request.method == "GET" and request.path.startswith("/tx/"):
        name = FILES.get(request.path.removeprefix("/tx/"))
        if name is None:
            return Reply(404, b"Transaction not found", "text/plain")
        return Reply(200, recorded("esplora", name))
    return Reply(404, b"Not Found", "text/plain")


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    reset_chain_state()
    yield
    reset_chain_state()


@pytest.fixture
def node() -> Iterator[RecordedServer]:
    server = RecordedServer(lambda request: _route(server, request), state={"tip": TIP})
    server.start()
    yield server
    server.stop()


def adapter(node: RecordedServer, final_after: int = 6) -> EsploraAdapter:
    return EsploraAdapter(node.url, FAST, final_after=final_after)


def test_confirmed_output_and_op_return_memo(node: RecordedServer) -> None:
    lookup = adapter(node).lookup_tx(OP_RETURN_TX)
    # By hand from the recording: block 66100, output 1 pays 52310396 sat to mmTPoij…; the
    # OP_RETURN push 696f6e3a… is the ASCII text "ion:1.Qm…" (a Sidetree/ION anchor).
    assert lookup.found and lookup.status == "success"
    assert lookup.block_number == 66100
    assert lookup.confirmations == TIP - 66100 + 1 == 2996
    assert lookup.final
    assert lookup.transfers == (
        Transfer(
            "native",
            None,
            "mmTPoijZbv5sLkCpbG6JkjFkWR89WCJL7G",
            52310396,
            memo="ion:1.QmZZe4qQPbgt1MhE6ESGqFMWv8UxoYPWhsVT5ZYbu5umiG",
        ),
    )


def test_one_transfer_per_output_in_the_cli_shape(node: RecordedServer) -> None:
    lookup = adapter(node).lookup_tx(TWO_OUTPUT_TX)
    assert lookup.to_json() == {
        "found": True,
        "status": "success",
        "block_number": 68994,
        "confirmations": 102,
        "transfers": [
            {
                "asset": "native",
                "from": None,
                "to": "tb1qanjp6gnqvqgcq7wtaf8nttzurk73rl5xqk08hs",
                "amount_raw": "10000",
            },
            {
                "asset": "native",
                "from": None,
                "to": "tb1qv9g0n4qltu9hss0khegwmg94lxn6sy6haqhj7a",
                "amount_raw": "487958",
            },
        ],
    }
    assert all(t.memo is None for t in lookup.transfers)


def test_unconfirmed_is_pending_and_never_cached(node: RecordedServer) -> None:
    esplora = adapter(node)
    for _ in range(2):
        lookup = esplora.lookup_tx(UNCONFIRMED_TX)
        assert lookup.status == "pending" and lookup.found
        assert lookup.block_number is None and lookup.confirmations == 0 and not lookup.final
        assert [(t.to, t.amount_raw) for t in lookup.transfers] == [
            ("bc1qeekqhvqysgqk6yn9w96tv35v6qwlvss7vuvtj0", 6796193),
            ("1PvVJ5FvkNnsatmD4nfkb6j59CjKq7dxxy", 9813917),
        ]
    assert node.count(f"/tx/{UNCONFIRMED_TX}") == 2
    assert node.count("/blocks/tip/height") == 0  # nothing in a block: no head needed


def test_unknown_transaction_is_not_found(node: RecordedServer) -> None:
    assert adapter(node).lookup_tx(UNKNOWN_TX) == NOT_FOUND
    assert node.count(f"/tx/{UNKNOWN_TX}") == 1  # a 404 is an answer, not retried


def test_few_confirmations_are_not_final(node: RecordedServer) -> None:
    esplora = adapter(node, final_after=200)
    first = esplora.lookup_tx(TWO_OUTPUT_TX)
    assert first.confirmations == 102 and not first.final
    esplora.lookup_tx(TWO_OUTPUT_TX)
    assert node.count(f"/tx/{TWO_OUTPUT_TX}") == 2


def test_final_answer_is_cached_and_only_confirmations_move(node: RecordedServer) -> None:
    first = adapter(node).lookup_tx(OP_RETURN_TX)
    assert first.final and first.confirmations == 2996
    node.state["tip"] = TIP + 5
    reset_heads()  # as if the 1 s head cache had run out
    again = adapter(node).lookup_tx(OP_RETURN_TX)  # a new adapter shares the process cache
    assert again.confirmations == 3001
    assert again.transfers == first.transfers and again.block_number == 66100
    assert node.count(f"/tx/{OP_RETURN_TX}") == 1
    assert node.count("/blocks/tip/height") == 2


def test_head_is_cached_per_node_for_a_second(node: RecordedServer) -> None:
    esplora = adapter(node)
    assert esplora.head() == TIP
    node.state["tip"] = TIP + 1
    assert esplora.head() == TIP
    assert node.count("/blocks/tip/height") == 1


def test_uppercase_hash_is_accepted(node: RecordedServer) -> None:
    assert adapter(node).lookup_tx(f"  {OP_RETURN_TX.upper()} ").block_number == 66100


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "0x" + OP_RETURN_TX,
        OP_RETURN_TX[:-1],
        OP_RETURN_TX + "0",
        "g" * 64,
        "mmTPoijZbv5sLkCpbG6JkjFkWR89WCJL7G",
    ],
)
def test_bad_hash_is_refused_before_any_request(node: RecordedServer, bad: str) -> None:
    with pytest.raises(ChainError) as caught:
        adapter(node).lookup_tx(bad)
    assert caught.value.kind is ChainErrorKind.invalid_hash
    assert node.requests == []


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        (Reply(500, b"Internal Server Error", "text/plain"), ChainErrorKind.unreachable),
        (Reply(200, b"<html>rate limited</html>", "text/html"), ChainErrorKind.bad_response),
        (Reply(400, b"Invalid hex string", "text/plain"), ChainErrorKind.bad_response),
        (Reply(200, b'{"txid": "c9affbbc"}'), ChainErrorKind.bad_response),
        (Reply(200, b"[1, 2, 3]"), ChainErrorKind.bad_response),
        (Reply(200, b"", "text/plain", delay=1.5), ChainErrorKind.timeout),
    ],
)
def test_misbehaving_node_maps_to_chain_errors(
    node: RecordedServer, reply: Reply, kind: ChainErrorKind
) -> None:
    node.override = reply
    with pytest.raises(ChainError) as caught:
        adapter(node).lookup_tx(OP_RETURN_TX)
    assert caught.value.kind is kind
    assert "127.0.0.1" in caught.value.message


def test_wrong_shapes_inside_a_transaction_are_bad_responses(node: RecordedServer) -> None:
    good = recorded("esplora", "tx_c9affbbc.json").decode()
    for broken in (
        good.replace('"value": 52310396', '"value": "52310396"'),
        good.replace('"confirmed": true', '"confirmed": "yes"'),
        good.replace('"block_height": 66100', '"block_height": null'),
        good.replace(OP_RETURN_TX, TWO_OUTPUT_TX),  # the node answered another transaction
    ):
        reset_chain_state()
        node.override = Reply(200, broken.encode())
        with pytest.raises(ChainError) as caught:
            adapter(node).lookup_tx(OP_RETURN_TX)
        assert caught.value.kind is ChainErrorKind.bad_response


def test_garbage_tip_height_is_a_bad_response(node: RecordedServer) -> None:
    node.state["tip"] = "<html>"
    with pytest.raises(ChainError) as caught:
        adapter(node).lookup_tx(OP_RETURN_TX)
    assert caught.value.kind is ChainErrorKind.bad_response


def test_loopback_node_needs_allow_private(node: RecordedServer) -> None:
    with pytest.raises(ChainError) as caught:
        EsploraAdapter(node.url, TransportOptions()).lookup_tx(OP_RETURN_TX)
    assert caught.value.kind is ChainErrorKind.forbidden_address
    assert node.requests == []
