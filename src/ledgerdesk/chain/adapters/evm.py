"""EVM chains (Ethereum, BNB Smart Chain, Polygon, Arbitrum…) over JSON-RPC with web3.py.

web3 talks through ``TransportProvider``, so every request gets the transport's timeouts,
retries, circuit breaker and private-address rule. What web3 hands back is checked field by
field: a node that answers in the wrong shape is a ``ChainError(bad_response)``, never an
exception from deep inside a formatter.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, TypeVar, cast

from eth_typing import ChecksumAddress, HexAddress, HexStr
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from web3 import Web3
from web3.exceptions import TransactionNotFound
from web3.providers.base import JSONBaseProvider
from web3.types import RPCEndpoint, RPCResponse

from ledgerdesk.chain.transport import Transport, TransportOptions, final_cache
from ledgerdesk.chain.types import (
    NOT_FOUND,
    ChainError,
    ChainErrorKind,
    NodeKind,
    Transfer,
    TxLookup,
    TxStatus,
)

DEFAULT_FINAL_AFTER = 12  # confirmations after which an EVM answer is final
HEAD_TTL = 1.0  # seconds a node's head is reused
CHAIN_ID_TTL = 600.0  # seconds a node's chain id is remembered
TRANSFER_TOPIC = keccak(text="Transfer(address,address,uint256)")
TRANSFER_SELECTOR = keccak(text="transfer(address,uint256)")[:4]
_HASH = re.compile(r"^0x[0-9a-f]{64}$")

T = TypeVar("T")

_heads: dict[str, tuple[float, int]] = {}
_chain_ids: dict[str, tuple[float, int]] = {}
_state_lock = threading.Lock()


def reset_caches() -> None:
    """Forget every node's head and verified chain id (tests; a node replaced at an URL)."""
    with _state_lock:
        _heads.clear()
        _chain_ids.clear()


def normalize_evm_hash(text: str) -> str:
    """``0x`` + 64 hex digits, lower-cased; ChainError(invalid_hash) for anything else."""
    value = text.strip().lower() if isinstance(text, str) else ""
    if not _HASH.match(value):
        raise ChainError(
            ChainErrorKind.invalid_hash,
            "not an EVM transaction hash (expected 0x followed by 64 hex digits)",
        )
    return value


class TransportProvider(JSONBaseProvider):
    """A web3 provider that sends each JSON-RPC call through a ``Transport``."""

    def __init__(self, transport: Transport) -> None:
        super().__init__()
        self.transport = transport

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        from web3._utils.encoding import Web3JsonEncoder

        ident = next(self.request_counter)
        body = {
            "jsonrpc": "2.0",
            "id": ident,
            "method": method,
            "params": json.loads(json.dumps(params or [], cls=Web3JsonEncoder)),
        }
        answer = self.transport.request("POST", json=body)
        host = self.transport.host
        if not isinstance(answer, dict) or (
            "result" not in answer and not isinstance(answer.get("error"), dict)
        ):
            raise ChainError(
                ChainErrorKind.bad_response,
                f"{host} answered {method} with something that is not a JSON-RPC response",
            )
        if "error" in answer and "result" not in answer:
            message = str(answer["error"].get("message", "no message"))[:200]
            raise ChainError(ChainErrorKind.bad_response, f"{host} refused {method}: {message}")
        return cast(RPCResponse, {"jsonrpc": "2.0", "id": ident, "result": answer["result"]})

    def is_connected(self, show_traceback: bool = False) -> bool:
        try:
            self.make_request(RPCEndpoint("web3_clientVersion"), [])
        except ChainError:
            if show_traceback:
                raise
            return False
        return True


