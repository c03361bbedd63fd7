"""Fixtures of the scale tests: the real SMTP server of the mail tests, and a check that
PostgreSQL and Redis are there for the tests that start real processes on them."""

from __future__ import annotations

import redis

from tests.channels.smtp import configure_mail, mail_settings, smtp_server
from tests.conftest import REDIS_URL, _create_pg_database, _drop_pg_database, unavailable

__all__ = ["configure_mail", "mail_settings", "needs_services", "smtp_server"]


def needs_services() -> str:
    """The Redis URL of the tests (db 15) once PostgreSQL and Redis both answer; a skip (a
    failure under LEDGERDESK_REQUIRE_SERVICES=1) otherwise."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=5).ping()
    except redis.RedisError as exc:
        unavailable("Redis", f"{REDIS_URL}: {exc.__class__.__name__}")
    url, admin = _create_pg_database()
    _drop_pg_database(url, admin)
    return REDIS_URL
