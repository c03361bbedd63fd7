"""The new request a check's answer offers: subject and description written from the check
(network, asset, TxID or withdrawal id, what we found), in the reader's language, so the
customer does not type again what the check already knows.

The portal's new-request form takes ``?check=<id>`` and fills itself from here; the text never
travels in a URL."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ledgerdesk.chain import services as svc
from ledgerdesk.chain.explain import explain, verdict_texts
from ledgerdesk.chain.models import ChainCheck
from ledgerdesk.chain.registry import get_registry


@dataclass(frozen=True)
class RequestDraft:
    subject: str
    body: str


class _Fill(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "—"


def access_check_for_request(
    session: Session, check_id: int, *, customer_id: int, anonymous_ids: Collection[int] = ()
) -> ChainCheck | None:
    """The check, when it is this customer's own, or an anonymous check this browser made
    (``anonymous_ids``, kept in its signed session) before signing in; otherwise None, so
    another customer's check id gives nothing away."""
    check = session.get(ChainCheck, check_id)
    if check is None:
        return None
    if check.customer_id == customer_id:
        return check
    anonymous = check.customer_id is None and check.requested_by == "anonymous"
    return check if anonymous and check_id in anonymous_ids else None


def request_draft(check: ChainCheck, locale: str) -> RequestDraft:
    lang = "zh-CN" if locale.lower().startswith("zh") else "en"
    diagnosis = svc.diagnosis_of(check)
    registry = get_registry()
    text = explain(diagnosis, registry, lang, ticket=check.ticket_id)
    network = registry.network(check.network or "")
    texts = verdict_texts()["request"]
    tx_hash = diagnosis.tx_hash or "—"
    if "…" in tx_hash:  # only the ends were kept (see services.SEEN_AS_TRANSACTION)
        tx_hash = texts["shortened_hash"][lang].format_map(_Fill(tx_hash=tx_hash))
    values = _Fill(
        network=network.name(lang) if network else (check.network or "—"),
        asset=check.asset or "—",
        amount=str(check.facts.get("amount") or "—"),
        tx_hash=tx_hash,
        withdrawal_id=str(check.facts.get("withdrawal_id") or check.reference or "—"),
        title=text.title,
        explanation=text.explanation,
    )
    kind = "deposit" if check.kind == "deposit" else "withdrawal"
    return RequestDraft(
        subject=texts[f"subject_{kind}"][lang].format_map(values),
        body=texts[f"body_{kind}"][lang].format_map(values),
    )
