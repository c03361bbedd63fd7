"""``ledgerdesk verify transcript FILE --public-key KEY``: checks a transcript offline, with no
database and no network. Exit 0 when it verifies, 1 with one line per problem, 2 when the file
or the key cannot be read."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ledgerdesk.trust.signing import parse_public_key
from ledgerdesk.trust.transcript_verify import verify_bundle


def read_public_key(value: str) -> str:
    """The key as hex from 64 hex characters, PEM, or a path to a file holding either."""
    text = value
    if not value.strip().startswith("-----BEGIN") and len(value.strip()) != 64:
        path = Path(value).expanduser()
        if not path.is_file():
            raise ValueError("give 64 hex characters, a PEM public key, or a file holding one")
        text = path.read_text(encoding="utf-8", errors="replace")
    return parse_public_key(text)


def transcript(
    file: Annotated[Path, typer.Argument(help="The transcript (transcript-<ticket>.html)")],
    public_key: Annotated[
        str, typer.Option("--public-key", help="The desk's Ed25519 public key: hex, PEM or a file")
    ],
) -> None:
    """Check a transcript offline: signature, inclusion proofs, message texts and the page."""
    try:
        key = read_public_key(public_key)
    except (ValueError, TypeError, OSError) as exc:
        typer.echo(f"cannot use the public key: {exc}", err=True)
        raise typer.Exit(2) from exc
    try:
        data = file.read_bytes()
    except OSError as exc:
        typer.echo(f"cannot read {file}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from exc
    verdict = verify_bundle(data, key)
    if verdict.ok:
        typer.echo(verdict.summary)
        return
    for problem in verdict.problems:
        typer.echo(problem)
    raise typer.Exit(1)


def register(verify_app: typer.Typer) -> None:
    """Add the ``transcript`` command to the ``verify`` group."""
    verify_app.command("transcript")(transcript)
