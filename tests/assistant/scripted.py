"""A scripted stand-in for ``engine.answer`` (written on another branch), for the tests of the
desk's side: it returns ``Reply`` objects in the engine's real shape — an answer citing an
article and asking "did this solve it?", a handover with its summary, the account lock
offered and confirmed, the customer's yes and no — so recording, history, handover, routing,
notes, events and the widget's items are exercised for real.

``calls`` keeps what it was asked (text and context), so tests check what the desk passed."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ledgerdesk.ai.assistant.buttons import FEEDBACK_BUTTONS
from ledgerdesk.ai.assistant.types import Context, Reply, Source
from ledgerdesk.core.settings import Settings

SLUG = "deposit-confirmations"
LOCK_SLUG = "account-hacked-first-steps"
ANSWER = (
    "A BTC deposit is credited after 2 network confirmations, usually within 30 minutes.\n"
    "Source: How many confirmations a deposit needs — {url}\n"
    "Did this solve it?"
)
ANSWER_ZH = "比特币充值在 2 个网络确认后到账。\n来源：充值需要多少确认 — {url}\n问题解决了吗？"
calls: list[tuple[str, Context]] = []


def article_url(slug: str, base: str = "") -> str:
    return f"{base}/help/articles/{slug}"


def _summary(reason: str, text: str, context: Context, priority: str) -> dict[str, Any]:
    tried = sorted({slug for turn in context.history for slug in turn.citations})
    unsolved = sum(1 for turn in context.history if turn.feedback == "no")
    return {
        "reason": reason,
        "intent": {"account_compromised": "account_compromised"}.get(reason, "human_agent"),
        "language": _language(text),
        "priority": priority,
        "wants": text[:300],
        "tried": tried,
        "tools": [],
        "unsolved": unsolved + (1 if reason == "unsolved" else 0),
    }


def _language(text: str) -> str:
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return "zh-Hant" if any(ch in text for ch in "還幫決沒") else "zh-Hans"
    return "en"


def handover(reason: str, text: str, context: Context, **extra: Any) -> Reply:
    priority = str(extra.pop("priority", "normal"))
    words = extra.pop("words", "A person from our team will take over; they see this chat.")
    return Reply(
        action="handover",
        reply=words,
        reason=reason,
        language=_language(text),
        intent=_summary(reason, text, context, priority)["intent"],
        priority=priority,
        confidence=1.0,
        sources=[Source(kind="template", ref=f"handover.{reason}", lang="en", text=words)],
        summary=_summary(reason, text, context, priority),
        **extra,
    )


def _feedback(text: str) -> str | None:
    for yes, no in FEEDBACK_BUTTONS.values():
        if text == yes:
            return "yes"
        if text == no:
            return "no"
    return None


def answer(
    session: Session, text: str, context: Context, settings: Settings | None = None
) -> Reply:
    """The engine's decisions for the few messages the desk's tests send."""
    calls.append((text, context))
    last = context.history[-1] if context.history else None
    if last is not None and last.lock_offered and text.lower().startswith("yes"):
        return handover(
            "account_compromised",
            text,
            context,
            priority="urgent",
            words="Your account is locked now. A person from our security team will take over.",
            tool={"name": "lock", "verdict": "locked", "facts": {"locked": True}},
        )
    if "withdrawing my funds" in text or "盗" in text:
        return handover(
            "account_compromised",
            text,
            context,
            priority="urgent",
            lock_offered=True,
            citations=[LOCK_SLUG],
            words="Reply YES and we lock your account now. A person will take over; "
            f"first steps: {article_url(LOCK_SLUG)}",
        )
    if "links please" in text:  # what no engine says, and the widget must still render safely
        return Reply(
            action="answer",
            reply="javascript:alert(1) <b>bold</b> /help/../console https://ok.example/a?b=1, "
            "see /help/articles/x.",
            language="en",
            confidence=1.0,
        )
    if "person" in text.lower() or "转人工" in text or "轉人工" in text:
        return handover("asked_for_person", text, context)
    feedback = _feedback(text) if last is not None and last.asked_feedback else None
    if feedback == "yes":
        return Reply(
            action="answer",
            reply="Glad that solved it.",
            language=_language(text),
            confidence=1.0,
            feedback="yes",
            sources=[Source(kind="template", ref="resolved", lang="en", text="Glad")],
        )
    if feedback == "no":
        noes = 1 + sum(1 for turn in context.history if turn.feedback == "no")
        if noes >= 2:
            return handover("unsolved", text, context, feedback="no")
        return Reply(
            action="answer",
            reply="Sorry. Tell me more, or ask for a person.",
            language=_language(text),
            confidence=1.0,
            feedback="no",
            sources=[Source(kind="template", ref="offer_person", lang="en", text="Sorry")],
        )
    return _cited(text)


def _cited(text: str) -> Reply:
    language = _language(text)
    base = (settings_url() or "").rstrip("/")
    url = article_url(SLUG, base)
    words = (ANSWER_ZH if language.startswith("zh") else ANSWER).format(url=url)
    return Reply(
        action="answer",
        reply=words,
        citations=[SLUG],
        confidence=0.82,
        language=language,
        intent="deposit_missing",
        priority="normal",
        sources=[
            Source(
                kind="article",
                ref=SLUG,
                lang="zh-CN" if language.startswith("zh") else "en",
                text=words,
                url=article_url(SLUG),
                title="How many confirmations a deposit needs",
            )
        ],
        asks_feedback=True,
    )


def settings_url() -> str:
    from ledgerdesk.core.settings import get_settings

    return get_settings().public_url
