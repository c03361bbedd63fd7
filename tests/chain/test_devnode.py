"""The local chain is a real JSON-RPC node: plain HTTP requests and web3's own HTTP
provider see what they would see from geth."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import httpx
import pytest
from eth_account import Account
from eth_tester.backends.pyevm.main import get_default_account_keys
from web3 import Web3

from ledgerdesk.chain.build_token import compile_token, render, token_json_path
from ledgerdesk.chain.devnode import DevNode, token_artifact
from tests.chain.conftest import DEV_CHAIN_ID

HEX = "0123456789abcdef"


def rpc(url: str, method: str, *params: Any) -> dict[str, Any]:
    body = {"jsonrpc": "2.0", "id": 7, "method": method, "params": list(params)}
    answer: dict[str, Any] = httpx.post(url, json=body, timeout=10).json()
    assert answer["jsonrpc"] == "2.0" and answer["id"] == 7
    return answer


def result(url: str, method: str, *params: Any) -> Any:
    answer = rpc(url, method, *params)
    assert "error" not in answer, answer
    return answer["result"]


def is_quantity(value: Any) -> bool:
    return (
        isinstance(value, str)
        and value.startswith("0x")
        and (value == "0x0" or (len(value) > 2 and value[2] != "0"))
        and all(c in HEX for c in value[2:])
    )


def test_token_json_is_a_fresh_compile_of_token_vy() -> None:
    assert token_json_path().read_text(encoding="utf-8") == render(compile_token())
    artefact = token_artifact()
    names = {item.get("name") for item in artefact["abi"]}
    assert {"transfer", "transferFrom", "approve", "allowance", "balanceOf", "Transfer"} <= names
    assert artefact["compiler"].startswith("vyper 0.4")


def test_identity_methods(devnode: DevNode) -> None:
    assert result(devnode.url, "eth_chainId") == hex(DEV_CHAIN_ID)
    assert result(devnode.url, "net_version") == str(DEV_CHAIN_ID)
    assert result(devnode.url, "web3_clientVersion").startswith("ledgerdesk-devnode/")
    assert is_quantity(result(devnode.url, "eth_blockNumber"))
    assert is_quantity(result(devnode.url, "eth_gasPrice"))


def test_native_transfer_as_a_node_answers_it(devnode: DevNode) -> None:
    to = devnode.accounts[3]
    tx_hash = devnode.send_native(to, 12345, memo="ref 9")
    tx = result(devnode.url, "eth_getTransactionByHash", tx_hash)
    assert tx["hash"] == tx_hash and tx["to"] == to.lower()
    assert tx["value"] == hex(12345) and tx["input"] == "0x" + b"ref 9".hex()
    assert tx["chainId"] == hex(DEV_CHAIN_ID)
    assert all(is_quantity(tx[k]) for k in ("blockNumber", "nonce", "gas", "transactionIndex"))
    receipt = result(devnode.url, "eth_getTransactionReceipt", tx_hash)
    assert receipt["status"] == "0x1" and receipt["logs"] == []
    assert receipt["blockNumber"] == tx["blockNumber"] and is_quantity(receipt["gasUsed"])
    assert len(receipt["logsBloom"]) == 2 + 512
    block = result(devnode.url, "eth_getBlockByNumber", receipt["blockNumber"], False)
    assert tx_hash in block["transactions"] and block["hash"] == receipt["blockHash"]
    full = result(devnode.url, "eth_getBlockByHash", block["hash"], True)
    assert full["transactions"][0]["hash"] == tx_hash and "miner" in full


def test_token_transfer_log_and_calls(devnode: DevNode, token: str) -> None:
    to = devnode.accounts[4]
    tx_hash = devnode.send_token(token, to, 7_000_000)
    receipt = result(devnode.url, "eth_getTransactionReceipt", tx_hash)
    (log,) = receipt["logs"]
    assert log["address"] == token.lower() and log["removed"] is False
    assert log["topics"][0] == "0x" + Web3.keccak(text="Transfer(address,address,uint256)").hex()
    assert log["topics"][2] == "0x" + "00" * 12 + to[2:].lower()
    assert int(log["data"], 16) == 7_000_000
    logs = result(
        devnode.url,
        "eth_getLogs",
        {"fromBlock": receipt["blockNumber"], "toBlock": receipt["blockNumber"], "address": token},
    )
    assert [item["transactionHash"] for item in logs] == [tx_hash]
    assert devnode.token_balance(token, to) >= 7_000_000
    assert len(result(devnode.url, "eth_getCode", token)) > 100
    assert result(devnode.url, "eth_getCode", to) == "0x"


def test_failing_transfer_is_mined_with_status_0(devnode: DevNode, token: str) -> None:
    tx_hash = devnode.send_failing(token)
    receipt = result(devnode.url, "eth_getTransactionReceipt", tx_hash)
    assert receipt["status"] == "0x0" and receipt["logs"] == []
    assert receipt["blockNumber"] is not None


def test_web3_http_provider_reads_and_writes(devnode: DevNode, token: str) -> None:
    w3 = Web3(Web3.HTTPProvider(devnode.url))
    assert w3.eth.chain_id == DEV_CHAIN_ID
    contract = w3.eth.contract(address=token, abi=token_artifact()["abi"])  # type: ignore[call-overload]
    assert contract.functions.symbol().call() == "USDT"
    assert contract.functions.decimals().call() == 6
    sender, to = w3.eth.accounts[0], w3.eth.accounts[5]
    before = contract.functions.balanceOf(to).call()
    tx_hash = contract.functions.transfer(to, 42).transact({"from": sender, "gas": 100_000})
    receipt = w3.eth.get_transaction_receipt(tx_hash)
    assert receipt["status"] == 1
    assert contract.functions.balanceOf(to).call() == before + 42
    events = contract.events.Transfer().process_receipt(receipt)
    assert events[0]["args"]["value"] == 42


def test_raw_transactions_must_be_signed_for_this_chain(devnode: DevNode) -> None:
    account = Account.from_key(get_default_account_keys(1)[0].to_bytes())
    assert account.address == devnode.accounts[0]

    def raw(chain_id: int) -> str:
        nonce = int(result(devnode.url, "eth_getTransactionCount", account.address, "pending"), 16)
        tx = {
            "to": devnode.accounts[6],
            "value": 5,
            "gas": 21_000,
            "maxFeePerGas": 10**10,
            "maxPriorityFeePerGas": 10**9,
            "nonce": nonce,
            "chainId": chain_id,
        }
        return "0x" + account.sign_transaction(tx).raw_transaction.hex()

    tx_hash = result(devnode.url, "eth_sendRawTransaction", raw(DEV_CHAIN_ID))
    assert result(devnode.url, "eth_getTransactionReceipt", tx_hash)["status"] == "0x1"
    refused = rpc(devnode.url, "eth_sendRawTransaction", raw(1))
    assert refused["error"]["code"] == -32000
    assert "invalid chain id" in refused["error"]["message"]


def test_send_transaction_estimate_and_call(devnode: DevNode, token: str) -> None:
    sender, to = devnode.accounts[0], devnode.accounts[7]
    assert result(devnode.url, "eth_estimateGas", {"from": sender, "to": to, "value": "0x1"}) == (
        hex(21_000)
    )
    before = int(result(devnode.url, "eth_getBalance", to, "latest"), 16)
    tx_hash = result(
        devnode.url, "eth_sendTransaction", {"from": sender, "to": to, "value": "0x10"}
    )
    assert result(devnode.url, "eth_getTransactionReceipt", tx_hash)["status"] == "0x1"
    assert int(result(devnode.url, "eth_getBalance", to, "latest"), 16) == before + 16
    total_supply = result(devnode.url, "eth_call", {"to": token, "data": "0x18160ddd"}, "latest")
    assert int(total_supply, 16) == 10**9 * 10**6
    reverted = rpc(
        devnode.url,
        "eth_estimateGas",
        {"from": devnode.accounts[8], "to": token, "data": "0xa9059cbb" + "00" * 31 + "01" * 33},
    )
    assert reverted["error"]["code"] == 3


def test_pending_mode_and_mining(devnode: DevNode) -> None:
    head = devnode.head
    with devnode.pending_mode():
        tx_hash = devnode.send_native(devnode.accounts[2], 99)
        tx = result(devnode.url, "eth_getTransactionByHash", tx_hash)
        assert tx["blockNumber"] is None and tx["blockHash"] is None
        assert result(devnode.url, "eth_getTransactionReceipt", tx_hash) is None
        assert devnode.head == head
        sender = devnode.accounts[0]
        mined_nonce = int(result(devnode.url, "eth_getTransactionCount", sender, "latest"), 16)
        second = devnode.send_native(devnode.accounts[2], 98)
        pending_nonce = result(devnode.url, "eth_getTransactionCount", sender, "pending")
        assert pending_nonce == hex(mined_nonce + 2)
        assert result(devnode.url, "eth_getTransactionByHash", second)["nonce"] == hex(
            mined_nonce + 1
        )
        block = result(devnode.url, "eth_getBlockByNumber", "pending", False)
        assert block["transactions"] == [tx_hash, second]
        assert result(devnode.url, "evm_mine") == hex(head + 1)
    receipt = result(devnode.url, "eth_getTransactionReceipt", tx_hash)
    assert receipt["blockNumber"] == hex(head + 1) and receipt["status"] == "0x1"
    assert devnode.mine(3) == head + 4


def test_unknown_things_are_null(devnode: DevNode) -> None:
    unknown = "0x" + "ab" * 32
    assert result(devnode.url, "eth_getTransactionByHash", unknown) is None
    assert result(devnode.url, "eth_getTransactionReceipt", unknown) is None
    assert result(devnode.url, "eth_getBlockByHash", unknown, False) is None
    assert result(devnode.url, "eth_getBlockByNumber", hex(10**6), False) is None


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", -32700),
        (b"[]", -32600),
        (b'{"jsonrpc": "2.0", "id": 1}', -32600),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "eth_nope", "params": []}', -32601),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "eth_getTransactionByHash"}', -32602),
        (b'{"jsonrpc":"2.0","id":1,"method":"eth_getTransactionByHash","params":["0x12"]}', -32602),
        (b'{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0xzz", "latest"]}', -32602),
        (
            b'{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["0x01", false]}',
            -32602,
        ),
        (b'{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":"latest"}', -32602),
    ],
)
def test_json_rpc_errors(devnode: DevNode, body: bytes, code: int) -> None:
    answer = httpx.post(devnode.url, content=body, timeout=10)
    assert answer.status_code == 200
    assert answer.json()["error"]["code"] == code


def test_batch_and_http_edges(devnode: DevNode) -> None:
    batch = [
        {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
        {"jsonrpc": "2.0", "id": 2, "method": "nope", "params": []},
    ]
    answers = httpx.post(devnode.url, json=batch, timeout=10).json()
    assert answers[0] == {"jsonrpc": "2.0", "id": 1, "result": hex(DEV_CHAIN_ID)}
    assert answers[1]["error"]["code"] == -32601
    assert httpx.get(devnode.url, timeout=10).status_code == 405


def test_counts_the_methods_it_serves(devnode: DevNode) -> None:
    before = devnode.calls["eth_chainId"]
    result(devnode.url, "eth_chainId")
    assert devnode.calls["eth_chainId"] == before + 1


def test_concurrent_requests_while_sending(devnode: DevNode) -> None:
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            with httpx.Client(timeout=10) as client:
                for _ in range(15):
                    body = {"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []}
                    assert "result" in client.post(devnode.url, json=body).json()
        except BaseException as exc:  # the thread's failure is the test's
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    hashes = [devnode.send_native(devnode.accounts[9], 1) for _ in range(10)]
    for thread in threads:
        thread.join()
    assert not errors
    assert all(
        result(devnode.url, "eth_getTransactionReceipt", h)["status"] == "0x1" for h in hashes
    )


def test_block_interval_mines_by_itself_and_default_chain_id() -> None:
    node = DevNode(block_interval=0.05)
    assert node.chain_id == 131277322940537
    url = node.serve()
    try:
        assert result(url, "eth_chainId") == hex(131277322940537)
        deadline = time.monotonic() + 5
        while node.head < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert node.head >= 3
    finally:
        node.stop()
    mined = node.head
    time.sleep(0.2)
    assert node.head == mined  # stop() ended the miner
    with pytest.raises(RuntimeError):
        _ = node.url
    node.stop()  # twice is fine


def test_rpc_answer_shape_is_json_serialisable(devnode: DevNode) -> None:
    answer = devnode.handle(
        json.dumps({"jsonrpc": "2.0", "id": 3, "method": "eth_blockNumber"}).encode()
    )
    assert json.loads(json.dumps(answer))["result"] == hex(devnode.head)
