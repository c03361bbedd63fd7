"""Shared fixtures: real SQLite and real PostgreSQL databases, factories that call services,
and app clients. Set LEDGERDESK_REQUIRE_SERVICES=1 (as .ci/run does) to make missing
PostgreSQL/Redis/Chromium a failure instead of a skip."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

_DATA_DIR = Path(tempfile.mkdtemp(prefix="ledgerdesk-test-"))
os.environ["LEDGERDESK_DATA_DIR"] = str(_DATA_DIR)
os.environ.pop("LEDGERDESK_DATABASE_URL", None)
os.environ.pop("LEDGERDESK_ENV", None)
os.environ.setdefault("LEDGERDESK_SECRET_KEY", "test-secret-key-" + "x" * 40)
# Triage is a background job on every customer message; tests of other features turn it off so
# their event lists stay exact. tests/routing turns it on (fixture ``triage_on``).
os.environ["LEDGERDESK_TRIAGE"] = "false"
# Help-center passage vectors shared by every desk and command of this run (the processes
# the tests start inherit it): each article is embedded once per run, not once per desk.
os.environ["LEDGERDESK_EMBEDDINGS_CACHE_DIR"] = str(_DATA_DIR / "embeddings-cache")
# Likewise the assistant answers every new chat and portal request by a job; tests/assistant
# turns it on (fixture ``assistant_on``).
os.environ["LEDGERDESK_ASSISTANT_ENABLED"] = "false"

import pytest  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine, create_engine, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from ledgerdesk.accounts import services as accounts  # noqa: E402
from ledgerdesk.accounts.models import Agent, Customer, Role, Team, Tier  # noqa: E402
from ledgerdesk.accounts.services import SYSTEM, Actor  # noqa: E402
from ledgerdesk.accounts.tokens import do_create_api_token  # noqa: E402
from ledgerdesk.core.db import make_engine  # noqa: E402
from ledgerdesk.core.migrate import upgrade  # noqa: E402
from ledgerdesk.core.settings import Settings, get_settings  # noqa: E402
from ledgerdesk.search.services import reset_indexes  # noqa: E402
from ledgerdesk.tickets import services as tickets  # noqa: E402
from ledgerdesk.tickets.models import Channel, Ticket  # noqa: E402
from ledgerdesk.web.app import create_app  # noqa: E402

get_settings.cache_clear()
# Agents' passwords are hashed with argon2id at its production cost (about 0.15 s per hash or
# check here); the thousands of agents and sign-ins that tests make in this process use a
# cheap argon2id instead. The commands and servers tests start as processes keep the real
# cost, and tests/test_cli.py checks the parameters an agent created there is stored with.
accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
REQUIRE = os.environ.get("LEDGERDESK_REQUIRE_SERVICES") == "1"
PG_ADMIN_URL = os.environ.get(
    "LEDGERDESK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("LEDGERDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PASSWORD = "correct-horse-battery"


def unavailable(what: str, why: str) -> None:
    """Skip with a reason on a laptop; fail in CI, where the service must be there."""
    message = f"{what} not available ({why})"
    if REQUIRE:
        pytest.fail(message + " and LEDGERDESK_REQUIRE_SERVICES=1", pytrace=False)
    pytest.skip(message)


def _create_pg_database() -> tuple[str, Engine]:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"ledgerdesk_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        unavailable("PostgreSQL", f"{PG_ADMIN_URL}: {exc.__class__.__name__}")
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    return url, admin


def _drop_pg_database(url: str, admin: Engine) -> None:
    name = url.rsplit("/", 1)[-1]
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class _Templates:
    """A migrated database of each kind, made once per test process, that fresh databases are
    copied from: under ``--dist loadfile`` every test file gets new databases (a file's SQLite
    and PostgreSQL tests run in turn, and each switch makes the session fixture again), and
    a copy takes a fraction of the 1.5 s that migrating both took."""

    def __init__(self) -> None:
        self.sqlite: Path | None = None
        self.postgresql: tuple[str, Engine] | None = None

    def sqlite_url(self) -> str:
        if self.sqlite is None:
            path = _DATA_DIR / f"template-{uuid.uuid4().hex[:8]}.db"
            engine = make_engine(f"sqlite:///{path}")
            upgrade(engine)
            engine.dispose()
            with closing(sqlite3.connect(path)) as connection:  # everything in the one file
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.sqlite = path
        copy = _DATA_DIR / f"test-{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(self.sqlite, copy)
        return f"sqlite:///{copy}"

    def postgresql_url(self) -> tuple[str, Engine]:
        if self.postgresql is None:
            url, admin = _create_pg_database()
            engine = make_engine(url)
            upgrade(engine)
            engine.dispose()
            self.postgresql = (url, admin)
        template, admin = self.postgresql
        name = f"ledgerdesk_test_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template.rsplit("/", 1)[-1]}"'))
        return admin.url.set(database=name).render_as_string(hide_password=False), admin

    def drop(self) -> None:
        if self.postgresql is not None:
            _drop_pg_database(*self.postgresql)
            self.postgresql = None


_TEMPLATES = _Templates()


@pytest.fixture(scope="session", autouse=True)
def _drop_templates() -> Iterator[None]:
    yield
    _TEMPLATES.drop()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A freshly migrated database of each kind (a copy of this process's template)."""
    if request.param == "sqlite":
        yield _TEMPLATES.sqlite_url()
        return
    url, admin = _TEMPLATES.postgresql_url()
    yield url
    name = url.rsplit("/", 1)[-1]
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def db_session(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    connection = engine.connect()
    outer = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield session
    session.close()
    outer.rollback()
    connection.close()


def unique(prefix: str = "x") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def make_agent(
    session: Session,
    role: Role = Role.agent,
    teams: list[Team] | None = None,
    email: str | None = None,
) -> Agent:
    agent = accounts.do_create_agent(
        session,
        SYSTEM,
        email=email or f"{unique('agent')}@desk.test",
        name=unique("Agent"),
        password=PASSWORD,
        role=role,
    )
    for team in teams or []:
        accounts.do_add_team_member(session, SYSTEM, team, agent)
    return agent


def make_team(session: Session, tier: Tier = Tier.l1) -> Team:
    return accounts.do_create_team(session, SYSTEM, name=unique("Team"), tier=tier)


def make_customer(session: Session, **kwargs: Any) -> Customer:
    kwargs.setdefault("email", f"{unique('cust')}@example.com")
    kwargs.setdefault("name", unique("Customer"))
    return accounts.do_upsert_customer(session, **kwargs)


def make_ticket(
    session: Session, requester: Customer | None = None, actor: Actor | None = None, **kwargs: Any
) -> Ticket:
    requester = requester or make_customer(session)
    actor = actor or accounts.customer_actor(requester)
    kwargs.setdefault("subject", "USDT deposit not credited")
    kwargs.setdefault("body", "I sent 500 USDT on TRC20 an hour ago and it is not in my account.")
    kwargs.setdefault("channel", Channel.portal)
    return tickets.do_create_ticket(session, actor, requester, tickets.NewTicket(**kwargs))


def actor_of(agent: Agent) -> Actor:
    return accounts.agent_actor(agent)


@pytest.fixture
def triage_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Customer messages queue their triage job, as in production."""
    monkeypatch.setenv("LEDGERDESK_TRIAGE", "true")
    get_settings.cache_clear()
    yield
    monkeypatch.setenv("LEDGERDESK_TRIAGE", "false")
    get_settings.cache_clear()


@pytest.fixture
def assistant_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Customers' chat messages and portal requests queue the assistant's job."""
    monkeypatch.setenv("LEDGERDESK_ASSISTANT_ENABLED", "true")
    get_settings.cache_clear()
    yield
    monkeypatch.setenv("LEDGERDESK_ASSISTANT_ENABLED", "false")
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_search_indexes() -> Iterator[None]:
    """Each test's in-memory search index starts from the committed database (a rolled-back
    test must not leave its documents in the process-wide index)."""
    yield
    reset_indexes()


@pytest.fixture(scope="session")
def app_settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url, data_dir=_DATA_DIR, secret_key="test-secret-key-" + "x" * 40
    )


