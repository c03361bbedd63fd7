"""What the assistant works with and answers: the shapes every part of ``ai/assistant``
shares (the engine, the backends, the tools, the desk integration and the evaluation)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Action = Literal["answer", "handover"]

# Why the assistant handed over instead of answering (docs/assistant.md, "The policy").
HANDOVER_REASONS: tuple[str, ...] = (
    "asked_for_person",  # 转人工, "agent please"
    "account_compromised",  # funds being taken, someone else in the account
    "complaint",  # formal complaint, compensation or legal demand
    "staff_only",  # reverse/cancel a withdrawal, unfreeze, delete data, ...
    "not_covered",  # no published article covers the topic (staking yields, advice, ...)
    "low_confidence",  # retrieval found nothing good enough
    "unsolved",  # two unsolved turns
    "needs_person",  # a tool's verdict says a person must act (e.g. a deposit to recover)
    "needs_account",  # the question needs the customer's account and none is known
)


@dataclass(frozen=True)
class Source:
    """One thing a reply was built from. ``text``: exactly what the reply may draw on (an
    article section with the exchange's values filled in, a tool's facts as sentences, or a
    fixed template's words)."""

    kind: Literal["article", "tool", "template"]
    ref: str  # article slug, tool name ("deposit_check", "withdrawal_record", ...), template key
    lang: str  # "en" | "zh-CN"
    text: str
    url: str = ""  # the article's help-center link ("/help/articles/<slug>"), else ""
    title: str = ""


@dataclass(frozen=True)
class PriorTurn:
    """One earlier assistant reply in the same conversation, oldest first."""

    action: Action
    reason: str | None = None
    citations: tuple[str, ...] = ()
    asked_feedback: bool = False  # ended with "did this solve it?"
    feedback: Literal["yes", "no"] | None = None  # the customer's answer to it, once given
    lock_offered: bool = False  # offered to lock the account, awaiting confirmation
    intent: str | None = None


@dataclass(frozen=True)
class Context:
    """Who is asking and what came before. ``customer_ref``: the exchange's id of the customer
    (chat token, portal session or ``--customer``); None means account tools are unavailable.
    ``locale``: the interface language when the text alone cannot tell ("en" | "zh-CN")."""

    customer_ref: str | None = None
    customer_id: int | None = None
    locale: str | None = None
    history: tuple[PriorTurn, ...] = ()
    channel: str = "cli"  # "chat" | "portal" | "help" | "console" | "cli"


@dataclass(frozen=True)
class FaithCheck:
    """The faithfulness check of one reply: every number, amount, duration, network name and
    URL in it must appear in its sources. ``fell_back``: a generated reply failed and the
    extractive one went out instead; then ``ok`` is False, ``unsupported`` lists the generated
    reply's unsupported claims and ``reason`` says why it failed (generative.FALLBACK_REASONS:
    "unsupported", "language", "citation", "refused_url", "timeout", "unavailable",
    "bad_response")."""

    ok: bool
    unsupported: tuple[str, ...] = ()
    fell_back: bool = False
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "ok": self.ok,
            "unsupported": list(self.unsupported),
            "fell_back": self.fell_back,
        }
        if self.reason:
            found["reason"] = self.reason
        return found


@dataclass
class Reply:
    """The assistant's answer to one customer message.

    ``reply`` is what the customer reads, in their language and script. ``language``:
    ``en``, ``zh-Hans`` or ``zh-Hant``. ``summary`` (handovers): what the agent needs, as data
    (see ``handover_summary`` in docs/assistant.md) so the console renders it in the agent's
    language. ``feedback``: this message answered the previous reply's "did this solve it?".
    """

    action: Action
    reply: str
    citations: list[str] = field(default_factory=list)
    confidence: float = 0.0
    reason: str | None = None  # one of HANDOVER_REASONS when action == "handover"
    language: str = "en"
    intent: str | None = None
    priority: str | None = None  # triage's priority; "urgent" for a compromised account
    sources: list[Source] = field(default_factory=list)
    backend: str = "extractive"
    model: str = ""
    check: FaithCheck = field(default_factory=lambda: FaithCheck(ok=True))
    tool: dict[str, Any] | None = None  # {"name": ..., "verdict": ..., "facts": {...}}
    asks_feedback: bool = False
    lock_offered: bool = False
    feedback: Literal["yes", "no"] | None = None
    summary: dict[str, Any] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        """The ``ledgerdesk assistant ask`` line (fixed contract)."""
        return {
            "action": self.action,
            "reply": self.reply,
            "citations": list(self.citations),
            "confidence": round(float(self.confidence), 4),
        }
