"""What the check pages and the ticket panel show: choices for the form, an answer with its
facts, and the customer's exchange context, all in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Customer
from ledgerdesk.chain import services as svc
from ledgerdesk.chain.explain import explain
from ledgerdesk.chain.models import ChainCheck
from ledgerdesk.chain.registry import get_registry
from ledgerdesk.core.i18n import gettext
from ledgerdesk.exchange.client import ExchangeError, ExchangeErrorKind, get_exchange
from ledgerdesk.web.labels import label

GOOD = frozenset({"credited", "sent", "processing"})
WAITING = frozenset({"pending_confirmations", "on_hold", "confirmed", "unavailable"})
# Answers whose next step is a request to a person (and which opened none): the answer offers
# the new-request form already filled in from the check.
OFFERS_REQUEST: dict[str, frozenset[str]] = {
    "deposit": frozenset(
        {
            "confirmed_not_credited",
            "not_found",
            "wrong_recipient",
            "missing_or_wrong_memo",
            "wrong_network",
            "unsupported_asset",
            "below_minimum",
            "unavailable",
        }
    ),
    "withdrawal": frozenset({"failed", "on_hold", "unavailable"}),
}


def _(message: str) -> str:
    """Marks a msgid for extraction; translated when shown (``gettext`` at render time)."""
    return message


# Agents see every fact; each key has a label in both languages.
FACT_LABELS: dict[str, str] = {
    "amount": _("Amount"),
    "confirmations": _("Confirmations"),
    "required": _("Confirmations required"),
    "block_number": _("Block"),
    "to_address": _("Sent to"),
    "memo": _("Memo"),
    "min_deposit": _("Minimum deposit"),
    "found_on": _("Found on network"),
    "expected_seconds": _("Expected wait (seconds)"),
    "credited_at": _("Credited at"),
    "deposit_id": _("Deposit ID"),
    "withdrawal_id": _("Withdrawal ID"),
    "tx_hash": _("Transaction ID"),
    "fee": _("Fee"),
    "address": _("Destination address"),
    "created_at": _("Requested at"),
    "status": _("Exchange status"),
    "hold_reason": _("Hold reason"),
    "release_at": _("Hold ends"),
    "failure_reason": _("Failure reason"),
    "asset_chosen": _("Asset the customer chose"),
    "contract": _("Token contract"),
    "supported_networks": _("Networks accepting this asset"),
    "source": _("Unreachable source"),
    "error": _("Error"),
}
HIDDEN_FACTS = frozenset({"explorer_url"})
# Facts whose values are keys (stored, stable) and are shown as words.
KEYED_FACTS = frozenset({"status", "hold_reason", "failure_reason", "source", "error"})
NETWORK_FACTS = frozenset({"found_on", "supported_networks"})
# Words for the keyed values ``web.labels`` does not have: where a check could not look, and
# why (``chain.types.ChainErrorKind``, ``exchange.client.ExchangeErrorKind``).
FACT_VALUES: dict[str, str] = {
    "chain": _("Blockchain node"),
    "exchange": _("Exchange"),
    "other": _("Other"),
    "timeout": _("Timed out"),
    "unreachable": _("Unreachable"),
    "unavailable": _("Unreachable"),
    "bad_response": _("Unreadable answer"),
    "wrong_chain": _("Node serves another chain"),
    "circuit_open": _("Paused after repeated failures"),
    "not_configured": _("Not configured"),
    "forbidden_address": _("Address not allowed"),
    "unauthorized": _("Credentials refused"),
    "not_found": _("Not found"),
    "invalid_hash": _("Not a transaction ID"),
}


@dataclass
class ResultView:
    verdict: str
    tone: str  # ok | wait | problem
    title: str
    explanation: str
    next_step: str
    explorer_url: str | None
    ticket_id: int | None
    facts: list[tuple[str, str]] = field(default_factory=list)
    check_id: int | None = None
    offers_request: bool = False  # link to the new-request form filled in from this check


def network_choices(locale: str) -> list[dict[str, Any]]:
    return [
        {
            "id": n.id,
            "name": n.name(locale),
            "assets": [a.symbol for a in n.assets],
            "checkable": n.node is not None,
            "memo_required": n.memo_required,
        }
        for n in sorted(get_registry().networks, key=lambda n: (n.node is None, n.testnet))
    ]


def _tone(verdict: str) -> str:
    if verdict in GOOD:
        return "ok"
    return "wait" if verdict in WAITING else "problem"


def _value(key: str, value: Any, locale: str) -> str:
    """A fact's value as a person reads it: keys as words, network ids as network names."""
    if key in KEYED_FACTS:
        text = str(value)
        return gettext(FACT_VALUES[text]) if text in FACT_VALUES else label(text)
    if key in NETWORK_FACTS:
        registry = get_registry()
        names = []
        for network_id in value if isinstance(value, list) else [value]:
            network = registry.network(str(network_id))
            names.append(network.name(locale) if network else str(network_id))
        return ", ".join(names)
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def fact_rows(facts: dict[str, Any], locale: str) -> list[tuple[str, str]]:
    """(label, value) of a diagnosis' facts as a person reads them, in ``locale``."""
    rows = []
    for key, value in facts.items():
        if key in HIDDEN_FACTS or value is None or value == "" or value == []:
            continue
        rows.append((gettext(FACT_LABELS.get(key, key)), _value(key, value, locale)))
    return rows


