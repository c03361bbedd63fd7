"""Hashes and addresses in messages link to the explorer of the right network, in the
function and on the console and portal ticket pages."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledgerdesk.chain.links import link_chain_refs
from ledgerdesk.chain.registry import (
    Registry,
    devnet_registry_file,
    get_registry,
    load_registry,
    shipped_registry_file,
)
from ledgerdesk.core import i18n
from tests.conftest import PASSWORD, make_ticket
from tests.tickets.test_api import portal_login

EVM_TX = "0x" + "3c" * 32
HEX_TX = "5e" * 32
USDT_ETH = "0xdAC17F958D2ee523a2206206994597C13D831ec7"
TRON_ADDRESS = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(shipped_registry_file(), devnet_registry_file())


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        (f"tx {EVM_TX}", "", f"https://etherscan.io/tx/{EVM_TX}"),
        (f"BEP20 USDT, tx {EVM_TX}", "", f"https://bscscan.com/tx/{EVM_TX}"),
        (f"tx {EVM_TX}", "USDT (BSC) not credited", f"https://bscscan.com/tx/{EVM_TX}"),
        (f"on Arbitrum: {EVM_TX}", "I use BEP20", f"https://arbiscan.io/tx/{EVM_TX}"),
        (f"用 polygon 网络转的 {EVM_TX}", "", f"https://polygonscan.com/tx/{EVM_TX}"),
        (f"ETH on Arbitrum One {EVM_TX}", "", f"https://arbiscan.io/tx/{EVM_TX}"),
        (f"Sepolia testnet {EVM_TX}", "", f"https://sepolia.etherscan.io/tx/{EVM_TX}"),
        (f"bitcoin txid {HEX_TX}", "", f"https://mempool.space/tx/{HEX_TX}"),
        (f"USDT-TRC20 txid {HEX_TX}", "", f"https://tronscan.org/#/transaction/{HEX_TX}"),
        (f"txid {HEX_TX}", "波场 充值", f"https://tronscan.org/#/transaction/{HEX_TX}"),
        (f"BTC {HEX_TX}", "TRC20", f"https://mempool.space/tx/{HEX_TX}"),  # text first
        (f"to {TRON_ADDRESS}", "", f"https://tronscan.org/#/address/{TRON_ADDRESS}"),
        (f"to {USDT_ETH}", "", f"https://etherscan.io/address/{USDT_ETH}"),
        (
            "to tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
            "",
            "https://mempool.space/testnet4/address/"
            "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
        ),
        (
            "testnet4 but a mainnet address bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
            "",
            "https://mempool.space/address/bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
        ),
    ],
)
def test_the_right_network_is_linked(
    registry: Registry, text: str, hint: str, expected: str
) -> None:
    html = str(link_chain_refs(text, registry, hint))
    assert hrefs(html) == [expected.replace("&", "&amp;")]


def test_a_bare_hex_hash_without_a_network_named_is_not_linked(registry: Registry) -> None:
    """64 hex digits are also an XRP or Litecoin hash: no guess."""
    html = link_chain_refs(f"XRP deposit, hash {HEX_TX.upper()}", registry)
    assert "<a" not in html and HEX_TX.upper() in html


def test_a_network_without_an_explorer_gets_no_link(registry: Registry) -> None:
    html = link_chain_refs(f"devnet deposit {EVM_TX}", registry)
    assert "<a" not in html and EVM_TX in html


def test_text_is_escaped_and_kept_as_written(registry: Registry) -> None:
    text = f'<script>alert(1)</script> & "quotes"\nline two {USDT_ETH}\n\n<b>end</b>'
    html = str(link_chain_refs(text, registry))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&amp; &#34;quotes&#34;\nline two " in html and html.endswith(
        "\n\n&lt;b&gt;end&lt;/b&gt;"
    )
    anchor = re.search(r"<a [^>]+>[^<]+</a>", html)
    assert anchor is not None
    assert 'rel="noopener noreferrer"' in anchor.group() and 'target="_blank"' in anchor.group()
    assert anchor.group().endswith(f">{USDT_ETH}</a>")
    assert link_chain_refs("", registry) == ""


def test_the_link_title_is_the_network_in_the_reader_language(registry: Registry) -> None:
    i18n.set_locale("zh-CN")
    try:
        assert 'title="BNB 智能链 (BSC)"' in link_chain_refs(f"BSC {EVM_TX}", registry)
    finally:
        i18n.set_locale("en")
    assert 'title="BNB Smart Chain"' in link_chain_refs(f"BSC {EVM_TX}", registry)


def test_hostile_explorer_text_stays_in_its_attribute(tmp_path: Path) -> None:
    text = shipped_registry_file().read_text(encoding="utf-8")
    text = text.replace("https://etherscan.io/tx/{hash}", 'https://e.example/"><b>x</b>{hash}')
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    html = str(link_chain_refs(EVM_TX, load_registry(path)))
    assert "<b>" not in html and "&#34;&gt;&lt;b&gt;" in html


def _login(client: TestClient, email: str) -> None:
    response = client.post(
        "/console/login", data={"email": email, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303


def test_ticket_pages_link_hashes_in_messages(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    body = f"我的 USDT 充值没到账，BEP20 网络，交易哈希 txid: {EVM_TX}\n<i>谢谢</i>"
    with app.state.sessionmaker() as session:
        customer = session.merge(seeded["alice"])
        ticket = make_ticket(session, customer, subject="充值没有到账", body=body)
        session.commit()
        ticket_id = ticket.id
    get_registry()  # what the app loaded at start
    link = f'href="https://bscscan.com/tx/{EVM_TX}"'
    _login(client, seeded["agent"].email)
    page = client.get(f"/console/tickets/{ticket_id}")
    assert page.status_code == 200 and link in page.text, page.text[-3000:]
    assert "&lt;i&gt;谢谢&lt;/i&gt;" in page.text
    with TestClient(app) as portal:
        portal_login(portal, app, seeded["alice"].email)
        page = portal.get(f"/portal/tickets/{ticket_id}")
    assert page.status_code == 200 and link in page.text
