"""What every ``ledgerdesk`` command does the same way: read the settings, report a failure.

Messages go to stderr through rich with markup escaped, so a CSV column or a path that looks
like ``[bold]`` is printed as written instead of breaking the command."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

from ledgerdesk.core.settings import Settings, get_settings

stderr = Console(stderr=True, soft_wrap=True)  # one line per message, however long


def load_settings() -> Settings:
    """The settings, or exit 2 with the configuration error."""
    try:
        return get_settings()
    except ValueError as exc:
        stderr.print(f"[red]Configuration error:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``Error: message`` and give the exit to raise (2: bad input, 1: other failures)."""
    stderr.print(f"[red]Error:[/red] {escape(message)}")
    return typer.Exit(code)
