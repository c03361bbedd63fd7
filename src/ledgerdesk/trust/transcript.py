"""Transcripts a customer keeps: one HTML file with the evidence that proves it.

A transcript holds the ticket's items that are already in the transparency log (messages with
their salts and texts, attachments, events, and for agents notes, guard findings and register
steps), each with its leaf exactly as ``trust.leaves`` builds it and its inclusion proof in one
signed tree head. The page is rendered from that evidence only (``trust.transcript_html``), so
``ledgerdesk verify transcript`` and ``docs/verify_transcript.py`` can check it offline. Items
the appender has not logged yet are left out and counted; a ticket with nothing logged yet
answers 409 (the appender runs every few seconds).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.services import Actor
from ledgerdesk.cases.models import Case
from ledgerdesk.cases.register import steps
from ledgerdesk.core.errors import Conflict
from ledgerdesk.core.i18n import get_locale, gettext
from ledgerdesk.tickets import queries, timeline
from ledgerdesk.tickets import services as tickets
from ledgerdesk.trust import log
from ledgerdesk.trust.anchoring_models import Anchor
from ledgerdesk.trust.leaves import leaf_data
from ledgerdesk.trust.log_models import LogHead
from ledgerdesk.trust.transcript_html import FORMAT, canonical, recorded_subject, render
from ledgerdesk.web.labels import N_, label

# What a customer sees of a ticket's history: the portal shows its opening and its status.
PORTAL_ACTIONS = frozenset({"ticket.created", "ticket.status_changed"})
PORTAL_FIELDS = ("status",)

UI = {
    "title": N_("Transcript of ticket"),
    "intro": N_(
        "Every entry below is recorded in the desk's transparency log. Anyone can check this "
        "file offline with the desk's public key: ledgerdesk verify transcript FILE "
        "--public-key KEY, or the standalone script docs/verify_transcript.py."
    ),
    "pending": N_(
        "{n} newer entries of this ticket are still being recorded in the log and are not in "
        "this transcript yet."
    ),
    "head": N_("Signed tree head: {size} entries, signed at {time} by key {key}"),
    "root": N_("Root hash"),
    "fingerprint": N_("Fingerprint of this transcript's evidence (SHA-256)"),
    "anchor": N_("Anchored on chain"),
    "note": N_("Internal note"),
    "attachment": N_("Attachment"),
    "bytes": N_("bytes"),
    "guard": N_("Guard finding"),
    "case_step": N_("Complaint register"),
}


class NotLoggedYet(Conflict):
    """None of the ticket's entries is in the log yet."""


@dataclass(frozen=True)
class HeadChoice:
    """The tree head a transcript proves its items against, and the on-chain anchor of that
    head when there is one (as a JSON object)."""

    head: LogHead
    anchor: dict[str, Any] | None = None


@dataclass(frozen=True)
class Bundle:
    filename: str
    content: bytes
    evidence: dict[str, Any]


def choose_head(
    session: Session, min_size: int, latest: LogHead | None = None
) -> HeadChoice | None:
    """The head to prove against: the first head anchored on chain that covers the first
    ``min_size`` leaves (so anyone can check the transcript against the chain too), else the
    latest head (``latest``, when the caller has read it) when it covers them."""
    from ledgerdesk.trust.anchoring import latest_anchor_covering

    anchor = latest_anchor_covering(session, min_size)
    if anchor is not None:
        anchored = log.head_at(session, anchor.tree_size)
        if anchored is not None and anchored.root_hash == anchor.root_hash:
            return HeadChoice(head=anchored, anchor=anchor_json(anchor))
    head = latest or log.latest_head(session)
    if head is None or head.tree_size < min_size:
        return None
    return HeadChoice(head=head)


def anchor_json(anchor: Anchor) -> dict[str, Any]:
    """Where a head was anchored, as the evidence carries it."""
    return {
        "network": anchor.network,
        "chain_id": anchor.chain_id,
        "contract": anchor.contract,
        "block_number": anchor.block_number,
        "tx_hash": anchor.tx_hash,
    }


