"""The bots configured against the local platform server, and helpers that send real-shaped
updates and signed interactions to the desk."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker
from tests.channels.messenger.platform import (
    DISCORD_TOKEN,
    TELEGRAM_TOKEN,
    Platform,
    platform,
    sample,
)

from ledgerdesk.channels.messenger.services import SEND_TOPIC
from ledgerdesk.channels.models import MessengerChat
from ledgerdesk.core.settings import get_settings
from ledgerdesk.jobs.models import OutboxEntry
from ledgerdesk.jobs.outbox import run_pending
from ledgerdesk.tickets.models import Message, Ticket

__all__ = ["platform"]
WEBHOOK_SECRET = "tg-webhook-secret_0123456789"


@dataclass
class Bots:
    client: TestClient
    factory: sessionmaker[Session]
    platform: Platform
    key: Ed25519PrivateKey

    # --- Telegram ---------------------------------------------------------------------------

    def telegram(self, update: dict[str, Any], secret: str | None = WEBHOOK_SECRET) -> Any:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        return self.client.post("/api/v1/channels/telegram/webhook", json=update, headers=headers)

    # --- Discord ----------------------------------------------------------------------------

    def signed(
        self, body: bytes, *, key: Ed25519PrivateKey | None = None, at: float | None = None
    ) -> dict[str, str]:
        timestamp = str(int(at if at is not None else time.time()))
        signature = (key or self.key).sign(timestamp.encode() + body).hex()
        return {"X-Signature-Ed25519": signature, "X-Signature-Timestamp": timestamp}

    def discord(self, interaction: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        body = json.dumps(interaction).encode()
        headers = headers if headers is not None else self.signed(body)
        return self.client.post(
            "/api/v1/channels/discord/interactions",
            content=body,
            headers={**headers, "Content-Type": "application/json"},
        )

    # --- the desk ---------------------------------------------------------------------------

    def run_jobs(self) -> None:
        run_pending(self.factory)

    def chat(self, platform: str, chat_id: str) -> MessengerChat | None:
        with self.factory() as session:
            return session.scalar(
                select(MessengerChat).where(
                    MessengerChat.platform == platform, MessengerChat.chat_id == chat_id
                )
            )

    def ticket(self, ticket_id: int) -> Ticket:
        with self.factory() as session:
            ticket = session.get(Ticket, ticket_id)
            assert ticket is not None
            return ticket

    def messages(self, ticket_id: int) -> list[Message]:
        with self.factory() as session:
            return list(
                session.scalars(
                    select(Message).where(Message.ticket_id == ticket_id).order_by(Message.seq)
                )
            )


def eventually(check: Callable[[], bool], timeout: float = 10.0) -> bool:
    """True once ``check()`` is: the embedded worker commits a job a moment after the
    platform server saw its call."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def new_user_id() -> int:
    return random.randint(10**9, 8 * 10**9)


def telegram_update(name: str, user_id: int, update_id: int | None = None) -> dict[str, Any]:
    """A sample update from ``samples/name`` sent by ``user_id`` (in their private chat)."""
    update = sample(name)
    update["update_id"] = update_id if update_id is not None else new_user_id()
    body = update.get("message") or update.get("edited_message") or update["callback_query"]
    body["from"]["id"] = user_id
    chat = body["chat"] if "chat" in body else body["message"]["chat"]
    if chat["type"] == "private":
        chat["id"] = user_id
    return update


def discord_interaction(name: str, user_id: str, channel_id: str | None = None) -> dict[str, Any]:
    interaction = sample(name)
    interaction["id"] = str(new_user_id())
    user = interaction.get("user") or interaction["member"]["user"]
    user["id"] = user_id
    if channel_id is not None and "guild_id" not in interaction:
        interaction["channel_id"] = channel_id
        interaction["channel"]["id"] = channel_id
    return interaction


@pytest.fixture
def bots(
    app: Any, client: TestClient, platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Bots]:
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes_raw().hex()
    values: dict[str, Any] = {
        "telegram_bot_token": TELEGRAM_TOKEN,
        "telegram_webhook_secret": WEBHOOK_SECRET,
        "telegram_api_url": platform.url,
        "telegram_allow_private": True,
        "discord_public_key": public,
        "discord_bot_token": DISCORD_TOKEN,
        "discord_application_id": "1310000000000000001",
        "discord_api_url": platform.url,
        "discord_allow_private": True,
    }
    for name, value in values.items():
        monkeypatch.setenv(
            f"LEDGERDESK_{name.upper()}", str(value).lower() if value is True else value
        )
    get_settings.cache_clear()
    with app.state.sessionmaker() as session:
        mark = session.scalar(select(func.max(OutboxEntry.id))) or 0
    original = app.state.settings
    app.state.settings = original.model_copy(update=values)
    try:
        yield Bots(client, app.state.sessionmaker, platform, key)
    finally:
        app.state.settings = original
    with app.state.sessionmaker() as session:  # messages still queued would reach later tests
        topic = OutboxEntry.topic == SEND_TOPIC
        session.execute(delete(OutboxEntry).where(topic, OutboxEntry.id > mark))
        session.commit()
    for name in values:
        monkeypatch.delenv(f"LEDGERDESK_{name.upper()}")
    get_settings.cache_clear()
