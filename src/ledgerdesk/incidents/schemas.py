"""API shapes for incidents: separate input and output models, unknown fields refused.
Inputs carry length limits only; what a value may be (a known intent or network, a status) is
checked by ``incidents.services``, so the console and the API give the same answers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ledgerdesk.core.intents import INTENTS
from ledgerdesk.core.types import Id, StrictBool, UtcDateTime
from ledgerdesk.incidents.services import MAX_BODY, MAX_TITLE

OpenStatus = Literal["investigating", "identified", "monitoring"]
Intent = Literal[INTENTS]  # type: ignore[valid-type]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class IncidentCreate(_In):
    """An incident. ``intent`` and ``network`` (at least one) choose the tickets it explains."""

    title_en: str = Field(min_length=1, max_length=MAX_TITLE)
    title_zh: str = Field(min_length=1, max_length=MAX_TITLE)
    body_en: str = Field(default="", max_length=MAX_BODY)
    body_zh: str = Field(default="", max_length=MAX_BODY)
    intent: Intent | None = Field(default=None, description="An intent of the taxonomy")
    network: str | None = Field(default=None, max_length=32)
    surge_id: Id | None = None


class IncidentUpdateIn(_In):
    """A public update; ``send``: also post it to every linked ticket (once each)."""

    body_en: str = Field(min_length=1, max_length=MAX_BODY)
    body_zh: str = Field(min_length=1, max_length=MAX_BODY)
    status: OpenStatus | None = None
    send: StrictBool = False


class IncidentResolve(_In):
    body_en: str = Field(default="", max_length=MAX_BODY)
    body_zh: str = Field(default="", max_length=MAX_BODY)
    solve: StrictBool = Field(default=False, description="Also solve every linked ticket")


class TicketLink(_In):
    ticket_id: Id


class UpdatePublic(BaseModel):
    id: int
    status: str
    body_en: str
    body_zh: str
    sent: bool
    created_at: UtcDateTime


class IncidentPublic(BaseModel):
    id: int
    title_en: str
    title_zh: str
    body_en: str
    body_zh: str
    status: str
    intent: str | None
    network: str | None
    surge_id: int | None
    started_at: UtcDateTime
    resolved_at: UtcDateTime | None
    status_url: str
    linked_ticket_ids: list[int]
    updates: list[UpdatePublic]


class IncidentList(BaseModel):
    items: list[IncidentPublic]
