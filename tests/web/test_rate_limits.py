"""Rate limits an attacker cannot step around: forged X-Forwarded-For, many addresses against
one account, and a stranger asking for or guessing a customer's portal codes."""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from ledgerdesk.cli import UVICORN_OPTIONS
from ledgerdesk.core.errors import RateLimited
from ledgerdesk.core.ratelimit import RateLimiter
from ledgerdesk.core.settings import Settings
from ledgerdesk.web.app import create_app
from ledgerdesk.web.clientip import forwarded_client
from tests.conftest import PASSWORD, REDIS_URL, unavailable

PROXY = ("10.0.0.5", 40000)
CODE_LOG = re.compile(r"portal sign-in code for (\S+): (\d{6})")


@pytest.fixture
def behind_proxy(app: Any) -> Iterator[None]:
    """The desk behind a reverse proxy in 10.0.0.0/8, as configured in production."""
    settings = app.state.settings
    app.state.settings = settings.model_copy(
        update={"trusted_proxies": [ipaddress.ip_network("10.0.0.0/8")]}
    )
    app.state.limiter.reset()
    yield
    app.state.settings = settings


def browser(app: Any, peer: tuple[str, int] = ("198.51.100.7", 50000)) -> TestClient:
    return TestClient(app, raise_server_exceptions=False, client=peer)


def login(client: TestClient, email: str, password: str, forwarded: str = "") -> Any:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    data = {"email": email, "password": password}
    return client.post("/console/login", data=data, headers=headers, follow_redirects=False)


def test_forwarded_client_reads_from_the_right() -> None:
    trusted = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8")]
    assert forwarded_client("10.0.0.5", ["6.6.6.6", "203.0.113.9"], trusted) == "203.0.113.9"
    assert forwarded_client("10.0.0.5", ["203.0.113.9", "10.1.1.1"], trusted) == "203.0.113.9"
    assert forwarded_client("10.0.0.5", ["fd00::1", "10.1.1.1"], trusted) == "fd00::1"
    assert forwarded_client("10.0.0.5", [], trusted) == "10.0.0.5"
    assert forwarded_client("10.0.0.5", ["1.2.3.4", "garbage"], trusted) == "10.0.0.5"
    assert forwarded_client("10.0.0.5", ["2001:db8::1"], trusted) == "2001:db8::1"


def test_forged_forwarded_for_does_not_reset_the_limit(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    """No proxy trusted (the default): 12 forged addresses are one client."""
    email = seeded["agent"].email
    statuses = [login(client, email, "wrong-password", f"203.0.113.{n}") for n in range(12)]
    assert [r.status_code for r in statuses][:10] == [401] * 10
    assert [r.status_code for r in statuses][10:] == [429, 429]
    right = login(client, email, PASSWORD, "198.51.100.200")
    assert right.status_code == 429 and "Too many attempts" in right.text


def test_untrusted_peer_cannot_claim_a_proxy_address(
    app: Any, behind_proxy: None, seeded: dict[str, Any]
) -> None:
    outsider = browser(app, ("198.51.100.9", 50000))
    email = seeded["agent"].email
    for n in range(10):
        assert login(outsider, email, "nope", f"10.0.0.{n}").status_code == 401
    assert login(outsider, email, PASSWORD, "10.0.0.99").status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_client_is_limited(
    app: Any, behind_proxy: None, seeded: dict[str, Any]
) -> None:
    proxy = browser(app, PROXY)
    email = f"nobody-{uuid.uuid4().hex[:8]}@example.com"
    # The client forges the left part; the proxy appends the real peer, which is what counts.
    for n in range(10):
        assert login(proxy, email, "x", f"6.6.6.{n}, 203.0.113.50").status_code == 401
    assert login(proxy, email, "x", "6.6.6.6, 203.0.113.50").status_code == 429
    # Another real client behind the same proxy is not affected.
    other = login(proxy, seeded["agent"].email, PASSWORD, "203.0.113.51")
    assert other.status_code == 303


def test_per_account_limit_across_addresses(
    app: Any, behind_proxy: None, seeded: dict[str, Any]
) -> None:
    proxy = browser(app, PROXY)
    email = seeded["other_agent"].email
    for n in range(10):  # ten real addresses, each under its own limit
        assert login(proxy, email.upper(), "wrong", f"203.0.113.{n}").status_code == 401
    refused = login(proxy, email, PASSWORD, "203.0.113.200")
    assert refused.status_code == 429 and "Too many attempts" in refused.text
    assert login(proxy, seeded["lead"].email, PASSWORD, "203.0.113.201").status_code == 303
    # An address no agent has answers the same way: the limit reveals no account.
    ghost = f"ghost-{uuid.uuid4().hex[:8]}@example.com"
    answers = [login(proxy, ghost, "wrong", f"192.0.2.{n}") for n in range(11)]
    assert [r.status_code for r in answers] == [401] * 10 + [429]
    assert answers[-1].text.replace(ghost, email) == refused.text


def test_successful_sign_ins_do_not_use_up_the_account(
    app: Any, behind_proxy: None, seeded: dict[str, Any]
) -> None:
    proxy = browser(app, PROXY)
    for n in range(12):
        signed_in = login(proxy, seeded["admin"].email, PASSWORD, f"203.0.113.{n}")
        assert signed_in.status_code == 303


# --- portal codes -----------------------------------------------------------------------


def ask_code(
    client: TestClient, email: str, caplog: pytest.LogCaptureFixture, forwarded: str = ""
) -> tuple[int, str]:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="ledgerdesk.portal"):
        page = client.post("/portal/login/code", data={"email": email}, headers=headers)
    codes = [m.group(2) for r in caplog.records if (m := CODE_LOG.search(r.getMessage()))]
    return page.status_code, codes[-1] if codes else ""


