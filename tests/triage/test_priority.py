"""Priority: the intent's level, raised one step each by distress, a large amount and VIP."""

from __future__ import annotations

import pytest

from ledgerdesk.ai.triage.priority import INTENT_LEVEL, LEVELS, decide_priority

LARGE = 10_000.0


def calm(intent: str | None, **kwargs: object) -> str:
    options: dict[str, object] = {"distressed": False, "usd": 0.0, "vip": False, "large_usd": LARGE}
    options.update(kwargs)
    return decide_priority(intent, **options).level  # type: ignore[arg-type]


BASE = [
    ("account_compromised", "urgent"),
    ("deposit_missing", "high"),
    ("withdrawal_delayed", "high"),
    ("withdrawal_failed", "high"),
    ("fiat_payment", "high"),
    ("account_locked", "high"),
    ("scam_report", "high"),
    ("p2p_dispute", "high"),
    ("balance_discrepancy", "high"),
    ("login_problem", "normal"),
    ("password_reset", "normal"),
    ("two_factor_reset", "normal"),
    ("kyc_verification", "normal"),
    ("trade_issue", "normal"),
    ("complaint", "normal"),
    ("human_agent", "normal"),
    ("app_bug", "normal"),
    ("fees_question", "low"),
    ("feedback", "low"),
    ("how_to", "low"),
    ("refund", "normal"),  # a label of an exchange's own taxonomy
]


def test_the_table_covers_the_bundled_taxonomy() -> None:
    assert {intent for intent, _ in BASE if intent in INTENT_LEVEL} == set(INTENT_LEVEL)


@pytest.mark.parametrize(("intent", "level"), BASE)
def test_base_level(intent: str, level: str) -> None:
    decision = decide_priority(intent, distressed=False, usd=0.0, vip=False, large_usd=LARGE)
    assert decision.level == level
    assert decision.reasons == [f"intent {intent}: {level}"]


def test_uncertain_intent_is_normal() -> None:
    decision = decide_priority(None, distressed=False, usd=0.0, vip=False, large_usd=LARGE)
    assert decision.level == "normal"
    assert decision.reasons == ["intent uncertain: normal"]
    assert calm(None, distressed=True) == "high"


@pytest.mark.parametrize(
    ("intent", "bumps", "level"),
    [
        ("how_to", {"distressed": True}, "normal"),
        ("how_to", {"usd": LARGE}, "normal"),  # at the threshold counts
        ("how_to", {"usd": LARGE - 0.01}, "low"),
        ("how_to", {"vip": True}, "normal"),
        ("how_to", {"distressed": True, "vip": True}, "high"),
        ("how_to", {"distressed": True, "usd": 50_000.0, "vip": True}, "urgent"),
        ("login_problem", {"usd": 50_000.0}, "high"),
        ("deposit_missing", {"vip": True}, "urgent"),
        ("deposit_missing", {"distressed": True, "usd": 50_000.0, "vip": True}, "urgent"),
        ("account_compromised", {"distressed": True, "usd": 1e6, "vip": True}, "urgent"),
        ("how_to", {"usd": 1e9, "large_usd": 0.0}, "low"),  # 0 switches the amount rule off
    ],
)
def test_bumps(intent: str, bumps: dict[str, object], level: str) -> None:
    assert calm(intent, **bumps) == level


def test_reasons_say_why_and_stop_at_urgent() -> None:
    decision = decide_priority(
        "deposit_missing", distressed=True, usd=25_000.0, vip=True, large_usd=LARGE
    )
    assert decision.level == "urgent"
    assert decision.reasons == [
        "intent deposit_missing: high",
        "customer distressed: +1",
    ]  # capped: the amount and VIP steps had nothing left to raise
    low = decide_priority("feedback", distressed=True, usd=25_000.0, vip=True, large_usd=LARGE)
    assert low.level == "urgent"
    assert low.reasons == [
        "intent feedback: low",
        "customer distressed: +1",
        "about $25,000 at stake (≥ $10,000): +1",
        "VIP customer: +1",
    ]


def test_raise_to_only_raises() -> None:
    decision = decide_priority("how_to", distressed=False, usd=0.0, vip=False, large_usd=LARGE)
    decision.raise_to("high", "rule: VIP queue")
    decision.raise_to("normal", "rule: ignored")
    assert decision.level == "high"
    assert decision.reasons[-1] == "rule: VIP queue"
    assert LEVELS == ("low", "normal", "high", "urgent")
