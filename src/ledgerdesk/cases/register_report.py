"""The register's analysis as tables in the reader's language (the console page shows them,
the PDF for the management body prints them), and that PDF."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ledgerdesk.cases import pdf
from ledgerdesk.cases.analysis import TRANSITION_LABELS, Analysis
from ledgerdesk.cases.register_export import (
    Cell,
    RegisterRow,
    breach_label,
    when,
)
from ledgerdesk.core.i18n import gettext
from ledgerdesk.web.labels import label

DASH = "—"
PDF_CASE_LIMIT = 500  # the PDF lists at most this many cases; the CSV has them all


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    headers: list[str]
    rows: list[list[Cell]]


def duration(hours: float | None) -> str:
    """``5.5 hours`` under two days, ``3.2 days`` from there; a dash when nothing was measured."""
    if hours is None:
        return DASH
    if hours < 48:
        return gettext("{value} hours").format(value=f"{hours:.1f}")
    return gettext("{value} days").format(value=f"{hours / 24:.1f}")


def summary_lines(a: Analysis) -> list[tuple[str, int]]:
    b = a.breaches
    return [
        (gettext("Cases received"), a.received),
        (gettext("Answered"), a.answered),
        (gettext("Closed"), a.closed),
        (gettext("Waiting for an answer"), a.unanswered),
        (gettext("Answered after the desk's own date"), b.answered_after_due),
        (gettext("Answered after the legal time limit"), b.answered_after_limit),
        (gettext("Unanswered past the desk's own date"), b.open_past_due),
        (gettext("Unanswered past the legal time limit"), b.open_past_limit),
        (gettext("Cases with a delay notice"), b.with_delay_notice),
    ]


def _breach_rows(a: Analysis) -> list[list[Cell]]:
    return [
        [
            r.reference,
            label(r.kind),
            when(r.received_at),
            when(r.due_at),
            when(r.limit_at),
            when(r.decided_at) or gettext("Not yet"),
            r.days_taken(a.as_of),
            breach_label(r.breach(a.as_of)),
        ]
        for r in a.breaches.cases
    ]


def analysis_tables(a: Analysis) -> dict[str, Table]:
    """Every table of the analysis, by name (the page's section ids)."""
    count = gettext("Cases")
    return {
        "periods": Table(
            "periods",
            gettext("Per month"),
            [gettext("Month"), gettext("Received"), gettext("Answered"), gettext("Closed")],
            [[p.month, p.received, p.answered, p.closed] for p in a.periods],
        ),
        "timings": Table(
            "timings",
            gettext("Handling time per step"),
            [gettext("Step"), count, gettext("Average"), gettext("Median")],
            [
                [
                    gettext(TRANSITION_LABELS[t.key]),
                    t.count,
                    duration(t.average_hours),
                    duration(t.median_hours),
                ]
                for t in a.timings
            ],
        ),
        "breaches": Table(
            "breaches",
            gettext("Breaches of time limits"),
            [
                gettext("Reference"),
                gettext("Kind"),
                gettext("Received (UTC)"),
                gettext("Due (UTC)"),
                gettext("Time limit (UTC)"),
                gettext("Decided (UTC)"),
                gettext("Days taken"),
                gettext("Time limit breached"),
            ],
            _breach_rows(a),
        ),
        "kinds": Table(
            "kinds",
            gettext("Cases per kind"),
            [gettext("Kind"), count],
            [[label(k), n] for k, n in a.kinds],
        ),
        "topics": Table(
            "topics",
            gettext("Cases per topic"),
            [gettext("Topic"), count],
            [[topic_label(k), n] for k, n in a.topics],
        ),
        "outcomes": Table(
            "outcomes",
            gettext("Cases per outcome"),
            [gettext("Outcome"), count],
            [[label(k) if k else gettext("No outcome yet"), n] for k, n in a.outcomes],
        ),
    }


def _register_table(rows: Sequence[RegisterRow], as_of: datetime) -> list[list[str]]:
    head = [
        gettext("Reference"),
        gettext("Kind"),
        gettext("Received (UTC)"),
        gettext("Status"),
        gettext("Decided (UTC)"),
        gettext("Outcome"),
        gettext("Days taken"),
        gettext("Time limit breached"),
    ]
    body = [
        [
            r.reference,
            label(r.kind),
            when(r.received_at),
            label(r.status),
            when(r.decided_at),
            label(r.outcome),
            str(r.days_taken(as_of)),
            breach_label(r.breach(as_of)),
        ]
        for r in rows[:PDF_CASE_LIMIT]
    ]
    return [head, *body]


def title(a: Analysis) -> str:
    kind = label(a.query.kind) if a.query.kind is not None else gettext("All kinds")
    return gettext("Complaints register {start} – {end} ({kind})").format(
        start=a.query.start.isoformat(), end=a.query.end.isoformat(), kind=kind
    )


def render_pdf(a: Analysis, rows: Sequence[RegisterRow]) -> bytes:
    """The register and its analysis for the management body, in the current language."""
    tables = analysis_tables(a)
    sections = [
        pdf.Section(gettext("Summary"), [f"{text}: {n}" for text, n in summary_lines(a)]),
    ]
    for name in ("periods", "timings", "kinds", "topics", "outcomes", "breaches"):
        t = tables[name]
        if t.rows:
            cells = [t.headers, *[[str(c) for c in row] for row in t.rows]]
            sections.append(pdf.Section(t.title, table=cells))
        else:
            sections.append(pdf.Section(t.title, [gettext("Nothing in this period.")]))
    lines = []
    if len(rows) > PDF_CASE_LIMIT:
        lines.append(
            gettext("The first {count} cases; the CSV file lists every case.").format(
                count=PDF_CASE_LIMIT
            )
        )
    sections.append(
        pdf.Section(
            gettext("The register"),
            lines,
            table=_register_table(rows, a.as_of) if rows else (),
            widths=(1.6, 1.1, 1.4, 1.1, 1.4, 1.1, 0.7, 1.2),
        )
    )
    footer = gettext(
        "Made {at} UTC from the append-only register. Times are UTC; open cases are "
        "measured to this moment."
    ).format(at=a.as_of.strftime("%Y-%m-%d %H:%M"))
    return pdf.render(title(a), sections, footer=footer)


def topic_label(key: str) -> str:
    """A topic in the reader's language: the complaint form's topics and the appeal reasons,
    else the shared labels."""
    from ledgerdesk.cases.complaints import APPEAL_OF, TOPICS

    known = TOPICS.get(key) or APPEAL_OF.get(key)
    return gettext(known) if known else label(key)
