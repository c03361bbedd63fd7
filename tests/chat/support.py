"""Helpers for the chat tests: chat settings switched on for a test, signed tokens, visitors
made through the real services, and the verification code read from the queued e-mail."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jwt
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.chat import services as chat
from ledgerdesk.core.settings import get_settings
from ledgerdesk.jobs.models import OutboxEntry
from tests.conftest import unique

SECRET = "chat-test-secret-" + "s" * 60
CODE_RE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


@contextmanager
def chat_settings(**env: str) -> Iterator[None]:
    """``LEDGERDESK_*`` variables set for the block, the settings re-read on both ends."""
    before = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    get_settings.cache_clear()
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()


def sign(claims: dict[str, Any] | None = None, secret: str = SECRET, **headers: Any) -> str:
    """A token as an exchange signs it: a fresh user by default, valid ten minutes."""
    now = int(time.time())
    body = {
        "sub": unique("user"),
        "email": f"{unique('signed')}@example.com",
        "iat": now,
        "exp": now + 600,
        "name": "Signed Customer",
    }
    body.update(claims or {})
    for key in [k for k, v in body.items() if v is None]:
        del body[key]
    return jwt.encode(body, secret, algorithm="HS256", headers=headers or None)


def email_visitor(session: Session, email: str | None = None) -> tuple[chat.Visitor, str]:
    return chat.identify_email(session, email or f"{unique('visitor')}@example.com", "Visitor")


def mailed_code(session: Session, email: str) -> str:
    """The code in the newest queued e-mail to ``email`` (still in the caller's transaction)."""
    rows = session.scalars(select(OutboxEntry).order_by(OutboxEntry.id.desc()))
    for row in rows:
        if row.payload.get("to") == email:
            found = CODE_RE.search(row.payload.get("text", ""))
            if found:
                return found.group(1)
    raise AssertionError(f"no code e-mailed to {email}")
