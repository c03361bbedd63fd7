"""The watchlist as CSV: ``kind,network,value,note,source,added_at``.

Export writes every active entry (spreadsheet formulas defused: a note or source that starts
with ``= + - @`` gets a leading ``'``, which import removes again). Import checks every row
first and reports each bad one with its line number; only a file without errors is imported,
and importing it twice changes nothing (a value already listed is counted, not added again).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from ledgerdesk.accounts.services import Actor
from ledgerdesk.cases import watchlist as wl
from ledgerdesk.cases.watchlist_models import WatchlistEntry
from ledgerdesk.core.errors import InvalidInput
from ledgerdesk.core.text import clean

HEADER = ("kind", "network", "value", "note", "source", "added_at")
COLUMNS = ",".join(HEADER)
REQUIRED = ("value",)
MAX_BYTES = 2_000_000
MAX_ROWS = 10_000
_FORMULA = ("=", "+", "-", "@")


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    added: int = 0
    existing: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRefused(InvalidInput):
    """The file had bad rows: nothing was imported. ``report`` lists them."""

    def __init__(self, report: ImportReport) -> None:
        first = report.errors[0]
        super().__init__(
            f"{len(report.errors)} row(s) have errors; nothing was imported. "
            f"Line {first.line}: {first.message}",
            field="file",
        )
        self.report = report


def _defuse(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA) else text


def _undo_defuse(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:2] in _FORMULA and text[1:2] else text


def _stamp(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat() + "Z"


def export_csv(session: Session, actor: Actor) -> str:
    """Every active entry, oldest first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for entry in wl.all_entries(session, actor):
        writer.writerow(_row(entry))
    return out.getvalue()


def _row(entry: WatchlistEntry) -> list[str]:
    return [
        entry.kind.value,
        entry.network or "",
        entry.value,
        _defuse(entry.note),
        _defuse(entry.source),
        _stamp(entry.added_at),
    ]


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise InvalidInput(
            f"The file is larger than {MAX_BYTES // 1_000_000} MB: split it", field="file"
        )
    if not data.strip():
        raise InvalidInput("The file is empty", field="file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            "The file is not UTF-8 text: save it as CSV UTF-8", field="file"
        ) from None


def _columns(header: list[str]) -> dict[str, int]:
    names = [h.strip().lower() for h in header]
    unknown = [n for n in names if n and n not in HEADER]
    if unknown:
        raise InvalidInput(
            f"Line 1: unknown column '{clean(unknown[0])[:30]}': the columns are {COLUMNS}",
            field="file",
        )
    missing = [n for n in REQUIRED if n not in names]
    if missing:
        raise InvalidInput(
            f"Line 1 must be the header {COLUMNS} (the value column is missing)", field="file"
        )
    return {n: i for i, n in enumerate(names) if n}


def _added_at(text: str) -> datetime | None:
    if not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            "added_at is not a date and time such as 2026-05-01T12:00:00Z", field="added_at"
        ) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _parse(
    row: list[str], cols: dict[str, int], official: list[str]
) -> tuple[wl.NewEntry, wl.Normalised]:
    def cell(name: str) -> str:
        index = cols.get(name)
        return row[index] if index is not None and index < len(row) else ""

    new = wl.NewEntry(
        value=cell("value"),
        kind=cell("kind"),
        network=cell("network"),
        note=_undo_defuse(cell("note").strip()),
        source=_undo_defuse(cell("source").strip()),
        added_at=_added_at(cell("added_at")),
    )
    norm = wl.normalise(new.kind, new.network, new.value, official)
    wl.check_text(new.note, "note", wl.MAX_NOTE)
    wl.check_text(new.source, "source", wl.MAX_SOURCE)
    return new, norm


def check_csv(
    session: Session, text: str
) -> tuple[ImportReport, list[tuple[wl.NewEntry, wl.Normalised]]]:
    """Every row checked; the report's ``errors`` name the line of each bad row."""
    reader = csv.reader(io.StringIO(text))
    report, parsed = ImportReport(), []
    try:
        header = next(reader, None)
        cols = _columns(header or [])
        official = wl.official(session)
        for row in reader:
            if not any(c.strip() for c in row):
                continue
            report.rows += 1
            if report.rows > MAX_ROWS:
                raise InvalidInput(f"More than {MAX_ROWS} rows: split the file", field="file")
            try:
                parsed.append(_parse(row, cols, official))
            except InvalidInput as exc:
                report.errors.append(RowError(reader.line_num, exc.message))
    except csv.Error as exc:
        raise InvalidInput(
            f"Line {reader.line_num}: this is not valid CSV ({exc})", field="file"
        ) from None
    return report, parsed


def do_import_csv(session: Session, actor: Actor, data: bytes) -> ImportReport:
    """Import a CSV file (editors only): all rows or, when a row is bad, none
    (``ImportRefused`` carries the report)."""
    wl.require_editor(session, actor)
    report, parsed = check_csv(session, decode(data))
    if report.errors:
        raise ImportRefused(report)
    for new, norm in parsed:
        _entry, created = wl.upsert(session, actor, new, norm)
        if created:
            report.added += 1
        else:
            report.existing += 1
    return report