@pytest.fixture(scope="session")
def app(app_settings: Settings) -> Any:
    application = create_app(app_settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    app.state.limiter.reset()
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="session")
def seeded(app: Any) -> dict[str, Any]:
    """Committed data for API tests, made once per database: two teams, agents of each role,
    two customers. Tests open their own tickets, so they do not disturb each other."""
    factory = app.state.sessionmaker
    with factory() as session:
        l1, security = make_team(session), make_team(session, Tier.specialist)
        data = {
            "l1": l1.id,
            "security": security.id,
            "agent": make_agent(session, Role.agent, [l1]),
            "other_agent": make_agent(session, Role.agent, [l1]),
            "security_agent": make_agent(session, Role.agent, [security]),
            "lead": make_agent(session, Role.lead, [l1]),
            "admin": make_agent(session, Role.admin),
            "alice": make_customer(session),
            "bob": make_customer(session),
        }
        for key in ("agent", "other_agent", "security_agent", "lead", "admin"):
            data[key + "_token"] = do_create_api_token(session, SYSTEM, data[key], "t")
        session.commit()
    return data


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say plainly how many tests ran on each database, so a CI log shows PostgreSQL ran."""
    counts: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            for kind in ("sqlite", "postgresql"):
                if f"[{kind}" in nodeid or f"-{kind}]" in nodeid or f"-{kind}-" in nodeid:
                    counts.setdefault(kind, {}).setdefault(outcome, 0)
                    counts[kind][outcome] += 1
    for kind, by_outcome in sorted(counts.items()):
        parts = ", ".join(f"{n} {o}" for o, n in sorted(by_outcome.items()))
        terminalreporter.write_line(f"database {kind}: {parts}")


# The demo world (real local EVM chains and the demo exchange), started at most once per
# session for every directory that asks for it (tests/selfservice, tests/assistant).
from tests.demo_world import demo_desk, demo_world  # noqa: E402,F401


def _slow_files() -> dict[str, int]:
    """tests/slow_files.txt: file -> its rank, slowest first."""
    listed = Path(__file__).with_name("slow_files.txt").read_text(encoding="utf-8")
    names = [line.split("#")[0].strip() for line in listed.splitlines()]
    return {name: rank for rank, name in enumerate(n for n in names if n)}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under xdist's ``--dist loadfile``, hand out the slowest files first (with
    ``--no-loadscope-reorder``, xdist keeps this order): a long file that starts last keeps
    one worker busy while the other idles. Each file's own tests keep their order."""
    if getattr(config.option, "dist", "no") != "loadfile":
        return
    ranks = _slow_files()
    counts: dict[str, int] = {}
    for item in items:
        counts[item.location[0]] = counts.get(item.location[0], 0) + 1
    order = {item: n for n, item in enumerate(items)}

    def key(item: pytest.Item) -> tuple[int, int, str, int]:
        path = item.location[0]
        # Listed files by rank; then the others, more tests first (xdist's own default).
        return (ranks.get(path, len(ranks)), -counts[path], path, order[item])

    items.sort(key=key)
