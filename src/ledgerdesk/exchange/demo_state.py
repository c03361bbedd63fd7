"""The demo exchange's own state: customers, deposit addresses, deposits and withdrawals,
seeded from data/demo/exchange.json and changed by the demo world while it runs.

Every method takes one lock, so the HTTP threads and the demo world's thread can share it.
Records are the client's frozen dataclasses; a change replaces a record, never mutates it.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from ledgerdesk.core import clock
from ledgerdesk.core.paths import shipped_data_dir
from ledgerdesk.exchange.records import (
    DEPOSIT_STATUSES,
    FAILURE_REASONS,
    HOLD_REASONS,
    WITHDRAWAL_STATUSES,
    CustomerProfile,
    DepositAddress,
    DepositRecord,
    DepositStatus,
    TwoFactorReset,
    WithdrawalRecord,
    WithdrawalStatus,
    check_withdrawal,
    parse_time,
)


class DemoStateError(ValueError):
    """Seed data or a demo-world call that does not make sense (unknown customer, bad status)."""


@dataclass(frozen=True)
class LockEvent:
    customer_id: str
    reason: str
    locked_at: datetime


def _now() -> datetime:
    """Whole seconds: what the wire carries, so a record reads back equal to itself."""
    return clock.utcnow().replace(microsecond=0)


def default_seed_path() -> Path:
    return shipped_data_dir() / "demo" / "exchange.json"


class DemoExchange:
    """In-memory exchange back office. Build it with ``DemoExchange.load()``."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._profiles: dict[str, CustomerProfile] = {}
        self._addresses: dict[str, list[DepositAddress]] = {}
        self._deposits: dict[str, list[DepositRecord]] = {}
        self._withdrawals: dict[str, list[WithdrawalRecord]] = {}
        self._locks: list[LockEvent] = []
        self._requests: list[tuple[str, str]] = []
        self._resets: dict[str, TwoFactorReset] = {}
        # What each reset held: the withdrawals as they were, to put back on cancel.
        self._held: dict[str, list[WithdrawalRecord]] = {}
        self._next_id = 9_000_000_001

    # --- loading --------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path | None = None, *, now: datetime | None = None) -> DemoExchange:
        """Read the seed file (default: the shipped data/demo/exchange.json); relative times
        in it count from ``now`` (default: the clock)."""
        source = path or default_seed_path()
        try:
            data = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DemoStateError(f"{source}: cannot read the demo exchange's data: {exc}") from None
        state = cls()
        try:
            state._seed(data, now or _now())
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise DemoStateError(f"{source}: {type(exc).__name__}: {exc}") from None
        return state

    def _seed(self, data: dict[str, Any], now: datetime) -> None:
        networks: dict[str, Any] = data["networks"]
        for raw in data["customers"]:
            profile = CustomerProfile(
                id=raw["id"],
                email=raw.get("email"),
                name=raw.get("name"),
                vip=bool(raw["vip"]),
                vip_level=int(raw["vip_level"]),
                kyc_level=int(raw["kyc_level"]),
                frozen=bool(raw["frozen"]),
                locked=bool(raw.get("locked", False)),
                created_at=_absolute(raw.get("created_at")),
            )
            if profile.id in self._profiles:
                raise DemoStateError(f"customer {profile.id} appears twice")
            self._profiles[profile.id] = profile
            self._addresses[profile.id] = _addresses(raw["addresses"], networks)
            self._deposits[profile.id] = []
            self._withdrawals[profile.id] = []
            for item in raw.get("deposits", []):
                self._deposits[profile.id].append(_seed_deposit(item, now))
            for item in raw.get("withdrawals", []):
                self._withdrawals[profile.id].append(_seed_withdrawal(item, now))

    # --- what the API reads ---------------------------------------------------------------

    def customer_ids(self) -> list[str]:
        with self._lock:
            return list(self._profiles)

    def customer(self, customer_id: str) -> CustomerProfile | None:
        with self._lock:
            return self._profiles.get(customer_id)

    def find_by_email(self, email: str) -> CustomerProfile | None:
        wanted = email.strip().lower()
        with self._lock:
            for profile in self._profiles.values():
                if profile.email and profile.email.lower() == wanted:
                    return profile
        return None

    def deposit_addresses(
        self, customer_id: str, asset: str | None = None, network: str | None = None
    ) -> list[DepositAddress]:
        with self._lock:
            return [
                a
                for a in self._known(self._addresses, customer_id)
                if (asset is None or a.asset.upper() == asset.upper())
                and (network is None or a.network == network)
            ]

    def deposits(
        self, customer_id: str, *, tx_hash: str | None = None, limit: int = 20
    ) -> list[DepositRecord]:
        with self._lock:
            records = self._known(self._deposits, customer_id)
            if tx_hash is not None:
                wanted = tx_hash.lower().removeprefix("0x")
                records = [
                    d for d in records if (d.tx_hash or "").lower().removeprefix("0x") == wanted
                ]
            return sorted(records, key=lambda d: d.created_at, reverse=True)[:limit]

    def withdrawals(self, customer_id: str, *, limit: int = 20) -> list[WithdrawalRecord]:
        with self._lock:
            records = self._known(self._withdrawals, customer_id)
            return sorted(records, key=lambda w: w.created_at, reverse=True)[:limit]

    def withdrawal(self, customer_id: str, withdrawal_id: str) -> WithdrawalRecord | None:
        with self._lock:
            for record in self._withdrawals.get(customer_id, []):
                if record.id == withdrawal_id:
                    return record
        return None

    # --- what the demo world and the lock endpoint change ---------------------------------

    def add_deposit(
        self,
        customer_id: str,
        asset: str,
        network: str,
        tx_hash: str | None,
        address: str,
        memo: str | None,
        amount: Decimal,
        status: DepositStatus,
        confirmations: int | None = None,
    ) -> DepositRecord:
        _check_choice("deposit status", status, DEPOSIT_STATUSES)
        with self._lock:
            self._known(self._deposits, customer_id)
            now = _now()
            record = DepositRecord(
                id=self._new_id("D"),
                asset=asset,
                network=network,
                tx_hash=tx_hash,
                address=address,
                memo=memo,
                amount=_amount(amount),
                status=status,
                confirmations=confirmations,
                created_at=now,
                credited_at=now if status == "credited" else None,
            )
            self._deposits[customer_id].append(record)
            return record

    def set_deposit_status(
        self, deposit_id: str, status: DepositStatus, *, confirmations: int | None = None
    ) -> DepositRecord:
        """Move a deposit on (pending → credited, or rejected), with its confirmations."""
        _check_choice("deposit status", status, DEPOSIT_STATUSES)
        with self._lock:
            for records in self._deposits.values():
                for index, old in enumerate(records):
                    if old.id == deposit_id:
                        records[index] = replace(
                            old,
                            status=status,
                            confirmations=old.confirmations
                            if confirmations is None
                            else confirmations,
                            credited_at=(old.credited_at or _now())
                            if status == "credited"
                            else None,
                        )
                        return records[index]
        raise DemoStateError(f"no deposit {deposit_id}")

    def add_withdrawal(
        self,
        customer_id: str,
        asset: str,
        network: str,
        address: str,
        memo: str | None,
        amount: Decimal,
        fee: Decimal,
        status: WithdrawalStatus,
        *,
        hold_reason: str | None = None,
        release_at: datetime | None = None,
        tx_hash: str | None = None,
        failure_reason: str | None = None,
    ) -> WithdrawalRecord:
        with self._lock:
            self._known(self._withdrawals, customer_id)
            record = WithdrawalRecord(
                id=self._new_id("W"),
                asset=asset,
                network=network,
                address=address,
                memo=memo,
                amount=_amount(amount),
                fee=_amount(fee),
                status=status,
                hold_reason=hold_reason,
                release_at=release_at,
                tx_hash=tx_hash,
                failure_reason=failure_reason,
                created_at=_now(),
            )
            _check_withdrawal(record)
            self._withdrawals[customer_id].append(record)
            return record

    def update_withdrawal(self, withdrawal_id: str, **changes: Any) -> WithdrawalRecord:
        """Change fields of a withdrawal (``status``, ``tx_hash``, ``hold_reason``, …), e.g.
        to give the seeded "sent" withdrawal the hash of a transaction made on the local chain."""
        with self._lock:
            for records in self._withdrawals.values():
                for index, old in enumerate(records):
                    if old.id == withdrawal_id:
                        try:
                            new = replace(old, **changes)
                        except TypeError as exc:
                            raise DemoStateError(str(exc)) from None
                        _check_withdrawal(new)
                        records[index] = new
                        return new
        raise DemoStateError(f"no withdrawal {withdrawal_id}")

    def lock(self, customer_id: str, reason: str = "") -> datetime:
        """Lock the account; a second lock keeps the first moment. Returns when it was locked."""
        with self._lock:
            profile = self._profiles.get(customer_id)
            if profile is None:
                raise DemoStateError(f"no customer {customer_id}")
            if profile.locked:
                earlier = [e for e in self._locks if e.customer_id == customer_id]
                if earlier:
                    return earlier[0].locked_at
            moment = _now()
            self._profiles[customer_id] = replace(profile, locked=True, locked_at=moment)
            self._locks.append(LockEvent(customer_id, reason, moment))
            return moment

    def lock_events(self) -> list[LockEvent]:
        with self._lock:
            return list(self._locks)

    def reset_two_factor(self, customer_id: str, hold_hours: int, reference: str) -> TwoFactorReset:
        """Reset 2FA and hold withdrawals: open ones go ``on_hold`` (``2fa_reset``) until the
        hold ends, and the profile's ``withdrawals_held_until`` says when it ends. The same
        ``reference`` answers the same reset."""
        with self._lock:
            profile = self._profiles.get(customer_id)
            if profile is None:
                raise DemoStateError(f"no customer {customer_id}")
            for earlier in self._resets.values():
                if earlier.customer_id == customer_id and earlier.reference == reference:
                    return earlier
            now = _now()
            hold_until = now + timedelta(hours=hold_hours)
            reset = TwoFactorReset(
                self._new_id("R"), customer_id, "active", reference, hold_until, now, None
            )
            self._resets[reset.id] = reset
            self._held[reset.id] = []
            records = self._withdrawals[customer_id]
            for index, old in enumerate(records):
                if old.status in ("processing", "on_hold"):
                    self._held[reset.id].append(old)
                    release = max(old.release_at or hold_until, hold_until)
                    records[index] = replace(
                        old, status="on_hold", hold_reason="2fa_reset", release_at=release
                    )
            self._profiles[customer_id] = replace(profile, withdrawals_held_until=hold_until)
            return reset

    def cancel_two_factor_reset(self, customer_id: str, reset_id: str) -> TwoFactorReset:
        """Stop a reset: the old 2FA stays, the withdrawals it held are as they were before.
        Cancelling a cancelled reset answers it unchanged."""
        with self._lock:
            reset = self._resets.get(reset_id)
            if reset is None or reset.customer_id != customer_id:
                raise DemoStateError(f"no 2FA reset {reset_id}")
            if reset.status == "cancelled":
                return reset
            reset = replace(reset, status="cancelled", cancelled_at=_now())
            self._resets[reset_id] = reset
            before = {w.id: w for w in self._held.pop(reset_id, [])}
            records = self._withdrawals[customer_id]
            for index, current in enumerate(records):
                if current.id in before and current.hold_reason == "2fa_reset":
                    records[index] = before[current.id]
            profile = self._profiles[customer_id]
            self._profiles[customer_id] = replace(profile, withdrawals_held_until=None)
            return reset

    def two_factor_resets(self, customer_id: str) -> list[TwoFactorReset]:
        with self._lock:
            return [r for r in self._resets.values() if r.customer_id == customer_id]

    # --- request log (tests, the demo's console output) -----------------------------------

    def record_request(self, method: str, target: str) -> None:
        with self._lock:
            self._requests.append((method, target))
            del self._requests[:-1000]

    def requests_seen(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self._requests)

    # --- helpers --------------------------------------------------------------------------

    def _known(self, table: dict[str, list[Any]], customer_id: str) -> list[Any]:
        if customer_id not in table:
            raise DemoStateError(f"no customer {customer_id}")
        return list(table[customer_id])

    def _new_id(self, prefix: str) -> str:
        self._next_id += 1
        return f"{prefix}{self._next_id}"


