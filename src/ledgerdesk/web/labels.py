"""What a person reads for a stored key: ``on_hold`` is "On hold" (挂起), ``seed_phrase`` is
"Seed phrase" (助记词). Keys stay stable in the database and the API; pages show labels.

One flat table: where two enums share a value (``api`` is a channel and a search source) the
label is the same word. Every label is an English msgid with a zh-CN msgstr; the page test in
tests/web/test_i18n_pages.py fails when a page shows a key that has no label here.
"""

from __future__ import annotations

from typing import Any

from ledgerdesk.core.i18n import gettext


def N_(message: str) -> str:  # the gettext convention: marked now, translated when shown
    return message


_STATES = {
    # ticket status
    "new": N_("New"),
    "open": N_("Open"),
    "pending": N_("Pending"),
    "on_hold": N_("On hold"),
    "solved": N_("Solved"),
    "closed": N_("Closed"),
    # priority
    "low": N_("Low"),
    "normal": N_("Normal"),
    "high": N_("High"),
    "urgent": N_("Urgent"),
    # article status
    "draft": N_("Draft"),
    "published": N_("Published"),
    "internal": N_("Internal"),
    "archived": N_("Archived"),
    # deflection outcome, check result
    "deflected": N_("Deflected"),
    "ticket_created": N_("Ticket created"),
    "official": N_("Official"),
    "not_official": N_("Not official"),
    "invalid": N_("Invalid"),
}

_PLACES = {
    # channels, search sources, official-channel kinds, check sources
    "portal": N_("Portal"),
    "email": N_("E-mail"),
    "chat": N_("Chat"),
    "api": N_("API"),
    "telegram": N_("Telegram"),
    "discord": N_("Discord"),
    "phone": N_("Phone"),
    "help": N_("Help center"),
    "console": N_("Console"),
    "web": N_("Web"),
    "domain": N_("Domain"),
    "x": N_("X (Twitter)"),
    "url": N_("Link"),
    "handle": N_("Handle"),
    "unknown": N_("Unknown"),
}

_PEOPLE = {
    # actors, roles, tiers, message kinds
    "agent": N_("Agent"),
    "customer": N_("Customer"),
    "system": N_("System"),
    "assistant": N_("Assistant"),
    "lead": N_("Lead"),
    "admin": N_("Admin"),
    "specialist": N_("Specialist"),
    "public": N_("Public reply"),
    "note": N_("Internal note"),
}

_TEXT_FIELDS = {  # where the guard found something
    "subject": N_("Subject"),
    "body": N_("Message text"),
    "filename": N_("File name"),
}

_FEEDBACK = {
    "outdated": N_("Outdated"),
    "unclear": N_("Unclear"),
    "did_not_solve": N_("Did not solve my problem"),
    "missing_steps": N_("Missing steps"),
    "other": N_("Other"),
}

_TONE = {"negative": N_("Negative"), "neutral": N_("Neutral"), "positive": N_("Positive")}

INTENT_LABELS = {
    "deposit_missing": N_("Deposit missing"),
    "withdrawal_delayed": N_("Withdrawal delayed"),
    "withdrawal_failed": N_("Withdrawal failed"),
    "fiat_payment": N_("Fiat payment"),
    "account_locked": N_("Account locked"),
    "login_problem": N_("Login problem"),
    "password_reset": N_("Password reset"),
    "two_factor_reset": N_("2FA reset"),
    "account_compromised": N_("Account compromised"),
    "kyc_verification": N_("KYC verification"),
    "balance_discrepancy": N_("Balance discrepancy"),
    "trade_issue": N_("Trade issue"),
    "fees_question": N_("Fees question"),
    "p2p_dispute": N_("P2P dispute"),
    "scam_report": N_("Scam report"),
    "complaint": N_("Complaint"),
    "feedback": N_("Feedback"),
    "human_agent": N_("Wants a human agent"),
    "app_bug": N_("App bug"),
    "how_to": N_("How-to question"),
}