class EvmAdapter:
    """One EVM node. ``chain_id``: refuse a node serving another chain. ``final_after``:
    confirmations after which an answer is final and cached."""

    kind: NodeKind = "evm"

    def __init__(
        self,
        url: str,
        options: TransportOptions | None = None,
        final_after: int | None = None,
        chain_id: int | None = None,
    ) -> None:
        self.transport = Transport(url, options)
        self.node = self.transport.url
        self.host = self.transport.host
        self.chain_id = chain_id
        self.final_after = DEFAULT_FINAL_AFTER if final_after is None else final_after
        self.w3 = Web3(TransportProvider(self.transport), middleware=[])

    # -- the interface --------------------------------------------------------------------

    def lookup_tx(self, tx_hash: str) -> TxLookup:
        tx_hash = normalize_evm_hash(tx_hash)
        with self.transport.checked_answers():
            return self._lookup(tx_hash)

    def head(self) -> int:
        with self.transport.checked_answers():
            return self._head()

    # -- steps ----------------------------------------------------------------------------

    def _lookup(self, tx_hash: str) -> TxLookup:
        cached = final_cache.get(self.node, tx_hash)
        if cached is not None and cached.block_number is not None:
            head = self._head()
            return replace(cached, confirmations=_confirmations(head, cached.block_number))
        self._check_chain()
        tx = self._ask(
            "eth_getTransactionByHash", lambda: self.w3.eth.get_transaction(HexStr(tx_hash))
        )
        if tx is None:
            return NOT_FOUND
        _check_same_hash(tx, tx_hash, self.host)
        block = _field(tx, "blockNumber", int, self.host, optional=True)
        receipt = None
        if block is not None:
            receipt = self._ask(
                "eth_getTransactionReceipt",
                lambda: self.w3.eth.get_transaction_receipt(HexStr(tx_hash)),
            )
        if receipt is None:  # in the pool, or mined but not yet indexed by this node
            return TxLookup(found=True, status="pending", transfers=self._pending_transfers(tx))
        lookup = self._mined(tx, receipt)
        final_cache.put(self.node, tx_hash, lookup)
        return lookup

    def _head(self) -> int:
        self._check_chain()
        with _state_lock:
            entry = _heads.get(self.node)
        if entry is not None and time.monotonic() - entry[0] < HEAD_TTL:
            return entry[1]
        return self._fetch_head()

    def _fetch_head(self) -> int:
        number = self._ask("eth_blockNumber", lambda: self.w3.eth.block_number)
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            raise _bad(self.host, "eth_blockNumber")
        with _state_lock:
            _heads[self.node] = (time.monotonic(), number)
        return number

    def _check_chain(self) -> None:
        if self.chain_id is None:
            return
        with _state_lock:
            entry = _chain_ids.get(self.node)
        served: int
        if entry is not None and time.monotonic() - entry[0] < CHAIN_ID_TTL:
            served = entry[1]
        else:
            answer = self._ask("eth_chainId", lambda: self.w3.eth.chain_id)
            if not isinstance(answer, int) or isinstance(answer, bool):
                raise _bad(self.host, "eth_chainId")
            served = answer
            with _state_lock:
                _chain_ids[self.node] = (time.monotonic(), served)
        if served != self.chain_id:
            raise ChainError(
                ChainErrorKind.wrong_chain,
                f"{self.host} serves chain id {served}, not {self.chain_id}",
            )

    def _mined(self, tx: Mapping[str, Any], receipt: Mapping[str, Any]) -> TxLookup:
        block = _field(receipt, "blockNumber", int, self.host)
        head = self._head()
        if head < block:  # the cached head predates this block
            head = self._fetch_head()
        confirmations = _confirmations(head, block)
        status = self._status(tx, receipt)
        transfers: tuple[Transfer, ...] = ()
        if status == "success":
            transfers = self._native(tx, receipt) + _token_logs(receipt, self.host)
        return TxLookup(
            found=True,
            status=status,
            block_number=block,
            confirmations=confirmations,
            transfers=transfers,
            # A failed transaction in a block stays failed; a success is final once deep.
            final=status == "failed" or confirmations >= self.final_after,
        )

    def _status(self, tx: Mapping[str, Any], receipt: Mapping[str, Any]) -> TxStatus:
        status = _field(receipt, "status", int, self.host, optional=True)
        if status is None:
            # Before Byzantium receipts had no status; a transaction that used all of its
            # gas is the one sign of failure they leave.
            used = _field(receipt, "gasUsed", int, self.host)
            return "failed" if used == _field(tx, "gas", int, self.host) else "success"
        if status not in (0, 1):
            raise _bad(self.host, "eth_getTransactionReceipt")
        return "success" if status == 1 else "failed"

    def _native(
        self, tx: Mapping[str, Any], receipt: Mapping[str, Any] | None = None
    ) -> tuple[Transfer, ...]:
        value = _field(tx, "value", int, self.host)
        if value <= 0:
            return ()
        sender = _address(_field(tx, "from", str, self.host), self.host)
        to = _field(tx, "to", str, self.host, optional=True)
        if to is None and receipt is not None:  # value sent with a contract creation
            to = _field(receipt, "contractAddress", str, self.host, optional=True)
        if to is None:
            return ()
        to = _address(to, self.host)
        memo = self._memo(to, _field(tx, "input", bytes, self.host))
        return (Transfer(asset="native", from_=sender, to=to, amount_raw=value, memo=memo),)

    def _memo(self, to: str, data: bytes) -> str | None:
        """Calldata of a native transfer read as a memo: printable UTF-8 text sent to an
        account (not a contract, where calldata is a call)."""
        text = _printable(data)
        if text is None:
            return None
        code = self._ask(
            "eth_getCode", lambda: self.w3.eth.get_code(ChecksumAddress(HexAddress(HexStr(to))))
        )
        if not isinstance(code, bytes):
            raise _bad(self.host, "eth_getCode")
        return text if len(code) == 0 else None

    def _pending_transfers(self, tx: Mapping[str, Any]) -> tuple[Transfer, ...]:
        transfers = self._native(tx)
        data = _field(tx, "input", bytes, self.host)
        to = _field(tx, "to", str, self.host, optional=True)
        if to is not None and len(data) == 68 and data[:4] == TRANSFER_SELECTOR:
            transfers += (
                Transfer(
                    asset=_address(to, self.host),
                    from_=_address(_field(tx, "from", str, self.host), self.host),
                    to=_address("0x" + data[16:36].hex(), self.host),
                    amount_raw=int.from_bytes(data[36:68], "big"),
                ),
            )
        return transfers

    def _ask(self, method: str, call: Callable[[], T]) -> T | None:
        """Run one web3 call; None when the node says the transaction does not exist."""
        try:
            return call()
        except ChainError:
            raise
        except TransactionNotFound:
            return None
        except Exception:  # web3's formatters reject a malformed answer in many ways
            raise _bad(self.host, method) from None


