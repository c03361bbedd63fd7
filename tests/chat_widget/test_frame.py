"""The chat frame page (/chat/frame) and the widget loader: rendered in both languages with
every text the scripts use, themed only by a real hex colour, framable by other sites while
every other page stays unframable."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledgerdesk.chat.frame_strings import frame_strings
from ledgerdesk.chat.views import DEFAULT_ACCENT, parent_origin, theme
from ledgerdesk.core import i18n
from ledgerdesk.core.settings import Settings
from ledgerdesk.web.app import create_app
from ledgerdesk.web.middleware import framable_csp, frame_ancestors_source
from tests.conftest import _DATA_DIR

STATIC = Path(__file__).resolve().parents[2] / "src" / "ledgerdesk" / "web" / "static" / "chat"
CJK = re.compile(r"[\u4e00-\u9fff]")


class _Config(HTMLParser):
    """The JSON configuration block and the <html> element's attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.html: dict[str, str | None] = {}
        self.config = ""
        self._in_config = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.html = dict(attrs)
        self._in_config = tag == "script" and ("id", "chat-config") in attrs

    def handle_endtag(self, tag: str) -> None:
        self._in_config = False

    def handle_data(self, data: str) -> None:
        if self._in_config:
            self.config += data


def _page(client: TestClient, query: str, **headers: str) -> tuple[Any, _Config]:
    response = client.get("/chat/frame" + query, headers=headers)
    parsed = _Config()
    parsed.feed(response.text)
    return response, parsed


@pytest.mark.parametrize(
    ("query", "lang", "title"),
    [("?lang=zh-CN", "zh-CN", "联系在线客服"), ("?lang=en", "en", "Chat with support")],
)
def test_frame_renders_in_the_asked_language(
    client: TestClient, query: str, lang: str, title: str
) -> None:
    response, page = _page(client, query)
    assert response.status_code == 200
    assert page.html["lang"] == lang
    assert f"<title>{title} ·" in response.text
    config = json.loads(page.config)
    assert config["lang"] == lang
    strings = config["strings"]
    chinese = [k for k, v in strings.items() if isinstance(v, str) and CJK.search(v)]
    if lang == "zh-CN":
        # Every sentence is translated; only unit and number formats stay as they are.
        untranslated = {k for k, v in strings.items() if isinstance(v, str)} - set(chinese)
        assert untranslated == {"size_b", "size_kb", "size_mb", "history_item"}
        assert "Enter" in response.text and "按 Enter 发送" in response.text
        assert all(CJK.search(label) for label in strings["status_labels"].values())
    else:
        assert chinese == []
        assert "Enter sends, Shift+Enter starts a new line." in response.text


def test_unknown_language_keeps_the_browsers(client: TestClient) -> None:
    response, page = _page(client, "?lang=fr", **{"Accept-Language": "zh-CN,zh;q=0.9"})
    assert response.status_code == 200
    assert page.html["lang"] == "zh-CN"
    response, page = _page(client, "?lang=%3Cscript%3E")
    assert response.status_code == 200
    assert page.html["lang"] == "en"
    assert "<script>" not in response.text.split("</head>")[1]


def test_overlong_parameters_are_refused_not_crashed(client: TestClient) -> None:
    response = client.get("/chat/frame", params={"lang": "x" * 65})
    assert response.status_code == 422
    response = client.get("/chat/frame", params={"origin": "https://" + "a" * 400})
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("color", "accent"),
    [
        ("#0b7", "#00bb77"),
        ("#F0B90B", "#f0b90b"),
        ("red", DEFAULT_ACCENT),
        ("#12345", DEFAULT_ACCENT),
        ("#fff;}body{display:none", DEFAULT_ACCENT),
        ("url(javascript:alert(1))", DEFAULT_ACCENT),
        ("", DEFAULT_ACCENT),
    ],
)
def test_only_a_hex_colour_themes_the_frame(client: TestClient, color: str, accent: str) -> None:
    response = client.get("/chat/frame", params={"lang": "en", "color": color})
    assert response.status_code == 200
    parsed = _Config()
    parsed.feed(response.text)
    style = parsed.html["style"] or ""
    assert style.startswith(f"--accent: {accent};")
    assert "body" not in style and "url(" not in style


def test_text_on_the_accent_stays_readable() -> None:
    assert theme("#f0b90b") == ("#f0b90b", "#111827")  # yellow: dark text
    assert theme("#1f6feb") == ("#1f6feb", "#ffffff")  # blue: white text
    assert theme("#ffffff")[1] == "#111827"
    assert theme("#000")[1] == "#ffffff"
    assert theme(None) == (DEFAULT_ACCENT, "#ffffff")


def test_frame_may_be_framed_and_other_pages_may_not(client: TestClient) -> None:
    frame = client.get("/chat/frame?lang=en")
    policy = frame.headers["content-security-policy"]
    assert "frame-ancestors *" in policy
    assert "x-frame-options" not in frame.headers
    assert "script-src 'self';" in policy  # still only our own scripts
    assert "img-src 'self' data: blob:" in policy  # attachments shown from blob: URLs
    for path in ("/portal/login", "/console/login", "/chat/frame/", "/help"):
        page = client.get(path, follow_redirects=False)
        assert page.headers["x-frame-options"] == "DENY", path
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"], path


