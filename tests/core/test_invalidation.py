"""Cross-process cache invalidation over real Redis (db 15): another process's announcement
clears this process's cache; a cache's change is announced only once its transaction commits
(a rollback announces nothing); a value loaded across a clear is not stored."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy.orm import Session

import ledgerdesk
from ledgerdesk.core import invalidation
from ledgerdesk.core.settings import get_settings
from ledgerdesk.sla import policies
from tests.chat.test_bus import redis_url

pytestmark = pytest.mark.redis


@pytest.fixture
def url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    value = redis_url().rsplit("/", 1)[0] + "/15"
    monkeypatch.setenv("LEDGERDESK_REDIS_URL", value)
    get_settings.cache_clear()
    yield value
    invalidation.stop_listening()
    get_settings.cache_clear()


def test_another_process_announcing_clears_this_process_cache(url: str) -> None:
    cleared: list[str] = []
    done = threading.Event()

    def clear(key: str) -> None:
        cleared.append(key)
        done.set()

    invalidation.register("test.other-process", clear)
    invalidation.listen(url, wait=5)
    src = str(Path(ledgerdesk.__file__).resolve().parents[1])
    code = (
        f"import sys; sys.path.insert(0, {src!r}); from ledgerdesk.core import invalidation; "
        f"invalidation.announce('test.other-process', 'customer-7', redis_url={url!r})"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    assert done.wait(5), "the other process's announcement did not arrive"
    assert cleared == ["customer-7"]


def _messages(url: str) -> tuple[redis.client.PubSub, redis.Redis]:
    client = redis.Redis.from_url(url)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(invalidation._channel(url))
    pubsub.get_message(timeout=1)  # the subscription's confirmation
    return pubsub, client


def _next(pubsub: redis.client.PubSub, seconds: float) -> str | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        message = pubsub.get_message(timeout=0.1)
        if message is not None and message["type"] == "message":
            data = message["data"]
            return data.decode() if isinstance(data, bytes) else str(data)
    return None


def test_a_policy_change_is_announced_after_commit_only(url: str, db_session: Session) -> None:
    pubsub, client = _messages(url)
    try:
        policies.invalidate(db_session)
        assert _next(pubsub, 0.5) is None  # not before the commit
        db_session.commit()
        announced = _next(pubsub, 5)
        assert announced is not None and announced.split(" ")[1] == policies.CACHE_NAME
        policies.invalidate(db_session)
        db_session.rollback()
        assert _next(pubsub, 0.5) is None  # a rolled-back change tells nobody
    finally:
        pubsub.close()
        client.close()


def test_a_load_that_raced_a_clear_is_not_kept() -> None:
    generation = invalidation.Generation()
    seen = generation.now()
    assert generation.stores_ok(seen)
    generation.bump()  # another process's change arrived while we were loading
    assert not generation.stores_ok(seen)
