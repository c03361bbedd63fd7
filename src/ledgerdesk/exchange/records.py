"""The records the exchange answers with, read strictly from JSON and written back to it.

Times are RFC 3339 on the wire and naive UTC in Python (like ``core.clock.utcnow()``); amounts
are decimal strings on the wire (``"0.015"``, never a float) and ``Decimal`` in Python.
Anything of the wrong shape or type raises RecordError naming the field; unknown fields are
ignored so the exchange can add some without breaking the desk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, cast

DepositStatus = Literal["pending", "credited", "rejected"]
WithdrawalStatus = Literal["processing", "on_hold", "sent", "failed", "cancelled"]
DEPOSIT_STATUSES: tuple[DepositStatus, ...] = ("pending", "credited", "rejected")
WITHDRAWAL_STATUSES: tuple[WithdrawalStatus, ...] = (
    "processing",
    "on_hold",
    "sent",
    "failed",
    "cancelled",
)
HOLD_REASONS = ("2fa_reset", "password_change", "new_device", "risk_review")
FAILURE_REASONS = (
    "invalid_address",
    "insufficient_balance",
    "network_maintenance",
    "rejected_by_risk",
    "chain_failure",
)
_DECIMAL = re.compile(r"^\d{1,30}(\.\d{1,30})?$")
_MAX_TEXT = 512


class RecordError(ValueError):
    """A record from the exchange is not what the contract says."""


@dataclass(frozen=True)
class CustomerProfile:
    id: str
    email: str | None
    name: str | None
    vip: bool
    vip_level: int
    kyc_level: int
    frozen: bool
    locked: bool
    created_at: datetime | None
    # Optional in the contract (older exchanges omit them): when the account was locked, and
    # until when withdrawals are held by a 2FA reset.
    locked_at: datetime | None = None
    withdrawals_held_until: datetime | None = None


@dataclass(frozen=True)
class TwoFactorReset:
    """A 2FA reset at the exchange: ``active`` while its withdrawal hold runs, ``cancelled``
    once stopped (the old 2FA stays and the hold it placed is lifted)."""

    id: str
    customer_id: str
    status: Literal["active", "cancelled"]
    reference: str
    hold_until: datetime
    created_at: datetime
    cancelled_at: datetime | None


@dataclass(frozen=True)
class DepositAddress:
    asset: str
    network: str
    address: str
    memo: str | None


@dataclass(frozen=True)
class DepositRecord:
    id: str
    asset: str
    network: str
    tx_hash: str | None
    address: str
    memo: str | None
    amount: Decimal
    status: DepositStatus
    confirmations: int | None
    created_at: datetime
    credited_at: datetime | None


@dataclass(frozen=True)
class WithdrawalRecord:
    id: str
    asset: str
    network: str
    address: str
    memo: str | None
    amount: Decimal
    fee: Decimal
    status: WithdrawalStatus
    hold_reason: str | None
    release_at: datetime | None
    tx_hash: str | None
    failure_reason: str | None
    created_at: datetime


# --- reading ------------------------------------------------------------------------------


class _Fields:
    """Typed access to one JSON object's fields, naming the record and field in errors."""

    def __init__(self, value: object, what: str) -> None:
        if not isinstance(value, dict):
            raise RecordError(f"{what} is not a JSON object")
        self.data: dict[str, Any] = value
        self.what = what

    def get(self, key: str, optional: bool) -> object:
        if key not in self.data:
            if optional:
                return None
            raise RecordError(f"{self.what} has no '{key}'")
        value = self.data[key]
        if value is None and not optional:
            raise RecordError(f"{self.what}.{key} is null")
        return value

    def _fail(self, key: str, expected: str) -> RecordError:
        return RecordError(f"{self.what}.{key} is not {expected}")

    def text(self, key: str) -> str:
        value = self.get(key, False)
        if not isinstance(value, str) or not value.strip() or len(value) > _MAX_TEXT:
            raise self._fail(key, f"a non-empty string of at most {_MAX_TEXT} characters")
        return value

    def opt_text(self, key: str) -> str | None:
        value = self.get(key, True)
        if value is None or value == "":
            return None
        return self.text(key)

    def boolean(self, key: str) -> bool:
        value = self.get(key, False)
        if not isinstance(value, bool):
            raise self._fail(key, "true or false")
        return value

    def integer(self, key: str, low: int = 0, high: int = 10**12) -> int:
        value = self.get(key, False)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self._fail(key, f"an integer from {low} to {high}")
        return value

    def opt_integer(self, key: str) -> int | None:
        return None if self.get(key, True) is None else self.integer(key)

    def decimal(self, key: str) -> Decimal:
        value = self.get(key, False)
        if not isinstance(value, str) or not _DECIMAL.match(value):
            raise self._fail(key, 'a non-negative decimal amount written as a string, e.g. "0.015"')
        try:
            return Decimal(value)
        except InvalidOperation:  # pragma: no cover - the pattern already excludes these
            raise self._fail(key, "a decimal amount") from None

    def time(self, key: str) -> datetime:
        value = self.get(key, False)
        parsed = parse_time(value) if isinstance(value, str) else None
        if parsed is None:
            raise self._fail(key, "an RFC 3339 time with an offset, e.g. 2025-01-31T08:00:00Z")
        return parsed

    def opt_time(self, key: str) -> datetime | None:
        return None if self.get(key, True) is None else self.time(key)

    def choice(self, key: str, choices: tuple[str, ...]) -> str:
        value = self.get(key, False)
        if value not in choices:
            raise self._fail(key, "one of " + ", ".join(choices))
        return str(value)

    def opt_choice(self, key: str, choices: tuple[str, ...]) -> str | None:
        return None if self.get(key, True) is None else self.choice(key, choices)


