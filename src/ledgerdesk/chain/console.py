"""The asset and network registry in the agent console (/console/chain/networks): what the
desk knows about each chain, read-only (operators change the registry files). Node URLs may
carry credentials or API keys in their path: the page shows their host only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ledgerdesk.accounts import services as accounts
from ledgerdesk.chain.registry import AssetOnNetwork, Network, configured_paths, get_registry
from ledgerdesk.core import i18n
from ledgerdesk.web.deps import ConsoleAgent, Db
from ledgerdesk.web.templating import render

router = APIRouter(prefix="/console/chain", include_in_schema=False)

FAMILY_NAMES = {"evm": "EVM", "bitcoin": "Bitcoin", "tron": "Tron"}
NODE_KIND_NAMES = {
    "evm": "EVM JSON-RPC",
    "esplora": "Esplora REST",
    "bitcoind": "bitcoind JSON-RPC",
    "tron": "Tron HTTP API",
}


@dataclass(frozen=True)
class NetworkView:
    network: Network
    name: str
    family: str
    explorer_host: str | None
    explorer_home: str | None
    node_kind: str | None
    node_host: str | None
    assets: tuple[AssetOnNetwork, ...]


def _explorer(network: Network) -> tuple[str | None, str | None]:
    template = network.explorer_tx or network.explorer_address
    if not template:
        return None, None
    parts = urlsplit(template)
    return parts.hostname, f"{parts.scheme}://{parts.netloc}/"


def network_views(networks: tuple[Network, ...], locale: str) -> list[NetworkView]:
    views = []
    for network in networks:
        host, home = _explorer(network)
        node = network.node
        views.append(
            NetworkView(
                network=network,
                name=network.name(locale),
                family=FAMILY_NAMES.get(network.family, network.family),
                explorer_host=host,
                explorer_home=home,
                node_kind=NODE_KIND_NAMES.get(node.kind, node.kind) if node else None,
                node_host=node.host if node else None,
                assets=network.assets,
            )
        )
    return views


def plain_decimal(value: Decimal) -> str:
    """``0.0001`` and ``100``, never ``1E-4`` or ``1E+2``."""
    return format(value.normalize(), "f")


@router.get("")
def chain_home(agent_actor: ConsoleAgent) -> RedirectResponse:
    return RedirectResponse("/console/chain/networks", status_code=303)


@router.get("/networks")
def networks_page(request: Request, db: Db, agent_actor: ConsoleAgent) -> Response:
    settings = request.app.state.settings
    registry = get_registry(settings)
    return render(
        request,
        "chain/networks.html",
        me=accounts.get_agent(db, agent_actor.id or 0),
        networks=network_views(registry.networks, i18n.get_locale()),
        files=[str(path) for path in configured_paths(settings)],
        plain_decimal=plain_decimal,
    )
