"""Deposit and withdrawal checks as the desk runs them: diagnose, keep the record, and open
(or update) a wallet-operations ticket when a person has to act.

Entry points call ``diagnose_*`` first (network I/O, no database writes) and then
``do_record_check`` inside their transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Customer
from ledgerdesk.accounts.services import SYSTEM, Actor
from ledgerdesk.ai.triage import TriageResult
from ledgerdesk.chain.adapters import adapter_for
from ledgerdesk.chain.diagnosis import Diagnoser, Diagnosis
from ledgerdesk.chain.explain import Explained, explain, verdict_texts
from ledgerdesk.chain.models import ChainCheck
from ledgerdesk.chain.registry import get_registry
from ledgerdesk.exchange.client import get_exchange
from ledgerdesk.routing.services import first_l1_team, list_rules, route
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import OPEN_STATUSES, Channel, Priority, Ticket

RECOVERY_TAG = "deposit-recovery"
SELF_SERVICE_TAG = "self-service"


def diagnoser() -> Diagnoser:
    return Diagnoser(get_registry(), get_exchange(), adapter_for)


def diagnose_deposit(
    *, network: str, asset: str, tx_hash: str, customer: Customer | None
) -> Diagnosis:
    """Raises DiagnosisInputError for a question that cannot be asked as given."""
    ref = customer.external_id if customer is not None else None
    return diagnoser().deposit(network_id=network, asset=asset, tx_hash=tx_hash, customer_ref=ref)


def diagnose_withdrawal(*, customer: Customer, reference: str) -> Diagnosis:
    return diagnoser().withdrawal(customer_ref=customer.external_id, reference=reference)


@dataclass
class CheckResult:
    check: ChainCheck
    diagnosis: Diagnosis
    ticket: Ticket | None

    def explained(self, locale: str) -> Explained:
        return explain(
            self.diagnosis, get_registry(), locale, ticket=self.ticket.id if self.ticket else None
        )

    def to_json(self, locale: str) -> dict[str, Any]:
        text = self.explained(locale)
        return {
            **self.diagnosis.to_json(),
            "check_id": self.check.id,
            "ticket_id": self.ticket.id if self.ticket else None,
            "title": text.title,
            "explanation": text.explanation,
            "next_step": text.next_step,
            "language": "zh-CN" if locale.startswith("zh") else "en",
        }


def do_record_check(
    session: Session,
    actor: Actor,
    diagnosis: Diagnosis,
    *,
    customer: Customer | None,
    ticket: Ticket | None = None,
    locale: str = "en",
) -> CheckResult:
    """Keep the check; when a person must act and the customer is known, open or update their
    wallet-operations ticket. ``ticket``: the ticket an agent ran the check from."""
    requested_by = "agent" if actor.is_agent else ("customer" if customer else "anonymous")
    if ticket is None and diagnosis.needs_person and customer is not None:
        if actor.is_customer and actor.id == customer.id:
            # As when they open a request in the portal: they are written in this language.
            accounts.do_upsert_customer(session, email=customer.email, locale=locale)
        ticket = _recovery_ticket(session, customer, diagnosis, locale)
    check = ChainCheck(
        kind=diagnosis.kind,
        verdict=diagnosis.verdict,
        network=diagnosis.network,
        asset=diagnosis.asset,
        reference=_kept_reference(diagnosis),
        facts=_kept_facts(diagnosis),
        customer_id=customer.id if customer else None,
        ticket_id=ticket.id if ticket else None,
        requested_by=requested_by,
    )
    session.add(check)
    session.flush()
    if ticket is not None:
        tickets.record_event(
            session,
            actor if actor.is_agent else SYSTEM,
            "chain.checked",
            {"check_id": check.id, "kind": check.kind, "verdict": check.verdict},
            ticket=ticket,
        )
    return CheckResult(check, diagnosis, ticket)


# A transaction hash and a private key look alike (64 hex digits), and the guard cannot tell
# them apart. A deposit's hash is kept whole only once a chain or the exchange has shown it is
# a transaction; otherwise only its ends are kept, which cannot give a key away.
SEEN_AS_TRANSACTION = frozenset(
    {
        "credited",
        "pending_confirmations",
        "confirmed_not_credited",
        "confirmed",
        "failed_on_chain",
        "wrong_recipient",
        "missing_or_wrong_memo",
        "wrong_network",
        "below_minimum",
    }
)


def _seen(diagnosis: Diagnosis) -> bool:
    return diagnosis.kind != "deposit" or diagnosis.verdict in SEEN_AS_TRANSACTION


def _kept_reference(diagnosis: Diagnosis) -> str | None:
    if diagnosis.kind != "deposit":
        return diagnosis.facts.get("withdrawal_id")
    if diagnosis.tx_hash is None or _seen(diagnosis):
        return diagnosis.tx_hash
    return f"{diagnosis.tx_hash[:6]}…{diagnosis.tx_hash[-4:]}"


def _kept_facts(diagnosis: Diagnosis) -> dict[str, Any]:
    if _seen(diagnosis):
        return diagnosis.facts
    return {k: v for k, v in diagnosis.facts.items() if k != "explorer_url"}


def do_attach_check(session: Session, actor: Actor, check: ChainCheck, ticket: Ticket) -> None:
    """Link a check to the request the customer opened from its answer (a check already on
    a ticket stays there). An anonymous check becomes the signed-in customer's."""
    if check.ticket_id is not None:
        return
    check.ticket_id = ticket.id
    if check.customer_id is None:
        check.customer_id = ticket.requester_id
    tickets.record_event(
        session,
        actor,
        "chain.checked",
        {"check_id": check.id, "kind": check.kind, "verdict": check.verdict},
        ticket=ticket,
    )


