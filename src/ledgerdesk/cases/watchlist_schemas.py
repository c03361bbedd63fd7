"""API shapes for the watchlist: separate input and output models, unknown fields refused.
Inputs carry length limits only; what a value may be is checked by ``cases.watchlist`` so the
console, the CSV import and the API give the same answers."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ledgerdesk.cases.watchlist_models import WatchKind
from ledgerdesk.core.types import Id, StrictBool, UtcDateTime


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class EntryCreate(_In):
    """One value to watch. ``kind`` empty: recognised from the value (an address of a known
    family, else a link or domain)."""

    value: str = Field(
        min_length=1, max_length=600, examples=["0x52908400098527886E0F7030069857D2E4169EE7"]
    )
    kind: WatchKind | None = None
    network: str = Field(
        default="", max_length=32, description="Registry network id or family, for an address"
    )
    note: str = Field(default="", max_length=500)
    source: str = Field(default="", max_length=120, description="Where it was reported")


class EntryUpdate(_In):
    note: str | None = Field(default=None, max_length=500)
    active: StrictBool | None = None


class EntryPublic(BaseModel):
    id: int
    kind: WatchKind
    network: str | None
    value: str
    note: str
    source: str
    case_id: Id | None
    active: bool
    added_at: UtcDateTime
    deactivated_at: UtcDateTime | None


class EntryPage(BaseModel):
    items: list[EntryPublic]
    total: int
    page: int


class CheckPublic(BaseModel):
    value: str
    listed: bool = Field(description="Whether the value is (or falls under) an active entry")
    entries: list[EntryPublic]
    message: str = Field(description="The answer in plain words, in the request's language")


class FromCasePublic(BaseModel):
    added: list[EntryPublic]
    already_listed: list[EntryPublic]
    refused: list[str] = Field(description="Values of the case that could not be added, and why")
