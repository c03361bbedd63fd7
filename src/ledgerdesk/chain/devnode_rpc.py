"""Ethereum JSON-RPC for the local chain: parse parameters the way nodes accept them, call
eth-tester, and shape answers the way nodes write them (camelCase keys, hex quantities,
0x data, lower-case addresses, ``null`` for what does not exist).

Only ``ledgerdesk.chain.devnode`` uses this module; it holds the tester and the lock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import ledgerdesk

CLIENT_VERSION = f"ledgerdesk-devnode/v{ledgerdesk.__version__}/py-evm"

# JSON-RPC 2.0 error codes, and the ones Ethereum nodes add.
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
SERVER_ERROR = -32000  # geth: a transaction or call the node refuses
EXECUTION_REVERTED = 3  # geth: eth_call / eth_estimateGas hit a revert

BLOCK_TAGS = ("latest", "earliest", "pending", "safe", "finalized")
_HASH = re.compile(r"^0x[0-9a-fA-F]{64}$")
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_QUANTITY = re.compile(r"^0x(0|[1-9a-fA-F][0-9a-fA-F]*)$")
_DATA = re.compile(r"^0x([0-9a-fA-F]{2})*$")

# eth-tester's snake_case field → the node's name, where camelCase alone is not it.
_RENAMES = {"coinbase": "miner", "y_parity": "yParity"}


class RpcError(Exception):
    """An error answer: ``code`` and ``message`` go into the JSON-RPC ``error`` object."""

    def __init__(self, code: int, message: str, data: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def to_json(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


# -- parameters ---------------------------------------------------------------------------


def param(params: list[Any], index: int, default: Any = ...) -> Any:
    if index < len(params) and params[index] is not None:
        return params[index]
    if default is ...:
        raise RpcError(INVALID_PARAMS, f"missing value for required argument {index}")
    return default


def parse_hash(value: Any) -> str:
    if not isinstance(value, str) or not _HASH.match(value):
        raise RpcError(INVALID_PARAMS, "invalid argument: hex string of 32 bytes expected")
    return value.lower()


def parse_address(value: Any) -> str:
    if not isinstance(value, str) or not _ADDRESS.match(value):
        raise RpcError(INVALID_PARAMS, "invalid argument: hex address of 20 bytes expected")
    from eth_utils.address import to_checksum_address

    return str(to_checksum_address(value))


def parse_quantity(value: Any) -> int:
    if not isinstance(value, str) or not _QUANTITY.match(value):
        raise RpcError(INVALID_PARAMS, "invalid argument: hex quantity without leading zeros")
    return int(value, 16)


def parse_data(value: Any) -> str:
    if not isinstance(value, str) or not _DATA.match(value):
        raise RpcError(INVALID_PARAMS, "invalid argument: 0x-prefixed hex data expected")
    return value.lower()


def parse_block(value: Any) -> int | str:
    if value in BLOCK_TAGS:
        return str(value)
    return parse_quantity(value)


def parse_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise RpcError(INVALID_PARAMS, "invalid argument: boolean expected")
    return value


_TX_FIELDS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "from": ("from", parse_address),
    "to": ("to", parse_address),
    "gas": ("gas", parse_quantity),
    "gasPrice": ("gas_price", parse_quantity),
    "maxFeePerGas": ("max_fee_per_gas", parse_quantity),
    "maxPriorityFeePerGas": ("max_priority_fee_per_gas", parse_quantity),
    "value": ("value", parse_quantity),
    "nonce": ("nonce", parse_quantity),
    "data": ("data", parse_data),
    "input": ("data", parse_data),
}


def parse_transaction(value: Any, default_from: str) -> dict[str, Any]:
    """A call object (``eth_call``, ``eth_sendTransaction``…) as eth-tester wants it."""
    if not isinstance(value, dict):
        raise RpcError(INVALID_PARAMS, "invalid argument: transaction object expected")
    out: dict[str, Any] = {"from": default_from}
    for key, raw in value.items():
        if key in ("chainId", "type", "accessList") or raw is None:
            continue  # the node fills these in itself
        if key not in _TX_FIELDS:
            raise RpcError(INVALID_PARAMS, f"invalid argument: unknown field {key!r}")
        name, parse = _TX_FIELDS[key]
        out[name] = parse(raw)
    return out


def parse_log_filter(value: Any) -> dict[str, Any]:
    """``eth_getLogs``' filter object as keyword arguments of ``EthereumTester.get_logs``."""
    if not isinstance(value, dict):
        raise RpcError(INVALID_PARAMS, "invalid argument: filter object expected")
    out: dict[str, Any] = {}
    if value.get("fromBlock") is not None:
        out["from_block"] = parse_block(value["fromBlock"])
    if value.get("toBlock") is not None:
        out["to_block"] = parse_block(value["toBlock"])
    address = value.get("address")
    if isinstance(address, list):
        out["address"] = [parse_address(a) for a in address]
    elif address is not None:
        out["address"] = parse_address(address)
    topics = value.get("topics")
    if topics is not None:
        if not isinstance(topics, list):
            raise RpcError(INVALID_PARAMS, "invalid argument: topics must be a list")
        out["topics"] = [_parse_topic(t) for t in topics]
    return out


def _parse_topic(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, list):
        return [parse_hash(v) for v in value]
    return parse_hash(value)


# -- answers ------------------------------------------------------------------------------


def to_rpc(value: Any, key: str = "") -> Any:
    """eth-tester's answer in the node's shape, recursively."""
    if isinstance(value, dict):
        is_tx = "gas" in value  # a transaction's ``data`` is its ``input``; a log's stays
        return {
            ("input" if is_tx and k == "data" else _camel(k)): to_rpc(v, k)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [to_rpc(v, key) for v in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if key == "logs_bloom":
            return "0x" + value.to_bytes(256, "big").hex()
        return hex(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, str) and _ADDRESS.match(value):
        return value.lower()
    return value


def _camel(name: str) -> str:
    if name in _RENAMES:
        return _RENAMES[name]
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def receipt_to_rpc(receipt: dict[str, Any], logs_bloom: str) -> dict[str, Any]:
    answer: dict[str, Any] = to_rpc(receipt)
    answer.pop("stateRoot", None)  # eth-tester's b"\x01"; Byzantium receipts carry status
    answer["logsBloom"] = logs_bloom
    for log in answer.get("logs", []):
        log.setdefault("removed", False)
    return answer


def logs_bloom(logs: list[dict[str, Any]]) -> str:
    """The 2048-bit bloom of a receipt's logs (nodes compute it; eth-tester does not keep
    one per receipt)."""
    from eth_bloom.bloom import BloomFilter

    bloom = BloomFilter()
    for log in logs:
        bloom.add(bytes.fromhex(log["address"][2:]))
        for topic in log["topics"]:
            bloom.add(bytes.fromhex(topic[2:]))
    return "0x" + int(bloom).to_bytes(256, "big").hex()