_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
)


def parse_time(value: str) -> datetime | None:
    """An RFC 3339 time as naive UTC, or None when it is not one (an offset is required)."""
    if not _RFC3339.match(value):
        return None
    text = value.upper().replace(" ", "T").replace("Z", "+00:00")
    head, dot, rest = text.partition(".")
    if dot:  # Python reads at most microseconds; the contract allows nanoseconds
        digits = re.match(r"\d+", rest)
        assert digits is not None  # the pattern guarantees digits after the dot
        text = f"{head}.{digits.group()[:6].ljust(6, '0')}{rest[digits.end() :]}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None)


def parse_profile(value: object) -> CustomerProfile:
    f = _Fields(value, "customer")
    return CustomerProfile(
        id=f.text("id"),
        email=f.opt_text("email"),
        name=f.opt_text("name"),
        vip=f.boolean("vip"),
        vip_level=f.integer("vip_level", 0, 100),
        kyc_level=f.integer("kyc_level", 0, 10),
        frozen=f.boolean("frozen"),
        locked=f.boolean("locked"),
        created_at=f.opt_time("created_at"),
        locked_at=f.opt_time("locked_at"),
        withdrawals_held_until=f.opt_time("withdrawals_held_until"),
    )


RESET_STATUSES = ("active", "cancelled")


def parse_reset(value: object) -> TwoFactorReset:
    f = _Fields(value, "2fa reset")
    return TwoFactorReset(
        id=f.text("reset_id"),
        customer_id=f.text("customer_id"),
        status=cast(Literal["active", "cancelled"], f.choice("status", RESET_STATUSES)),
        reference=f.text("reference"),
        hold_until=f.time("hold_until"),
        created_at=f.time("created_at"),
        cancelled_at=f.opt_time("cancelled_at"),
    )


def parse_address(value: object) -> DepositAddress:
    f = _Fields(value, "deposit address")
    return DepositAddress(
        asset=f.text("asset"),
        network=f.text("network"),
        address=f.text("address"),
        memo=f.opt_text("memo"),
    )


def parse_deposit(value: object) -> DepositRecord:
    f = _Fields(value, "deposit")
    return DepositRecord(
        id=f.text("id"),
        asset=f.text("asset"),
        network=f.text("network"),
        tx_hash=f.opt_text("tx_hash"),
        address=f.text("address"),
        memo=f.opt_text("memo"),
        amount=f.decimal("amount"),
        status=cast(DepositStatus, f.choice("status", DEPOSIT_STATUSES)),
        confirmations=f.opt_integer("confirmations"),
        created_at=f.time("created_at"),
        credited_at=f.opt_time("credited_at"),
    )


