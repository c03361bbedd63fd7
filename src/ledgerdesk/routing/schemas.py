"""API shapes for triage and routing: separate input and output models, unknown fields refused.

Inputs carry length limits only; what a value may be (a known intent, an existing team) is
checked by ``routing.services.check_rule`` and ``do_correct_intent``, so the console and the API
give the same answers."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ledgerdesk.core.text import has_control
from ledgerdesk.core.types import MAX_ID as MAX_ID  # re-exported for the console
from ledgerdesk.core.types import Id, StrictBool, UtcDateTime
from ledgerdesk.routing.services import MAX_RULE_NAME, MAX_RULES

Label = Annotated[str, Field(min_length=1, max_length=64)]
LanguageCode = Annotated[str, Field(min_length=1, max_length=16)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RuleCreate(_In):
    """A routing rule. Conditions left empty (or null) match anything; a rule must do at
    least one thing: set a team, raise the priority, add a tag, escalate or stop."""

    name: str = Field(min_length=1, max_length=MAX_RULE_NAME)
    intents: list[Label] = Field(
        default_factory=list, max_length=100, description="Match any of these intents"
    )
    languages: list[LanguageCode] = Field(
        default_factory=list,
        max_length=10,
        description="Match any of these languages: zh-Hans, zh-Hant, en, other",
    )
    vip: StrictBool | None = Field(default=None, description="null: any customer")
    distressed: StrictBool | None = Field(default=None, description="null: any tone")
    uncertain: StrictBool | None = Field(
        default=None, description="true: only messages the model could not classify"
    )
    team_id: Id | None = Field(default=None, description="Route to this team")
    priority: str | None = Field(
        default=None,
        max_length=16,
        description="Raise the priority to at least: low, normal, high, urgent",
    )
    tag: str | None = Field(default=None, max_length=64, description="Add this tag")
    stop: StrictBool = Field(default=False, description="Run no further rules")
    enabled: StrictBool = True
    escalate: StrictBool = Field(
        default=False, description="Escalate the ticket to the next tier (once per ticket)"
    )

    @field_validator("name", "tag")
    @classmethod
    def _no_control_characters(cls, value: str | None) -> str | None:
        if value is not None and has_control(value):
            raise ValueError("must not contain control characters")
        return value


class RuleUpdate(RuleCreate):
    """The whole rule, as for creation (PUT replaces it)."""


class RuleMove(_In):
    offset: int = Field(
        ge=-MAX_RULES,
        le=MAX_RULES,
        description="Places to move: -1 is one place earlier (runs sooner), +1 one place later",
    )


class RulePublic(BaseModel):
    id: int
    position: int
    name: str
    enabled: bool
    intents: list[str]
    languages: list[str]
    vip: bool | None
    distressed: bool | None
    uncertain: bool | None
    team_id: int | None
    priority: str | None
    tag: str | None
    stop: bool
    escalate: bool
    created_at: UtcDateTime
    updated_at: UtcDateTime


class RuleList(BaseModel):
    items: list[RulePublic] = Field(description="In the order they run")


class IntentScore(BaseModel):
    intent: str
    confidence: float


class RuleRef(BaseModel):
    id: int
    name: str | None = Field(description="null when the rule has since been deleted")


class PredictionPublic(BaseModel):
    id: int
    ticket_id: int
    message_id: int | None
    created_at: UtcDateTime
    model_version: str
    intent: str = Field(description="The model's best label, even when uncertain")
    intent_confidence: float
    uncertain: bool = Field(description="Below the confidence floor: sent to first line (L1)")
    alternatives: list[IntentScore]
    language: str
    language_confidence: float
    sentiment: str
    sentiment_confidence: float
    distressed: bool
    distressed_confidence: float
    amount_usd: float
    priority: str
    team_id: int | None
    rules: list[RuleRef] = Field(description="The rules that matched, in order")
    reasons: list[str]
    applied: dict[str, Any] = Field(description="What triage changed on the ticket")


class PredictionList(BaseModel):
    items: list[PredictionPublic] = Field(description="Newest first")


class IntentCorrection(_In):
    intent: Label = Field(description="One of the known intents")


class CorrectionPublic(BaseModel):
    """The training example an agent's correction made (one per ticket)."""

    id: int
    ticket_id: int | None
    intent: str = Field(description="The corrected label")
    previous_intent: str | None = Field(description="What the model (or the ticket) said")
    previous_confidence: float | None
    language: str
    model_version: str | None
    agent_id: int | None
    created_at: UtcDateTime
    updated_at: UtcDateTime
