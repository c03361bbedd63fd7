"""The scam report's panel on the console case page: the reported facts, what the chain
shows for each transaction (transfers to a reported address stand out), the evidence files,
and the export button. Registered in ``cases.panels.PANELS["scam_report"]``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ledgerdesk.cases import register
from ledgerdesk.cases.export import ticket_attachments
from ledgerdesk.cases.models import Case
from ledgerdesk.cases.panels import PANELS
from ledgerdesk.cases.scam_types import scam_type
from ledgerdesk.chain.registry import Registry, get_registry
from ledgerdesk.core.i18n import get_locale


@dataclass(frozen=True)
class ShownRef:
    network: str  # the network's name in the page's language
    value: str
    url: str | None  # the explorer's page, when the registry has one


def _network_name(registry: Registry, network_id: str) -> str:
    network = registry.network(network_id)
    return network.name(get_locale()) if network else network_id


def _refs(registry: Registry, rows: list[dict[str, str]], key: str) -> list[ShownRef]:
    shown = []
    for row in rows:
        network = registry.network(row["network"])
        url = None
        if network is not None:
            url = network.tx_url(row[key]) if key == "tx_hash" else network.address_url(row[key])
        shown.append(ShownRef(_network_name(registry, row["network"]), row[key], url))
    return shown


def _facts(registry: Registry, details: dict[str, Any]) -> list[dict[str, Any]]:
    """The chain's facts, each transfer marked when it went to an address the customer
    reported as the scammer's."""
    reported = {a["address"].lower() for a in details.get("addresses", [])}
    out = []
    for fact in details.get("tx_facts", []):
        transfers = [
            {**t, "to_reported": str(t.get("to", "")).lower() in reported}
            for t in fact.get("transfers", [])
        ]
        out.append(
            {
                **fact,
                "transfers": transfers,
                "network_name": _network_name(registry, fact["network"]),
            }
        )
    return out


def scam_panel(session: Session, case: Case) -> dict[str, Any]:
    details = dict(case.details or {})
    registry = get_registry()
    kind = scam_type(str(details.get("scam_type", "")))
    ticket_ids = register.linked_ticket_ids(session, case)
    return {
        "scam_kind": kind.label(get_locale()) if kind else details.get("scam_type", ""),
        "scam_details": details,
        "scam_tx_hashes": _refs(registry, details.get("tx_hashes", []), "tx_hash"),
        "scam_addresses": _refs(registry, details.get("addresses", []), "address"),
        "scam_facts": _facts(registry, details),
        "scam_evidence": [a for _m, a in ticket_attachments(session, ticket_ids)],
    }


PANELS["scam_report"] = scam_panel