def build(session: Session, actor: Actor, ticket_id: int) -> Bundle:
    """The transcript of a ticket ``actor`` may see (``NotFound`` otherwise)."""
    ticket = tickets.access_ticket(session, actor, ticket_id)
    rows = _rows(session, actor, ticket)
    found = {
        source: log.leaves_for(session, source, [r.id for s, r in rows if s == source])
        for source in {s for s, _ in rows}
    }
    latest = log.latest_head(session)
    size = latest.tree_size if latest is not None else 0
    logged = [(s, r, found[s][r.id]) for s, r in rows if r.id in found[s]]
    logged = [entry for entry in logged if entry[2].idx < size]
    choice = choose_head(session, max((e[2].idx for e in logged), default=-1) + 1, latest)
    if not logged or choice is None:
        raise NotLoggedYet(
            "This ticket's records are still being written to the log; try again in a few seconds"
        )
    logged.sort(key=lambda entry: entry[2].idx)
    proofs = log.inclusion_proofs(
        session, [leaf.idx for _, _, leaf in logged], choice.head.tree_size
    )
    items = [_item(source, row, leaf, proofs[leaf.idx]) for source, row, leaf in logged]
    evidence = _evidence(actor, ticket.id, items, choice, pending=len(rows) - len(logged))
    evidence = json.loads(canonical(evidence))  # exactly what a verifier will parse
    return Bundle(f"transcript-{ticket.id}.html", render(evidence), evidence)


def _rows(session: Session, actor: Actor, ticket: Any) -> list[tuple[str, Any]]:
    """The rows a transcript for ``actor`` covers, as (log source, row)."""
    messages = queries.ticket_messages(session, actor, ticket)
    rows: list[tuple[str, Any]] = [("message", m) for m in messages]
    rows += [("attachment", a) for m in messages for a in m.attachments]
    events = queries.ticket_events(session, ticket)
    if actor.is_customer:
        rows += [("event", e) for e in events if e.action in PORTAL_ACTIONS]
        return rows
    rows += [("event", e) for e in events]
    rows += [("guard", g) for g in queries.guard_findings(session, actor, ticket)]
    cases = list(session.scalars(select(Case).where(Case.ticket_id == ticket.id).order_by(Case.id)))
    rows += [("case_step", step) for case in cases for step in steps(session, case)]
    return rows


def _item(source: str, row: Any, leaf: Any, proof: list[bytes]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "index": leaf.idx,
        "source": source,
        "leaf": leaf_data(source, row, leaf.salt),
        "proof": [p.hex() for p in proof],
    }
    if source == "message":
        item["salt"] = leaf.salt
        item["body"] = row.body
    return item


def _evidence(
    actor: Actor, ticket_id: int, items: list[dict[str, Any]], choice: HeadChoice, pending: int
) -> dict[str, Any]:
    audience = "portal" if actor.is_customer else "console"
    evidence: dict[str, Any] = {
        "format": FORMAT,
        "audience": audience,
        "language": get_locale(),
        "ticket": {"reference": f"#{ticket_id}", "subject": recorded_subject(items)},
        "items": items,
        "pending": pending,
        "head": log.head_json(choice.head),
        "labels": _labels(items, audience),
    }
    if choice.anchor is not None:
        evidence["anchor"] = choice.anchor
    return evidence


def _labels(items: list[dict[str, Any]], audience: str) -> dict[str, Any]:
    """Every word the page needs, in the reader's language."""
    fields = dict(timeline.FIELDS) if audience == "console" else {}
    fields.update({k: timeline.FIELDS[k] for k in PORTAL_FIELDS})
    values: dict[str, str] = {}
    for item in items:
        leaf = item["leaf"]
        for key in ("kind", "step"):
            if item["source"] in ("guard", "case_step") and key in leaf:
                _add_value(values, leaf[key])
        for side in (leaf.get("before"), leaf.get("after")):
            for k, v in (side or {}).items() if item["source"] == "event" else ():
                if k in fields:
                    _add_value(values, v)
    actions = {i["leaf"]["action"] for i in items if i["source"] == "event"}
    return {
        **{key: gettext(text) for key, text in UI.items()},
        "authors": {kind: label(kind) for kind in ("agent", "customer", "system", "assistant")},
        "actions": {
            a: gettext(timeline.ACTIONS[a]) for a in sorted(actions) if a in timeline.ACTIONS
        },
        "fields": {k: gettext(text) for k, text in fields.items()},
        "values": values,
    }


def _add_value(values: dict[str, str], value: Any) -> None:
    """The label of a stored key the page shows (lists label each element)."""
    if isinstance(value, list):
        for v in value:
            _add_value(values, v)
        return
    if isinstance(value, bool):
        value = "yes" if value else "no"
    if not isinstance(value, str):
        return
    text = gettext(value) if value in ("yes", "no") else _word(value)
    if text != value:
        values[value] = text


def _word(value: str) -> str:
    words = timeline._VALUES  # the history's words for keys that are not enum values
    return gettext(words[value]) if value in words else label(value)
