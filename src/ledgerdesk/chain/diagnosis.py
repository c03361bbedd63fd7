"""Deposit and withdrawal diagnosis: a verdict, the facts behind it, and what to tell the
customer, from the chain and the exchange.

Pure logic over three collaborators (the registry, an adapter factory and the exchange
client); it writes nothing. ``chain.services`` stores results and opens tickets.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from ledgerdesk.chain.formats import FormatError, normalize_address, normalize_tx_hash
from ledgerdesk.chain.types import ChainAdapter, ChainError, ChainErrorKind, Transfer, TxLookup
from ledgerdesk.core.errors import DomainError
from ledgerdesk.exchange.client import (
    CustomerProfile,
    DepositAddress,
    ExchangeClient,
    ExchangeError,
    ExchangeErrorKind,
    WithdrawalRecord,
)

if TYPE_CHECKING:
    from ledgerdesk.chain.registry import AssetOnNetwork, Network, Registry

DEPOSIT_VERDICTS = (
    "credited",
    "pending_confirmations",
    "confirmed_not_credited",
    "confirmed",
    "not_found",
    "failed_on_chain",
    "wrong_recipient",
    "missing_or_wrong_memo",
    "wrong_network",
    "unsupported_asset",
    "below_minimum",
    "unavailable",
)
WITHDRAWAL_VERDICTS = ("processing", "on_hold", "sent", "failed", "unavailable")
# Verdicts where a person has to act: the check opens (or updates) a wallet-operations ticket.
NEEDS_PERSON = frozenset({"confirmed_not_credited", "missing_or_wrong_memo"})

Kind = Literal["deposit", "withdrawal"]


class DiagnosisInputError(DomainError):
    """The question cannot be asked as given (unknown network or asset, malformed hash,
    unknown withdrawal). ``code`` is stable for API clients; ``message`` is English and has a
    zh-CN msgid in the catalogue."""

    def __init__(
        self, code: str, message: str, status: int = 422, field: str | None = None
    ) -> None:
        super().__init__(message, field=field)
        self.code = code
        self.status_code = status


@dataclass
class Diagnosis:
    """One answer. ``facts`` holds JSON-safe values only (strings, ints, bools, None)."""

    kind: Kind
    verdict: str
    network: str | None = None
    asset: str | None = None
    tx_hash: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    customer_id: str | None = None  # the exchange's id, when the customer is known

    @property
    def needs_person(self) -> bool:
        return self.verdict in NEEDS_PERSON and self.customer_id is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "verdict": self.verdict,
            "network": self.network,
            "asset": self.asset,
            "tx_hash": self.tx_hash,
            "needs_person": self.needs_person,
            "facts": dict(self.facts),
        }


AdapterFactory = Callable[["Network"], ChainAdapter]


def _amount(raw: int, decimals: int) -> str:
    value = Decimal(raw).scaleb(-decimals)
    text = format(value.normalize(), "f")
    return text


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


class Diagnoser:
    """Answers one customer's question; build one per request (it is cheap)."""

    def __init__(
        self,
        registry: Registry,
        exchange: ExchangeClient | None,
        adapter_for: AdapterFactory,
    ) -> None:
        self.registry = registry
        self.exchange = exchange
        self.adapter_for = adapter_for

    # --- inputs --------------------------------------------------------------------------

    def _network(self, network_id: str) -> Network:
        network = self.registry.network(network_id.strip().lower())
        if network is None:
            raise DiagnosisInputError(
                "unknown_network",
                f"'{network_id[:40]}' is not a network we support",
                field="network",
            )
        return network

    def _symbol(self, asset: str) -> str:
        symbol = asset.strip().upper()
        if symbol not in self.registry.asset_symbols():
            raise DiagnosisInputError(
                "unknown_asset", f"'{asset[:20]}' is not an asset we know", field="asset"
            )
        return symbol

    def _hash(self, network: Network, tx_hash: str) -> str:
        try:
            return normalize_tx_hash(network.family, tx_hash)
        except FormatError as exc:
            raise DiagnosisInputError(
                f"invalid_hash.{exc.code}", _HASH_MESSAGES[exc.code], field="tx_hash"
            ) from None

    def _profile(self, customer_ref: str | None) -> CustomerProfile | None:
        if not customer_ref or self.exchange is None:
            return None
        try:
            return self.exchange.customer(customer_ref)
        except ExchangeError as exc:
            if exc.kind == ExchangeErrorKind.not_found:
                return None
            raise

    # --- deposits ------------------------------------------------------------------------

    def deposit(
        self, *, network_id: str, asset: str, tx_hash: str, customer_ref: str | None
    ) -> Diagnosis:
        network = self._network(network_id)
        symbol = self._symbol(asset)
        tx = self._hash(network, tx_hash)
        result = Diagnosis("deposit", "unavailable", network.id, symbol, tx)
        result.facts["explorer_url"] = network.tx_url(tx)
        on_network = network.asset(symbol)
        if on_network is None:
            result.verdict = "unsupported_asset"
            result.facts["supported_networks"] = [
                n.id for n in self.registry.networks_for_asset(symbol)
            ]
            return result
        try:
            profile = self._profile(customer_ref)
        except ExchangeError as exc:
            result.facts["source"] = "exchange"
            result.facts["error"] = exc.kind.value
            return result
        if profile is not None:
            result.customer_id = profile.id
            try:
                if self._credited(result, profile, tx):
                    return result
                addresses = self.exchange.deposit_addresses(  # type: ignore[union-attr]
                    profile.id, asset=symbol, network=network.id
                )
            except ExchangeError as exc:
                result.facts["source"] = "exchange"
                result.facts["error"] = exc.kind.value
                return result
        else:
            addresses = None
        try:
            lookup = self._lookup(network, tx)
        except ChainError as exc:
            result.facts["source"] = "chain"
            result.facts["error"] = exc.kind.value
            return result
        if not lookup.found:
            return self._not_found(result, network, tx)
        result.facts["block_number"] = lookup.block_number
        result.facts["confirmations"] = lookup.confirmations or 0
        if lookup.status == "failed":
            result.verdict = "failed_on_chain"
            return result
        try:
            return self._judge(result, network, on_network, lookup, addresses)
        except ExchangeError as exc:
            result.verdict = "unavailable"
            result.facts["source"] = "exchange"
            result.facts["error"] = exc.kind.value
            return result

    def _credited(self, result: Diagnosis, profile: CustomerProfile, tx: str) -> bool:
        assert self.exchange is not None
        for record in self.exchange.deposits(profile.id, tx_hash=tx):
            if (record.tx_hash or "").lower() == tx.lower() and record.status == "credited":
                result.verdict = "credited"
                result.facts.update(
                    amount=format(record.amount.normalize(), "f"),
                    credited_at=_iso(record.credited_at),
                    deposit_id=record.id,
                )
                result.network = record.network
                result.asset = record.asset
                return True
        return False

    def _lookup(self, network: Network, tx: str) -> TxLookup:
        return self.adapter_for(network).lookup_tx(tx)

    def _not_found(self, result: Diagnosis, network: Network, tx: str) -> Diagnosis:
        for other in self.registry.family(network.family):
            if other.id == network.id or other.node is None:
                continue
            try:
                if self._lookup(other, tx).found:
                    result.verdict = "wrong_network"
                    result.facts["found_on"] = other.id
                    result.facts["explorer_url"] = other.tx_url(tx)
                    return result
            except ChainError:
                continue  # another network being down does not change this network's answer
        result.verdict = "not_found"
        result.facts["explorer_url"] = None
        return result

    def _judge(
        self,
        result: Diagnosis,
        network: Network,
        asset: AssetOnNetwork,
        lookup: TxLookup,
        addresses: list[DepositAddress] | None,
    ) -> Diagnosis:
        moved = [t for t in lookup.transfers if _same_asset(network, asset, t)]
        if not moved:
            return self._other_asset(result, network, lookup)
        mine = moved
        # What moved and where to, even when the verdict is about the recipient or the memo:
        # the wallet team's ticket and the customer's answer both name the amount.
        self._moved(result, asset, moved)
        if addresses is not None:
            own = {normalize_address(network.family, a.address): a for a in addresses}
            mine = [t for t in moved if normalize_address(network.family, t.to) in own]
            if not mine:
                result.verdict = "wrong_recipient"
                return result
            self._moved(result, asset, mine)
            if network.memo_required:
                wanted = {own[normalize_address(network.family, t.to)].memo for t in mine}
                memo = mine[0].memo
                if memo is None or memo.strip() not in {w for w in wanted if w}:
                    return self._memo(result, memo)
        elif network.memo_required and all(not (t.memo or "").strip() for t in moved):
            return self._memo(result, None)
        raw = sum(t.amount_raw for t in mine)
        amount = Decimal(raw).scaleb(-asset.decimals)
        if amount < asset.min_deposit:
            result.verdict = "below_minimum"
            result.facts["min_deposit"] = format(asset.min_deposit.normalize(), "f")
            return result
        required = asset.confirmations.credit
        have = lookup.confirmations or 0
        result.facts["required"] = required
        if lookup.status == "pending" or have < required:
            result.verdict = "pending_confirmations"
            remaining = max(required - have, 1)
            result.facts["expected_seconds"] = int(remaining * network.block_time_seconds)
            return result
        result.verdict = "confirmed_not_credited" if addresses is not None else "confirmed"
        return result

    @staticmethod
    def _moved(result: Diagnosis, asset: AssetOnNetwork, transfers: list[Transfer]) -> None:
        result.facts["amount"] = _amount(sum(t.amount_raw for t in transfers), asset.decimals)
        result.facts["to_address"] = transfers[0].to

    def _addresses_for(self, result: Diagnosis) -> list[DepositAddress] | None:
        """The customer's deposit addresses for the asset ``result`` now names."""
        if result.customer_id is None or self.exchange is None or result.asset is None:
            return None
        return self.exchange.deposit_addresses(
            result.customer_id, asset=result.asset, network=result.network
        )

    def _memo(self, result: Diagnosis, memo: str | None) -> Diagnosis:
        result.verdict = "missing_or_wrong_memo"
        result.facts["memo"] = memo
        return result

    def _other_asset(self, result: Diagnosis, network: Network, lookup: TxLookup) -> Diagnosis:
        """The transaction moved value, but not of the asset the customer chose: judge it as
        the asset it really moved when we support that one here, else it is unsupported."""
        chosen = result.asset
        for transfer in lookup.transfers:
            sent = (
                network.asset(network.native_symbol)
                if transfer.asset == "native"
                else network.asset_by_contract(transfer.asset)
            )
            if sent is not None and sent.symbol != chosen:
                result.asset = sent.symbol
                result.facts["asset_chosen"] = chosen
                return self._judge(result, network, sent, lookup, self._addresses_for(result))
        if not lookup.transfers:
            result.verdict = "wrong_recipient"
            result.facts["to_address"] = None
            return result
        result.verdict = "unsupported_asset"
        result.facts["contract"] = lookup.transfers[0].asset
        result.facts["supported_networks"] = [
            n.id for n in self.registry.networks_for_asset(chosen or "")
        ]
        return result

    # --- withdrawals ---------------------------------------------------------------------

    def withdrawal(self, *, customer_ref: str, reference: str) -> Diagnosis:
        """``reference`` is the exchange's withdrawal id or the withdrawal's tx hash."""
        if self.exchange is None:
            raise DiagnosisInputError(
                "exchange_not_configured",
                "Withdrawal checks need the exchange connection, which is not configured",
                status=409,
            )
        reference = reference.strip()
        # An id or a hash is one word of plain characters; anything else (a sentence, a
        # pasted seed phrase) is refused here and never sent to the exchange.
        if not _REFERENCE.fullmatch(reference):
            raise DiagnosisInputError(
                "invalid_reference", "Give a withdrawal ID or a transaction ID", field="reference"
            )
        result = Diagnosis("withdrawal", "unavailable")
        try:
            profile = self._profile(customer_ref)
            if profile is None:
                raise DiagnosisInputError(
                    "unknown_customer", "The exchange does not know this account", status=404
                )
            result.customer_id = profile.id
            record = self._find_withdrawal(profile.id, reference)
        except ExchangeError as exc:
            result.facts["source"] = "exchange"
            result.facts["error"] = exc.kind.value
            return result
        return self._withdrawal_verdict(result, record)

    def _find_withdrawal(self, customer_id: str, reference: str) -> WithdrawalRecord:
        assert self.exchange is not None
        wanted = reference.lower().removeprefix("0x")
        for record in self.exchange.withdrawals(customer_id, limit=100):
            if (record.tx_hash or "").lower().removeprefix("0x") == wanted and wanted:
                return record
        if _HEX64.fullmatch(wanted):
            # A transaction hash (or something that looks like one, such as a private key) is
            # matched against the customer's own withdrawals only, never sent on as an id.
            raise DiagnosisInputError(
                "withdrawal_not_found",
                "No withdrawal of yours has this ID or transaction ID",
                status=404,
                field="reference",
            )
        try:
            return self.exchange.withdrawal(customer_id, reference)
        except ExchangeError as exc:
            if exc.kind == ExchangeErrorKind.not_found:
                raise DiagnosisInputError(
                    "withdrawal_not_found",
                    "No withdrawal of yours has this ID or transaction ID",
                    status=404,
                    field="reference",
                ) from None
            raise

    def _withdrawal_verdict(self, result: Diagnosis, record: WithdrawalRecord) -> Diagnosis:
        result.network, result.asset, result.tx_hash = record.network, record.asset, record.tx_hash
        result.facts.update(
            withdrawal_id=record.id,
            tx_hash=record.tx_hash,
            amount=format(record.amount.normalize(), "f"),
            fee=format(record.fee.normalize(), "f"),
            address=record.address,
            created_at=_iso(record.created_at),
            status=record.status,
        )
        if record.status == "processing":
            result.verdict = "processing"
        elif record.status == "on_hold":
            result.verdict = "on_hold"
            result.facts["hold_reason"] = record.hold_reason or "other"
            result.facts["release_at"] = _iso(record.release_at)
        elif record.status in ("failed", "cancelled"):
            result.verdict = "failed"
            reason = record.failure_reason or (
                "cancelled" if record.status == "cancelled" else None
            )
            result.facts["failure_reason"] = reason or "other"
        else:
            self._sent(result, record)
        return result

    def _sent(self, result: Diagnosis, record: WithdrawalRecord) -> None:
        result.verdict = "sent"
        result.facts["confirmations"] = None
        network = self.registry.network(record.network)
        if network is None or not record.tx_hash:
            return
        result.facts["explorer_url"] = network.tx_url(record.tx_hash)
        if network.node is None:
            return
        try:
            lookup = self._lookup(network, normalize_tx_hash(network.family, record.tx_hash))
        except (ChainError, FormatError):
            return  # the exchange's record stands; confirmations stay unknown
        if lookup.status == "failed":
            result.verdict = "failed"
            result.facts["failure_reason"] = "chain_failure"
        elif lookup.found:
            result.facts["confirmations"] = lookup.confirmations or 0
            result.facts["block_number"] = lookup.block_number


def _same_asset(network: Network, asset: AssetOnNetwork, transfer: Transfer) -> bool:
    if asset.contract is None:
        return transfer.asset == "native"
    if network.family == "evm":
        return transfer.asset.lower() == asset.contract.lower()
    return transfer.asset == asset.contract


_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
_HEX64 = re.compile(r"[0-9a-f]{64}")

_HASH_MESSAGES = {
    "empty": "Enter the transaction ID (TxID)",
    "not_a_hash": "This is not a transaction ID: it should be 64 hexadecimal characters",
    "evm_hash_on_non_evm": (
        "This looks like a transaction ID from an EVM network (it starts with 0x); "
        "choose the network you sent on"
    ),
    "non_evm_hash_on_evm": (
        "Transaction IDs on this network start with 0x; this one looks like it is from "
        "another network"
    ),
    "address_not_hash": "This is an address, not a transaction ID (TxID)",
}

__all__ = [
    "DEPOSIT_VERDICTS",
    "WITHDRAWAL_VERDICTS",
    "ChainErrorKind",
    "Diagnoser",
    "Diagnosis",
    "DiagnosisInputError",
]
