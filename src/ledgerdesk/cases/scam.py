"""Scam reports: the customer's guided form becomes a working ticket for the security team and
a ``scam_report`` case whose ``details`` hold the reported facts.

``details`` (the watchlist and the export rely on this shape)::

    {"scam_type": str, "happened_at": "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM", "story": str,
     "amounts": [{"asset", "amount"}], "tx_hashes": [{"network", "tx_hash"}],
     "addresses": [{"network", "address"}], "handles": [str], "urls": [str],
     "tx_facts": [...]}   # filled by the ``cases.scam_tx_facts`` job (cases.scam_facts)

Addresses and hashes are checked per network (chain.formats) before anything is stored, and
kept in their canonical form; every message names the row so the customer can fix it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Customer
from ledgerdesk.accounts.services import Actor
from ledgerdesk.cases import register
from ledgerdesk.cases.models import Case, CaseKind
from ledgerdesk.cases.scam_hashes import SHA256, kept_details, labelled
from ledgerdesk.cases.scam_types import scam_type
from ledgerdesk.chain.formats import (
    FormatError,
    is_testnet_address,
    normalize_address,
    normalize_tx_hash,
)
from ledgerdesk.chain.registry import Registry
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import InvalidInput, NotPermitted
from ledgerdesk.core.i18n import gettext
from ledgerdesk.core.text import has_control
from ledgerdesk.jobs.outbox import enqueue
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.attachments import AttachmentIn
from ledgerdesk.tickets.models import Channel, Priority
from ledgerdesk.tickets.triage import TRIAGE_INLINE, TriageOutcome, do_apply_triage

MAX_ROWS = 10  # amounts, transactions, addresses: each
MAX_LIST = 20  # handles, URLs
MAX_STORY = 20_000
MAX_FILES = 10
TX_FACTS_TOPIC = "cases.scam_tx_facts"
_ASSET = re.compile(r"[A-Za-z0-9.\-]{1,20}")
_DOMAIN = re.compile(r"(?:[\w-]+\.)+[\w-]{2,}(?:[/:?#]\S*)?", re.UNICODE)
_EARLIEST = date(2009, 1, 3)  # nothing crypto happened before the first block


@dataclass
class ScamReportIn:
    """The form as the customer typed it (strings); ``check_report`` turns it into details."""

    scam_type: str = ""
    happened_on: str = ""  # YYYY-MM-DD
    happened_time: str = ""  # HH:MM, optional
    story: str = ""
    amounts: list[tuple[str, str]] = field(default_factory=list)  # (asset, amount)
    tx_hashes: list[tuple[str, str]] = field(default_factory=list)  # (network, hash)
    addresses: list[tuple[str, str]] = field(default_factory=list)  # (network, address)
    handles: str = ""  # one per line
    urls: str = ""  # one per line


def _filled(rows: Sequence[tuple[str, str]]) -> list[tuple[int, str, str]]:
    """Rows with anything typed in them, numbered from 1 as the form shows them."""
    return [(n, a.strip(), b.strip()) for n, (a, b) in enumerate(rows, 1) if a.strip() or b.strip()]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def check_happened_at(day: str, time_of_day: str, today: date) -> str:
    try:
        when = date.fromisoformat(day.strip())
    except ValueError:
        raise InvalidInput("Give the date it happened as YYYY-MM-DD", field="happened_on") from None
    if when < _EARLIEST or when > today + timedelta(days=1):
        raise InvalidInput("The date it happened cannot be in the future", field="happened_on")
    clock = time_of_day.strip()
    if not clock:
        return when.isoformat()
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", clock):
        raise InvalidInput("Give the time as HH:MM (24-hour clock)", field="happened_time")
    return f"{when.isoformat()}T{clock}"


def check_amounts(rows: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    found = _filled(rows)
    if len(found) > MAX_ROWS:
        raise InvalidInput(f"Give at most {MAX_ROWS} amounts", field="amounts")
    out = []
    for n, asset, amount in found:
        if not _ASSET.fullmatch(asset):
            raise InvalidInput(
                f"Amount row {n}: give the coin or token, e.g. USDT", field="amounts"
            )
        try:
            value = Decimal(amount.replace(",", ""))
        except InvalidOperation:
            value = Decimal(0)
        if not value.is_finite() or value <= 0 or len(amount) > 40 or abs(value.adjusted()) > 30:
            raise InvalidInput(f"Amount row {n}: give a number above zero", field="amounts")
        out.append({"asset": asset.upper(), "amount": format(value.normalize(), "f")})
    return out


def check_tx_hashes(registry: Registry, rows: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    found = _filled(rows)
    if len(found) > MAX_ROWS:
        raise InvalidInput(f"Give at most {MAX_ROWS} transactions", field="tx_hashes")
    out = []
    for n, network_id, value in found:
        network = registry.network(network_id) if network_id else None
        if network is None:
            raise InvalidInput(f"Transaction row {n}: choose the network", field="tx_hashes")
        try:
            tx_hash = normalize_tx_hash(network.family, value)
        except FormatError:
            raise InvalidInput(
                f"Transaction row {n}: this is not a transaction hash on {network.name_en}",
                field="tx_hashes",
            ) from None
        out.append({"network": network.id, "tx_hash": tx_hash})
    return out


def check_addresses(registry: Registry, rows: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    found = _filled(rows)
    if len(found) > MAX_ROWS:
        raise InvalidInput(f"Give at most {MAX_ROWS} addresses", field="addresses")
    out = []
    for n, network_id, value in found:
        network = registry.network(network_id) if network_id else None
        if network is None:
            raise InvalidInput(f"Address row {n}: choose the network", field="addresses")
        try:
            address = normalize_address(network.family, value)
        except FormatError:
            address = ""
        testnet_mismatch = (
            network.family == "bitcoin"
            and address != ""
            and (is_testnet_address("bitcoin", address) != network.testnet)
        )
        if not address or testnet_mismatch:
            raise InvalidInput(
                f"Address row {n}: this is not an address on {network.name_en}",
                field="addresses",
            )
        out.append({"network": network.id, "address": address})
    return out


def check_handles(text: str) -> list[str]:
    found = list(dict.fromkeys(_lines(text)))
    if len(found) > MAX_LIST or any(len(h) > 200 or has_control(h) for h in found):
        raise InvalidInput(
            f"Give at most {MAX_LIST} accounts or phone numbers, one per line", field="handles"
        )
    return found


def check_urls(text: str) -> list[str]:
    found = list(dict.fromkeys(_lines(text)))
    if len(found) > MAX_LIST:
        raise InvalidInput(f"Give at most {MAX_LIST} links, one per line", field="urls")
    for n, url in enumerate(found, 1):
        bare = re.sub(r"^https?://", "", url, flags=re.IGNORECASE)
        if len(url) > 2000 or " " in url or not _DOMAIN.fullmatch(bare):
            raise InvalidInput(f"Link {n} is not a web address", field="urls")
    return found


def check_report(registry: Registry, form: ScamReportIn, today: date) -> dict[str, Any]:
    """The ``details`` of a case, or InvalidInput naming the first field to fix."""
    kind = scam_type(form.scam_type.strip())
    if kind is None:
        raise InvalidInput("Choose what kind of scam it was", field="scam_type")
    story = form.story.strip()
    if not story or len(story) > MAX_STORY:
        raise InvalidInput(f"Tell us what happened (1 to {MAX_STORY} characters)", field="story")
    return {
        "scam_type": kind.key,
        "happened_at": check_happened_at(form.happened_on, form.happened_time, today),
        "story": story,
        "amounts": check_amounts(form.amounts),
        "tx_hashes": check_tx_hashes(registry, form.tx_hashes),
        "addresses": check_addresses(registry, form.addresses),
        "handles": check_handles(form.handles),
        "urls": check_urls(form.urls),
        "tx_facts": [],
    }


# --- filing -------------------------------------------------------------------------------


def subject_of(details: dict[str, Any], locale: str) -> str:
    kind = scam_type(str(details.get("scam_type", "")))
    return gettext("Scam report: %(kind)s") % {"kind": kind.label(locale) if kind else "?"}


def report_lists(details: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """The report's lists as (title msgid, items), for the ticket text and the export PDF."""
    rows = (
        ("Amounts lost", [f"{a['amount']} {a['asset']}" for a in details.get("amounts", [])]),
        ("Transactions reported", [_txid(t) for t in details.get("tx_hashes", [])]),
        ("Scammer's addresses", [_ref(a, "address") for a in details.get("addresses", [])]),
        ("Scammer's accounts, phone numbers", list(details.get("handles", []))),
        ("Links", list(details.get("urls", []))),
    )
    return [(title, items) for title, items in rows if items]


