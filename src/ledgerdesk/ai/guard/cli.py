"""``ledgerdesk guard scan``: the secret guard as a filter over JSON lines."""

from __future__ import annotations

import json
import sys
from typing import Annotated, BinaryIO, TextIO

import typer

from ledgerdesk.ai.guard import scan
from ledgerdesk.ai.guard.chains import lookup_for

guard_app = typer.Typer(help="The secret guard.", no_args_is_help=True)

MAX_LINE_BYTES = 1_000_000


def _error(line_no: int, message: str) -> dict[str, object]:
    return {"error": f"line {line_no}: {message}", "redacted": "", "findings": []}


def scan_stream(source: BinaryIO, out: TextIO, *, chains: list[str] | None = None) -> int:
    """Scan each JSON line of ``source``; write one JSON line per input line, in order.
    Returns the number of bad lines (each answered with an ``error`` object)."""
    lookup = lookup_for(chains or [])
    bad = 0
    for line_no, raw in enumerate(source, start=1):
        if len(raw) > MAX_LINE_BYTES:
            result = _error(line_no, f"longer than {MAX_LINE_BYTES} bytes; not scanned")
        else:
            result = _scan_line(line_no, raw, lookup)
        if "error" in result:
            bad += 1
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
    return bad


def _scan_line(line_no: int, raw: bytes, lookup: object) -> dict[str, object]:
    stripped = raw.strip()
    if not stripped:
        return _error(line_no, 'empty line; expected a JSON object like {"text": "..."}')
    try:
        decoded = stripped.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Still redact what can be read, so a secret next to a bad byte is not echoed back.
        partial = stripped.decode("utf-8", errors="replace")
        result = scan(partial)
        return {
            "error": f"line {line_no}: not valid UTF-8 (byte {exc.start})",
            "redacted": result.redacted,
            "findings": [f.as_dict() for f in result.findings],
        }
    try:
        item = json.loads(decoded)
    except json.JSONDecodeError as exc:
        return _error(line_no, f"not JSON ({exc.msg} at column {exc.colno})")
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        return _error(line_no, 'expected an object with a string "text"')
    result = scan(item["text"], lookup=lookup)  # type: ignore[arg-type]
    return {"redacted": result.redacted, "findings": [f.as_dict() for f in result.findings]}


@guard_app.command("scan")
def scan_command(
    chains: Annotated[
        bool,
        typer.Option(
            "--chains/--no-chains",
            help="Ask the chains in LEDGERDESK_GUARD_CHAIN_RPC_URLS about ambiguous 64-hex strings",
        ),
    ] = True,
) -> None:
    """Read JSON lines {"text": ...} on stdin; write {"redacted", "findings"} per line.

    A bad line is answered with {"error": ...} in its place and the command exits 2 at the end.
    """
    urls: list[str] = []
    if chains:
        from ledgerdesk.core.settings import get_settings

        try:
            urls = get_settings().guard_chain_rpc_urls
        except ValueError as exc:
            typer.echo(f"Configuration error: {exc}", err=True)
            raise typer.Exit(2) from None
    bad = scan_stream(sys.stdin.buffer, sys.stdout, chains=urls)
    if bad:
        typer.echo(f"Error: {bad} input line(s) could not be scanned (see their error)", err=True)
        raise typer.Exit(2)
