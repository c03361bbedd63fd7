"""The ``ledgerdesk`` command line."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

import ledgerdesk
from ledgerdesk.ai.assistant.cli import assistant_app
from ledgerdesk.ai.guard.cli import guard_app
from ledgerdesk.ai.triage.cli import triage_app
from ledgerdesk.cases.register_cli import cases_app
from ledgerdesk.chain.cli import chain_app
from ledgerdesk.chain.registry_cli import exit_on_bad_registry, registry_check
from ledgerdesk.channels.mail_cli import mail_app
from ledgerdesk.core.db import make_engine, make_sessionmaker, transaction
from ledgerdesk.core.errors import DomainError
from ledgerdesk.core.terminal import fail as _fail
from ledgerdesk.core.terminal import load_settings as _settings
from ledgerdesk.jobs.cli import worker
from ledgerdesk.kb.cli import kb_app
from ledgerdesk.reports.cli import reports_app
from ledgerdesk.routing.cli import export as export_corrections
from ledgerdesk.search.cli import register as register_search_commands
from ledgerdesk.trust.anchor_cli import anchor_app
from ledgerdesk.trust.verify_cli import verify_app

app = typer.Typer(help="ledgerdesk: the support desk for crypto exchanges.", no_args_is_help=True)
agent_app = typer.Typer(help="Manage agents.", no_args_is_help=True)
app.add_typer(agent_app, name="agent")
register_search_commands(kb_app)
app.add_typer(kb_app, name="kb")
app.command("worker")(worker)
app.add_typer(guard_app, name="guard")
triage_app.command("export")(export_corrections)
app.add_typer(triage_app, name="triage")
chain_app.command("registry-check")(registry_check)
app.add_typer(chain_app, name="chain")
app.add_typer(assistant_app, name="assistant")
app.add_typer(mail_app, name="mail")
app.add_typer(reports_app, name="reports")
app.add_typer(cases_app, name="cases")
app.add_typer(anchor_app, name="anchor")
app.add_typer(verify_app, name="verify")
console = Console(stderr=True)


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(ledgerdesk.__version__)


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema to the latest version."""
    from ledgerdesk.core.migrate import upgrade

    settings = _settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    try:
        upgrade(engine)
    except SQLAlchemyError as exc:
        raise _fail(
            f"cannot migrate {engine.url.render_as_string()}: {exc.__class__.__name__}: "
            f"{str(exc).splitlines()[0]}"
        ) from None
    finally:
        engine.dispose()
    console.print(f"Database is up to date ({engine.url.render_as_string()}).")


@app.command()
def demo(
    if_empty: Annotated[bool, typer.Option("--if-empty", help="Skip if the desk has data")] = False,
) -> None:
    """Load the bilingual demo desk (teams, agents, customers, tickets)."""
    from ledgerdesk.demo.services import demo_is_needed, load_demo

    settings = _settings()
    factory = make_sessionmaker(make_engine(settings.resolved_database_url))
    with transaction(factory) as session:
        if not demo_is_needed(session):
            if if_empty:
                console.print("The desk already has data; demo not loaded.")
                _load_default_kb(factory)
                _print_logins()
                return
            raise _fail("the desk already has data; the demo loads only into an empty desk")
        with console.status("Loading the demo desk…"):
            summary = load_demo(session)
    console.print(
        f"Demo loaded: {summary.teams} teams, {summary.agents} agents, "
        f"{summary.customers} customers, {summary.tickets} tickets."
    )
    _load_default_kb(factory)
    _print_logins()


def _load_default_kb(factory: sessionmaker[Session]) -> None:
    """The shipped help center, when the knowledge base is still empty."""
    from ledgerdesk.demo.services import load_default_kb

    with transaction(factory) as session, console.status("Loading the knowledge base…"):
        report = load_default_kb(session)
    if report is None:
        return
    console.print(
        f"Knowledge base loaded: {report.articles_created} articles, "
        f"{report.imported} translations."
    )
    for issue in report.errors:
        console.print(f"[yellow]Skipped[/yellow] {issue}", highlight=False)


def _print_logins() -> None:
    from ledgerdesk.demo.desk import demo_desk
    from ledgerdesk.demo.services import DEMO_PASSWORD

    console.print("Demo sign-ins for the console (/console), if this desk came from the demo:")
    for spec in demo_desk().agents[:3]:
        console.print(f"  {spec.role.value:<6} {spec.email}  /  {DEMO_PASSWORD}")
    console.print("Customer portal (/portal): any e-mail; the sign-in code is printed in this log.")


@agent_app.command("create")
def agent_create(
    email: Annotated[str, typer.Option(help="Sign-in e-mail")],
    name: Annotated[str, typer.Option(help="Display name")],
    role: Annotated[str, typer.Option(help="agent, lead or admin")] = "agent",
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ] = "",
) -> None:
    """Create an agent (the first admin, for example)."""
    from ledgerdesk.accounts.models import Role
    from ledgerdesk.accounts.services import SYSTEM, do_create_agent

    try:
        chosen = Role(role)
    except ValueError:
        raise _fail(f"role must be one of: {', '.join(r.value for r in Role)}", 2) from None
    factory = make_sessionmaker(make_engine(_settings().resolved_database_url))
    try:
        with transaction(factory) as session:
            agent = do_create_agent(
                session, SYSTEM, email=email, name=name, password=password, role=chosen
            )
    except DomainError as exc:
        raise _fail(exc.message, 2) from None
    except SQLAlchemyError as exc:
        raise _fail(
            f"database error ({exc.__class__.__name__}); did you run 'ledgerdesk migrate'?"
        ) from None
    console.print(f"Agent {agent.email} ({chosen.value}) created with id {agent.id}.")


