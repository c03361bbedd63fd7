"""``ledgerdesk assistant ask``: the assistant on JSON lines (the fixed contract, SPEC).

One ``{"text": ...}`` per line in; one ``{"action", "reply", "citations", "confidence"}`` per
line out, in order, each message on its own (no previous turns). A malformed line gets
``{"error": "line N: ..."}`` in its place and a message on stderr, the other lines are still
answered, and the command exits 2 (as ``ledgerdesk triage classify`` does).

It answers from the configured database's published articles. A desk with no schema or no
published article yet (a fresh install, an evaluation run) gets the bundled knowledge base
(``data/kb``) loaded into a SQLite database of its own, kept under the data folder and
reused while the bundled articles, their values and the embedding model are unchanged
(indexing embeds every article, which takes a while on a small machine).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, BinaryIO, TextIO

import typer
from rich.console import Console
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ledgerdesk.ai.assistant.types import Context
from ledgerdesk.ai.embeddings import get_embedder
from ledgerdesk.ai.guard.storage import guard_text
from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.core.paths import shipped_data_dir
from ledgerdesk.core.settings import Settings
from ledgerdesk.core.terminal import fail, load_settings

assistant_app = typer.Typer(
    help="The assistant: answers from the help center, or a handover to a person.",
    no_args_is_help=True,
)
err = Console(stderr=True, soft_wrap=True, highlight=False)
MAX_LINE_BYTES = 1_000_000


def ask_stream(
    session: Session, source: BinaryIO, out: TextIO, context: Context, settings: Settings
) -> int:
    """Answer every line of ``source`` on ``out``; return how many lines were malformed."""
    from ledgerdesk.ai.assistant.engine import answer

    bad = 0
    for number, raw in enumerate(source, start=1):
        text, error = _read_line(raw)
        if error is not None:
            bad += 1
            message = f"line {number}: {error}"
            err.print(f"[red]Error:[/red] {message}", markup=True)
            out.write(json.dumps({"error": message}, ensure_ascii=False) + "\n")
        else:
            reply = answer(session, guard_text(text), context, settings)
            out.write(json.dumps(reply.public(), ensure_ascii=False) + "\n")
        out.flush()
    return bad


def _read_line(raw: bytes) -> tuple[str, str | None]:
    if len(raw) > MAX_LINE_BYTES:
        return "", f"longer than {MAX_LINE_BYTES:,} bytes"
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return "", f"not UTF-8 (byte {exc.start})"
    if not decoded.strip():
        return "", "empty line"
    try:
        item = json.loads(decoded)
    except ValueError:
        return "", "not valid JSON"
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        return "", 'expected an object with a string "text"'
    if not item["text"].strip():
        return "", '"text" is empty'
    return item["text"], None


@assistant_app.command("ask")
def ask_command(
    customer: Annotated[
        str | None,
        typer.Option(
            "--customer",
            metavar="EXTERNAL_ID",
            help="The exchange's id of the customer asking (enables the account tools)",
        ),
    ] = None,
) -> None:
    """Read JSON lines {"text": ...} on stdin; write one JSON line per input, in order."""
    settings = load_settings()
    context = Context(customer_ref=customer.strip() if customer else None, channel="cli")
    with _knowledge_base(settings) as engine:
        with make_sessionmaker(engine)() as session:
            _warn_if_unindexed(session)
            bad = ask_stream(session, sys.stdin.buffer, sys.stdout, context, settings)
    if bad:
        err.print(f"{bad} line(s) could not be answered; see their error objects")
        raise typer.Exit(2)


# ---- which knowledge base ------------------------------------------------------------------


def _warn_if_unindexed(session: Session) -> None:
    from ledgerdesk.kb.indexing import search_index_ready

    if not search_index_ready(session):
        err.print(
            "Warning: some published articles are not in the search index yet, so they cannot "
            "be cited; run 'ledgerdesk worker' (or 'ledgerdesk kb reindex') first."
        )


@contextmanager
def _knowledge_base(settings: Settings) -> Iterator[Engine]:
    """The configured database when it has published articles, else the bundled ones."""
    url = settings.resolved_database_url
    if _exists(url):
        engine = make_engine(url)
        try:
            if _published(engine) > 0:
                yield engine
                return
        finally:
            engine.dispose()
    engine = make_engine(f"sqlite:///{_bundled_copy(settings)}")
    try:
        yield engine
    finally:
        engine.dispose()


def _exists(url: str) -> bool:
    """False for a SQLite file that is not there yet (connecting would create it)."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and ":memory:" not in url:
        return Path(url[len(prefix) :]).is_file()
    return True


def _published(engine: Engine) -> int:
    from ledgerdesk.kb.models import Article, ArticleStatus

    try:
        if not inspect(engine).has_table(Article.__tablename__):
            return 0
        with make_sessionmaker(engine)() as session:
            count = session.scalar(
                select(func.count(Article.id)).where(Article.status == ArticleStatus.published)
            )
    except SQLAlchemyError as exc:
        raise fail(f"cannot read the configured database: {exc.__class__.__name__}") from None
    return int(count or 0)


def _bundled_digest(settings: Settings) -> str:
    """What the bundled copy depends on: the articles, their values, the embedding model."""
    from ledgerdesk.kb.render import variables

    folder = shipped_data_dir() / "kb"
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    digest.update(json.dumps(variables(settings), sort_keys=True).encode())
    embedder = get_embedder(settings)
    digest.update((embedder.name if embedder else "none").encode())
    return digest.hexdigest()[:16]


def _bundled_copy(settings: Settings) -> Path:
    """The SQLite file holding the bundled knowledge base, built (once) when missing."""
    folder = settings.data_dir / "assistant-kb"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.mkdtemp(prefix="ledgerdesk-assistant-kb-"))
    path = folder / f"bundled-{_bundled_digest(settings)}.db"
    if path.is_file():
        err.print(
            "The configured database has no published articles: answering from the bundled "
            f"knowledge base (data/kb) in {path}."
        )
        return path
    err.print(
        "The configured database has no published articles: loading the bundled knowledge "
        f"base (data/kb) into a separate SQLite database ({path}); this takes a minute once."
    )
    _build(path)
    return path


def _build(path: Path) -> None:
    from ledgerdesk.core.migrate import upgrade
    from ledgerdesk.demo.services import load_default_kb

    handle, partial = tempfile.mkstemp(prefix=".building-", suffix=".db", dir=path.parent)
    os.close(handle)
    engine = make_engine(f"sqlite:///{partial}")
    try:
        upgrade(engine)
        with make_sessionmaker(engine)() as session:
            report = load_default_kb(session)
            session.commit()
        if report is None:
            raise fail("this installation ships no knowledge base (data/kb)")
        for issue in report.errors:
            err.print(f"Skipped {issue}")
        with engine.connect() as connection:  # everything into the main file before moving it
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    except BaseException:
        engine.dispose()
        Path(partial).unlink(missing_ok=True)
        raise
    engine.dispose()
    for suffix in ("-wal", "-shm"):
        Path(partial + suffix).unlink(missing_ok=True)
    os.replace(partial, path)