def _ref(row: dict[str, str], key: str) -> str:
    return f"{row['network']}: {row[key]}"


def _txid(row: dict[str, str]) -> str:
    # Each line names its value: the guard keeps a 64-hex hash it can tell is a TxID.
    return f"{row['network']} TxID: {row['tx_hash']}"


def ticket_body(details: dict[str, Any], locale: str) -> str:
    """The report as text for the working ticket (in the language of the form)."""
    kind = scam_type(str(details["scam_type"]))
    lines = [
        gettext("Kind of scam") + ": " + (kind.label(locale) if kind else ""),
        gettext("When it happened") + ": " + str(details["happened_at"]),
        "",
        str(details["story"]),
    ]
    for title, items in report_lists(details):
        lines += ["", gettext(title) + ":", *[f"- {item}" for item in items]]
    return "\n".join(lines)


@contextmanager
def _triaged_here(session: Session) -> Iterator[None]:
    """The form says what this is: the ticket is triaged here, not by the model's job."""
    before = session.info.get(TRIAGE_INLINE)
    session.info[TRIAGE_INLINE] = True
    try:
        yield
    finally:
        if before is None:
            session.info.pop(TRIAGE_INLINE, None)
        else:
            session.info[TRIAGE_INLINE] = before


def do_file_scam_report(
    session: Session,
    actor: Actor,
    customer: Customer,
    details: dict[str, Any],
    attachments: Sequence[AttachmentIn],
    *,
    locale: str,
    channel: str = "portal",
) -> Case:
    """Open the working ticket (security team, high priority, intent ``scam_report``, the
    evidence as its attachments) and the case; queue the tx-facts lookup. ``details`` comes
    from ``check_report``. The caller commits."""
    if not (actor.is_customer and actor.id == customer.id) and not actor.is_agent:
        raise NotPermitted("Customers can only report for themselves")
    if len(attachments) > MAX_FILES:
        raise InvalidInput(f"Attach at most {MAX_FILES} files", field="files")
    team_id = register.team_for(session, "security")
    subject = subject_of(details, locale)
    with _triaged_here(session):
        ticket = tickets.do_create_ticket(
            session,
            actor,
            customer,
            tickets.NewTicket(
                subject=subject,
                body=ticket_body(details, locale),
                channel=Channel.portal,
                language=tickets.ticket_language(locale),
                attachments=list(attachments),
            ),
        )
    do_apply_triage(
        session,
        ticket,
        TriageOutcome(
            intent="scam_report",
            priority=Priority.high,
            team_id=team_id,
            tags=["scam-report"],
            detail={"source": "scam_report_form"},
        ),
    )
    case = register.do_open_case(
        session,
        actor,
        register.NewCase(
            kind=CaseKind.scam_report,
            customer_id=customer.id,
            subject=subject,
            language=locale,
            channel=channel,
            topic=str(details["scam_type"]),
            ticket_id=ticket.id,
            team_id=team_id,
            details=kept_details(details),
            received_at=utcnow(),
        ),
    )
    _record_evidence(session, actor, case, ticket.id)
    if details["tx_hashes"]:
        enqueue(session, TX_FACTS_TOPIC, {"case_id": case.id})
    return case


def _record_evidence(session: Session, actor: Actor, case: Case, ticket_id: int) -> None:
    from ledgerdesk.cases.export import ticket_attachments

    files = [
        {
            "attachment_id": a.id,
            "filename": a.filename,
            "size": a.size,
            "sha256": labelled(a.sha256, SHA256),
        }
        for _message, a in ticket_attachments(session, [ticket_id])
    ]
    if files:
        register.record_step(session, case, actor, "evidence_added", {"files": files})
