"""bitcoind adapter against recorded real `getrawtransaction … true` answers
(tests/chain/recorded/bitcoind, see its README), served over real JSON-RPC on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from decimal import Decimal

import pytest

from ledgerdesk.chain.adapters.bitcoind import BitcoindAdapter, btc_to_sats
from ledgerdesk.chain.adapters.common import reset_heads
from ledgerdesk.chain.adapters.esplora import EsploraAdapter
from ledgerdesk.chain.types import NOT_FOUND, ChainError, ChainErrorKind, Transfer
from tests.chain import test_esplora
from tests.chain.recorded_server import (
    FAST,
    RecordedServer,
    Reply,
    Request,
    recorded,
    recorded_json,
    reset_chain_state,
)

OP_RETURN_TX = test_esplora.OP_RETURN_TX
TWO_OUTPUT_TX = test_esplora.TWO_OUTPUT_TX
UNKNOWN_TX = "11" * 32
PENDING_TX = "22" * 32  # served the c9affbbc answer without its block fields (README)
TIP = test_esplora.TIP
USER, PASSWORD = "desk", "s3cret:with@chars"

TRANSACTIONS = {
    OP_RETURN_TX: "getrawtransaction_c9affbbc.json",
    TWO_OUTPUT_TX: "getrawtransaction_f8d74847.json",
}
HEADERS = {
    "0000000056ed6b0f69fb51d0a690b78b1ffaf44ef01f1380d3528fc430903f76": (
        "getblockheader_0000000056ed.json"
    ),
    "000000000bf9eab2adae97280fbf4a352385c932e93f0a042da4c125a4ec493e": (
        "getblockheader_000000000bf9.json"
    ),
}


def _result(raw: bytes, request_id: object) -> Reply:
    # Wrapped as text so the amounts keep the digits of the recording.
    return Reply(
        200,
        b'{"result":'
        + raw.strip()
        + b',"error":null,"id":'
        + json.dumps(request_id).encode()
        + b"}",
    )


def _error(code: int, message: str, request_id: object) -> Reply:
    # Bitcoin Core answers a JSON-RPC 1.0 error with HTTP 500 and the error in the body.
    body = {"result": None, "error": {"code": code, "message": message}, "id": request_id}
    return Reply(500, json.dumps(body).encode())


def _route(server: RecordedServer, request: Request) -> Reply:
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    if request.headers.get("authorization") != expected:
        return Reply(401, b"", "text/html")
    call = request.json()
    method, params, request_id = call["method"], call["params"], call["id"]
    if method == "getblockcount":
        return _result(str(server.state["tip"]).encode(), request_id)
    if method == "getblockheader" and params[0] in HEADERS:
        return _result(recorded("bitcoind", HEADERS[params[0]]), request_id)
    if method == "getrawtransaction" and params[1] is True:
        if params[0] == PENDING_TX:
            raw = recorded("bitcoind", "getrawtransaction_c9affbbc_unconfirmed.json")
            return _result(raw.replace(OP_RETURN_TX.encode(), PENDING_TX.encode()), request_id)
        if params[0] in TRANSACTIONS:
            return _result(recorded("bitcoind", TRANSACTIONS[params[0]]), request_id)
        error = recorded_json("bitcoind", "error_no_such_transaction.json")["error"]
        return _error(error["code"], error["message"], request_id)
    return _error(-32601, "Method not found", request_id)


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


def adapter(
    node: RecordedServer, password: str = PASSWORD, final_after: int = 6
) -> BitcoindAdapter:
    url = node.url.replace("http://", f"http://{USER}:{_quote(password)}@")
    return BitcoindAdapter(url, FAST, final_after=final_after)


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def calls(node: RecordedServer, method: str) -> int:
    return sum(1 for r in list(node.requests) if r.json()["method"] == method)


def test_recording_is_the_transaction_it_claims() -> None:
    # By hand: a legacy transaction's id is the reversed double SHA-256 of its bytes.
    raw = recorded_json("bitcoind", "getrawtransaction_c9affbbc.json")
    digest = hashlib.sha256(hashlib.sha256(bytes.fromhex(raw["hex"])).digest()).digest()
    assert digest[::-1].hex() == OP_RETURN_TX


@pytest.mark.parametrize(
    ("esplora_file", "rpc_file"),
    [
        ("tx_c9affbbc.json", "getrawtransaction_c9affbbc.json"),
        ("tx_f8d74847.json", "getrawtransaction_f8d74847.json"),
    ],
)
def test_esplora_recording_matches_the_raw_transaction(esplora_file: str, rpc_file: str) -> None:
    # The two recordings come from different projects; the Esplora one's scripts, witnesses,
    # spent outpoints and output values must all be bytes of the transaction bitcoind holds.
    esplora = recorded_json("esplora", esplora_file)
    raw = recorded_json("bitcoind", rpc_file)["hex"]
    for vin in esplora["vin"]:
        assert bytes.fromhex(vin["txid"])[::-1].hex() in raw
        assert vin["scriptsig"] in raw
        assert all(item in raw for item in vin.get("witness", []))
    for vout in esplora["vout"]:
        assert vout["scriptpubkey"] in raw
        assert vout["value"].to_bytes(8, "little").hex() in raw


def test_confirmed_output_memo_and_placement(node: RecordedServer) -> None:
    lookup = adapter(node).lookup_tx(OP_RETURN_TX)
    assert lookup.status == "success" and lookup.found and lookup.final
    assert lookup.block_number == 66100  # from getblockheader
    assert lookup.confirmations == 2996  # the transaction's own count
    assert lookup.transfers == (
        Transfer(
            "native",
            None,
            "mmTPoijZbv5sLkCpbG6JkjFkWR89WCJL7G",
            52310396,  # 0.52310396 BTC, exactly
            memo="ion:1.QmZZe4qQPbgt1MhE6ESGqFMWv8UxoYPWhsVT5ZYbu5umiG",
        ),
    )


def test_amounts_in_btc_become_exact_satoshis(node: RecordedServer) -> None:
    lookup = adapter(node).lookup_tx(TWO_OUTPUT_TX)
    assert [(t.to, t.amount_raw) for t in lookup.transfers] == [
        ("tb1qanjp6gnqvqgcq7wtaf8nttzurk73rl5xqk08hs", 10000),  # 0.00010000
        ("tb1qv9g0n4qltu9hss0khegwmg94lxn6sy6haqhj7a", 487958),  # 0.00487958
    ]
    assert lookup.block_number == 68994 and lookup.confirmations == 102


def test_btc_to_sats_never_goes_through_float() -> None:
    assert int(0.29 * 100_000_000) == 28999999  # what float arithmetic would have said
    assert btc_to_sats(Decimal("0.29")) == 29_000_000
    assert btc_to_sats(Decimal("20999999.97690000")) == 2_099_999_997_690_000
    assert btc_to_sats(0) == 0 and btc_to_sats(15) == 1_500_000_000
    for bad in (Decimal("0.000000001"), Decimal("-1"), 0.5, "0.5", True, None):
        with pytest.raises((TypeError, ValueError)):
            btc_to_sats(bad)


def test_bitcoind_and_esplora_recordings_agree() -> None:
    esplora_node = RecordedServer(
        lambda request: test_esplora._route(esplora_node, request), state={"tip": TIP}
    )
    rpc_node = RecordedServer(lambda request: _route(rpc_node, request), state={"tip": TIP})
    try:
        esplora = EsploraAdapter(esplora_node.start(), FAST)
        rpc_node.start()
        rpc = adapter(rpc_node)
        for txid in (OP_RETURN_TX, TWO_OUTPUT_TX):
            assert rpc.lookup_tx(txid) == esplora.lookup_tx(txid)
    finally:
        esplora_node.stop()
        rpc_node.stop()


def test_mempool_transaction_is_pending(node: RecordedServer) -> None:
    lookup = adapter(node).lookup_tx(PENDING_TX)
    assert lookup.status == "pending" and lookup.found and not lookup.final
    assert lookup.block_number is None and lookup.confirmations == 0
    assert [t.amount_raw for t in lookup.transfers] == [52310396]
    assert calls(node, "getblockheader") == 0


def test_unknown_transaction_is_not_found_without_retry(node: RecordedServer) -> None:
    assert adapter(node).lookup_tx(UNKNOWN_TX) == NOT_FOUND
    assert calls(node, "getrawtransaction") == 1


def test_final_answer_is_cached(node: RecordedServer) -> None:
    first = adapter(node).lookup_tx(OP_RETURN_TX)
    node.state["tip"] = TIP + 10
    reset_heads()
    again = adapter(node).lookup_tx(OP_RETURN_TX)
    assert again.confirmations == 3006 and again.transfers == first.transfers
    assert calls(node, "getrawtransaction") == 1
    assert calls(node, "getblockheader") == 1
    assert calls(node, "getblockcount") == 1


def test_shallow_answer_is_asked_again(node: RecordedServer) -> None:
    bitcoind = adapter(node, final_after=1000)
    assert not bitcoind.lookup_tx(TWO_OUTPUT_TX).final
    bitcoind.lookup_tx(TWO_OUTPUT_TX)
    assert calls(node, "getrawtransaction") == 2


def test_head_is_getblockcount_cached_for_a_second(node: RecordedServer) -> None:
    bitcoind = adapter(node)
    assert bitcoind.head() == TIP and bitcoind.head() == TIP
    assert calls(node, "getblockcount") == 1


def test_credentials_go_as_basic_auth_and_never_into_messages(node: RecordedServer) -> None:
    adapter(node).lookup_tx(OP_RETURN_TX)
    assert all(r.headers.get("authorization", "").startswith("Basic ") for r in node.requests)
    assert all(PASSWORD.encode() not in r.body for r in node.requests)
    with pytest.raises(ChainError) as caught:
        adapter(node, password="wrong").lookup_tx(TWO_OUTPUT_TX)
    assert caught.value.kind is ChainErrorKind.bad_response
    assert "401" in caught.value.message
    assert "wrong" not in caught.value.message and USER not in caught.value.message


@pytest.mark.parametrize(
    ("code", "kind"),
    [(-8, ChainErrorKind.bad_response), (-28, ChainErrorKind.unreachable)],
)
def test_other_rpc_errors(node: RecordedServer, code: int, kind: ChainErrorKind) -> None:
    node.override = _error(code, "Loading block index…" if code == -28 else "bad param", 1)
    with pytest.raises(ChainError) as caught:
        adapter(node).lookup_tx(OP_RETURN_TX)
    assert caught.value.kind is kind
    assert calls(node, "getrawtransaction") == 1


def test_wrong_shapes_are_bad_responses(node: RecordedServer) -> None:
    good = recorded("bitcoind", "getrawtransaction_c9affbbc.json")
    for broken in (
        good.replace(b'"value": 0.52310396', b'"value": "0.52310396"'),
        good.replace(b'"value": 0.52310396', b'"value": 0.523103961'),
        good.replace(b'"vout": [', b'"outputs": ['),
        good.replace(b'"blockhash": "0000', b'"blockhash": 12, "x": "'),
        b"null",
        b"[]",
    ):
        reset_chain_state()
        node.override = _result(broken, 1)
        with pytest.raises(ChainError) as caught:
            adapter(node).lookup_tx(OP_RETURN_TX)
        assert caught.value.kind is ChainErrorKind.bad_response, broken[:60]


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        (Reply(200, b"not json at all", "text/plain"), ChainErrorKind.bad_response),
        (Reply(200, b'{"id": 1}'), ChainErrorKind.bad_response),
        (Reply(500, b"<html>proxy error</html>", "text/html"), ChainErrorKind.unreachable),
        (Reply(200, b"", delay=1.5), ChainErrorKind.timeout),
    ],
)
def test_misbehaving_node(node: RecordedServer, reply: Reply, kind: ChainErrorKind) -> None:
    node.override = reply
    with pytest.raises(ChainError) as caught:
        adapter(node).lookup_tx(OP_RETURN_TX)
    assert caught.value.kind is kind


@pytest.mark.parametrize("bad", ["", "0x" + OP_RETURN_TX, OP_RETURN_TX[2:], "z" * 64])
def test_bad_hash_is_refused_before_any_request(node: RecordedServer, bad: str) -> None:
    with pytest.raises(ChainError) as caught:
        adapter(node).lookup_tx(bad)
    assert caught.value.kind is ChainErrorKind.invalid_hash
    assert node.requests == []