GUARD_LABELS = {
    "seed_phrase": N_("Seed phrase"),
    "private_key": N_("Private key"),
    "wif_key": N_("Private key (WIF)"),
    "extended_private_key": N_("Extended private key"),
    "password": N_("Password"),
    "otp_code": N_("One-time code"),
    "phishing_link": N_("Look-alike link"),
}

LINK_REASONS = {  # why a link looks like a fake of ours (trust.lookalike.REASONS)
    "bidi_control": N_("hidden direction characters"),
    "punycode": N_("punycode"),
    "homoglyph": N_("look-alike characters"),
    "mixed_script": N_("mixed alphabets"),
    "typosquat": N_("a misspelling of our name"),
    "extra_words": N_("our name with extra words"),
    "lookalike_tld": N_("our name with another ending"),
    "brand_in_subdomain": N_("our name in front of another domain"),
    "brand_name": N_("our name, not registered"),
    "ip_address": N_("a bare IP address"),
}

EXCHANGE = {  # deposit/withdrawal records from the exchange, and check verdicts
    "credited": N_("Credited"),
    "rejected": N_("Rejected"),
    "processing": N_("Processing"),
    "sent": N_("Sent"),
    "failed": N_("Failed"),
    "cancelled": N_("Cancelled"),
    "2fa_reset": N_("2FA reset"),
    "password_change": N_("Password change"),
    "new_device": N_("New device"),
    "risk_review": N_("Risk review"),
    "invalid_address": N_("Invalid address"),
    "insufficient_balance": N_("Insufficient balance"),
    "network_maintenance": N_("Network maintenance"),
    "rejected_by_risk": N_("Rejected by risk review"),
    "chain_failure": N_("Failed on chain"),
    "pending_confirmations": N_("Waiting for confirmations"),
    "confirmed_not_credited": N_("Confirmed, not credited"),
    "confirmed": N_("Confirmed on chain"),
    "not_found": N_("Not found"),
    "failed_on_chain": N_("Failed on chain"),
    "wrong_recipient": N_("Wrong recipient"),
    "missing_or_wrong_memo": N_("Memo missing or wrong"),
    "wrong_network": N_("Wrong network"),
    "unsupported_asset": N_("Unsupported asset"),
    "below_minimum": N_("Below minimum"),
    "unavailable": N_("Could not check"),
    "deposit": N_("Deposit"),
    "withdrawal": N_("Withdrawal"),
}

# Why the assistant handed over (ai.assistant.types.HANDOVER_REASONS). Not in ``LABELS``: two
# reasons share their key with an intent ("account_compromised", "complaint") and read
# differently; ``handover_label`` gives these.
HANDOVER_LABELS = {
    "asked_for_person": N_("The customer asked for a person"),
    "account_compromised": N_("Account compromised or funds being taken"),
    "complaint": N_("Complaint, compensation or legal demand"),
    "staff_only": N_("A request only staff can carry out"),
    "not_covered": N_("No published article covers the topic"),
    "low_confidence": N_("No confident answer in the help center"),
    "unsolved": N_("The answers did not solve it"),
    "needs_person": N_("A check found that a person must act"),
    "needs_account": N_("The question needs the customer's account"),
}

ASSISTANT_TOOLS = {  # the assistant's tools (ai/assistant/tools.py)
    "deposit_check": N_("Deposit check"),
    "withdrawal_check": N_("Withdrawal check"),
    "deposit_records": N_("Deposit records"),
    "withdrawal_records": N_("Withdrawal records"),
    "lock": N_("Account lock"),
}

INCIDENT_LABELS = {  # incident status and how a ticket was linked (incidents/models.py)
    "investigating": N_("Investigating"),
    "identified": N_("Identified"),
    "monitoring": N_("Monitoring"),
    "resolved": N_("Resolved"),
    "auto": N_("Automatic"),
}