def _token_logs(receipt: Mapping[str, Any], host: str) -> tuple[Transfer, ...]:
    """ERC-20 ``Transfer(address indexed, address indexed, uint256)`` events of a receipt
    (ERC-721 transfers index the token id as a fourth topic and are left out)."""
    logs = _field(receipt, "logs", list, host)
    found: list[Transfer] = []
    for log in logs:
        if not isinstance(log, Mapping):
            raise _bad(host, "eth_getTransactionReceipt")
        topics = _field(log, "topics", list, host)
        data = _field(log, "data", bytes, host)
        if len(topics) != 3 or bytes(topics[0]) != TRANSFER_TOPIC or len(data) != 32:
            continue
        if not all(isinstance(t, bytes) and len(t) == 32 for t in topics):
            raise _bad(host, "eth_getTransactionReceipt")
        found.append(
            Transfer(
                asset=_address(_field(log, "address", str, host), host),
                from_=_address("0x" + bytes(topics[1])[12:].hex(), host),
                to=_address("0x" + bytes(topics[2])[12:].hex(), host),
                amount_raw=int.from_bytes(data, "big"),
            )
        )
    return tuple(found)


def _confirmations(head: int, block: int) -> int:
    return max(head - block + 1, 1)


def _printable(data: bytes) -> str | None:
    if not data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if text.strip() and text.isprintable() else None


def _check_same_hash(tx: Mapping[str, Any], tx_hash: str, host: str) -> None:
    answered = _field(tx, "hash", bytes, host)
    if "0x" + answered.hex() != tx_hash:
        raise ChainError(ChainErrorKind.bad_response, f"{host} answered with another transaction")


def _field(
    mapping: Mapping[str, Any], key: str, kind: type[T], host: str, *, optional: bool = False
) -> Any:
    """``mapping[key]`` when it has the expected type (bool never counts as int)."""
    if not isinstance(mapping, Mapping):
        raise _bad(host, "a request")
    value = mapping.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ChainError(
            ChainErrorKind.bad_response, f"{host} answered without a valid {key!r} field"
        )
    return value


def _address(value: str, host: str) -> str:
    try:
        return str(to_checksum_address(value))
    except ValueError:
        raise ChainError(
            ChainErrorKind.bad_response, f"{host} answered an invalid address"
        ) from None


def _bad(host: str, method: str) -> ChainError:
    return ChainError(
        ChainErrorKind.bad_response, f"{host} answered {method} with an unexpected shape"
    )
