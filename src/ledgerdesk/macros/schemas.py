"""API shapes for macros: separate input and output models, unknown fields refused. Lengths
only here; what a value may be is checked by ``macros.services.check_macro``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ledgerdesk.core.types import Id, StrictBool, UtcDateTime

TagName = Annotated[str, Field(min_length=1, max_length=64)]
MacroStatus = Literal["open", "pending", "on_hold", "solved"]


class MacroCreate(BaseModel):
    """A canned reply. Placeholders: {{customer.name}}, {{customer.external_id}},
    {{ticket.id}}, {{ticket.subject}}, {{agent.name}}, {{kb:<article-slug>}}."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=480)
    body_en: str = Field(default="", max_length=10_000, description="The reply in English")
    body_zh: str = Field(default="", max_length=10_000, description="The reply in Chinese")
    shared: StrictBool = Field(
        default=False, description="Shared with every agent (leads and admins); else personal"
    )
    status: MacroStatus | None = Field(
        default=None, description="Status set when the reply is sent"
    )
    tags: list[TagName] = Field(default_factory=list, max_length=10, description="Tags to add")
    team_id: Id | None = Field(default=None, description="Move the ticket to this team")


class MacroUpdate(BaseModel):
    """The whole macro (PUT replaces it); whether it is shared does not change."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=480)
    body_en: str = Field(default="", max_length=10_000)
    body_zh: str = Field(default="", max_length=10_000)
    status: MacroStatus | None = None
    tags: list[TagName] = Field(default_factory=list, max_length=10)
    team_id: Id | None = None


class MacroPublic(BaseModel):
    id: int
    name: str
    body_en: str
    body_zh: str
    shared: bool
    owner_id: int | None
    status: str | None
    tags: list[str]
    team_id: int | None
    created_at: UtcDateTime
    updated_at: UtcDateTime


class MacroList(BaseModel):
    items: list[MacroPublic] = Field(description="Shared macros first, then your own")


class MacroApplied(BaseModel):
    """The filled reply in the ticket's language, and the status to send it with (the
    macro's team and tags are already applied)."""

    macro_id: int
    ticket_id: int
    language: str = Field(description="zh or en")
    body: str
    status: str | None
