"""``ledgerdesk reports rebuild`` and ``ledgerdesk reports refresh``."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import Progress
from sqlalchemy.exc import SQLAlchemyError

from ledgerdesk.core.db import make_engine, make_sessionmaker, transaction
from ledgerdesk.core.settings import get_settings
from ledgerdesk.core.terminal import fail as _fail
from ledgerdesk.reports import facts

reports_app = typer.Typer(
    help="Reports: the per-ticket facts the figures come from.", no_args_is_help=True
)
console = Console(stderr=True)


def _run(rebuild: bool) -> int:
    factory = make_sessionmaker(make_engine(get_settings().resolved_database_url))
    try:
        with Progress(console=console) as progress:
            task = progress.add_task("tickets", total=None)

            def step(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            with transaction(factory) as session:
                return (facts.rebuild if rebuild else facts.refresh)(session, step)
    except SQLAlchemyError as exc:
        raise _fail(
            f"database error ({exc.__class__.__name__}); did you run 'ledgerdesk migrate'?", 1
        ) from None


@reports_app.command("rebuild")
def rebuild() -> None:
    """Empty the facts table and recompute every ticket from its events."""
    count = _run(rebuild=True)
    console.print(f"Recomputed the facts of {count} tickets.")


@reports_app.command("refresh")
def refresh() -> None:
    """Recompute the tickets with events newer than the last run (what the job does)."""
    count = _run(rebuild=False)
    console.print(f"Recomputed the facts of {count} tickets.")
