"""The LEDGERDESK_EXCHANGE_* settings, ``get_exchange()`` and ``override_exchange()``."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from ledgerdesk.core.settings import Settings, get_settings
from ledgerdesk.exchange.client import ExchangeClient, get_exchange, override_exchange
from ledgerdesk.exchange.demo import RunningService
from tests.exchange.conftest import CHEN, KEY_ID, SECRET

PRODUCTION = {"env": "production", "secret_key": "k" * 40, "database_url": "postgresql://x/y"}


@pytest.fixture
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


def test_defaults() -> None:
    s = Settings()
    assert (s.exchange_url, s.exchange_timeout, s.exchange_cache_seconds) == ("", 5.0, 30.0)
    assert s.exchange_allow_private is False


@pytest.mark.parametrize("url", ["ftp://exchange.example", "exchange.example", "javascript:x"])
def test_exchange_url_must_be_http(url: str) -> None:
    with pytest.raises(ValidationError, match="LEDGERDESK_EXCHANGE_URL"):
        Settings(exchange_url=url)


def test_production_needs_a_real_secret_once_an_exchange_is_set() -> None:
    url = "https://support-api.exchange.example"
    with pytest.raises(ValidationError, match="LEDGERDESK_EXCHANGE_SECRET"):
        Settings(**PRODUCTION, exchange_url=url, exchange_key_id="desk", exchange_secret="short")
    with pytest.raises(ValidationError, match="LEDGERDESK_EXCHANGE_KEY_ID"):
        Settings(**PRODUCTION, exchange_url=url, exchange_secret="s" * 32)
    Settings(**PRODUCTION, exchange_url=url, exchange_key_id="desk", exchange_secret="s" * 32)
    Settings(**PRODUCTION)  # no exchange: nothing needed
    Settings(exchange_url=url, exchange_secret="short")  # development accepts a short one


@pytest.mark.parametrize(
    ("name", "value"), [("exchange_timeout", 0), ("exchange_cache_seconds", -1)]
)
def test_numbers_out_of_range_are_refused(name: str, value: float) -> None:
    with pytest.raises(ValidationError):
        Settings(**{name: value})


def test_get_exchange_follows_the_settings(
    fresh_settings: pytest.MonkeyPatch, demo: RunningService
) -> None:
    assert get_exchange() is None
    fresh_settings.setenv("LEDGERDESK_EXCHANGE_URL", demo.url)
    fresh_settings.setenv("LEDGERDESK_EXCHANGE_KEY_ID", KEY_ID)
    fresh_settings.setenv("LEDGERDESK_EXCHANGE_SECRET", SECRET)
    fresh_settings.setenv("LEDGERDESK_EXCHANGE_ALLOW_PRIVATE", "true")
    fresh_settings.setenv("LEDGERDESK_EXCHANGE_TIMEOUT", "2.5")
    get_settings.cache_clear()
    exchange = get_exchange()
    assert exchange is not None and exchange is get_exchange()  # one client, one cache
    assert exchange.timeout == 2.5 and exchange.allow_private
    assert exchange.customer(CHEN).id == CHEN


def test_override_is_seen_from_every_thread_and_undone(demo: RunningService) -> None:
    mine = ExchangeClient(demo.url, KEY_ID, SECRET, allow_private=True)
    seen: list[object] = []
    with override_exchange(mine):
        worker = threading.Thread(target=lambda: seen.append(get_exchange()))
        worker.start()
        worker.join()
        with override_exchange(None):
            assert get_exchange() is None
        assert get_exchange() is mine
    assert seen == [mine]
    assert get_exchange() is None  # the test settings name no exchange
