"""``ledgerdesk triage export``: agents' corrections as a CSV for ``ledgerdesk triage train``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.core.terminal import fail, load_settings
from ledgerdesk.routing.services import examples_csv

err = Console(stderr=True)


def export(
    out: Annotated[Path, typer.Option(help="CSV file to write ('-' for stdout)")],
    bundled: Annotated[
        bool, typer.Option(help="Also include the bundled training data (train on both)")
    ] = False,
) -> None:
    """Write the intent corrections agents made (text, category, language, source) as CSV."""
    settings = load_settings()
    engine = make_engine(settings.resolved_database_url)
    try:
        with make_sessionmaker(engine)() as session:
            text = examples_csv(session, bundled=bundled)
    except SQLAlchemyError as exc:
        raise fail(f"cannot read the database: {str(exc).splitlines()[0]}", 2) from None
    finally:
        engine.dispose()
    rows = text.count("\n") - 1
    if str(out) == "-":
        typer.echo(text, nl=False)
    else:
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise fail(f"cannot write {out}: {exc.strerror}", 2) from None
    err.print(f"Wrote {rows:,} labelled rows")
