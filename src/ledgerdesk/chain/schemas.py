"""JSON in and out of the self-service checks and the registry."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ledgerdesk.core.types import Id


class DepositCheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    network: str = Field(min_length=1, max_length=64, examples=["ethereum"])
    asset: str = Field(min_length=1, max_length=32, examples=["USDT"])
    tx_hash: str = Field(min_length=1, max_length=200, examples=["0x5c50…"])
    # Agents only: check on behalf of this customer (the desk's customer id).
    customer_id: Id | None = None


class WithdrawalCheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reference: str = Field(
        min_length=1,
        max_length=128,
        description="The exchange's withdrawal ID, or the withdrawal's transaction ID",
    )
    customer_id: Id | None = None


class CheckPublic(BaseModel):
    """One answer: the verdict, its facts, and what to tell the customer in ``language``."""

    check_id: int
    kind: Literal["deposit", "withdrawal"]
    verdict: str
    network: str | None
    asset: str | None
    tx_hash: str | None
    needs_person: bool
    ticket_id: int | None
    facts: dict[str, Any]
    title: str
    explanation: str
    next_step: str
    language: Literal["en", "zh-CN"]


class AssetPublic(BaseModel):
    symbol: str
    contract: str | None
    standard: str | None
    decimals: int
    min_deposit: str
    confirmations_to_credit: int
    confirmations_to_unlock: int


class NetworkPublic(BaseModel):
    id: str
    name: str
    family: str
    testnet: bool
    memo_required: bool
    block_time_seconds: float
    checkable: bool  # a node is configured, so the desk can look transactions up
    assets: list[AssetPublic]


class NetworkList(BaseModel):
    items: list[NetworkPublic]
