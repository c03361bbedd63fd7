"""``ledgerdesk kb …``: import and export the knowledge base.

Exit codes follow the rest of the command line: 2 for bad input (a missing path, a file that
cannot be imported), 1 for anything else (the database). A partly bad import still commits
what was good, lists each bad file with its reason, and exits 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.core.db import make_engine, make_sessionmaker, transaction
from ledgerdesk.core.errors import DomainError
from ledgerdesk.core.terminal import fail as _fail
from ledgerdesk.core.terminal import load_settings
from ledgerdesk.kb.importer import ImportReport, export_path, import_path

kb_app = typer.Typer(
    help="Knowledge base: import and export help-center articles.", no_args_is_help=True
)
console = Console(stderr=True, soft_wrap=True)  # one line per message, however long
PROGRESS_FROM = 20  # files; fewer finish before a bar would be worth drawing


def _factory() -> sessionmaker[Session]:
    settings = load_settings()
    return make_sessionmaker(make_engine(settings.resolved_database_url))


def _database_error(exc: SQLAlchemyError) -> typer.Exit:
    first = str(exc).splitlines()[0] if str(exc) else ""
    return _fail(
        f"database error ({exc.__class__.__name__}: {first[:200]}); "
        "did you run 'ledgerdesk migrate'?",
        1,
    )


class _Bar:
    """A progress bar that appears only for imports of many files."""

    def __init__(self) -> None:
        self.progress: Progress | None = None
        self.task: TaskID | None = None

    def __call__(self, done: int, total: int) -> None:
        if total < PROGRESS_FROM:
            return
        if self.progress is None:
            self.progress = Progress(
                TextColumn("Importing"),
                BarColumn(),
                MofNCompleteColumn(),
                console=console,
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task("import", total=total)
        if self.task is not None:
            self.progress.update(self.task, completed=done)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def _summary(report: ImportReport) -> str:
    return (
        f"Imported {report.imported} translation(s): {report.articles_created} new article(s), "
        f"{report.translations_created} new and {report.translations_updated} changed "
        f"translation(s), {report.unchanged} unchanged; {len(report.errors)} error(s)."
    )


def _index_now(factory: sessionmaker[Session]) -> None:
    """Run the indexing jobs the import queued, so `kb search` finds the articles at once
    (a running worker would pick them up too; doing it here also works without one)."""
    from ledgerdesk.jobs.outbox import run_pending

    with console.status("Indexing for search…"):
        run_pending(factory, limit=1_000_000)


@kb_app.command("import")
def import_command(
    path: Annotated[
        Path,
        typer.Argument(
            help="A folder of Markdown files with front matter (and categories.json), "
            "one .md file, or a JSON-lines file"
        ),
    ],
) -> None:
    """Import articles. Re-importing is safe: only changed translations get a new version."""
    factory = _factory()
    bar = _Bar()
    try:
        with transaction(factory) as session:
            report = import_path(session, path, SYSTEM, progress=bar)
    except DomainError as exc:
        raise _fail(exc.message, 2) from None
    except SQLAlchemyError as exc:
        raise _database_error(exc) from None
    finally:
        bar.close()
    _index_now(factory)
    for issue in report.warnings:
        console.print(f"[yellow]Warning:[/yellow] {issue}", highlight=False)
    for issue in report.errors:
        console.print(f"[red]Error:[/red] {issue}", highlight=False)
    console.print(_summary(report), highlight=False)
    if report.errors:
        raise typer.Exit(2)


@kb_app.command("export")
def export_command(
    path: Annotated[Path, typer.Argument(help="Folder to write categories.json and articles/ to")],
) -> None:
    """Export every article translation as Markdown with front matter (imports back as is)."""
    if path.exists() and not path.is_dir():
        raise _fail(f"{path} exists and is not a folder", 2)
    factory = _factory()
    try:
        with transaction(factory) as session:
            written = export_path(session, path)
    except SQLAlchemyError as exc:
        raise _database_error(exc) from None
    except OSError as exc:
        raise _fail(f"cannot write to {path}: {exc.strerror or exc}", 1) from None
    console.print(f"Exported {written} article file(s) to {path}.", highlight=False)
