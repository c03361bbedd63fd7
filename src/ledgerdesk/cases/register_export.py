"""The complaints register as a regulator reads it: one row per case (what was received, each
step's date, the promised and the legal date, the answer, the outcome, the days taken and
whether a time limit was breached) and one row per step of the append-only register.

Everything comes from the foundation's two tables, ``cases`` and ``case_events``: a step's
date is the first event of that step, so the export shows what the register recorded, not
what a later correction might say. Times are naive UTC, as stored.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.cases.models import Case, CaseEvent, CaseKind
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import InvalidInput
from ledgerdesk.core.i18n import gettext, language_name
from ledgerdesk.web.labels import N_, label

DEFAULT_DAYS = 365
MAX_DAYS = 3660
EARLIEST, LATEST = date(1900, 1, 1), date(9998, 12, 31)  # the day after LATEST still exists
# The steps that answer a case: a decision, a summary resolution communication (DISP 1.5),
# or the refusal at admissibility. The first of them is the case's final answer.
ANSWER_STEPS = ("decision", "summary_resolution", "inadmissible")
NONE = ""
Cell = str | int | float


@dataclass(frozen=True)
class RegisterQuery:
    """Cases received from ``start`` to ``end`` (both included, UTC days), of one kind or all."""

    start: date
    end: date
    kind: CaseKind | None = None

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time.min)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min)

    def params(self) -> dict[str, str]:
        """As query parameters (the page's download links keep them)."""
        out = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.kind is not None:
            out["kind"] = self.kind.value
        return out


def make_query(
    start: date | None = None, end: date | None = None, kind: CaseKind | None = None
) -> RegisterQuery:
    """The last 365 days by default; at most ``MAX_DAYS`` days; the start not after the end."""
    for given, name in ((start, "start"), (end, "end")):
        if given is not None and not EARLIEST <= given <= LATEST:
            raise InvalidInput("Choose dates from the year 1900 to 9998", field=name)
    last = end or utcnow().date()
    first = start or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise InvalidInput("The start date is after the end date", field="start")
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput(f"Choose at most {MAX_DAYS} days", field="start")
    return RegisterQuery(first, last, kind)


@dataclass(frozen=True)
class StepRow:
    reference: str
    seq: int
    step: str
    actor_type: str
    actor_id: int | None
    at: datetime


@dataclass
class RegisterRow:
    """One case of the register, with the dates its steps were recorded."""

    case_id: int
    reference: str
    kind: str
    received_at: datetime
    channel: str
    language: str
    topic: str
    jurisdiction: str | None
    status: str
    due_at: datetime | None
    limit_at: datetime | None
    outcome: str | None
    acknowledged_at: datetime | None = None
    admissibility: str | None = None  # "admissible" | "inadmissible"
    admissibility_at: datetime | None = None
    delay_notices: int = 0
    last_delay_at: datetime | None = None
    answer: str | None = None  # the first of ANSWER_STEPS
    decided_at: datetime | None = None
    closed_at: datetime | None = None
    reopened: int = 0
    steps: list[StepRow] = field(default_factory=list)

    @property
    def ended_at(self) -> datetime | None:
        """When the case stopped waiting for the desk: its answer, else its closure (a
        complaint withdrawn before any decision)."""
        return self.decided_at or self.closed_at

    def days_taken(self, as_of: datetime) -> float:
        """Calendar days from receipt to the answer, or to ``as_of`` while unanswered."""
        end = self.ended_at or as_of
        return round((end - self.received_at).total_seconds() / 86400, 1)

    def breach(self, as_of: datetime) -> str:
        """ "limit" when the legal maximum passed before the answer (or is past while none
        came), "target" when only the desk's own date did, "" otherwise."""
        end = self.ended_at or as_of
        if self.limit_at is not None and end > self.limit_at:
            return "limit"
        if self.due_at is not None and end > self.due_at:
            return "target"
        return ""


_CASE_COLUMNS = (
    Case.id,
    Case.reference,
    Case.kind,
    Case.received_at,
    Case.channel,
    Case.language,
    Case.topic,
    Case.jurisdiction,
    Case.status,
    Case.due_at,
    Case.limit_at,
    Case.outcome,
    Case.acknowledged_at,
    Case.decided_at,
    Case.closed_at,
)


def _conditions(query: RegisterQuery) -> list[object]:
    conditions: list[object] = [Case.received_at >= query.since, Case.received_at < query.until]
    if query.kind is not None:
        conditions.append(Case.kind == query.kind)
    return conditions


def load_rows(session: Session, query: RegisterQuery) -> list[RegisterRow]:
    """The register's rows, oldest first, with their steps (two queries in all)."""
    rows: dict[int, RegisterRow] = {}
    ordered = select(*_CASE_COLUMNS).where(*_conditions(query))  # type: ignore[arg-type]
    for r in session.execute(ordered.order_by(Case.received_at, Case.reference)):
        row = RegisterRow(
            case_id=r.id,
            reference=r.reference,
            kind=r.kind.value,
            received_at=r.received_at,
            channel=r.channel,
            language=r.language,
            topic=r.topic,
            jurisdiction=r.jurisdiction,
            status=r.status.value,
            due_at=r.due_at,
            limit_at=r.limit_at,
            outcome=r.outcome,
            acknowledged_at=r.acknowledged_at,
            decided_at=r.decided_at,
            closed_at=r.closed_at,
        )
        rows[r.id] = row
    events = (
        select(CaseEvent.case_id, CaseEvent.seq, CaseEvent.step, CaseEvent.actor_type)
        .add_columns(CaseEvent.actor_id, CaseEvent.at)
        .join(Case, Case.id == CaseEvent.case_id)
        .where(*_conditions(query))  # type: ignore[arg-type]
        .order_by(CaseEvent.case_id, CaseEvent.seq)
    )
    for e in session.execute(events):
        row = rows[e.case_id]
        row.steps.append(StepRow(row.reference, e.seq, e.step, e.actor_type, e.actor_id, e.at))
    for row in rows.values():
        _apply_steps(row)
    return list(rows.values())


def _apply_steps(row: RegisterRow) -> None:
    """Fill the step dates from the register; the case's own columns win when set (they are
    written in the same transaction as their step)."""
    first: dict[str, datetime] = {}
    for step in row.steps:
        first.setdefault(step.step, step.at)
        if step.step == "delay_notice":
            row.delay_notices += 1
            row.last_delay_at = step.at
        elif step.step == "reopened":
            row.reopened += 1
        if step.step in ANSWER_STEPS and row.answer is None:
            row.answer = step.step
    verdicts = [(first[v], v) for v in ("admissible", "inadmissible") if v in first]
    if verdicts:
        row.admissibility_at, row.admissibility = min(verdicts)
    row.acknowledged_at = row.acknowledged_at or first.get("acknowledged")
    answered = [first[s] for s in ANSWER_STEPS if s in first]
    row.decided_at = row.decided_at or (min(answered) if answered else None)
    closings = [s.at for s in row.steps if s.step == "closed"]
    if row.closed_at is None and closings and row.status == "closed":
        row.closed_at = closings[-1]


# --- cells in the reader's language -----------------------------------------------------------


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else NONE


def jurisdiction_label(key: str | None) -> str:
    if not key:
        return NONE
    text = JURISDICTIONS.get(key)
    return gettext(text) if text is not None else key


def breach_label(kind: str) -> str:
    return gettext(BREACHES[kind]) if kind else gettext("No")


JURISDICTIONS = {
    "mica_eu": N_("MiCA (EU): two months at most"),
    "uk_disp": N_("UK FCA DISP: eight weeks"),
    "operator": N_("The desk's own target"),
}
BREACHES = {
    "limit": N_("Legal time limit"),
    "target": N_("The desk's own date"),
}


def case_headers() -> list[str]:
    return [
        gettext("Reference"),
        gettext("Kind"),
        gettext("Received (UTC)"),
        gettext("Channel"),
        gettext("Language"),
        gettext("Topic"),
        gettext("Jurisdiction"),
        gettext("Status"),
        gettext("Admissibility"),
        gettext("Admissibility decided (UTC)"),
        gettext("Acknowledged (UTC)"),
        gettext("Delay notices"),
        gettext("Last delay notice (UTC)"),
        gettext("Answer"),
        gettext("Decided (UTC)"),
        gettext("Closed (UTC)"),
        gettext("Reopened"),
        gettext("Due (UTC)"),
        gettext("Time limit (UTC)"),
        gettext("Outcome"),
        gettext("Days taken"),
        gettext("Time limit breached"),
    ]


def case_cells(row: RegisterRow, as_of: datetime) -> list[Cell]:
    return [
        row.reference,
        label(row.kind),
        when(row.received_at),
        label(row.channel),
        language_name(row.language),
        row.topic,  # the complaint form's topic key, as stored (docs/compliance.md)
        jurisdiction_label(row.jurisdiction),
        label(row.status),
        label(row.admissibility),
        when(row.admissibility_at),
        when(row.acknowledged_at),
        row.delay_notices,
        when(row.last_delay_at),
        label(row.answer),
        when(row.decided_at),
        when(row.closed_at),
        row.reopened,
        when(row.due_at),
        when(row.limit_at),
        label(row.outcome),
        row.days_taken(as_of),
        breach_label(row.breach(as_of)),
    ]


def step_headers() -> list[str]:
    return [
        gettext("Reference"),
        gettext("No."),
        gettext("Step"),
        gettext("Done by"),
        gettext("Actor id"),
        gettext("Time (UTC)"),
    ]


def step_cells(step: StepRow) -> list[Cell]:
    actor_id: Cell = step.actor_id if step.actor_id is not None else NONE
    return [
        step.reference,
        step.seq,
        label(step.step),
        label(step.actor_type),
        actor_id,
        when(step.at),
    ]


def _safe(cell: Cell) -> Cell:
    """A text cell a spreadsheet would run as a formula gets a leading quote."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


def csv_bytes(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    """UTF-8 with a byte-order mark (Excel then reads Chinese), CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_safe(c) for c in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def cases_csv(rows: Sequence[RegisterRow], as_of: datetime) -> bytes:
    return csv_bytes(case_headers(), [case_cells(r, as_of) for r in rows])


def steps_csv(rows: Sequence[RegisterRow]) -> bytes:
    return csv_bytes(step_headers(), [step_cells(s) for r in rows for s in r.steps])


def file_name(query: RegisterQuery, table: str, extension: str) -> str:
    kind = f"-{query.kind.value}" if query.kind is not None else ""
    return f"register-{table}{kind}-{query.start.isoformat()}-{query.end.isoformat()}.{extension}"
