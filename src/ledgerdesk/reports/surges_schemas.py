"""The API's view of surge alerts."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from ledgerdesk.core.types import UtcDateTime


class SurgeAlertPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    intent: str
    network: str | None
    window_start: UtcDateTime
    window_end: UtcDateTime
    observed: int
    expected: float
    score: float
    example_ticket_ids: list[int]
    status: str
    incident_id: int | None
    created_at: UtcDateTime
    last_seen_at: UtcDateTime


class SurgeAlertList(BaseModel):
    alerts: list[SurgeAlertPublic]