CASE_LABELS = {  # cases: kinds, statuses, outcomes and register steps (cases/)
    "appeal": N_("Appeal"),
    "received": N_("Received"),
    "acknowledged": N_("Acknowledged"),
    "decided": N_("Decided"),
    "inadmissible": N_("Inadmissible"),
    "upheld": N_("Upheld"),
    "partly_upheld": N_("Partly upheld"),
    "withdrawn": N_("Withdrawn"),
    "admissible": N_("Admissible"),
    "assigned": N_("Assigned"),
    "ticket_linked": N_("Ticket linked"),
    "delay_notice": N_("Delay notice"),
    "deadline_warning": N_("Deadline warning"),
    "decision": N_("Decision"),
    "summary_resolution": N_("Summary resolution"),
    "reopened": N_("Reopened"),
    "evidence_added": N_("Evidence added"),
    "exported": N_("Exported"),
    "watchlist_added": N_("Added to the watchlist"),
    "commitment_registered": N_("Deadline committed on chain"),
    "commitment_resolved": N_("Resolution recorded on chain"),
    "commitment_breached": N_("Deadline breached on chain"),
    "commitment_failed": N_("On-chain commitment failed"),
}

WATCHLIST_LABELS = {  # watchlist entry kinds (cases/watchlist_models.py); domain, url above
    "chain_address": N_("Chain address"),
    "watchlist": N_("On the watchlist"),  # a verification check's reason code
}

SCAM_REPORT_LABELS = {  # scam reports (cases/scam*.py): register steps, chain look-ups
    "tx_facts_requested": N_("Chain look-up requested"),
    "success": N_("Succeeded"),
    "unknown_network": N_("Network not configured"),
    "timeout": N_("Node timed out"),
    "unreachable": N_("Node unreachable"),
    "bad_response": N_("Unexpected answer from the node"),
    "circuit_open": N_("Node paused after repeated failures"),
    "not_configured": N_("No node configured for this network"),
    "wrong_chain": N_("Node serves another chain"),
    "forbidden_address": N_("Node address not allowed"),
    "invalid_hash": N_("Not a transaction hash"),
}

ACCOUNT_SECURITY_LABELS = {  # security requests (account_security/models.py)
    "twofa_reset": N_("2FA reset"),
    "awaiting_code": N_("Awaiting the code"),
    "locked": N_("Locked"),
    "lock_failed": N_("Lock failed"),
    "refused": N_("Refused"),
    "email_code": N_("Code by e-mail"),
    # the steps of a request (security_request_steps.step)
    "requested": N_("Requested"),
    "code_sent": N_("Code sent"),
    "code_wrong": N_("Wrong code"),
    "lock_confirmed": N_("Confirmed by the customer"),
    "exchange_locked": N_("Locked at the exchange"),
    "exchange_failed": N_("The exchange did not answer"),
    "ticket_opened": N_("Urgent ticket opened"),
    "repeated": N_("Asked again"),
    "already_locked": N_("Already locked"),
    "joined": N_("Joined the open ticket"),
    "check_passed": N_("Check passed"),
    "check_failed": N_("Check failed"),
    "checks_passed": N_("All checks passed"),
    "reset_applied": N_("2FA reset at the exchange"),
    "alerts_sent": N_("Alerts sent"),
}

LABELS: dict[str, str] = {
    **_STATES,
    **_PLACES,
    **_PEOPLE,
    **_TEXT_FIELDS,
    **_FEEDBACK,
    **_TONE,
    **INTENT_LABELS,
    **GUARD_LABELS,
    **LINK_REASONS,
    **EXCHANGE,
    **ASSISTANT_TOOLS,
    "assistant_handover": N_("Handed over by the assistant"),
    **INCIDENT_LABELS,
    **CASE_LABELS,
    **WATCHLIST_LABELS,
    **SCAM_REPORT_LABELS,
    **ACCOUNT_SECURITY_LABELS,
}


def label(value: Any) -> str:
    """The translated label of a stored key (an enum member or its value); a value without a
    label (a language code, a team name) is shown as it is."""
    if value is None:
        return ""
    key = str(getattr(value, "value", value))
    text = LABELS.get(key)
    return gettext(text) if text is not None else key


def handover_label(reason: str | None) -> str:
    """Why the assistant handed over, as a person reads it (an unknown reason as it is)."""
    if not reason:
        return ""
    text = HANDOVER_LABELS.get(reason)
    return gettext(text) if text is not None else reason
