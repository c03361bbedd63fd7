"""What the Bitcoin and Tron adapters share: hash checks, the per-node head cache, the
final-answer cache walk, and strict readers for node answers (a wrong shape is the node's
fault and becomes ChainError(bad_response), never a KeyError or TypeError)."""

from __future__ import annotations

import hashlib
import re
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from decimal import InvalidOperation
from typing import Any

import base58

from ledgerdesk.chain.transport import Transport, TransportOptions, final_cache
from ledgerdesk.chain.types import ChainError, ChainErrorKind, NodeKind, TxLookup

HEAD_TTL = 1.0  # seconds a node's head height is reused
_HEX64 = re.compile(r"[0-9a-f]{64}")

_heads: dict[str, tuple[float, int]] = {}
_heads_lock = threading.Lock()


def plain_hash(tx_hash: str, chain: str) -> str:
    """A Bitcoin or Tron transaction id: 64 hex digits without 0x, returned lower-cased.
    Raises ChainError(invalid_hash) otherwise — before any request is made."""
    if not isinstance(tx_hash, str):
        raise ChainError(ChainErrorKind.invalid_hash, f"not a {chain} transaction id")
    text = tx_hash.strip().lower()
    if text.startswith("0x"):
        raise ChainError(
            ChainErrorKind.invalid_hash,
            f"a {chain} transaction id has no 0x prefix (that looks like an EVM hash)",
        )
    if not _HEX64.fullmatch(text):
        raise ChainError(
            ChainErrorKind.invalid_hash, f"a {chain} transaction id is 64 hexadecimal digits"
        )
    return text


def cached_head(transport: Transport, fetch: Callable[[], int]) -> int:
    """The node's head height, asked at most once per HEAD_TTL seconds per node. A
    wrong-shaped answer (ChainError(bad_response) from ``fetch``) counts against the
    node's circuit breaker."""
    now = time.monotonic()
    with _heads_lock:
        known = _heads.get(transport.url)
        if known is not None and now - known[0] < HEAD_TTL:
            return known[1]
    with transport.checked_answers():
        height = fetch()
    with _heads_lock:
        _heads[transport.url] = (time.monotonic(), height)
    return height


def reset_heads() -> None:
    """Forget cached head heights (tests)."""
    with _heads_lock:
        _heads.clear()


def cached_lookup(
    transport: Transport,
    tx_hash: str,
    fetch: Callable[[], TxLookup],
    head: Callable[[], int],
) -> TxLookup:
    """A final answer from the cache with only its confirmations recomputed from the head,
    else a fresh lookup (stored when final). A wrong-shaped answer (ChainError(bad_response)
    from ``fetch``, e.g. through ``answer_shape``) counts against the node's circuit
    breaker."""
    hit = final_cache.get(transport.url, tx_hash)
    if hit is not None:
        if hit.block_number is None:
            return hit
        return replace(hit, confirmations=max(head() - hit.block_number + 1, 1))
    with transport.checked_answers():
        lookup = fetch()
    final_cache.put(transport.url, tx_hash, lookup)
    return lookup


def confirmations_from(head: int, block_number: int) -> int:
    """Confirmations of a transaction in ``block_number``; at least 1 even when the cached
    head is a moment older than the block."""
    return max(head - block_number + 1, 1)


@contextmanager
def answer_shape(transport: Transport, what: str) -> Iterator[None]:
    """Turn a wrong-shaped answer into ChainError(bad_response) naming the host (inside
    ``cached_lookup``/``cached_head`` it also counts against the node's breaker)."""
    try:
        yield
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, InvalidOperation):
        raise ChainError(
            ChainErrorKind.bad_response,
            f"{transport.host} answered {what} in an unexpected shape",
        ) from None


def need_dict(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError("expected an object")
    return value


def need_list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError("expected an array")
    return value


def need_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("expected an integer")
    return value


def need_str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value


def need_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError("expected true or false")
    return value


def printable_text(data: bytes) -> str | None:
    """``data`` as text when it is UTF-8 a person could read, else None."""
    if not data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if text.isprintable() else None


def base58check(payload: bytes) -> str:
    """Base58Check: the payload, then the first four bytes of its double SHA-256."""
    checksum = hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    encoded: bytes = base58.b58encode(payload + checksum)
    return encoded.decode("ascii")


def op_return_memo(script_hex: str) -> str | None:
    """The readable text an OP_RETURN output script carries (all its pushes joined), or None
    when the script is not OP_RETURN, is malformed, or holds bytes that are not text."""
    try:
        script = bytes.fromhex(script_hex)
    except ValueError:
        return None
    if not script or script[0] != 0x6A:
        return None
    data = bytearray()
    i = 1
    while i < len(script):
        op = script[i]
        i += 1
        if 1 <= op <= 75:
            size = op
        elif op in (0x4C, 0x4D, 0x4E):
            width = {0x4C: 1, 0x4D: 2, 0x4E: 4}[op]
            if i + width > len(script):
                return None
            size = int.from_bytes(script[i : i + width], "little")
            i += width
        else:
            return None  # an opcode, not data: nothing we would show a person
        if i + size > len(script):
            return None
        data += script[i : i + size]
        i += size
    return printable_text(bytes(data))


class CachedNodeAdapter(ABC):
    """What the Esplora, bitcoind and Tron adapters share: a transport to one node, the hash
    check before any request, the cached head and the cache of final answers. Subclasses
    say how to read the head and one transaction."""

    kind: NodeKind
    chain_name: str  # in hash errors: "not a Bitcoin transaction hash"
    default_final_after: int

    def __init__(
        self, url: str, options: TransportOptions | None = None, final_after: int | None = None
    ) -> None:
        self.transport = Transport(url, options)
        self.final_after = self.default_final_after if final_after is None else final_after

    def head(self) -> int:
        return cached_head(self.transport, self._fetch_head)

    def lookup_tx(self, tx_hash: str) -> TxLookup:
        txid = plain_hash(tx_hash, self.chain_name)
        return cached_lookup(self.transport, txid, lambda: self._fetch(txid), self.head)

    @abstractmethod
    def _fetch_head(self) -> int: ...

    @abstractmethod
    def _fetch(self, txid: str) -> TxLookup: ...
