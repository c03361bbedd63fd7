"""The demo exchange's help page: an exchange's own page that embeds the desk's chat widget,
with an identity token the desk can verify, in both languages; its support API stays
signed-only."""

from __future__ import annotations

import re
from pathlib import Path

import jwt
import pytest
from fastapi.testclient import TestClient

from ledgerdesk.exchange.demo import ChatEmbed, create_demo_app
from ledgerdesk.exchange.demo_page import TEXT, TOKEN_SECONDS
from ledgerdesk.exchange.demo_state import DemoExchange

SECRET = "demo-test-secret-" + "y" * 32
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def page_client() -> TestClient:
    embed = ChatEmbed(desk_url="http://127.0.0.1:9/", jwt_secret=SECRET, customer_id="UID10000001")
    app = create_demo_app(DemoExchange.load(), key_id="k", secret="s" * 40, chat=embed)
    return TestClient(app)


def _token(html: str) -> str | None:
    found = re.search(r'data-token="([^"]+)"', html)
    return found.group(1) if found else None


def test_signed_in_page_embeds_the_widget_with_a_verifiable_token(page_client: TestClient) -> None:
    html = page_client.get("/", params={"lang": "en"}).text
    assert '<script src="http://127.0.0.1:9/static/chat/widget.js" data-lang="en"' in html
    token = _token(html)
    assert token is not None
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience="ledgerdesk-chat")
    assert claims["sub"] == "UID10000001"
    assert claims["email"] == "customer@demo.ledgerdesk.local"
    assert claims["exp"] - claims["iat"] == TOKEN_SECONDS
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "another-secret-" + "z" * 32, algorithms=["HS256"], audience="x")


def test_guest_page_has_no_token(page_client: TestClient) -> None:
    html = page_client.get("/", params={"guest": "1"}).text
    assert _token(html) is None
    assert "widget.js" in html
    assert TEXT["zh-CN"]["guest"] in html


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_page_speaks_both_languages(page_client: TestClient, lang: str) -> None:
    html = page_client.get("/", params={"lang": lang}).text
    assert f'<html lang="{lang}">' in html
    for key in ("title", "q1", "chat_cta"):
        assert TEXT[lang][key] in html
    other = "zh-CN" if lang == "en" else "en"
    assert f'href="/?lang={other}"' in html
    assert set(TEXT["en"]) == set(TEXT["zh-CN"])


def test_without_a_shared_secret_the_page_embeds_an_anonymous_widget() -> None:
    embed = ChatEmbed(desk_url="http://127.0.0.1:9", customer_id="UID10000001")
    app = create_demo_app(DemoExchange.load(), key_id="k", secret="s" * 40, chat=embed)
    html = TestClient(app).get("/").text
    assert "widget.js" in html and _token(html) is None


def test_the_support_api_still_needs_a_signature(page_client: TestClient) -> None:
    assert page_client.get("/v1/customers/UID10000001").status_code == 401
    plain = create_demo_app(DemoExchange.load(), key_id="k", secret="s" * 40)
    assert TestClient(plain).get("/").status_code == 404  # no page without a desk to embed


def test_make_run_shares_one_demo_secret() -> None:
    """The Makefile gives the desk the secret of data/demo/chat-jwt-secret.txt; the demo
    exchange signs with the desk's own setting, so both always agree."""
    secret = (ROOT / "data" / "demo" / "chat-jwt-secret.txt").read_text().strip()
    assert len(secret) >= 32
    makefile = (ROOT / "Makefile").read_text()
    assert (
        "run: export LEDGERDESK_CHAT_JWT_SECRET ?= $(shell cat data/demo/chat-jwt-secret.txt)"
        in makefile
    )
    assert secret not in makefile
