"""The assistant's tools: the chain diagnosis and the customer's account facts (owned by the
tools branch)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ledgerdesk.ai.assistant.types import Context, Source


@dataclass
class ToolAnswer:
    """What the tools found for one message. ``text``: the reply's words (reviewed verdict
    sentences with the facts filled in), in ``lang``. ``needs_person``: hand over (reason
    ``needs_person``) after saying ``text``. ``asks_for``: what the assistant must ask for
    because the message lacks it ("tx_hash" | "network" | None)."""

    name: str  # deposit_check | withdrawal_check | deposit_records | withdrawal_records | lock
    text: str
    lang: str
    sources: list[Source] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    verdict: str | None = None
    needs_person: bool = False
    asks_for: str | None = None
    citations: list[str] = field(default_factory=list)


def run_tools(text: str, context: Context, lang: str) -> ToolAnswer | None:
    """The tool answer for ``text``, or None when no tool applies."""
    raise NotImplementedError("the tools branch replaces this module")


def lock_account(context: Context, lang: str) -> ToolAnswer:
    """Lock the customer's account through the exchange connector (after they confirmed)."""
    raise NotImplementedError("the tools branch replaces this module")