@agent_app.command("reset")
def agent_reset(
    email: Annotated[str, typer.Option(help="The agent's sign-in e-mail")],
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ] = "",
) -> None:
    """Give an agent a new password, turn their 2FA off and end their sessions (an admin who
    lost their phone and recovery codes, or the only admin)."""
    from sqlalchemy import select

    from ledgerdesk.accounts.agent_admin import do_reset_agent
    from ledgerdesk.accounts.models import Agent
    from ledgerdesk.accounts.services import SYSTEM, normalise_email

    factory = make_sessionmaker(make_engine(_settings().resolved_database_url))
    try:
        with transaction(factory) as session:
            address = normalise_email(email)
            agent = session.scalar(select(Agent).where(Agent.email == address))
            if agent is None:
                raise _fail(f"no agent with e-mail {address}", 2)
            generated = do_reset_agent(session, SYSTEM, agent, password, address="command line")
            active = agent.active
    except DomainError as exc:
        raise _fail(exc.message, 2) from None
    except SQLAlchemyError as exc:
        raise _fail(
            f"database error ({exc.__class__.__name__}); did you run 'ledgerdesk migrate'?"
        ) from None
    note = "" if active else " The agent is deactivated; an admin reactivates them."
    if generated:
        note += f" Generated password (shown once): {generated}"
    console.print(f"Agent {address} reset: new password set, 2FA off, sessions ended.{note}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default LEDGERDESK_PORT or 8000)")] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes")] = 1,
) -> None:
    """Serve the console, portal and API."""
    import uvicorn

    from ledgerdesk.core.logs import configure_logging, logging_config
    from ledgerdesk.core.metrics import prepare_multiprocess

    settings = _settings()
    configure_logging(settings.log_format)  # core/logs.py (uvicorn gets the same below)
    prepare_multiprocess(settings.data_dir, workers)  # many processes, one /metrics
    bind_host, bind_port = host or settings.host, port or settings.port
    exit_on_bad_registry(settings)
    world = _start_demo_world(f"http://{bind_host}:{bind_port}") if settings.demo_services else None
    console.print(
        f"ledgerdesk {ledgerdesk.__version__} on http://{bind_host}:{bind_port}/ "
        f"(console: /console, portal: /portal, API docs: /docs)",
        soft_wrap=True,
    )
    try:
        uvicorn.run(
            "ledgerdesk.web.app:create_served_app",
            factory=True,
            host=bind_host,
            port=bind_port,
            workers=workers,
            log_config=logging_config(settings.log_format),
            # A new worker process must answer uvicorn's health ping within this time; its
            # imports alone took over 5 s (uvicorn's default) on a busy 2-core machine, and
            # uvicorn then killed and respawned every worker for ever.
            timeout_worker_healthcheck=30,
            **UVICORN_OPTIONS,
        )
    finally:
        if world is not None:
            world.stop()


def _start_demo_world(desk_url: str) -> Any:
    """Start the local chains and the demo exchange (LEDGERDESK_DEMO_SERVICES) and point the
    desk at that exchange through the environment, which worker processes inherit."""
    import os

    from ledgerdesk.chain.registry import RegistryError, get_registry
    from ledgerdesk.core.settings import get_settings
    from ledgerdesk.demo.world import DEMO_KEY_ID, announce, start_demo_world
    from ledgerdesk.exchange.demo import ChatEmbed

    settings = _settings()
    # The exchange's help page signs chat identities with the secret this desk verifies with.
    chat = ChatEmbed(
        desk_url=settings.public_url.strip().rstrip("/") or desk_url,
        jwt_secret=settings.chat_jwt_secret,
        audience=settings.chat_jwt_audience,
    )
    try:
        registry = get_registry()
        world = start_demo_world(registry, exchange_port=settings.demo_exchange_port, chat=chat)
    except (RegistryError, OSError, RuntimeError) as exc:
        raise _fail(f"cannot start the demo chain and exchange: {exc}") from None
    if not _settings().exchange_url:
        os.environ["LEDGERDESK_EXCHANGE_URL"] = world.exchange_url
        os.environ["LEDGERDESK_EXCHANGE_KEY_ID"] = DEMO_KEY_ID
        os.environ["LEDGERDESK_EXCHANGE_SECRET"] = world.secret
        os.environ["LEDGERDESK_EXCHANGE_ALLOW_PRIVATE"] = "true"
        get_settings.cache_clear()
    from ledgerdesk.demo.onchain import configure_demo_chain
    from ledgerdesk.trust.onchain import OnchainError

    lines = announce(world, registry, desk_url)
    try:
        lines += configure_demo_chain(_settings(), world.nodes)
    except OnchainError as exc:  # the demo still runs, without anchoring
        lines.append(f"On-chain anchoring is off: {exc}")
    for line in lines:
        console.print(line, highlight=False, soft_wrap=True)
    return world


# uvicorn would rewrite the client address from X-Forwarded-For when the peer is 127.0.0.1 (its
# default forwarded_allow_ips), so a forged header from the same host got a fresh rate-limit
# budget per request. ledgerdesk decides alone, from LEDGERDESK_TRUSTED_PROXIES (web.clientip).
UVICORN_OPTIONS: dict[str, Any] = {
    "log_level": "info",
    "access_log": False,
    "proxy_headers": False,
    # Chat frames are at most 64 KiB (bigger ones are closed with 4413); anything past this
    # is refused by uvicorn itself before it is buffered (its default is 16 MiB).
    "ws_max_size": 1024 * 1024,
    # Chat frames are a few hundred bytes: compressing them saves little and costs a zlib
    # context per connection (memory that adds up over thousands of widgets).
    "ws_per_message_deflate": False,
}


def main() -> None:  # pragma: no cover - entry point
    sys.exit(app())