def _absolute(value: object) -> datetime | None:
    if value is None:
        return None
    moment = parse_time(str(value))
    if moment is None:
        raise DemoStateError(f"'{value}' is not an RFC 3339 time")
    return moment


def _ago(now: datetime, hours: object) -> datetime:
    return (now - timedelta(hours=float(str(hours)))).replace(microsecond=0)


def _addresses(raw: dict[str, Any], networks: dict[str, Any]) -> list[DepositAddress]:
    result: list[DepositAddress] = []
    for network_id, entry in raw.items():
        network = networks[network_id]
        address = network.get("shared_address") or entry.get("address")
        if not address:
            raise DemoStateError(f"no deposit address on {network_id}")
        memo = entry.get("memo")
        for asset in network["assets"]:
            result.append(DepositAddress(asset, network_id, address, memo))
    return result


def _seed_deposit(item: dict[str, Any], now: datetime) -> DepositRecord:
    status = item["status"]
    _check_choice("deposit status", status, DEPOSIT_STATUSES)
    credited = item.get("credited_hours_ago")
    return DepositRecord(
        id=item["id"],
        asset=item["asset"],
        network=item["network"],
        tx_hash=item.get("tx_hash") or None,
        address=item["address"],
        memo=item.get("memo"),
        amount=_amount(Decimal(item["amount"])),
        status=status,
        confirmations=item.get("confirmations"),
        created_at=_ago(now, item["created_hours_ago"]),
        credited_at=None if credited is None else _ago(now, credited),
    )


