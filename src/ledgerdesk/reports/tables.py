"""The report's tables, the same for the page and its CSV files: headers in the reader's
language, durations in minutes (one decimal), rates in percent; "—" when undefined.

``csv_bytes`` writes UTF-8 with a byte-order mark so that Excel reads Chinese correctly."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from ledgerdesk.core.i18n import gettext, language_name
from ledgerdesk.reports.metrics import AGE_BUCKETS, AgentRow, Summary
from ledgerdesk.web.labels import N_, label

Cell = str | int | float
NONE = "—"

TABLES = ("summary", "daily", "intents", "channel", "language", "team", "sla", "backlog", "agents")
AGE_LABELS = {
    "lt_1d": N_("Under 1 day"),
    "1_3d": N_("1–3 days"),
    "3_7d": N_("3–7 days"),
    "7_30d": N_("7–30 days"),
    "gt_30d": N_("Over 30 days"),
}
TARGET_LABELS = {
    "first_reply": N_("First reply"),
    "next_reply": N_("Next reply"),
    "periodic_update": N_("Periodic update"),
    "resolution": N_("Resolution"),
}
assert set(AGE_LABELS) == {k for k, _, _ in AGE_BUCKETS}


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    headers: list[str]
    rows: list[list[Cell]]


def minutes(seconds: float | None) -> Cell:
    return NONE if seconds is None else round(seconds / 60, 1)


def percent(rate: float | None) -> Cell:
    return NONE if rate is None else round(rate * 100, 1)


def _counts(name: str, title: str, head: str, items: Sequence[tuple[str, int]]) -> Table:
    return Table(name, title, [head, gettext("Tickets")], [[k, n] for k, n in items])


def _none(value: object) -> Cell:
    return NONE if value is None else value  # type: ignore[return-value]


def summary_tables(s: Summary) -> dict[str, Table]:
    """Every table of the summary, by its CSV name."""
    unset = gettext("(none)")
    figures: list[list[Cell]] = [
        [gettext("Tickets created"), s.created],
        [gettext("Median first reply time (minutes)"), minutes(s.first_reply.median)],
        [gettext("90th percentile first reply time (minutes)"), minutes(s.first_reply.p90)],
        [gettext("Median full resolution time (minutes)"), minutes(s.resolution.median)],
        [gettext("90th percentile full resolution time (minutes)"), minutes(s.resolution.p90)],
        [gettext("Tickets solved"), s.solved],
        [gettext("One-touch resolution (%)"), percent(s.one_touch_rate)],
        [gettext("Reopen rate (%)"), percent(s.reopen_rate)],
        [gettext("Backlog (open now)"), s.backlog],
        [gettext("CSAT (%)"), _none(s.csat.get("csat_percent"))],
        [gettext("Surveys answered"), s.csat.get("answered", 0)],
        [gettext("Help-center deflection (%)"), percent(s.deflection.get("rate"))],
        [gettext("Assistant automated resolution (%)"), percent(s.assistant.get("rate"))],
    ]
    return {
        "summary": Table(
            "summary", gettext("Summary"), [gettext("Figure"), gettext("Value")], figures
        ),
        "daily": Table(
            "daily",
            gettext("Tickets per day"),
            [gettext("Day"), gettext("Created"), gettext("Solved")],
            [[d, c, v] for d, c, v in s.daily],
        ),
        "intents": _counts(
            "intents",
            gettext("Tickets per intent"),
            gettext("Intent"),
            [(label(k) if k else unset, n) for k, n in s.by_intent],
        ),
        "channel": _counts(
            "channel",
            gettext("Tickets per channel"),
            gettext("Channel"),
            [(label(k), n) for k, n in s.by_channel],
        ),
        "language": _counts(
            "language",
            gettext("Tickets per language"),
            gettext("Language"),
            [(language_name(k) if k else unset, n) for k, n in s.by_language],
        ),
        "team": _counts(
            "team",
            gettext("Tickets per team"),
            gettext("Team"),
            [(k or unset, n) for k, n in s.by_team],
        ),
        "sla": Table(
            "sla",
            gettext("SLA attainment"),
            [
                gettext("Target"),
                gettext("Met"),
                gettext("Breached"),
                gettext("Running"),
                gettext("Attainment (%)"),
            ],
            [
                [
                    gettext(TARGET_LABELS[r.target]),
                    r.met,
                    r.breached,
                    r.running,
                    percent(r.attainment),
                ]
                for r in s.sla
            ],
        ),
        "backlog": Table(
            "backlog",
            gettext("Backlog by age"),
            [gettext("Age"), gettext("Tickets")],
            [[gettext(AGE_LABELS[k]), n] for k, n in s.backlog_ages],
        ),
    }


def agent_table(rows: Sequence[AgentRow]) -> Table:
    return Table(
        "agents",
        gettext("Per agent"),
        [
            gettext("Agent"),
            gettext("First replies"),
            gettext("Median first reply time (minutes)"),
            gettext("Tickets solved"),
            gettext("One-touch"),
            gettext("Median full resolution time (minutes)"),
        ],
        [
            [
                r.name,
                r.first_replies,
                minutes(r.first_reply_median),
                r.solved,
                r.one_touch,
                minutes(r.resolution_median),
            ]
            for r in rows
        ],
    )


def _safe(cell: Cell) -> Cell:
    """A text cell that a spreadsheet would run as a formula gets a leading quote."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


def csv_bytes(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_safe(c) for c in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
