"""The desk's client of its two contracts (``data/trust/contracts``): deploy them, anchor tree
heads, register/resolve complaint commitments, read both back.

Transactions are signed here with the desk's own key (eth_account) and sent with
``eth_sendRawTransaction``, so the client works against any node, not only one that holds
unlocked accounts. The node's URL passes the outbound rule first (private addresses only when
the operator allows them, as for the local chain). Only jobs and commands use this module:
nothing on a request path waits for a chain.
"""

from __future__ import annotations

import ast
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ledgerdesk.core.outbound import OutboundBlocked, check_outbound_url
from ledgerdesk.trust.contracts_build import artefact

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from web3 import Web3

ERROR_SELECTOR = bytes.fromhex("08c379a0")  # Error(string)
EMPTY_ADDRESS = "0x" + "00" * 20
COMMITMENT_STATES = {0: "none", 1: "registered", 2: "resolved", 3: "breached"}


class OnchainError(Exception):
    """A chain step failed: unreachable node, refused URL, bad key, or the contract refused
    (revert). The message is safe to show and store (it never holds the key)."""


@dataclass(frozen=True)
class Receipt:
    tx_hash: str
    ok: bool
    block_number: int


@dataclass(frozen=True)
class AnchorOnChain:
    tree_size: int
    root: bytes
    block_number: int
    block_time: int


@dataclass(frozen=True)
class CommitmentOnChain:
    state: str  # none, registered, resolved, breached
    ack_hash: bytes
    deadline: int
    payout: str | None
    compensation: int
    resolution_hash: bytes
    closed_at: int


def load_key(path: Path) -> LocalAccount:
    """The desk's account from a file holding its private key in hex (``0x`` optional)."""
    from eth_account import Account

    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise OnchainError(f"cannot read the desk's key file {path}: {exc.strerror}") from None
    try:
        account: LocalAccount = Account.from_key(text)
    except (ValueError, TypeError):
        raise OnchainError(
            f"{path} does not hold a private key (64 hex digits, e.g. from 'openssl rand -hex 32')"
        ) from None
    return account


def hash32(value: str) -> bytes:
    """``0x`` + 64 hex digits (or 64 hex digits) → 32 bytes; OnchainError otherwise."""
    raw = value.removeprefix("0x")
    if len(raw) != 64:
        raise OnchainError("a hash is 64 hex digits")
    try:
        return bytes.fromhex(raw)
    except ValueError:
        raise OnchainError("a hash is 64 hex digits") from None


