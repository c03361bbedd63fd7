"""The ledgerdesk command, run as a real process against a real SQLite database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from ledgerdesk.core.db import make_engine

BIN = Path(sys.executable).parent / "ledgerdesk"


def run(
    tmp_path: Path, *args: str, stdin: str | None = None, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LEDGERDESK_DATABASE_URL"}
    env.update({"LEDGERDESK_DATA_DIR": str(tmp_path), **(extra_env or {})})
    return subprocess.run(
        [str(BIN), *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=120,
        check=False,
    )


def test_version(tmp_path: Path) -> None:
    result = run(tmp_path, "version")
    assert result.returncode == 0 and result.stdout.strip() == "0.1.0"


def test_migrate_is_repeatable_and_agent_create(tmp_path: Path) -> None:
    assert run(tmp_path, "migrate").returncode == 0
    assert run(tmp_path, "migrate").returncode == 0
    created = run(
        tmp_path,
        "agent",
        "create",
        "--email",
        "Boss@Exchange.io",
        "--name",
        "Boss",
        "--role",
        "admin",
        "--password",
        "a-long-password",
    )
    assert created.returncode == 0, created.stderr
    assert "boss@exchange.io" in created.stderr
    # Stored with argon2id at the library's production cost (tests in-process use a cheap one)
    engine = make_engine(f"sqlite:///{tmp_path / 'ledgerdesk.db'}")
    try:
        with engine.connect() as connection:
            stored = connection.scalar(text("SELECT password_hash FROM agents"))
    finally:
        engine.dispose()
    assert str(stored).startswith("$argon2id$v=19$m=65536,t=3,p=4$"), stored
    again = run(
        tmp_path,
        "agent",
        "create",
        "--email",
        "boss@exchange.io",
        "--name",
        "Boss",
        "--password",
        "a-long-password",
    )
    assert again.returncode == 2 and "already exists" in again.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--role", "king", "--password", "a-long-password"], "role must be one of"),
        (["--password", "short"], "at least 10 characters"),
    ],
)
def test_agent_create_bad_input(tmp_path: Path, args: list[str], needle: str) -> None:
    assert run(tmp_path, "migrate").returncode == 0
    result = run(tmp_path, "agent", "create", "--email", "x@exchange.io", "--name", "X", *args)
    assert result.returncode == 2 and needle in result.stderr
    assert "Traceback" not in result.stderr


def test_agent_create_without_schema_says_what_to_do(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        "agent",
        "create",
        "--email",
        "x@exchange.io",
        "--name",
        "X",
        "--password",
        "a-long-password",
    )
    assert result.returncode == 1 and "ledgerdesk migrate" in result.stderr


def test_production_without_secret_is_a_clear_error(tmp_path: Path) -> None:
    result = run(
        tmp_path, "migrate", extra_env={"LEDGERDESK_ENV": "production", "LEDGERDESK_SECRET_KEY": ""}
    )
    assert result.returncode == 2 and "LEDGERDESK_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        "migrate",
        extra_env={"LEDGERDESK_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"},
    )
    assert result.returncode == 1 and "cannot migrate" in result.stderr
    assert "Traceback" not in result.stderr


def test_agent_reset(tmp_path: Path) -> None:
    assert run(tmp_path, "migrate").returncode == 0
    args = ["--email", "boss@exchange.io", "--name", "Boss", "--role", "admin"]
    assert run(tmp_path, "agent", "create", *args, "--password", "a-long-password").returncode == 0
    reset = run(
        tmp_path, "agent", "reset", "--email", "Boss@Exchange.io", "--password", "another-long-one"
    )
    assert reset.returncode == 0, reset.stderr
    assert "2FA off" in reset.stderr
    missing = run(tmp_path, "agent", "reset", "--email", "who@exchange.io", "--password", "x" * 12)
    assert missing.returncode == 2 and "no agent" in missing.stderr
    short = run(tmp_path, "agent", "reset", "--email", "boss@exchange.io", "--password", "short")
    assert short.returncode == 2 and "at least 10 characters" in short.stderr
    assert "Traceback" not in short.stderr + missing.stderr
