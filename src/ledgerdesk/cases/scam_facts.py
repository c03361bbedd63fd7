"""Facts about the transactions a scam report names, fetched through the chain adapters.

A job (``cases.scam_tx_facts``, queued when the report is filed) looks each hash up on its
network's node and stores what the chain says in ``details["tx_facts"]``: status, block,
confirmations and transfers (amounts in the asset's units where the registry knows it). A
lookup that fails is recorded with its reason; it never holds the report back.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from ledgerdesk.accounts.services import SYSTEM, Actor
from ledgerdesk.cases import register
from ledgerdesk.cases.models import Case, CaseKind
from ledgerdesk.cases.scam import TX_FACTS_TOPIC
from ledgerdesk.cases.scam_hashes import kept_details
from ledgerdesk.chain.adapters import adapter_for
from ledgerdesk.chain.registry import Network, Registry, get_registry
from ledgerdesk.chain.types import ChainAdapter, ChainError, Transfer, TxLookup
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import InvalidInput
from ledgerdesk.jobs.outbox import enqueue, handler

AdapterFactory = Callable[[Network], ChainAdapter]


def _stamp() -> str:
    """Now, to the microsecond, as ``2026-02-15T08:00:00.000000Z`` (ordered as text)."""
    return utcnow().isoformat(timespec="microseconds") + "Z"


def _amount(network: Network, transfer: Transfer) -> tuple[str | None, str | None]:
    """(symbol, amount in whole units) when the registry knows the asset, else (None, None)."""
    if transfer.asset == "native":
        asset = next((a for a in network.assets if a.contract is None), None)
    else:
        asset = network.asset_by_contract(transfer.asset)
    if asset is None:
        return None, None
    amount = Decimal(transfer.amount_raw).scaleb(-asset.decimals)
    return asset.symbol, format(amount.normalize(), "f")


def _transfers(network: Network, lookup: TxLookup) -> list[dict[str, Any]]:
    out = []
    for transfer in lookup.transfers:
        symbol, amount = _amount(network, transfer)
        out.append({**transfer.to_json(), "symbol": symbol, "amount": amount})
    return out


def tx_fact(
    network: Network | None, network_id: str, tx_hash: str, adapters: AdapterFactory
) -> dict[str, Any]:
    """One transaction's facts, or the reason there are none (``error``: a ChainErrorKind
    value, or ``unknown_network``)."""
    fact: dict[str, Any] = {"network": network_id, "tx_hash": tx_hash}
    fact["checked_at"] = _stamp()
    if network is None:
        return {**fact, "error": "unknown_network", "message": "the network is not configured"}
    fact["explorer_url"] = network.tx_url(tx_hash)
    try:
        lookup = adapters(network).lookup_tx(tx_hash)
    except ChainError as exc:
        return {**fact, "error": exc.kind.value, "message": exc.message}
    return {
        **fact,
        "found": lookup.found,
        "status": lookup.status,
        "block_number": lookup.block_number,
        "confirmations": lookup.confirmations,
        "transfers": _transfers(network, lookup),
    }


def do_fetch_tx_facts(
    session: Session,
    case: Case,
    registry: Registry | None = None,
    adapters: AdapterFactory = adapter_for,
) -> list[dict[str, Any]]:
    """Look up every reported transaction and store the facts on the case, with one
    ``evidence_added`` step (source ``chain``). Returns the facts."""
    registry = registry or get_registry()
    facts = [
        tx_fact(registry.network(row["network"]), row["network"], row["tx_hash"], adapters)
        for row in case.details.get("tx_hashes", [])
    ]
    case.details = kept_details({**case.details, "tx_facts": facts})
    register.record_step(
        session,
        case,
        SYSTEM,
        "evidence_added",
        {
            "source": "chain",
            "transactions": len(facts),
            "found": sum(1 for f in facts if f.get("found")),
            "failed": sum(1 for f in facts if "error" in f),
        },
    )
    return facts


def do_request_tx_facts(session: Session, actor: Actor, case: Case) -> None:
    """An agent asks for the transactions to be looked up again (a node was down, a
    transaction was still pending): queued, with the request in the register."""
    register.require_agent(actor)
    if case.kind != CaseKind.scam_report or not case.details.get("tx_hashes"):
        raise InvalidInput("This case has no reported transactions to look up")
    enqueue(session, TX_FACTS_TOPIC, {"case_id": case.id, "since": _stamp()})
    register.record_step(session, case, actor, "tx_facts_requested", {})


def _checked_since(case: Case, since: str | None) -> bool:
    """Whether the facts on the case were fetched after ``since`` (or at all, without it)."""
    facts = case.details.get("tx_facts") or []
    if not facts:
        return False
    if since is None:
        return True
    return all(str(f.get("checked_at", "")) > since for f in facts)


@handler(TX_FACTS_TOPIC)
def tx_facts_job(session: Session, payload: dict[str, Any]) -> None:
    """Safe to run twice: a case that is gone, not a scam report, or whose facts are already
    newer than the request is left alone."""
    case = session.get(Case, int(payload["case_id"]))
    if case is None or case.kind != CaseKind.scam_report:
        return
    if _checked_since(case, payload.get("since")):
        return
    do_fetch_tx_facts(session, case)