def test_frame_ancestors_come_from_the_setting(database_url: str) -> None:
    settings = Settings(
        database_url=database_url,
        data_dir=_DATA_DIR,
        secret_key="test-secret-key-" + "x" * 40,
        chat_frame_ancestors="https://www.exchange.example, https://m.exchange.example",
    )
    app = create_app(settings)
    try:
        with TestClient(app) as client:
            frame = client.get("/chat/frame?origin=https://www.exchange.example")
            policy = frame.headers["content-security-policy"]
            assert (
                "frame-ancestors https://www.exchange.example https://m.exchange.example;"
            ) in policy
            assert "x-frame-options" not in frame.headers
            parsed = _Config()
            parsed.feed(frame.text)
            assert json.loads(parsed.config)["parentOrigin"] == "https://www.exchange.example"
            # A page that may not frame the desk gets no answers from the frame either.
            other = client.get("/chat/frame?origin=https://evil.example")
            parsed = _Config()
            parsed.feed(other.text)
            assert json.loads(parsed.config)["parentOrigin"] == ""
            assert client.get("/portal/login").headers["x-frame-options"] == "DENY"
    finally:
        app.state.engine.dispose()


def test_policy_values_never_carry_anything_but_origins() -> None:
    assert frame_ancestors_source([]) == "*"
    assert frame_ancestors_source(["https://a.example/", "http://b.example:8080"]) == (
        "https://a.example http://b.example:8080"
    )
    assert frame_ancestors_source(["https://a.example; script-src *", "'none'", "*"]) == "*"
    assert frame_ancestors_source(["https://*.exchange.example"]) == "https://*.exchange.example"
    assert "frame-ancestors https://a.example;" in framable_csp(["https://a.example"])


@pytest.mark.parametrize(
    ("value", "allowed", "expected"),
    [
        ("https://www.exchange.example", [], "https://www.exchange.example"),
        ("http://127.0.0.1:8546", [], "http://127.0.0.1:8546"),
        (
            "https://www.exchange.example/",
            ["https://www.exchange.example"],
            "https://www.exchange.example",
        ),
        ("https://evil.example", ["https://www.exchange.example"], ""),
        (
            "https://m.exchange.example",
            ["https://*.exchange.example"],
            "https://m.exchange.example",
        ),
        ("https://exchange.example.evil", ["https://*.exchange.example"], ""),
        ("http://m.exchange.example", ["https://*.exchange.example"], ""),
        ("javascript:alert(1)", [], ""),
        ("https://a.example/path", [], ""),
        ("null", [], ""),
        (None, [], ""),
    ],
)
def test_parent_origin(value: str | None, allowed: list[str], expected: str) -> None:
    assert parent_origin(value, allowed) == expected


def _keys_used_by_scripts() -> set[str]:
    keys: set[str] = set()
    for name in ("ui.js", "panels.js", "frame.js"):
        source = (STATIC / name).read_text(encoding="utf-8")
        keys |= set(re.findall(r'\bt\("(\w+)"', source))
        keys |= {k for k in re.findall(r"\bS\.(\w+)", source)}
        keys |= {"error_" + k for k in ("closed", "generic")}
    return keys


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_every_text_the_scripts_show_is_in_the_table(lang: str) -> None:
    i18n.set_locale(lang)
    try:
        strings = frame_strings()
    finally:
        i18n.set_locale("en")
    missing = _keys_used_by_scripts() - set(strings)
    assert not missing, f"frame scripts use texts the page does not give them: {missing}"
    # Error codes the desk sends are looked up as error_<code>.
    for code in ("rate_limited", "too_large", "not_found", "not_authenticated"):
        assert "error_" + code in strings
    for key, value in strings.items():
        if isinstance(value, str):
            assert value and not re.search(r"%\((?!\w+\)s)", value), key


def test_scripts_carry_no_sentence_of_their_own() -> None:
    """Texts come from the page; a quoted sentence in a frame script would be English on a
    Chinese page."""
    for name in ("conn.js", "ui.js", "panels.js", "frame.js"):
        source = (STATIC / name).read_text(encoding="utf-8")
        code = re.sub(r"/\*.*?\*/|//[^\n]*", "", source, flags=re.DOTALL)
        sentences = [
            s for s in re.findall(r'"([^"\n]*)"', code) if re.search(r"[A-Za-z]+ [a-z]+ [a-z]+", s)
        ]
        assert not sentences, f"{name}: {sentences}"


def test_loader_and_frame_scripts_are_served(client: TestClient) -> None:
    for name in ("widget.js", "conn.js", "ui.js", "panels.js", "frame.js", "frame.css"):
        response = client.get(f"/static/chat/{name}")
        assert response.status_code == 200, name
    loader = client.get("/static/chat/widget.js")
    assert "javascript" in loader.headers["content-type"]
    # The loader finds the desk from its own address and never puts the token in a URL.
    assert "new URL(script.src" in loader.text
    assert "token=" not in loader.text