def result_view(result: svc.CheckResult, locale: str) -> ResultView:
    text = result.explained(locale)
    return ResultView(
        verdict=result.diagnosis.verdict,
        tone=_tone(result.diagnosis.verdict),
        title=text.title,
        explanation=text.explanation,
        next_step=text.next_step,
        explorer_url=result.diagnosis.facts.get("explorer_url"),
        ticket_id=result.ticket.id if result.ticket else None,
        facts=fact_rows(result.diagnosis.facts, locale),
        check_id=result.check.id,
        offers_request=_offers_request(result.check),
    )


def _offers_request(check: ChainCheck) -> bool:
    return check.ticket_id is None and check.verdict in OFFERS_REQUEST.get(check.kind, ())


def check_view(check: ChainCheck, locale: str) -> ResultView:
    diagnosis = svc.diagnosis_of(check)
    text = explain(diagnosis, get_registry(), locale, ticket=check.ticket_id)
    return ResultView(
        verdict=check.verdict,
        tone=_tone(check.verdict),
        title=text.title,
        explanation=text.explanation,
        next_step=text.next_step,
        explorer_url=diagnosis.facts.get("explorer_url"),
        ticket_id=check.ticket_id,
        facts=fact_rows(diagnosis.facts, locale),
        check_id=check.id,
        offers_request=_offers_request(check),
    )


def recent_checks(
    session: Session, customer: Customer | None, locale: str
) -> list[tuple[ChainCheck, ResultView]]:
    if customer is None:
        return []
    return [(c, check_view(c, locale)) for c in svc.checks_for_customer(session, customer.id)]


# --- the portal's withdrawal picker -----------------------------------------------------


@dataclass(frozen=True)
class WithdrawalChoice:
    id: str
    asset: str
    amount: Decimal
    network: str  # the network's name in the reader's language
    status: str  # the exchange's status in words
    created_at: datetime


@dataclass
class WithdrawalChoices:
    items: list[WithdrawalChoice] = field(default_factory=list)
    problem: str | None = None  # why there is no list, in one line of the reader's language


def withdrawal_choices(customer: Customer, locale: str, limit: int = 8) -> WithdrawalChoices:
    """The customer's recent withdrawals at the exchange, to check one with a click."""
    client = get_exchange()
    if client is None:
        return WithdrawalChoices(problem=gettext(NO_WITHDRAWAL_LIST))
    try:
        profile = client.customer(customer.external_id)
        records = client.withdrawals(profile.id, limit=limit)
    except ExchangeError as exc:
        if exc.kind == ExchangeErrorKind.not_found:  # no account there: nothing to list
            return WithdrawalChoices()
        key = NO_WITHDRAWAL_LIST if exc.kind == "not_configured" else WITHDRAWALS_UNREACHABLE
        return WithdrawalChoices(problem=gettext(key))
    registry = get_registry()
    items = []
    for w in records:
        network = registry.network(w.network)
        items.append(
            WithdrawalChoice(
                id=w.id,
                asset=w.asset,
                amount=w.amount,
                network=network.name(locale) if network else w.network,
                status=label(w.status),
                created_at=w.created_at,
            )
        )
    return WithdrawalChoices(items=items)


NO_WITHDRAWAL_LIST = _(
    "Your withdrawal list is not available on this desk; type the withdrawal ID below."
)
WITHDRAWALS_UNREACHABLE = _(
    "Your withdrawal list cannot be loaded right now; type the withdrawal ID below."
)