def parse_withdrawal(value: object) -> WithdrawalRecord:
    f = _Fields(value, "withdrawal")
    record = WithdrawalRecord(
        id=f.text("id"),
        asset=f.text("asset"),
        network=f.text("network"),
        address=f.text("address"),
        memo=f.opt_text("memo"),
        amount=f.decimal("amount"),
        fee=f.decimal("fee"),
        status=cast(WithdrawalStatus, f.choice("status", WITHDRAWAL_STATUSES)),
        hold_reason=f.opt_choice("hold_reason", HOLD_REASONS),
        release_at=f.opt_time("release_at"),
        tx_hash=f.opt_text("tx_hash"),
        failure_reason=f.opt_choice("failure_reason", FAILURE_REASONS),
        created_at=f.time("created_at"),
    )
    check_withdrawal(record)
    return record


def check_withdrawal(record: WithdrawalRecord) -> None:
    """The fields a status needs: a hold has its reason, a failure its reason."""
    if record.status == "on_hold" and record.hold_reason is None:
        raise RecordError(f"withdrawal {record.id} is on hold without a hold_reason")
    if record.status == "failed" and record.failure_reason is None:
        raise RecordError(f"withdrawal {record.id} failed without a failure_reason")


def parse_list(payload: object, key: str, parse: Any) -> list[Any]:
    """``payload[key]`` as a list of records read by ``parse``."""
    f = _Fields(payload, "the answer")
    items = f.get(key, False)
    if not isinstance(items, list):
        raise RecordError(f"the answer's '{key}' is not a list")
    return [parse(item) for item in items]


# --- writing (the demo exchange; tests) -----------------------------------------------------


def format_time(moment: datetime) -> str:
    """Naive UTC (or aware) → RFC 3339 in UTC with a Z, whole seconds."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + "Z"


def _opt_time(moment: datetime | None) -> str | None:
    return None if moment is None else format_time(moment)


def profile_json(p: CustomerProfile) -> dict[str, Any]:
    return {
        "id": p.id,
        "email": p.email,
        "name": p.name,
        "vip": p.vip,
        "vip_level": p.vip_level,
        "kyc_level": p.kyc_level,
        "frozen": p.frozen,
        "locked": p.locked,
        "created_at": _opt_time(p.created_at),
        "locked_at": _opt_time(p.locked_at),
        "withdrawals_held_until": _opt_time(p.withdrawals_held_until),
    }


def reset_json(r: TwoFactorReset) -> dict[str, Any]:
    return {
        "reset_id": r.id,
        "customer_id": r.customer_id,
        "status": r.status,
        "reference": r.reference,
        "hold_until": format_time(r.hold_until),
        "created_at": format_time(r.created_at),
        "cancelled_at": _opt_time(r.cancelled_at),
    }


def address_json(a: DepositAddress) -> dict[str, Any]:
    return {"asset": a.asset, "network": a.network, "address": a.address, "memo": a.memo}


def deposit_json(d: DepositRecord) -> dict[str, Any]:
    return {
        "id": d.id,
        "asset": d.asset,
        "network": d.network,
        "tx_hash": d.tx_hash,
        "address": d.address,
        "memo": d.memo,
        "amount": format(d.amount, "f"),
        "status": d.status,
        "confirmations": d.confirmations,
        "created_at": format_time(d.created_at),
        "credited_at": _opt_time(d.credited_at),
    }


def withdrawal_json(w: WithdrawalRecord) -> dict[str, Any]:
    return {
        "id": w.id,
        "asset": w.asset,
        "network": w.network,
        "address": w.address,
        "memo": w.memo,
        "amount": format(w.amount, "f"),
        "fee": format(w.fee, "f"),
        "status": w.status,
        "hold_reason": w.hold_reason,
        "release_at": _opt_time(w.release_at),
        "tx_hash": w.tx_hash,
        "failure_reason": w.failure_reason,
        "created_at": format_time(w.created_at),
    }