class ChainClient:
    """One node and one signing account (``account`` may be None for reading only)."""

    def __init__(
        self,
        url: str,
        account: LocalAccount | None = None,
        *,
        allow_private: bool = False,
        timeout: float = 10.0,
    ) -> None:
        from web3 import Web3

        try:
            check_outbound_url(url, allow_private=allow_private)
        except OutboundBlocked as exc:
            raise OnchainError(f"the chain node URL is refused: {exc}") from None
        self.url = url
        self.account = account
        self.w3: Web3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": timeout}))

    # -- plumbing ---------------------------------------------------------------------------

    def chain_id(self) -> int:
        return int(self._call(lambda: self.w3.eth.chain_id))

    def contract(self, name: str, address: str) -> Any:
        from web3 import Web3

        if not Web3.is_address(address):
            raise OnchainError(f"'{address[:60]}' is not a contract address")
        abi = artefact(name)["abi"]
        return self.w3.eth.contract(address=Web3.to_checksum_address(address), abi=abi)

    def _call(self, fn: Any) -> Any:
        """Run one node call, turning every failure into an OnchainError."""
        from web3.exceptions import ContractLogicError, Web3Exception

        try:
            return fn()
        except ContractLogicError as exc:
            raise OnchainError(f"the contract refused: {_reason(exc)}") from None
        except (Web3Exception, OSError, ValueError) as exc:
            raise OnchainError(f"the chain node failed: {exc.__class__.__name__}: {exc}") from None

    def _signer(self) -> LocalAccount:
        if self.account is None:
            raise OnchainError("no key to sign with")
        return self.account

    def send(self, tx: dict[str, Any], gas: int | None = None) -> str:
        """Fill in nonce, fees and gas, sign locally, send raw; returns the tx hash (0x…).
        ``gas`` skips the estimate (which would refuse a call the contract reverts)."""
        signer = self._signer()

        def go() -> str:
            eth = self.w3.eth
            full = {
                **tx,
                "from": signer.address,
                "chainId": eth.chain_id,
                "nonce": eth.get_transaction_count(signer.address, "pending"),
            }
            priority = eth.max_priority_fee
            base = int(eth.get_block("latest").get("baseFeePerGas") or 0)
            full.update(maxPriorityFeePerGas=priority, maxFeePerGas=2 * base + priority)
            full["gas"] = gas if gas is not None else int(eth.estimate_gas(full) * 12 // 10)  # type: ignore[arg-type]
            signed = signer.sign_transaction(full)
            return "0x" + bytes(eth.send_raw_transaction(signed.raw_transaction)).hex()

        return str(self._call(go))

    def transact(
        self, name: str, address: str, function: str, *args: Any, gas: int | None = None
    ) -> str:
        """Call ``function(*args)`` of contract ``name`` at ``address`` in a transaction."""
        fn = getattr(self.contract(name, address).functions, function)(*args)
        data = self._call(lambda: fn._encode_transaction_data())
        return self.send({"to": self.contract(name, address).address, "data": data}, gas)

    def receipt(self, tx_hash: str) -> Receipt | None:
        """The mined receipt, or None while the transaction is pending (or unknown)."""
        from web3.exceptions import TransactionNotFound

        def go() -> Receipt | None:
            try:
                found = self.w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
            except TransactionNotFound:
                return None
            return Receipt(tx_hash, int(found["status"]) == 1, int(found["blockNumber"]))

        result: Receipt | None = self._call(go)
        return result

    def wait(self, tx_hash: str, timeout: float = 60.0) -> Receipt:
        """Poll for the receipt until ``timeout`` seconds have passed (commands only)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.receipt(tx_hash)
            if found is not None:
                return found
            if time.monotonic() > deadline:
                raise OnchainError(f"{tx_hash} was not mined within {timeout:g} s")
            time.sleep(0.5)

    def block_number(self) -> int:
        return int(self._call(lambda: self.w3.eth.block_number))

    def balance(self, address: str) -> int:
        return int(self._call(lambda: self.w3.eth.get_balance(address)))  # type: ignore[arg-type]

    # -- deploying --------------------------------------------------------------------------

    def deploy(self, name: str, value: int = 0) -> str:
        """Deploy contract ``name`` (``value`` wei sent along: the commitment contract's first
        bond); waits for the block and returns the contract's address."""
        tx_hash = self.send({"data": artefact(name)["bytecode"], "value": value})
        receipt = self.wait(tx_hash)
        if not receipt.ok:
            raise OnchainError(f"deploying {name} failed in {tx_hash}")
        found = self._call(lambda: self.w3.eth.get_transaction_receipt(tx_hash))  # type: ignore[arg-type]
        return str(found["contractAddress"])

    # -- the anchor contract ----------------------------------------------------------------

    def anchor(self, address: str, tree_size: int, root: bytes, gas: int | None = None) -> str:
        return self.transact("anchor", address, "anchor", tree_size, root, gas=gas)

    def get_anchor(self, address: str, tree_size: int) -> AnchorOnChain | None:
        """What the contract holds for ``tree_size``, or None when never anchored."""
        fn = self.contract("anchor", address).functions.get_anchor(tree_size)
        root, block_number, block_time = self._call(fn.call)
        if block_number == 0:
            return None
        return AnchorOnChain(tree_size, bytes(root), int(block_number), int(block_time))

    def latest_anchored_size(self, address: str) -> int:
        return int(self._call(self.contract("anchor", address).functions.latest_size().call))

    # -- the commitment contract ------------------------------------------------------------

    def register(
        self,
        address: str,
        case_hash: bytes,
        ack_hash: bytes,
        deadline: int,
        payout: str | None,
        compensation: int,
    ) -> str:
        from web3 import Web3

        who = Web3.to_checksum_address(payout) if payout else EMPTY_ADDRESS
        args = (case_hash, ack_hash, deadline, who, compensation)
        return self.transact("commitment", address, "register", *args)

    def resolve(
        self, address: str, case_hash: bytes, resolution_hash: bytes, gas: int | None = None
    ) -> str:
        return self.transact("commitment", address, "resolve", case_hash, resolution_hash, gas=gas)

    def mark_breached(self, address: str, case_hash: bytes, gas: int | None = None) -> str:
        return self.transact("commitment", address, "markBreached", case_hash, gas=gas)

    def deposit(self, address: str, value: int) -> str:
        data = self.contract("commitment", address).functions.deposit()._encode_transaction_data()
        return self.send(
            {"to": self.contract("commitment", address).address, "data": data, "value": value}
        )

    def commitment(self, address: str, case_hash: bytes) -> CommitmentOnChain:
        fn = self.contract("commitment", address).functions.get_commitment(case_hash)
        state, ack, deadline, payout, compensation, resolution, closed = self._call(fn.call)
        return CommitmentOnChain(
            state=COMMITMENT_STATES.get(int(state), "none"),
            ack_hash=bytes(ack),
            deadline=int(deadline),
            payout=None if int(payout, 16) == 0 else str(payout),
            compensation=int(compensation),
            resolution_hash=bytes(resolution),
            closed_at=int(closed),
        )

    def breach_tx(self, address: str, case_hash: bytes) -> tuple[str, int] | None:
        """The transaction (and amount paid) that marked ``case_hash`` breached, from the
        contract's ``Breached`` event; None when there is none."""
        event = self.contract("commitment", address).events.Breached
        logs = self._call(
            lambda: event.get_logs(from_block=0, argument_filters={"case_hash": case_hash})
        )
        if not logs:
            return None
        return "0x" + bytes(logs[0]["transactionHash"]).hex(), int(logs[0]["args"]["paid"])


def _reason(exc: Exception) -> str:
    """The revert reason: from the error's data (``Error(string)``, as real nodes send it), or
    from the message when the node put the raw bytes there (eth-tester does)."""
    data = getattr(exc, "data", None)
    if isinstance(data, str) and data.startswith("0x" + ERROR_SELECTOR.hex()):
        return _decode_error(bytes.fromhex(data[2:]))
    message = str(getattr(exc, "message", None) or exc).removeprefix("execution reverted: ")
    if message.startswith(("b'", 'b"')):
        try:
            raw = ast.literal_eval(message)
        except (ValueError, SyntaxError):
            return message[:300]
        if isinstance(raw, bytes) and raw.startswith(ERROR_SELECTOR):
            return _decode_error(raw)
    return message[:300]


def _decode_error(raw: bytes) -> str:
    from eth_abi.abi import decode

    try:
        return str(decode(["string"], raw[4:])[0])[:300]
    except Exception:  # any malformed payload: show its size, not garbage
        return f"revert data of {len(raw)} bytes"
