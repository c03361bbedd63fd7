"""The intent taxonomy: what a customer's message is about.

One list for the knowledge base (the intents an article answers), the demo data and triage,
so a label never changes meaning between them. The exact labels are fixed by the triage issue.
"""

from __future__ import annotations

INTENTS: tuple[str, ...] = (
    "deposit_missing",
    "withdrawal_delayed",
    "withdrawal_failed",
    "fiat_payment",
    "account_locked",
    "login_problem",
    "password_reset",
    "two_factor_reset",
    "account_compromised",
    "kyc_verification",
    "balance_discrepancy",
    "trade_issue",
    "fees_question",
    "p2p_dispute",
    "scam_report",
    "complaint",
    "feedback",
    "human_agent",
    "app_bug",
    "how_to",
)
