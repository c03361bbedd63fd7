"""API schemas of cases: the customer's filing (the Annex fields) and what a case shows."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ledgerdesk.core.types import UtcDateTime


class ComplaintCreate(BaseModel):
    """A complaint or appeal filed by the signed-in customer (portal session)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: Literal["complaint", "appeal"] = "complaint"
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(
        min_length=3,
        max_length=320,
        description="Where our answers go",
        json_schema_extra={"format": "email"},
    )
    phone: str = Field(default="", max_length=100)
    account_id: str = Field(default="", max_length=200)
    facts_dates: str = Field(default="", max_length=200, description="Date(s) of the facts")
    what_happened: str = Field(min_length=1, max_length=5000)
    points: list[str] = Field(
        min_length=1, max_length=20, description="The points complained about, one each"
    )
    wants: str = Field(min_length=1, max_length=5000, description="What the client wants")
    refs: str = Field(default="", max_length=1000, description="Related ticket/tx references")
    subject: str = Field(default="", max_length=300)
    topic: str = Field(default="other", max_length=32)
    appeal_of: Literal["", "frozen_account", "rejected_kyc"] = ""
    language: Literal["en", "zh-CN"] = "en"
    payout_address: str = Field(
        default="", max_length=64, description="EVM address for compensation (optional)"
    )


class CaseStepPublic(BaseModel):
    seq: int
    step: str
    actor_type: str
    at: UtcDateTime


class CasePublic(BaseModel):
    id: int
    reference: str
    kind: str
    status: str
    subject: str
    topic: str
    language: str
    channel: str
    jurisdiction: str | None
    customer_id: int
    ticket_id: int | None
    team_id: int | None
    assignee_id: int | None
    points: list[str]
    received_at: UtcDateTime
    acknowledged_at: UtcDateTime | None
    due_at: UtcDateTime | None
    limit_at: UtcDateTime | None
    decided_at: UtcDateTime | None
    closed_at: UtcDateTime | None
    outcome: str | None
    overdue: bool
    url: str
    steps: list[CaseStepPublic] = Field(default_factory=list)
    details: dict[str, Any] = Field(default_factory=dict)


class CaseList(BaseModel):
    items: list[CasePublic]
    total: int
    page: int
