"""The demo world for the tests that need a real chain and the demo exchange (self-service,
the assistant): the registry's local chains and the demo exchange, started once per session
on free ports (``demo_world``), and a fixture that points the app's registry and exchange at
them for one test and puts them back after it (``demo_desk``). Both are registered in
tests/conftest.py, so one world serves every directory in a session."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ledgerdesk.chain.adapters import evm
from ledgerdesk.chain.registry import (
    Registry,
    devnet_registry_file,
    get_registry,
    load_registry,
    reset_registry,
    shipped_registry_file,
)
from ledgerdesk.chain.transport import final_cache, reset_breakers
from ledgerdesk.core.settings import get_settings
from ledgerdesk.demo.world import DEMO_KEY_ID, DemoDeposit, DemoWorld, start_demo_world
from ledgerdesk.exchange.client import ExchangeClient, get_exchange, override_exchange

DEMO_EMAIL = "customer@demo.ledgerdesk.local"


@dataclasses.dataclass
class World:
    demo: DemoWorld
    registry: Registry  # shipped networks + devnet, the devnet nodes at the world's URLs
    registry_files: tuple[Path, ...]
    exchange: ExchangeClient

    @property
    def customer(self) -> str:
        return self.demo.customer

    def deposit(self, name: str) -> DemoDeposit:
        return next(d for d in self.demo.deposits if d.name == name)

    def fresh_exchange(self) -> ExchangeClient:
        """A client without the shared one's 30 s cache (for checks after a change)."""
        return ExchangeClient(
            self.demo.exchange_url, DEMO_KEY_ID, self.demo.secret, allow_private=True
        )


@pytest.fixture(scope="session")
def demo_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    shipped = load_registry(shipped_registry_file(), devnet_registry_file())
    demo = start_demo_world(shipped, bind_registry_ports=False, auto_mine=False)
    try:
        # The same devnet file with the world's node URLs, so the app can load it as an
        # operator's registry file would be loaded.
        text = devnet_registry_file().read_text(encoding="utf-8")
        for network_id, node in demo.nodes.items():
            network = shipped.network(network_id)
            assert network is not None and network.node is not None
            assert text.count(f'"{network.node.url}"') == 1, network.node.url
            text = text.replace(f'"{network.node.url}"', f'"{node.url}"')
        devnet = tmp_path_factory.mktemp("registry") / "devnet.yaml"
        devnet.write_text(text, encoding="utf-8")
        files = (shipped_registry_file(), devnet)
        registry = load_registry(*files)
        for network_id, node in demo.nodes.items():
            loaded = registry.network(network_id)
            assert loaded is not None and loaded.node is not None
            assert loaded.node.url == node.url
            expected = shipped.network(network_id)
            assert loaded == dataclasses.replace(
                expected,
                node=dataclasses.replace(expected.node, url=node.url),  # type: ignore[arg-type]
            )
        exchange = ExchangeClient(demo.exchange_url, DEMO_KEY_ID, demo.secret, allow_private=True)
        yield World(demo, registry, files, exchange)
    finally:
        demo.stop()


@contextmanager
def fresh_node_state() -> Iterator[None]:
    """Breakers, final answers, heads and verified chain ids are process-wide: forget them
    before and after (test directories using the world make this an autouse fixture)."""
    reset_breakers()
    final_cache.clear()
    evm.reset_caches()
    try:
        yield
    finally:
        reset_breakers()
        final_cache.clear()
        evm.reset_caches()


@pytest.fixture
def demo_desk(demo_world: World) -> Iterator[World]:
    """The process-wide registry and exchange are the world's for this test: the registry is
    loaded from the world's files (as ``LEDGERDESK_CHAIN_REGISTRY`` would name them) and the
    exchange client is put in place with ``override_exchange``. Both are undone after."""
    world = demo_world
    assert get_exchange() is None, "another test left an exchange in place"
    names = ",".join(str(p) for p in world.registry_files)
    settings = get_settings().model_copy(update={"chain_registry": names, "demo_services": False})
    reset_registry()
    try:
        assert get_registry(settings) == world.registry
        with override_exchange(world.exchange):
            yield world
    finally:
        reset_registry()
    assert get_exchange() is None
