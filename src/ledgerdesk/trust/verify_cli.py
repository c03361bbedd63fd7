"""``ledgerdesk verify``: commands that check records. ``verify log`` recomputes the
transparency log from the database (``trust.verify_log``); ``verify transcript`` checks a
downloaded transcript offline (``trust.transcript_cli``)."""

from __future__ import annotations

import typer
from sqlalchemy.exc import SQLAlchemyError

from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.core.terminal import fail, load_settings, stderr
from ledgerdesk.trust.transcript_cli import register as register_transcript
from ledgerdesk.trust.verify_log import summary, verify_log

verify_app = typer.Typer(
    help="Verify records: the transparency log and transcripts.", no_args_is_help=True
)


@verify_app.command("log")
def log_command() -> None:
    """Recompute the transparency log from the database and check every stored tree head.
    Exit 0 when everything matches; otherwise one line per problem and exit 1."""
    engine = make_engine(load_settings().resolved_database_url)
    try:
        with make_sessionmaker(engine)() as session:
            report = verify_log(session)
    except SQLAlchemyError as exc:
        raise fail(
            f"cannot read the log from {engine.url.render_as_string()}: "
            f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}"
        ) from None
    finally:
        engine.dispose()
    if report.ok:
        typer.echo(summary(report))
        return
    for problem in report.problems:  # the report itself: on stdout, one line each
        typer.echo(problem)
    if report.unlisted:
        typer.echo(f"… and {report.unlisted} more problems")
    stderr.print(
        f"[red]log NOT verified:[/red] {len(report.problems) + report.unlisted} problems "
        f"in {report.leaves} leaves and {report.heads} signed tree heads"
    )
    raise typer.Exit(1)


register_transcript(verify_app)  # ``verify transcript FILE --public-key KEY``
