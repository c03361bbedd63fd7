"""``ledgerdesk mail …``: e-mail commands. ``parse`` is the fixed contract of issue 15: one JSON
line per file, in order, exactly ``ParsedMail.contract()``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ledgerdesk.channels.imap import fetch_command
from ledgerdesk.channels.mail_parse import parse_message
from ledgerdesk.core.terminal import stderr

mail_app = typer.Typer(
    help="E-mail: parse messages as the desk reads them, fetch the mailbox.", no_args_is_help=True
)

mail_app.command("fetch")(fetch_command)

MAX_FILE_BYTES = 64 * 1024 * 1024  # a message file past this is refused, not read into memory


@mail_app.command("parse")
def parse(
    files: Annotated[list[Path], typer.Argument(help="RFC 5322 message files (.eml)")],
) -> None:
    """Print one JSON line per FILE, in order: message_id, in_reply_to, references, from,
    subject, body (new text only), auto (null, auto_reply, bounce, feedback_report) and
    attachments. A file that cannot be read prints nothing, is named on stderr, and the
    command exits 2 after the others."""
    failed = 0
    for path in files:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise OSError(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
            raw = path.read_bytes()
        except OSError as exc:
            failed += 1
            reason = exc.strerror or str(exc)
            stderr.print(f"[red]Error:[/red] cannot read {escape(str(path))}: {escape(reason)}")
            continue
        line = json.dumps(parse_message(raw).contract(), ensure_ascii=False)
        typer.echo(line)
    if failed:
        raise typer.Exit(2)