def redeem(client: TestClient, email: str, code: str) -> int:
    page = client.post(
        "/portal/login/verify", data={"email": email, "code": code}, follow_redirects=False
    )
    return page.status_code


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_a_stranger_cannot_lock_a_customer_out_of_the_portal(
    app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    app.state.limiter.reset()
    email = f"victim-{uuid.uuid4().hex[:8]}@example.com"
    victim = browser(app, ("198.51.100.20", 50000))
    status, code = ask_code(victim, email, caplog)
    assert status == 200 and code
    stranger = browser(app, ("203.0.113.66", 50000))
    asked = [ask_code(stranger, email, caplog) for _ in range(7)]
    assert [s for s, _ in asked] == [200] * 5 + [429, 429]  # the stranger is limited...
    for _ in range(8):  # ...and guessing from their browser uses up none of the victim's tries
        assert redeem(stranger, email, wrong(code)) == 401
    assert redeem(victim, email, code) == 303  # the victim's code still works
    # After the stranger's requests, the victim can still ask for a code and use it.
    again = browser(app, ("198.51.100.21", 50000))
    status, fresh = ask_code(again, email, caplog)
    assert status == 200 and redeem(again, email, fresh) == 303


def test_guessing_codes_is_limited_per_code_and_per_email(
    app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    app.state.limiter.reset()
    email = f"target-{uuid.uuid4().hex[:8]}@example.com"
    guesser = browser(app, ("203.0.113.70", 50000))
    status, code = ask_code(guesser, email, caplog)
    assert status == 200
    # Five tries on the code this browser holds, then it is dead even with the right digits.
    assert [redeem(guesser, email, wrong(code)) for _ in range(5)] == [401] * 5
    assert redeem(guesser, email, code) == 401
    # The customer asks for a code; strangers guessing it from many addresses, without a
    # code of their own, are limited per e-mail.
    customer = browser(app, ("198.51.100.30", 50000))
    status, fresh = ask_code(customer, email, caplog)
    answers = [redeem(browser(app, (f"192.0.2.{n}", 50000)), email, wrong(fresh)) for n in range(6)]
    assert answers == [401] * 5 + [429]  # 5 + 5 wrong guesses: the e-mail's limit of 10
    # Past the limit the customer's code typed right at the first try still signs them in...
    assert redeem(customer, email, fresh) == 303
    # ...but a code gets one try only.
    other = browser(app, ("198.51.100.31", 50000))
    status, third = ask_code(other, email, caplog)
    assert redeem(other, email, wrong(third)) == 401
    assert redeem(other, email, third) == 401


def test_the_setting_is_parsed_and_checked() -> None:
    settings = Settings(trusted_proxies="127.0.0.1, 10.0.0.0/8 ,::1")  # type: ignore[arg-type]
    assert [str(n) for n in settings.trusted_proxies] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    with pytest.raises(ValueError, match="LEDGERDESK_TRUSTED_PROXIES"):
        Settings(trusted_proxies="proxy.internal")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="is not a rate limit"):
        Settings(account_login_rate_limit="ten a minute")


# --- as ``ledgerdesk serve`` runs it ------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def served_like_the_cli(settings: Settings) -> Iterator[str]:
    """The app under uvicorn with the options ``ledgerdesk serve`` passes, on loopback."""
    app = create_app(settings)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, **UVICORN_OPTIONS)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.engine.dispose()


def test_served_desk_ignores_forged_forwarded_for_from_loopback(
    app_settings: Settings, seeded: dict[str, Any]
) -> None:
    """uvicorn by default believes X-Forwarded-For from 127.0.0.1: the review's 12 forged
    addresses all got through and the right password then signed in. (Each guess names
    another account here, so only the per-address limit can stop them.)"""
    email = seeded["security_agent"].email
    with served_like_the_cli(app_settings) as base, httpx.Client(base_url=base) as http:
        answers = [
            http.post(
                "/console/login",
                data={"email": f"guess-{n}-{uuid.uuid4().hex[:6]}@x.io", "password": "wrong"},
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
            ).status_code
            for n in range(12)
        ]
        right = http.post(
            "/console/login",
            data={"email": email, "password": PASSWORD},
            headers={"X-Forwarded-For": "198.51.100.1"},
        )
    assert answers == [401] * 10 + [429, 429]
    assert right.status_code == 429


@pytest.mark.redis
def test_failure_counts_are_shared_through_redis() -> None:
    """The per-account and per-e-mail limits count failures; two processes share the count."""
    try:
        first, second = RateLimiter(REDIS_URL), RateLimiter(REDIS_URL)
        first.storage.check() or unavailable("Redis", f"{REDIS_URL} did not answer")
    except Exception as exc:
        unavailable("Redis", f"{REDIS_URL}: {exc.__class__.__name__}")
    key = f"acct-{uuid.uuid4().hex}"
    first.check("2/minute", "login-account", key)  # checking counts nothing
    first.count("2/minute", "login-account", key)
    assert second.allows("2/minute", "login-account", key)
    second.count("2/minute", "login-account", key)
    assert not first.allows("2/minute", "login-account", key)
    with pytest.raises(RateLimited):
        second.check("2/minute", "login-account", key)
