"""How urgent a message is, from its intent, its tone, the money at stake and the customer.

The intent gives a starting level (stolen funds are urgent; a how-to question is low); panic or
fury, a large amount and a VIP customer each raise it one level. Routing rules can raise it
further. Every step is written into ``reasons`` so an agent sees why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LEVELS: tuple[str, ...] = ("low", "normal", "high", "urgent")

# The starting level of each intent of the bundled taxonomy; other labels start at "normal".
INTENT_LEVEL: dict[str, str] = {
    "account_compromised": "urgent",
    "deposit_missing": "high",
    "withdrawal_delayed": "high",
    "withdrawal_failed": "high",
    "fiat_payment": "high",
    "account_locked": "high",
    "scam_report": "high",
    "p2p_dispute": "high",
    "balance_discrepancy": "high",
    "login_problem": "normal",
    "password_reset": "normal",
    "two_factor_reset": "normal",
    "kyc_verification": "normal",
    "trade_issue": "normal",
    "complaint": "normal",
    "human_agent": "normal",
    "app_bug": "normal",
    "fees_question": "low",
    "feedback": "low",
    "how_to": "low",
}


@dataclass
class PriorityDecision:
    level: str
    reasons: list[str] = field(default_factory=list)

    def raise_to(self, level: str, reason: str) -> None:
        if LEVELS.index(level) > LEVELS.index(self.level):
            self.level = level
            self.reasons.append(reason)

    def bump(self, reason: str) -> None:
        index = LEVELS.index(self.level)
        if index < len(LEVELS) - 1:
            self.level = LEVELS[index + 1]
            self.reasons.append(reason)


def decide_priority(
    intent: str | None,
    *,
    distressed: bool,
    usd: float,
    vip: bool,
    large_usd: float,
) -> PriorityDecision:
    """The priority level and the reasons for it. ``intent`` is None when the model was unsure."""
    if intent is None:
        decision = PriorityDecision("normal", ["intent uncertain: normal"])
    else:
        level = INTENT_LEVEL.get(intent, "normal")
        decision = PriorityDecision(level, [f"intent {intent}: {level}"])
    if distressed:
        decision.bump("customer distressed: +1")
    if large_usd > 0 and usd >= large_usd:
        decision.bump(f"about ${usd:,.0f} at stake (≥ ${large_usd:,.0f}): +1")
    if vip:
        decision.bump("VIP customer: +1")
    return decision
