"""The registry page of the agent console: every network and asset, the node by kind and
host only, in both languages, for staff only; and a bad registry stops the app's start."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledgerdesk.chain.registry import RegistryError, reset_registry, shipped_registry_file
from ledgerdesk.core.settings import Settings
from ledgerdesk.web.app import create_app
from tests.conftest import PASSWORD
from tests.tickets.test_api import portal_login

NODE_URL = "http://rpcuser:hunter2@10.1.2.3:8332/wallet/hot"


def _login(client: TestClient, email: str) -> None:
    response = client.post(
        "/console/login", data={"email": email, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303


@pytest.fixture
def registry_file(tmp_path: Path) -> Iterator[Path]:
    text = shipped_registry_file().read_text(encoding="utf-8")
    text = text.replace(
        "    # node: {kind: esplora",
        f'    node: {{kind: bitcoind, url: "{NODE_URL}", allow_private: true}}\n    # x',
        1,
    )
    path = tmp_path / "chains.yaml"
    path.write_text(text, encoding="utf-8")
    yield path
    reset_registry()


@pytest.fixture
def own_app(app_settings: Settings, registry_file: Path) -> Iterator[Any]:
    application = create_app(app_settings.model_copy(update={"chain_registry": str(registry_file)}))
    yield application
    application.state.engine.dispose()


def test_staff_see_every_network_without_node_secrets(
    own_app: Any, seeded: dict[str, Any], registry_file: Path
) -> None:
    client = TestClient(own_app)
    _login(client, seeded["agent"].email)
    page = client.get("/console/chain/networks")
    assert page.status_code == 200
    html = page.text
    for network in ("bitcoin", "ethereum", "bsc", "tron", "polygon", "arbitrum", "sepolia"):
        assert f'id="network-{network}"' in html
    assert "0x55d398326f99059fF775485246999027B3197955" in html  # BSC USDT
    assert "bitcoind JSON-RPC" in html and "10.1.2.3:8332" in html
    assert "hunter2" not in html and "rpcuser" not in html and "/wallet/hot" not in html
    assert "Confirmations to credit / unlock" in html and "<strong>1 / 2</strong>" in html
    assert "0.0001 BTC" in html and "1E-4" not in html
    assert 'href="https://bscscan.com/"' in html and str(registry_file) in html
    assert 'id="nav-chain"' in html
    client.post("/lang", data={"lang": "zh-CN", "next": "/"})
    chinese = client.get("/console/chain/networks")
    assert "网络与资产" in chinese.text and "BNB 智能链 (BSC)" in chinese.text
    assert "入账 / 解锁所需确认数" in chinese.text and "Minimum deposit" not in chinese.text
    assert client.get("/console/chain", follow_redirects=False).headers["location"] == (
        "/console/chain/networks"
    )


def test_customers_and_strangers_are_sent_to_sign_in(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    anonymous = client.get("/console/chain/networks", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/console/login")
    portal_login(client, app, seeded["bob"].email)
    customer = client.get("/console/chain/networks", follow_redirects=False)
    assert customer.status_code == 303 and "网络" not in customer.text
    assert customer.headers["location"].startswith("/console/login")


def test_a_bad_registry_stops_the_start_with_its_line(
    app_settings: Settings, registry_file: Path
) -> None:
    lines = registry_file.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if "chain_id: 56" in line)
    lines[index] = lines[index].replace("56", "-56")
    registry_file.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(RegistryError) as caught:
        create_app(app_settings.model_copy(update={"chain_registry": str(registry_file)}))
    assert str(caught.value).startswith(f"{registry_file}:{index + 1}: network 'bsc', chain_id")
