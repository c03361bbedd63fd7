"""``ledgerdesk chain registry-check [FILES…]``: validate registry files before deploying them.

Exit 0 with a summary of every network on stdout; exit 2 with ``file:line: message`` on
stderr for the first bad entry. The ``chain`` command group wires this function in."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ledgerdesk.chain.registry import (
    Network,
    Registry,
    RegistryError,
    configured_paths,
    get_registry,
    load_registry,
)
from ledgerdesk.core.settings import Settings
from ledgerdesk.core.terminal import fail, load_settings


def registry_check(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Registry files, read in order (default: LEDGERDESK_CHAIN_REGISTRY or the "
            "shipped data/chain/networks.yaml, plus devnet.yaml with LEDGERDESK_DEMO_SERVICES)",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Validate registry files and print their networks and assets."""
    paths = list(files) if files else configured_paths(load_settings())
    try:
        registry = load_registry(*paths)
    except RegistryError as exc:
        raise fail(str(exc), code=2) from None
    for network in registry.networks:
        typer.echo(summary_line(network))
    networks, assets = len(registry.networks), _asset_count(registry)
    typer.echo(
        f"OK: {_plural(networks, 'network')}, {_plural(assets, 'asset')} "
        f"from {', '.join(str(p) for p in paths)}"
    )


def summary_line(network: Network) -> str:
    """One line per network: ``ethereum  evm chain 1  credit 12 / unlock 64  ETH, USDT…``
    (a node is named by kind and host only: its URL may carry credentials)."""
    parts = [f"{network.id:<16}", f"{network.family:<7}"]
    if network.chain_id is not None:
        parts.append(f"chain {network.chain_id}")
    if network.testnet:
        parts.append("testnet")
    parts.append(f"credit {network.confirmations.credit} / unlock {network.confirmations.unlock}")
    if network.memo_required:
        parts.append("memo required")
    parts.append(", ".join(a.symbol for a in network.assets))
    node = network.node
    parts.append(f"node {node.kind} {node.host}" if node else "no node")
    return "  ".join(parts)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _asset_count(registry: Registry) -> int:
    return sum(len(n.assets) for n in registry.networks)


def exit_on_bad_registry(settings: Settings) -> None:
    """For ``ledgerdesk serve``, before the server starts: load the registry the app will
    use, or print its ``file:line: message`` and exit 2 (no traceback)."""
    try:
        get_registry(settings)
    except RegistryError as exc:
        raise fail(f"chain registry: {exc}", code=2) from None
