"""``ledgerdesk cases export``: the complaints register as CSV (cases or steps) or as the PDF
report for the management body, for the regulator or an auditor without a browser."""

from __future__ import annotations

import enum
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from ledgerdesk.cases import register_export as export
from ledgerdesk.cases.analysis import analyse_register
from ledgerdesk.cases.models import CaseKind
from ledgerdesk.cases.pdf import PdfFontMissing
from ledgerdesk.cases.register_report import render_pdf
from ledgerdesk.core import i18n
from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.core.errors import DomainError
from ledgerdesk.core.terminal import fail, load_settings

cases_app = typer.Typer(help="Cases: the complaints register.", no_args_is_help=True)
console = Console(stderr=True)


class Format(enum.StrEnum):
    csv = "csv"
    pdf = "pdf"


class Table(enum.StrEnum):
    cases = "cases"
    steps = "steps"


class Language(enum.StrEnum):
    en = "en"
    zh_cn = "zh-CN"


def _day(value: str | None, option: str) -> date | None:
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise fail(f"{option} '{value[:20]}' is not a date; use the form YYYY-MM-DD", 2) from None


def _body(query: export.RegisterQuery, fmt: Format, table: Table) -> tuple[bytes, int]:
    """The file's bytes and the number of cases in it."""
    engine = make_engine(load_settings().resolved_database_url)
    try:
        with make_sessionmaker(engine)() as session:
            rows, analysis = analyse_register(session, query)
    finally:
        engine.dispose()
    if fmt is Format.pdf:
        return render_pdf(analysis, rows), len(rows)
    if table is Table.steps:
        return export.steps_csv(rows), len(rows)
    return export.cases_csv(rows, analysis.as_of), len(rows)


@cases_app.command("export")
def export_register(
    out: Annotated[Path, typer.Option("--out", help="The file to write")],
    start: Annotated[
        str | None, typer.Option("--from", help="First day received, YYYY-MM-DD (UTC)")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last day received, YYYY-MM-DD (UTC)")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="csv or pdf")] = Format.csv,
    table: Annotated[
        Table, typer.Option("--table", help="CSV: one row per case, or per step")
    ] = Table.cases,
    kind: Annotated[
        CaseKind | None, typer.Option("--kind", help="Only complaints, appeals or scam reports")
    ] = None,
    lang: Annotated[
        Language, typer.Option("--lang", help="Language of the titles and labels")
    ] = Language.en,
) -> None:
    """Export the register of the cases received from --from to --to (the last 365 days by
    default): CSV of the cases or of their steps, or the PDF report with the Art. 8 analysis."""
    i18n.set_locale(lang.value)
    try:
        query = export.make_query(_day(start, "--from"), _day(end, "--to"), kind)
        body, count = _body(query, fmt, table)
    except DomainError as exc:
        raise fail(exc.message, 2) from None
    except PdfFontMissing as exc:
        raise fail(str(exc)) from None
    except SQLAlchemyError as exc:
        raise fail(
            f"database error ({exc.__class__.__name__}); did you run 'ledgerdesk migrate'?"
        ) from None
    try:
        out.write_bytes(body)
    except OSError as exc:
        raise fail(f"cannot write {out}: {exc.strerror or exc}") from None
    console.print(
        f"Wrote {out} ({count} cases received {query.start.isoformat()} – "
        f"{query.end.isoformat()}).",
        highlight=False,
    )
