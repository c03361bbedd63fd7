"""API shapes for webhooks: separate input and output models, unknown fields refused. The
secret appears only in ``WebhookWithSecret`` (create and rotate)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ledgerdesk.channels.webhooks.events import EventType
from ledgerdesk.channels.webhooks.services import MAX_DESCRIPTION, MAX_URL
from ledgerdesk.core.types import StrictBool, UtcDateTime

DeliveryStatus = Literal["pending", "delivered", "failed", "dead"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class WebhookCreate(_In):
    url: str = Field(
        min_length=1,
        max_length=MAX_URL,
        description="Where events are POSTed: https:// (or http://) on a public address",
        examples=["https://hooks.example.com/ledgerdesk"],
    )
    description: str = Field(default="", max_length=MAX_DESCRIPTION)
    events: list[EventType] = Field(
        default_factory=list, max_length=50, description="Event types to send; empty: all"
    )
    active: StrictBool = True


class WebhookUpdate(_In):
    """Fields left out stay as they are."""

    url: str | None = Field(default=None, min_length=1, max_length=MAX_URL)
    description: str | None = Field(default=None, max_length=MAX_DESCRIPTION)
    events: list[EventType] | None = Field(default=None, max_length=50)
    active: StrictBool | None = None


class WebhookPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    url: str
    description: str
    events: list[str] = Field(description="Subscribed event types; empty: all")
    active: bool
    disabled_reason: str | None = Field(description="Why the desk turned it off, if it did")
    created_at: UtcDateTime
    updated_at: UtcDateTime


class WebhookWithSecret(WebhookPublic):
    secret: str = Field(description="The signing secret: shown only in this answer; keep it")


class WebhookList(BaseModel):
    items: list[WebhookPublic]


class DeliveryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    endpoint_id: int
    event_id: int | None
    event_type: str
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None
    last_error: str | None
    last_duration_ms: int | None
    next_attempt_at: UtcDateTime | None
    delivered_at: UtcDateTime | None
    replay_of_id: int | None
    created_at: UtcDateTime


class DeliveryDetail(DeliveryPublic):
    payload: dict[str, Any] = Field(description="The JSON body sent (the same on every attempt)")


class DeliveryList(BaseModel):
    items: list[DeliveryPublic]
    next_before: int | None = Field(description="Pass as 'before' for older deliveries")
