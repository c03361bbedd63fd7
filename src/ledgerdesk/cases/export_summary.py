"""``summary.pdf`` of the case export: what a reader outside the desk needs first, in the
exporting agent's language."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ledgerdesk.accounts.models import Customer
from ledgerdesk.cases.models import Case, CaseEvent
from ledgerdesk.cases.pdf import Section, render
from ledgerdesk.cases.scam import report_lists
from ledgerdesk.cases.scam_types import scam_type
from ledgerdesk.core.i18n import get_locale, gettext
from ledgerdesk.web.labels import label


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"


def _case_section(case: Case, customer: Customer | None) -> Section:
    who = f"{customer.name} <{customer.email}>" if customer else f"#{case.customer_id}"
    rows = [
        (gettext("Reference number"), case.reference),
        (gettext("Kind"), label(case.kind)),
        (gettext("Status"), label(case.status)),
        (gettext("Customer"), who),
        (gettext("Subject"), case.subject),
        (gettext("Received on"), _when(case.received_at)),
        (gettext("Working ticket no."), f"#{case.ticket_id}" if case.ticket_id else "—"),
    ]
    if case.outcome:
        rows.append((gettext("Outcome"), label(case.outcome)))
    return Section(gettext("Case summary"), lines=[f"{k}: {v}" for k, v in rows])


def _scam_lines(details: dict[str, Any]) -> list[str]:
    kind = scam_type(str(details.get("scam_type", "")))
    lines = [
        gettext("Kind of scam") + ": " + (kind.label(get_locale()) if kind else "—"),
        gettext("When it happened") + ": " + str(details.get("happened_at", "—")),
        gettext("The customer's account") + ": " + str(details.get("story", "")),
    ]
    for title, items in report_lists(details):
        lines += [gettext(title) + ":", *[f"  • {item}" for item in items]]
    return lines


def _facts_section(case: Case) -> Section:
    details = dict(case.details or {})
    if "scam_type" in details:
        lines = _scam_lines(details)
    else:
        lines = [f"{k}: {v}" for k, v in details.items() if v not in (None, "", [], {})]
    if case.points:
        lines += [
            gettext("Points the customer raised") + ":",
            *[f"  {n}. {p}" for n, p in enumerate(case.points, 1)],
        ]
    return Section(gettext("Facts as reported"), lines=lines or ["—"])


def _chain_section(details: dict[str, Any]) -> Section | None:
    facts = details.get("tx_facts") or []
    if not facts:
        return None
    titles = ("Transaction on chain", "Result", "Block", "Transfers on chain")
    table: list[list[str]] = [[gettext(t) for t in titles]]
    for fact in facts:
        if "error" in fact:
            result, block, moved = label(fact["error"]), "—", ""
        else:
            result = label(fact.get("status"))
            block = str(fact.get("block_number") or "—")
            moved = "; ".join(
                f"{t.get('amount') or t['amount_raw']} {t.get('symbol') or t['asset']} → {t['to']}"
                for t in fact.get("transfers", [])
            )
        table.append([f"{fact['network']}: {fact['tx_hash']}", result, block, moved])
    return Section(gettext("What the chain shows"), table=table, widths=(3, 1, 1, 3))


def _steps_section(steps: Sequence[CaseEvent]) -> Section:
    table = [[gettext("Seq."), gettext("Time"), gettext("Register step"), gettext("By")]]
    for step in steps:
        actor = label(step.actor_type) + (f" #{step.actor_id}" if step.actor_id else "")
        table.append([str(step.seq), _when(step.at), label(step.step), actor])
    return Section(gettext("Register of steps"), table=table, widths=(0.5, 2, 2, 1.5))


def _evidence_section(tickets: Sequence[dict[str, Any]]) -> Section:
    table = [[gettext("Evidence file"), gettext("Bytes"), "SHA-256"]]
    for ticket in tickets:
        for message in ticket["messages"]:
            for item in message["attachments"]:
                name = item["path"] or gettext("missing from storage") + ": " + item["filename"]
                table.append([name, str(item["size"]), item["sha256"]])
    if len(table) == 1:
        return Section(gettext("Evidence files"), lines=[gettext("No files were attached.")])
    return Section(gettext("Evidence files"), table=table, widths=(2.5, 0.7, 3.8))


def summary_pdf(
    case: Case,
    customer: Customer | None,
    steps: Sequence[CaseEvent],
    tickets: Sequence[dict[str, Any]],
    now: datetime,
) -> bytes:
    sections = [_case_section(case, customer), _facts_section(case)]
    chain = _chain_section(dict(case.details or {}))
    if chain is not None:
        sections.append(chain)
    sections += [_steps_section(steps), _evidence_section(tickets)]
    footer = gettext(
        "Exported %(when)s. manifest.json and manifest.sha256 list the SHA-256 of every file."
    ) % {"when": _when(now)}
    title = gettext("Case export %(reference)s") % {"reference": case.reference}
    return render(title, sections, footer=footer)
