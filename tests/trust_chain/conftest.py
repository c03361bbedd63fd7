"""A fresh real local EVM chain (py-evm through eth-tester, served over HTTP) for each test, so
a test that moves the chain's clock past a deadline leaves the next one a chain that starts
now; the desk's own key (in a file, as in production), funded; both contracts deployed by it;
and the settings that point the desk at them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from ledgerdesk.chain.devnode import DevNode
from ledgerdesk.core.settings import get_settings
from ledgerdesk.trust.onchain import ChainClient

ETHER = 10**18
BOND = 5 * ETHER
COMPENSATION = ETHER // 10


@dataclass
class Chain:
    node: DevNode
    desk: LocalAccount
    key_file: Path
    client: ChainClient  # signs as the desk
    anchor: str
    commitment: str

    def stranger(self) -> ChainClient:
        """A funded account that is not the desk: anyone on the internet."""
        account = Account.create()
        self.node.send_native(account.address, ETHER)
        return ChainClient(self.node.url, account, allow_private=True)

    def now(self) -> int:
        return int(self.node.tester.get_block_by_number("latest")["timestamp"])


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[Chain]:
    node = DevNode(chain_id=1337)
    url = node.serve()
    desk = Account.create()
    node.send_native(desk.address, 20 * ETHER)
    key_file = tmp_path / "chain-desk.key"
    key_file.write_text(desk.key.hex() + "\n", encoding="utf-8")
    key_file.chmod(0o600)
    client = ChainClient(url, desk, allow_private=True)
    anchor = client.deploy("anchor")
    commitment = client.deploy("commitment", BOND)
    yield Chain(node, desk, key_file, client, anchor, commitment)
    node.stop()


@pytest.fixture
def chain_settings(chain: Chain, monkeypatch: pytest.MonkeyPatch) -> Iterator[Chain]:
    """The desk configured for ``chain``: anchoring every 60 s, commitments on."""
    env = {
        "LEDGERDESK_ANCHOR_CHAIN": chain.node.url,
        "LEDGERDESK_ANCHOR_ALLOW_PRIVATE": "true",
        "LEDGERDESK_ANCHOR_CONTRACT": chain.anchor,
        "LEDGERDESK_ANCHOR_KEY_FILE": str(chain.key_file),
        "LEDGERDESK_ANCHOR_INTERVAL_SECONDS": "60",
        "LEDGERDESK_COMMITMENTS_ENABLED": "true",
        "LEDGERDESK_COMMITMENTS_CONTRACT": chain.commitment,
        "LEDGERDESK_COMMITMENTS_COMPENSATION_WEI": str(COMPENSATION),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield chain
    for name in env:
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