def _seed_withdrawal(item: dict[str, Any], now: datetime) -> WithdrawalRecord:
    release = item.get("release_in_hours")
    record = WithdrawalRecord(
        id=item["id"],
        asset=item["asset"],
        network=item["network"],
        address=item["address"],
        memo=item.get("memo"),
        amount=_amount(Decimal(item["amount"])),
        fee=_amount(Decimal(item["fee"])),
        status=item["status"],
        hold_reason=item.get("hold_reason"),
        release_at=None if release is None else _ago(now, -float(release)),
        tx_hash=item.get("tx_hash") or None,
        failure_reason=item.get("failure_reason"),
        created_at=_ago(now, item["created_hours_ago"]),
    )
    _check_withdrawal(record)
    return record


def _check_withdrawal(record: WithdrawalRecord) -> None:
    _check_choice("withdrawal status", record.status, WITHDRAWAL_STATUSES)
    if record.hold_reason is not None:
        _check_choice("hold reason", record.hold_reason, HOLD_REASONS)
    if record.failure_reason is not None:
        _check_choice("failure reason", record.failure_reason, FAILURE_REASONS)
    if record.status == "on_hold" and record.release_at is None:
        raise DemoStateError(f"withdrawal {record.id} is on hold without a release time")
    try:
        check_withdrawal(record)
    except ValueError as exc:
        raise DemoStateError(str(exc)) from None


def _check_choice(what: str, value: object, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise DemoStateError(f"{what} '{value}' is not one of {', '.join(choices)}")


def _amount(value: Decimal) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        raise DemoStateError(f"amount {value!r} is not a non-negative Decimal")
    return value
