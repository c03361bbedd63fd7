"""What every chain adapter returns, whatever the chain: one shape for one transaction."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

TxStatus = Literal["success", "failed", "pending", "not_found"]
NodeKind = Literal["evm", "esplora", "bitcoind", "tron"]
NODE_KINDS: tuple[NodeKind, ...] = ("evm", "esplora", "bitcoind", "tron")


@dataclass(frozen=True)
class Transfer:
    """One movement of value inside a transaction.

    ``asset`` is ``"native"`` or the token contract as the chain writes it (EVM: checksummed
    0x address; Tron: base58 ``T…``). ``amount_raw`` is in the smallest unit (wei, satoshi, sun,
    token base units). Bitcoin outputs have ``from_`` None. ``memo`` is the memo/tag/note the
    transaction carried, where the chain has one (Tron ``raw_data.data``, Bitcoin OP_RETURN text,
    EVM native-transfer calldata that is printable text), else None.
    """

    asset: str
    from_: str | None
    to: str
    amount_raw: int
    memo: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "asset": self.asset,
            "from": self.from_,
            "to": self.to,
            "amount_raw": str(self.amount_raw),
        }


@dataclass(frozen=True)
class TxLookup:
    """One transaction as a node sees it. ``final`` is true when the answer can no longer
    change (a failed transaction in a block, or one past the adapter's finality depth): only
    final answers are cached."""

    found: bool
    status: TxStatus
    block_number: int | None = None
    confirmations: int | None = None
    transfers: tuple[Transfer, ...] = field(default_factory=tuple)
    final: bool = False

    def to_json(self) -> dict[str, Any]:
        """The fixed shape printed by ``ledgerdesk chain tx --json``."""
        return {
            "found": self.found,
            "status": self.status,
            "block_number": self.block_number,
            "confirmations": self.confirmations,
            "transfers": [t.to_json() for t in self.transfers],
        }


NOT_FOUND = TxLookup(found=False, status="not_found")


class ChainErrorKind(enum.StrEnum):
    invalid_hash = "invalid_hash"  # not a transaction hash of this chain
    forbidden_address = "forbidden_address"  # node URL points at a private/loopback address
    timeout = "timeout"
    unreachable = "unreachable"  # connection refused, DNS failure, HTTP 5xx after retries
    bad_response = "bad_response"  # not JSON, wrong shape, JSON-RPC error
    wrong_chain = "wrong_chain"  # the node serves another chain than the registry says
    circuit_open = "circuit_open"  # the node failed repeatedly; not asked again for a while
    not_configured = "not_configured"  # the network has no node endpoint


class ChainError(Exception):
    """A lookup that could not be answered. ``kind`` says why; the message is for operators
    (English, may name the URL's host but never its path or credentials)."""

    def __init__(self, kind: ChainErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class ChainAdapter(Protocol):
    """One node of one chain. Implementations: ``chain.adapters.evm``, ``.esplora``,
    ``.bitcoind``, ``.tron``. Raise ``ChainError`` for anything but an answer."""

    kind: NodeKind

    def lookup_tx(self, tx_hash: str) -> TxLookup:
        """The transaction, or ``NOT_FOUND``. Raises ChainError(invalid_hash) for a string
        that is not a hash of this chain (checked before any request)."""
        ...

    def head(self) -> int:
        """The current block height (for Tron: the latest solidified block is used for
        finality, the head for confirmations)."""
        ...