def _text(section: str, name: str, lang: str, values: dict[str, str]) -> str:
    template: str = verdict_texts()[section][name][lang]
    return template.format_map(_Fill(values))


class _Fill(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "—"


def _recovery_ticket(
    session: Session, customer: Customer, diagnosis: Diagnosis, locale: str
) -> Ticket:
    """The customer's open ticket about this transaction, or a new one routed as a missing
    deposit by the desk's own routing rules."""
    lang = "zh-CN" if locale.startswith("zh") else "en"
    previous = session.scalar(
        select(Ticket)
        .join(ChainCheck, ChainCheck.ticket_id == Ticket.id)
        .where(
            ChainCheck.customer_id == customer.id,
            ChainCheck.reference == diagnosis.tx_hash,
            Ticket.status.in_(OPEN_STATUSES),
        )
        .order_by(ChainCheck.id.desc())
        .limit(1)
    )
    registry = get_registry()
    text = explain(diagnosis, registry, lang, ticket=previous.id if previous else None)
    values = {
        "amount": str(diagnosis.facts.get("amount") or "—"),
        "asset": diagnosis.asset or "—",
        "network": _network_name(diagnosis, lang),
        "tx_hash": diagnosis.tx_hash or "—",
        "title": text.title,
        "explanation": text.explanation,
    }
    if previous is not None:
        tickets.do_add_note(session, SYSTEM, previous, _text("ticket", "again", lang, values))
        return previous
    team_id = _wallet_team(session, customer)
    ticket = tickets.do_create_ticket(
        session,
        SYSTEM,
        customer,
        tickets.NewTicket(
            subject=_text("ticket", "subject", lang, values),
            body=_text("ticket", "body", lang, values),
            channel=Channel.portal,
            language=lang,
            priority=Priority.high if customer.vip else Priority.normal,
            team_id=team_id,
            tags=[SELF_SERVICE_TAG, RECOVERY_TAG],
        ),
    )
    tickets.do_set_intent(session, SYSTEM, ticket, "deposit_missing")
    return ticket


def _network_name(diagnosis: Diagnosis, lang: str) -> str:
    network = get_registry().network(diagnosis.network or "")
    return network.name(lang) if network else (diagnosis.network or "—")


def _wallet_team(session: Session, customer: Customer) -> int | None:
    """Where the desk's routing rules send a missing deposit (certain intent, no guesswork)."""
    certain = TriageResult(
        language="en",
        language_confidence=1.0,
        label="deposit_missing",
        confidence=1.0,
        intent="deposit_missing",
        alternatives=[],
        sentiment="neutral",
        sentiment_confidence=1.0,
        distressed=False,
        distressed_confidence=1.0,
        amount_usd=0.0,
        priority="normal",
    )
    decision = route(list_rules(session), certain, vip=customer.vip, l1_team=first_l1_team(session))
    return decision.team_id


def checks_for_ticket(session: Session, ticket: Ticket, limit: int = 5) -> list[ChainCheck]:
    return list(
        session.scalars(
            select(ChainCheck)
            .where(ChainCheck.ticket_id == ticket.id)
            .order_by(ChainCheck.id.desc())
            .limit(limit)
        )
    )


def checks_for_customer(session: Session, customer_id: int, limit: int = 5) -> list[ChainCheck]:
    return list(
        session.scalars(
            select(ChainCheck)
            .where(ChainCheck.customer_id == customer_id)
            .order_by(ChainCheck.id.desc())
            .limit(limit)
        )
    )


def diagnosis_of(check: ChainCheck) -> Diagnosis:
    """A stored check as a Diagnosis again (for explaining it in another language)."""
    return Diagnosis(
        kind="deposit" if check.kind == "deposit" else "withdrawal",
        verdict=check.verdict,
        network=check.network,
        asset=check.asset,
        tx_hash=check.reference if check.kind == "deposit" else check.facts.get("tx_hash"),
        facts=dict(check.facts or {}),
    )
