"""API shapes for official-channel verification: output models only (the API reads)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ledgerdesk.trust.models import ChannelKind, CheckResult, QueryKind


class ChannelPublic(BaseModel):
    id: int | None = Field(
        description="Registry id; null for a domain set in LEDGERDESK_OFFICIAL_DOMAINS"
    )
    kind: ChannelKind
    value: str = Field(description="Normalised value: domain, address, handle or E.164 number")
    label: str
    url: str | None = Field(description="Where the channel lives (https://, mailto:, tel:)")


class ChannelList(BaseModel):
    items: list[ChannelPublic]


class VerificationPublic(BaseModel):
    query: str
    kind: QueryKind = Field(description="What the query was recognised as")
    official: bool
    result: CheckResult
    channel: ChannelPublic | None = Field(description="The official channel it is, if any")
    lookalike_of: str | None = Field(description="The official domain or handle it imitates")
    reasons: list[str] = Field(
        description="Reason codes: punycode, homoglyph, mixed_script, typosquat, extra_words, "
        "lookalike_tld, brand_in_subdomain, brand_name, bidi_control, ip_address, watchlist"
    )
    message: str = Field(description="The answer in plain words, in the request's language")
    reported: bool = Field(
        default=False,
        description="Reported in confirmed scam reports (on the desk's watchlist): never send "
        "funds to it. A chain address is recognised (kind ``chain_address``) and checked.",
    )
    reported_values: list[str] = Field(
        default_factory=list, description="The watchlist entries it is, or falls under"
    )
