"""The assistant's decision for one customer message (SPEC "The engine's decisions").

In order: the turn state (an answer to "did this solve it?", a confirmation of the offer to
lock the account), the handover policy, the tools (chain and account checks), then the best
section of the best published article. Every word of a reply comes from an article, a tool
result or a reviewed template (``replies``); the backend may reword answers afterwards
(``generative.finish_reply``) under a faithfulness check. Reads only: the desk records.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.ai.assistant import generative, policy, tools
from ledgerdesk.ai.assistant.replies import say, template_source
from ledgerdesk.ai.assistant.retrieval import Retrieved, retrieve
from ledgerdesk.ai.assistant.script import article_lang, customer_script, in_script
from ledgerdesk.ai.assistant.types import Context, Reply, Source
from ledgerdesk.ai.embeddings import EmbeddingsUnavailable
from ledgerdesk.ai.triage import TriageResult, get_triager
from ledgerdesk.ai.triage.model import ModelError
from ledgerdesk.core.settings import Settings, get_settings
from ledgerdesk.kb.models import Article, ArticleStatus
from ledgerdesk.kb.render import substitute, variables

log = logging.getLogger("ledgerdesk.assistant")

FIRST_STEPS_ARTICLE = "account-hacked-first-steps"
WANTS_CHARS = 300
UNSOLVED_LIMIT = 2  # the second "no" hands over


@dataclass
class _Turn:
    """What one call knows: the message, who asks, in which language, what triage says."""

    session: Session
    text: str
    context: Context
    settings: Settings
    script: str
    lang: str  # article and template language
    triage: TriageResult | None
    feedback: policy.Feedback | None = None
    parts: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)

    @property
    def intent(self) -> str | None:
        return self.triage.intent if self.triage else None

    def template(self, key: str, **values: str) -> None:
        text = say(key, self.lang, **values)
        self.parts.append(text)
        self.sources.append(template_source(key, self.lang, text))

    def cite(self, slug: str, title: str) -> None:
        if slug not in self.citations:
            self.citations.append(slug)
            self.template("citation", title=title, url=self.link(slug))

    def portal(self, path: str) -> str:
        return f"{self.settings.public_url.strip().rstrip('/')}{path}"

    def link(self, slug: str) -> str:
        return f"{self.settings.public_url.strip().rstrip('/')}/help/articles/{slug}"


def answer(
    session: Session, text: str, context: Context, settings: Settings | None = None
) -> Reply:
    """Answer ``text`` (already guarded) or hand over. Never writes to the database."""
    settings = settings or get_settings()
    script = customer_script(text, context.locale)
    turn = _Turn(
        session, text, context, settings, script, article_lang(script), _triage(text, settings)
    )
    reply = _decide(turn)
    reply.reply = in_script(reply.reply, script)
    reply.language = script
    reply.intent = turn.intent
    reply.feedback = turn.feedback
    if reply.priority is None:
        reply.priority = turn.triage.priority if turn.triage else "normal"
    if reply.action == "handover":
        reply.summary = _summary(turn, reply)
    return generative.finish_reply(reply, text, settings)


def _triage(text: str, settings: Settings) -> TriageResult | None:
    try:
        return get_triager(settings).classify([text])[0]
    except (ModelError, EmbeddingsUnavailable) as exc:  # the policy's phrases still apply
        log.warning("assistant: triage unavailable (%s)", exc)
        return None


def _decide(turn: _Turn) -> Reply:
    history = turn.context.history
    last = history[-1] if history else None
    if last is not None and last.lock_offered:
        return _lock_turn(turn)
    if last is not None and last.asked_feedback:
        said, rest = policy.split_feedback(turn.text)
        if said is not None:
            turn.feedback = said
            return _feedback_turn(turn, said, rest)
    return _fresh(turn, turn.text)


# ---- turn state ----------------------------------------------------------------------------


def _feedback_turn(turn: _Turn, said: policy.Feedback, rest: str) -> Reply:
    if said == "yes":
        if policy.says_more(rest):
            return _fresh(turn, rest)
        turn.template("resolved")
        return _reply(turn, "answer", confidence=1.0)
    if _unsolved(turn) >= UNSOLVED_LIMIT:
        return _handover(turn, "unsolved", confidence=1.0)
    if policy.says_more(rest):
        return _fresh(turn, rest)
    turn.template("offer_person")
    return _reply(turn, "answer", confidence=1.0)


def _unsolved(turn: _Turn) -> int:
    earlier = sum(1 for t in turn.context.history if t.feedback == "no")
    return earlier + (1 if turn.feedback == "no" else 0)


def _lock_turn(turn: _Turn) -> Reply:
    """The answer to "shall I lock your account?": lock on a confirmation; either way the
    conversation stays with the security team it was handed to."""
    if not policy.confirms_lock(turn.text):
        turn.template("lock_not_confirmed")
        return _handover(turn, "account_compromised", confidence=1.0, priority="urgent")
    locked = tools.lock_account(turn.context, turn.lang)  # says itself when it could not lock
    if locked.text.strip():
        _say_tool(turn, locked)
    else:
        turn.template("lock_failed")
    tool = _tool_json(locked)
    return _handover(turn, "account_compromised", confidence=1.0, priority="urgent", tool=tool)


# ---- a fresh question ----------------------------------------------------------------------


def _fresh(turn: _Turn, text: str) -> Reply:
    triage = turn.triage
    label, sure = (triage.label, triage.confidence) if triage else (None, 0.0)
    decision = policy.decide(text, label, sure)
    if decision is not None and decision.matched.startswith("triage:") and label:
        # Triage alone (no phrase) reads a chase ("my ticket has no reply after 3 days") as a
        # complaint; an article written for that situation, under another intent, answers
        # it. A compromised account is handed over whatever retrieval finds.
        if decision.reason != "account_compromised":
            answered = _article_or_none(turn, text, unless_intent=label)
            if answered is not None:
                return answered
    if policy.lost_two_factor(text) and (
        decision is None or decision.reason != "account_compromised"
    ):
        # The reset is self-service with identity checks (account_security): the link comes
        # first, then whatever answers the rest (the article, or the handover).
        turn.template("twofa_reset_link", url=turn.portal("/portal/security/2fa-reset"))
    if decision is not None:
        # A phrase is a rule (1.0); triage alone is as sure as its model.
        confidence = sure if decision.matched.startswith("triage:") else 1.0
        if decision.reason == "account_compromised":
            return _compromised(turn, confidence)
        return _handover(turn, decision.reason, confidence=confidence)
    found = _run_tools(turn, text)
    if found is not None and not _article_first(found, text):
        return _tool_reply(turn, found)
    if found is not None:
        # No customer to look up: an article on the situation is the better first answer
        # ("shows complete but not received", "pending review"); without one, hand over.
        answered = _article_or_none(turn, text)
        return answered if answered is not None else _tool_reply(turn, found)
    return _retrieval_reply(turn, text)


# Money paid by bank, card or a payment provider: there is no TxID to ask for.
_FIAT = re.compile(
    r"\b(?:bank|banks|card|cards|fiat|third[- ]party|provider|sepa|wire|paypal|apple pay|"
    r"google pay|eur|usd|gbp)\b|银行|银行卡|法币|第三方|信用卡|借记卡|刷卡|电汇|汇款"
)


def _article_first(found: tools.ToolAnswer, text: str) -> bool:
    """Whether an article should answer before what the tool asks for: the tool only asks
    for the customer's account (none is known), or for a TxID the payment cannot have (a
    bank transfer, a card, a payment provider)."""
    if found.needs_person:
        return False
    if found.asks_for == "account":
        return True
    return found.asks_for == "tx_hash" and bool(_FIAT.search(policy.fold(text)))


def _compromised(turn: _Turn, confidence: float) -> Reply:
    """Hand over as urgent; give the first steps and, for a known customer, offer the lock."""
    lock = turn.context.customer_ref is not None
    return _handover(
        turn,
        "account_compromised",
        confidence=confidence,
        priority="urgent",
        first_steps=True,
        lock_offered=lock,
    )


def _run_tools(turn: _Turn, text: str) -> tools.ToolAnswer | None:
    return tools.run_tools(text, turn.context, turn.lang)


def _tool_reply(turn: _Turn, found: tools.ToolAnswer) -> Reply:
    tool = _tool_json(found)
    if found.needs_person:
        _say_tool(turn, found)
        return _handover(turn, "needs_person", confidence=1.0, tool=tool)
    if found.asks_for == "account":
        _say_tool(turn, found)
        return _handover(turn, "needs_account", confidence=1.0, tool=tool)
    if found.asks_for:
        if found.text.strip():
            _say_tool(turn, found)
        else:
            turn.template("ask_network" if found.asks_for == "network" else "ask_tx_hash")
        _cite_slugs(turn, found.citations)
        return _reply(turn, "answer", confidence=1.0, tool=tool)
    _say_tool(turn, found)
    _cite_slugs(turn, found.citations)
    turn.template("feedback_question")
    return _reply(turn, "answer", confidence=1.0, tool=tool, asks_feedback=True)


def _say_tool(turn: _Turn, found: tools.ToolAnswer) -> None:
    if found.text.strip():
        turn.parts.append(found.text.strip())
    turn.sources.extend(
        found.sources or [Source(kind="tool", ref=found.name, lang=found.lang, text=found.text)]
    )


def _tool_json(found: tools.ToolAnswer) -> dict[str, Any]:
    """Name, verdict and facts; with the ``Diagnosis`` itself under "diagnosis" when the tool
    ran one, so the desk keeps the check (ai/assistant/services.py)."""
    tool: dict[str, Any] = {
        "name": found.name,
        "verdict": found.verdict,
        "facts": dict(found.facts),
    }
    if found.diagnosis is not None:
        tool["diagnosis"] = found.diagnosis
    return tool


def _retrieval_reply(turn: _Turn, text: str) -> Reply:
    values = variables(turn.settings)
    base = turn.settings.public_url.strip().rstrip("/")
    found = retrieve(turn.session, text, turn.lang, values, base_url=base, intent=turn.intent)
    if found is None or found.confidence < turn.settings.assistant_min_confidence:
        return _handover(turn, "low_confidence", confidence=found.confidence if found else 0.0)
    return _article_reply(turn, found)


def _article_or_none(turn: _Turn, text: str, unless_intent: str | None = None) -> Reply | None:
    """The article answer when retrieval is confident enough (and the article is not filed
    under ``unless_intent``), else None (nothing said)."""
    values = variables(turn.settings)
    base = turn.settings.public_url.strip().rstrip("/")
    found = retrieve(turn.session, text, turn.lang, values, base_url=base, intent=turn.intent)
    if found is None or found.confidence < turn.settings.assistant_min_confidence:
        return None
    if unless_intent is not None and unless_intent in found.intents:
        return None
    return _article_reply(turn, found)


def _article_reply(turn: _Turn, found: Retrieved) -> Reply:
    turn.parts.append(found.text)
    turn.sources.append(
        Source(
            kind="article",
            ref=found.slug,
            lang=found.lang,
            text=found.text,
            url=f"/help/articles/{found.slug}",
            title=found.title,
        )
    )
    turn.cite(found.slug, found.title)
    turn.template("feedback_question")
    return _reply(turn, "answer", confidence=found.confidence, asks_feedback=True)


def _cite_slugs(turn: _Turn, slugs: list[str]) -> None:
    for slug, title in _titles(turn, slugs):
        turn.cite(slug, title)


def _titles(turn: _Turn, slugs: list[str]) -> list[tuple[str, str]]:
    """(slug, title in the turn's language) of the published articles among ``slugs``."""
    if not slugs:
        return []
    articles = {
        a.slug: a
        for a in turn.session.scalars(
            select(Article).where(
                Article.slug.in_(slugs), Article.status == ArticleStatus.published
            )
        )
    }
    values = variables(turn.settings)
    out: list[tuple[str, str]] = []
    for slug in slugs:
        article = articles.get(slug)
        if article is None:
            continue
        by_lang = {t.lang: t for t in article.translations}
        chosen = by_lang.get(turn.lang) or by_lang.get("en")
        if chosen is not None:
            out.append((slug, substitute(chosen.title, values)))
    return out


# ---- building replies ----------------------------------------------------------------------


def _handover(
    turn: _Turn,
    reason: str,
    *,
    confidence: float,
    priority: str | None = None,
    tool: dict[str, Any] | None = None,
    first_steps: bool = False,
    lock_offered: bool = False,
) -> Reply:
    """A handover reply: what came before (tool text), the reason's sentence, that the person
    sees the conversation, then the first steps and the lock offer when they apply."""
    turn.template(f"handover_{reason}")
    turn.template("handover_tail")
    if reason == "complaint" or turn.intent == "complaint":
        turn.template("complaint_form", url=turn.portal("/portal/complaints/new"))
    elif turn.intent == "scam_report":
        turn.template("scam_report_form", url=turn.portal("/portal/scam-report"))
    if first_steps:
        for slug, title in _titles(turn, [FIRST_STEPS_ARTICLE]):
            turn.citations.append(slug)
            turn.template("first_steps", title=title, url=turn.link(slug))
    if lock_offered:
        turn.template("lock_offer")
    reply = _reply(turn, "handover", confidence=confidence, tool=tool)
    reply.reason = reason
    reply.priority = priority
    reply.lock_offered = lock_offered
    return reply


def _reply(
    turn: _Turn,
    action: str,
    *,
    confidence: float,
    tool: dict[str, Any] | None = None,
    asks_feedback: bool = False,
) -> Reply:
    return Reply(
        action="answer" if action == "answer" else "handover",
        reply="\n\n".join(p for p in turn.parts if p),
        citations=list(turn.citations),
        confidence=round(confidence, 4),
        sources=list(turn.sources),
        tool=tool,
        asks_feedback=asks_feedback,
    )


def _summary(turn: _Turn, reply: Reply) -> dict[str, Any]:
    """What the agent needs at a glance (SPEC 6), as data the console renders."""
    tried: list[str] = []
    for prior in turn.context.history:
        for slug in prior.citations:
            if slug not in tried:
                tried.append(slug)
    return {
        "reason": reply.reason,
        "intent": turn.intent,
        "language": turn.script,
        "priority": reply.priority,
        "wants": turn.text.strip()[:WANTS_CHARS],
        "tried": tried,
        "tools": [{k: v for k, v in reply.tool.items() if k != "diagnosis"}] if reply.tool else [],
        "unsolved": _unsolved(turn),
    }
