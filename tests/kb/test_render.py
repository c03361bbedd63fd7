"""Article Markdown to safe HTML and plain text, with the exchange's values filled in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ledgerdesk.core.settings import Settings
from ledgerdesk.kb.render import (
    check_placeholders,
    excerpt,
    placeholders_in,
    render_html,
    render_text,
    substitute,
    variables,
)

VALUES = {"platform_name": "CoinDesk", "confirmations.BTC": "2", "support_email": "help@x.io"}


def test_raw_html_and_unsafe_links_never_render() -> None:
    html = render_html(
        '<script>alert(1)</script> <img src=x onerror="alert(2)">\n\n'
        "[a](javascript:alert(3)) [b](data:text/html;base64,xx) [c](file:///etc/passwd) "
        "[d](vbscript:x) [e](/help/articles/x) [f](https://example.com) [g](mailto:a@b.io)",
        VALUES,
    )
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
    for bad in ("javascript:", "data:", "file:", "vbscript:"):
        assert f'href="{bad}' not in html
    assert '<a href="/help/articles/x">e</a>' in html
    assert '<a href="https://example.com" rel="nofollow noopener noreferrer">f</a>' in html
    assert '<a href="mailto:a@b.io">g</a>' in html


def test_headings_get_unique_readable_ids() -> None:
    html = render_html("## Check the network\n\n## Check the network\n\n### 充值 未到账？", {})
    assert '<h2 id="check-the-network">' in html and '<h2 id="check-the-network-2">' in html
    assert '<h3 id="充值-未到账">' in html


def test_placeholders_are_filled_and_unknown_ones_stay_visible() -> None:
    body = "Wait for {{ confirmations.BTC }} blocks on {{platform_name}}; {{ nope.x }} stays."
    assert substitute(body, VALUES) == "Wait for 2 blocks on CoinDesk; {{ nope.x }} stays."
    assert "{{ nope.x }}" in render_html(body, VALUES)
    assert placeholders_in(body) == ["confirmations.BTC", "platform_name", "nope.x"]
    assert check_placeholders(body, VALUES) == ["nope.x"]
    html = render_html("[Mail us](mailto:{{ support_email }})", VALUES)
    assert 'href="mailto:help@x.io"' in html


def test_plain_text_for_search() -> None:
    body = (
        "## Steps\n\n1. Open **Assets**\n2. Copy `TxID`\n\n[Guide](/help/x) for {{ platform_name }}"
    )
    assert render_text(body, VALUES) == "Steps\nOpen Assets\nCopy TxID\nGuide for CoinDesk"
    assert excerpt("word " * 100, {}, limit=20).endswith("…")


def test_variables_come_from_defaults_file_and_settings(tmp_path: Path) -> None:
    override = tmp_path / "vars.json"
    override.write_text(json.dumps({"confirmations": {"BTC": 3}, "support_email": "s@ex.io"}))
    settings = Settings(
        platform_name="Example Exchange",
        official_domains=["example.com", "www.example.com"],
        kb_variables_file=override,
    )
    values = variables(settings)
    assert values["confirmations.BTC"] == "3" and values["support_email"] == "s@ex.io"
    assert values["confirmations.ETH"] == "12"  # from the shipped defaults
    assert values["platform_name"] == "Example Exchange"
    assert values["official_site"] == "example.com"
    assert variables(Settings(platform_name="X"))["official_site"] == "X"


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", None])
def test_a_broken_override_file_falls_back_to_defaults(tmp_path: Path, content: str | None) -> None:
    override = tmp_path / "vars.json"
    if content is not None:
        override.write_text(content)
    values = variables(Settings(kb_variables_file=override))
    assert values["confirmations.BTC"] == "2"
