"""One real local EVM chain (py-evm through eth-tester) served over HTTP for the whole chain
test session, with one ERC-20 token deployed on it; caches reset between tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ledgerdesk.chain.adapters import evm
from ledgerdesk.chain.devnode import DevNode
from ledgerdesk.chain.transport import final_cache, reset_breakers

DEV_CHAIN_ID = 1337


@pytest.fixture(scope="session")
def devnode() -> Iterator[DevNode]:
    node = DevNode(chain_id=DEV_CHAIN_ID)
    node.serve()
    yield node
    node.stop()


@pytest.fixture(scope="session")
def token(devnode: DevNode) -> str:
    return devnode.deploy_token("USDT", 6)


@pytest.fixture(autouse=True)
def _fresh_node_state() -> Iterator[None]:
    """Breakers, final answers, heads and chain ids are process-wide; each test starts
    without what an earlier one taught the process."""
    reset_breakers()
    final_cache.clear()
    evm.reset_caches()
    yield
    reset_breakers()
    final_cache.clear()
    evm.reset_caches()
