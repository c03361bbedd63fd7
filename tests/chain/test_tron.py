"""Tron adapter against recorded real java-tron HTTP answers (tests/chain/recorded/tron, see
its README), served by a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest

from ledgerdesk.chain.adapters.common import reset_heads
from ledgerdesk.chain.adapters.tron import TronAdapter, tron_address
from ledgerdesk.chain.types import NOT_FOUND, ChainError, ChainErrorKind, Transfer
from tests.chain.recorded_server import (
    FAST,
    RecordedServer,
    Reply,
    Request,
    recorded,
    recorded_json,
    reset_chain_state,
)

USDT_TX = "0130dfde9281a48378109039ef512229d5359fbee2a8adbb17ad73aebc67ea99"
TRX_TX = "d8b112509ef71870ddeeb7b6edd3b8b2042ef278c582baf444b2d7ea7f03f3a6"
UNKNOWN_TX = "33" * 32
HEAD = 69316644  # set by us (README): a real block of the same recording session

USDT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
# TronGrid's own summary of the USDT transfer (ledger-live fixture) names these addresses and
# the value 41677389; our base58 conversion must arrive at the same strings.
SENDER = "TL24LCps5FKwp3PoU1MvrYrwhi5LU1tHre"
RECEIVER = "TXVj38D1XR3TPgSHTCZGC8wkLDAGqF1oqx"
USDT_TRANSFER = Transfer(USDT, SENDER, RECEIVER, 41677389)


def _state() -> dict[str, Any]:
    return {
        "head": HEAD,
        "bodies": {
            USDT_TX: "gettransactionbyid_0130dfde.json",
            TRX_TX: "gettransactionbyid_d8b11250.json",
        },
        "infos": {
            USDT_TX: "gettransactioninfobyid_0130dfde.json",
            TRX_TX: "gettransactioninfobyid_d8b11250.json",
        },
        "solid": {USDT_TX, TRX_TX},
        "solidity_api": True,
        "edit_body": None,  # a function changing the served body (constructed cases)
    }


def _route(server: RecordedServer, request: Request) -> Reply:
    state = server.state
    if request.path == "/wallet/getnowblock":
        block = recorded_json("tron", "getnowblock.json")
        block["block_header"]["raw_data"]["number"] = state["head"]
        return Reply.json(block)
    txid = request.json().get("value")
    if request.path == "/wallet/gettransactionbyid":
        name = state["bodies"].get(txid)
        if name is None:
            return Reply(200, b"{}")
        body = recorded("tron", name)
        if state["edit_body"] is not None:
            return Reply.json(state["edit_body"](json.loads(body)))
        return Reply(200, body)
    if request.path == "/wallet/gettransactioninfobyid":
        name = state["infos"].get(txid)
        return Reply(200, recorded("tron", name) if name else b"{}")
    if request.path == "/walletsolidity/gettransactioninfobyid":
        if not state["solidity_api"]:
            return Reply(404, b"Not Found", "text/plain")
        name = state["infos"].get(txid) if txid in state["solid"] else None
        return Reply(200, recorded("tron", name) if name else b"{}")
    return Reply(404, b"Not Found", "text/plain")


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    reset_chain_state()
    yield
    reset_chain_state()


@pytest.fixture
def node() -> Iterator[RecordedServer]:
    server = RecordedServer(lambda request: _route(server, request), state=_state())
    server.start()
    yield server
    server.stop()


def adapter(node: RecordedServer, final_after: int = 19) -> TronAdapter:
    return TronAdapter(node.url, FAST, final_after=final_after)


@pytest.mark.parametrize(
    "name", ["gettransactionbyid_0130dfde.json", "gettransactionbyid_d8b11250.json"]
)
def test_recording_is_the_transaction_it_claims(name: str) -> None:
    # By hand: a Tron transaction id is the SHA-256 of its raw_data bytes.
    body = recorded_json("tron", name)
    assert hashlib.sha256(bytes.fromhex(body["raw_data_hex"])).hexdigest() == body["txID"]
    # and the decoded raw_data says what those bytes say
    value = body["raw_data"]["contract"][0]["parameter"]["value"]
    for key in ("owner_address", "to_address", "contract_address", "data"):
        if key in value:
            assert value[key] in body["raw_data_hex"]


def test_base58_addresses() -> None:
    assert tron_address("41a614f803b6fd780986a42c78ec9c7f77e6ded13c") == USDT
    assert tron_address("a614f803b6fd780986a42c78ec9c7f77e6ded13c") == USDT  # log form
    assert tron_address("416e3b44b96104b26f84057974a1f0c9880f7c9b13") == SENDER
    for bad in ("42a614f803b6fd780986a42c78ec9c7f77e6ded13c", "41a614", "zz" * 21):
        with pytest.raises(ValueError):
            tron_address(bad)


def test_trc20_usdt_transfer(node: RecordedServer) -> None:
    lookup = adapter(node).lookup_tx(USDT_TX)
    assert lookup.found and lookup.status == "success"
    assert lookup.block_number == 69316562
    assert lookup.confirmations == HEAD - 69316562 + 1 == 83
    assert lookup.final  # the solidity node knows it
    # log data 0x027bf24d = 41677389 (41.677389 USDT at 6 decimals)
    assert lookup.transfers == (USDT_TRANSFER,)
    assert lookup.to_json()["transfers"] == [
        {"asset": USDT, "from": SENDER, "to": RECEIVER, "amount_raw": "41677389"}
    ]


def test_trx_transfer(node: RecordedServer) -> None:
    lookup = adapter(node).lookup_tx(TRX_TX)
    assert lookup.status == "success" and lookup.block_number == 69316336
    assert lookup.confirmations == 309
    assert lookup.transfers == (
        Transfer("native", "TKfz7Pu3jtxWrfHzVeozQjXsb3RfuUHGE2", SENDER, 177986418),
    )


def test_without_execution_info_it_is_pending(node: RecordedServer) -> None:
    node.state["infos"] = {}
    lookup = adapter(node).lookup_tx(USDT_TX)
    assert lookup.status == "pending" and lookup.found and not lookup.final
    assert lookup.block_number is None and lookup.confirmations == 0
    # read from the transfer(address,uint256) call itself: the same transfer the log shows
    assert lookup.transfers == (USDT_TRANSFER,)
    assert node.count("/walletsolidity/gettransactioninfobyid") == 0


def test_reverted_call_fails_with_no_transfers(node: RecordedServer) -> None:
    node.state["bodies"][USDT_TX] = "gettransactionbyid_0130dfde_revert.json"
    lookup = adapter(node).lookup_tx(USDT_TX)
    assert lookup.status == "failed" and lookup.found
    assert lookup.block_number == 69316562 and lookup.transfers == ()


def _serve_info(node: RecordedServer, info: dict[str, Any]) -> None:
    original = node.router

    def router(request: Request) -> Reply:
        if request.path == "/wallet/gettransactioninfobyid":
            return Reply.json(info)
        return original(request)

    node.router = router


@pytest.mark.parametrize(
    "mark",
    [{"receipt_result": "OUT_OF_ENERGY"}, {"result": "FAILED"}],
)
def test_failure_marked_only_in_the_info(node: RecordedServer, mark: dict[str, str]) -> None:
    # Constructed here from the real USDT info: the failure marks a real OUT_OF_ENERGY
    # transaction's info carries (README), while the body still says SUCCESS.
    info = recorded_json("tron", "gettransactioninfobyid_0130dfde.json")
    if "receipt_result" in mark:
        info["receipt"]["result"] = mark["receipt_result"]
    else:
        info["result"] = mark["result"]
    _serve_info(node, info)
    lookup = adapter(node).lookup_tx(USDT_TX)
    assert lookup.status == "failed" and lookup.transfers == ()


def test_logs_other_than_trc20_transfer_are_ignored(node: RecordedServer) -> None:
    # Constructed here: the real USDT info with an Approval log and a 4-topic (NFT-style)
    # Transfer log added; only the real Transfer log is a transfer.
    info = recorded_json("tron", "gettransactioninfobyid_0130dfde.json")
    real = info["log"][0]
    approval = "8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925"
    info["log"] = [
        {**real, "topics": [approval, *real["topics"][1:]]},
        {**real, "topics": [*real["topics"], "00" * 32], "data": ""},
        real,
    ]
    _serve_info(node, info)
    assert adapter(node).lookup_tx(USDT_TX).transfers == (USDT_TRANSFER,)


def test_unknown_transaction_is_not_found(node: RecordedServer) -> None:
    assert adapter(node).lookup_tx(UNKNOWN_TX) == NOT_FOUND
    assert len(node.requests) == 1  # no info, no head


def test_solidified_answer_is_cached(node: RecordedServer) -> None:
    first = adapter(node).lookup_tx(USDT_TX)
    node.state["head"] = HEAD + 20
    reset_heads()
    again = adapter(node).lookup_tx(USDT_TX)
    assert again.confirmations == 103 and again.transfers == first.transfers
    assert node.count("/wallet/gettransactionbyid") == 1
    assert node.count("/wallet/gettransactioninfobyid") == 1
    assert node.count("/wallet/getnowblock") == 2


def test_not_yet_solidified_is_not_final(node: RecordedServer) -> None:
    node.state["solid"] = set()
    tron = adapter(node)
    assert not tron.lookup_tx(USDT_TX).final
    tron.lookup_tx(USDT_TX)
    assert node.count("/wallet/gettransactionbyid") == 2


@pytest.mark.parametrize(("final_after", "final"), [(19, True), (100, False)])
def test_without_solidity_api_depth_decides(
    node: RecordedServer, final_after: int, final: bool
) -> None:
    node.state["solidity_api"] = False
    assert adapter(node, final_after=final_after).lookup_tx(USDT_TX).final is final


def test_memo_from_raw_data(node: RecordedServer) -> None:
    # Constructed here: the real TRX transfer with a note added to raw_data.data.
    def with_note(note: bytes) -> Any:
        def edit(body: dict[str, Any]) -> dict[str, Any]:
            body["raw_data"]["data"] = note.hex()
            return body

        return edit

    node.state["edit_body"] = with_note("充值 UID 10086".encode())
    assert adapter(node).lookup_tx(TRX_TX).transfers[0].memo == "充值 UID 10086"
    reset_chain_state()
    node.state["edit_body"] = with_note(b"\x00\xff\x10")
    assert adapter(node).lookup_tx(TRX_TX).transfers[0].memo is None


def test_head_is_getnowblock_cached(node: RecordedServer) -> None:
    tron = adapter(node)
    assert tron.head() == HEAD and tron.head() == HEAD
    assert node.count("/wallet/getnowblock") == 1


@pytest.mark.parametrize(
    "edit",
    [
        lambda b: {**b, "txID": TRX_TX},
        lambda b: {**b, "raw_data": "nope"},
        lambda b: {**b, "ret": "SUCCESS"},
        lambda b: {
            **b,
            "raw_data": {**b["raw_data"], "contract": [{"type": "TriggerSmartContract"}]},
        },
    ],
)
def test_wrong_shaped_body_is_a_bad_response(node: RecordedServer, edit: Any) -> None:
    node.state["edit_body"] = edit
    with pytest.raises(ChainError) as caught:
        adapter(node).lookup_tx(USDT_TX)
    assert caught.value.kind is ChainErrorKind.bad_response


def test_wrong_shaped_info_or_head_is_a_bad_response(node: RecordedServer) -> None:
    good = recorded("tron", "gettransactioninfobyid_0130dfde.json")
    for name, broken in (
        ("info", good.replace(b'"blockNumber": 69316562', b'"blockNumber": "69316562"')),
        ("info", good.replace(b'"topics": [', b'"topics": 7, "x": [')),
        ("head", b'{"block_header": {"raw_data": {}}}'),
    ):
        reset_chain_state()
        original = node.router

        def router(
            request: Request, name: str = name, broken: bytes = broken, original: Any = original
        ) -> Reply:
            path = "/wallet/gettransactioninfobyid" if name == "info" else "/wallet/getnowblock"
            if request.path == path:
                return Reply(200, broken)
            return original(request)

        node.router = router
        with pytest.raises(ChainError) as caught:
            adapter(node).lookup_tx(USDT_TX)
        assert caught.value.kind is ChainErrorKind.bad_response
        node.router = original


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        (Reply(503, b"busy", "text/plain"), ChainErrorKind.unreachable),
        (Reply(200, b"<html>", "text/html"), ChainErrorKind.bad_response),
        (Reply(200, b'"a string"'), ChainErrorKind.bad_response),
        (Reply(200, b"{}", delay=1.5), ChainErrorKind.timeout),
    ],
)
def test_misbehaving_node(node: RecordedServer, reply: Reply, kind: ChainErrorKind) -> None:
    node.override = reply
    with pytest.raises(ChainError) as caught:
        adapter(node).lookup_tx(USDT_TX)
    assert caught.value.kind is kind


@pytest.mark.parametrize("bad", ["", "0x" + USDT_TX, USDT_TX[:60], USDT, "q" * 64])
def test_bad_hash_is_refused_before_any_request(node: RecordedServer, bad: str) -> None:
    with pytest.raises(ChainError) as caught:
        adapter(node).lookup_tx(bad)
    assert caught.value.kind is ChainErrorKind.invalid_hash
    assert node.requests == []
