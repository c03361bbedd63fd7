"""Settings, i18n, rate limits (memory and real Redis) and the migration matching the models."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pydantic import ValidationError
from sqlalchemy import Engine

from ledgerdesk.core import i18n
from ledgerdesk.core.errors import RateLimited
from ledgerdesk.core.ratelimit import RateLimiter
from ledgerdesk.core.settings import Settings
from ledgerdesk.models import metadata
from tests.conftest import REDIS_URL, unavailable

ROOT = Path(__file__).resolve().parents[2]


def test_production_refuses_placeholder_secret(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(env="production", secret_key="changeme", database_url="postgresql://x/y")
    with pytest.raises(ValidationError, match="DATABASE_URL"):
        Settings(env="production", secret_key="k" * 40, database_url="")
    ok = Settings(env="production", secret_key="k" * 40, database_url="postgresql://x/y")
    assert ok.resolved_secret_key() == "k" * 40


def test_development_generates_and_keeps_secret(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="")
    first = settings.resolved_secret_key()
    assert (
        len(first) >= 40
        and Settings(data_dir=tmp_path, secret_key="").resolved_secret_key() == first
    )
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert settings.resolved_database_url.startswith("sqlite:///")


def test_official_domains_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGERDESK_OFFICIAL_DOMAINS", "Example.com, help.example.com ,")
    assert Settings().official_domains == ["example.com", "help.example.com"]


def test_every_setting_is_documented() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [
        f"LEDGERDESK_{name.upper()}"
        for name in Settings.model_fields
        if f"LEDGERDESK_{name.upper()}" not in readme
    ]
    assert not missing, f"undocumented settings: {missing}"


def test_every_cli_command_is_documented() -> None:
    from typer.main import get_command

    from ledgerdesk.cli import app

    readme = (ROOT / "README.md").read_text()
    group = get_command(app)
    names: list[str] = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        subs = getattr(command, "commands", None)
        names += [f"{name} {sub}" for sub in subs] if subs else [name]
    missing = [n for n in names if f"ledgerdesk {n}" not in readme]
    assert not missing, f"undocumented commands: {missing}"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
        ("en-US,en;q=0.9", "en"),
        ("zh-TW", "zh-CN"),
        ("fr-FR, en;q=0.5", "en"),
        ("", "en"),
        ("de", "en"),
        ("en;q=0.2, zh;q=0.9", "zh-CN"),
        ("en;q=abc", "en"),
        ("x" * 5000, "en"),
    ],
)
def test_accept_language(header: str, expected: str) -> None:
    assert i18n.negotiate(header, "en") == expected


def test_chinese_catalog_translates_console() -> None:
    i18n.set_locale("zh-CN")
    try:
        assert i18n.gettext("Sign out") != "Sign out"
        assert re.search(r"[\u4e00-\u9fff]", i18n.gettext("My open tickets"))
    finally:
        i18n.set_locale("en")


def test_every_template_string_is_translated() -> None:
    from babel.messages.pofile import read_po

    po = i18n.LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        catalog = read_po(handle)
    source = "\n".join(p.read_text() for p in (ROOT / "src").rglob("*.html"))
    used = set(re.findall(r"_\('([^']+)'[,)]", source))
    untranslated = sorted(m for m in used if not (catalog.get(m) and catalog.get(m).string))
    assert not untranslated, f"missing zh-CN translations: {untranslated}"


def test_catalogue_has_each_message_once() -> None:
    """Two branches adding the same msgid leave two entries; the reader keeps the last one, so
    a translation someone corrected could silently lose to an older one."""
    po = i18n.LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po"
    seen: dict[tuple[str, str], int] = {}
    repeated = []
    context, msgid, in_id = "", "", False
    for number, line in enumerate(po.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("msgctxt "):
            context = line[8:]
        elif line.startswith("msgid "):
            msgid, in_id = line[6:], True
        elif in_id and line.startswith('"'):
            msgid += line
        elif in_id:
            in_id = False
            key = (context, msgid)
            if key in seen:
                repeated.append(f"line {number}: {msgid[:60]} (first at line {seen[key]})")
            seen.setdefault(key, number)
            context = ""
    assert not repeated, "msgids in the zh-CN catalogue twice:\n" + "\n".join(repeated)


def test_rate_limiter_memory() -> None:
    limiter = RateLimiter("")
    for _ in range(3):
        limiter.hit("3/minute", "login", "1.2.3.4")
    with pytest.raises(RateLimited):
        limiter.hit("3/minute", "login", "1.2.3.4")
    limiter.hit("3/minute", "login", "5.6.7.8")


@pytest.mark.redis
def test_rate_limiter_shared_through_redis() -> None:
    """Two processes' limiters (two instances) share one budget through Redis."""
    try:
        first, second = RateLimiter(REDIS_URL), RateLimiter(REDIS_URL)
        first.storage.check() or unavailable("Redis", f"{REDIS_URL} did not answer")
    except Exception as exc:
        unavailable("Redis", f"{REDIS_URL}: {exc.__class__.__name__}")
    key = f"test-{os.getpid()}"
    first.hit("2/minute", "login", key)
    second.hit("2/minute", "login", key)
    with pytest.raises(RateLimited):
        first.hit("2/minute", "login", key)
    first.reset()


def test_migrations_match_models(engine: Engine) -> None:
    """The migrated schema equals the models on this database: no forgotten migration."""
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diff == []
