"""The asset and network registry: which chains the desk knows, their assets, confirmations,
minimums, explorers and nodes. Loaded from YAML files an operator edits (format in
docs/chain-registry.md; defaults in data/chain/networks.yaml), validated at start with an
error naming the file and line of the bad entry."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from ledgerdesk.chain.registry_file import (
    ConfirmationsIn,
    NetworkIn,
    ParsedFile,
    RegistryError,
    check_network,
    normalise_contract,
    read_file,
)
from ledgerdesk.chain.types import NodeKind
from ledgerdesk.core.paths import shipped_data_dir
from ledgerdesk.core.settings import Settings, get_settings

__all__ = [
    "AssetOnNetwork",
    "Confirmations",
    "Network",
    "NodeConfig",
    "Registry",
    "RegistryError",
    "configured_paths",
    "get_registry",
    "load_registry",
    "reset_registry",
]

_DEFAULT_STANDARD = {"evm": "ERC-20", "tron": "TRC-20"}


@dataclass(frozen=True)
class Confirmations:
    credit: int  # confirmations after which the exchange credits (tradable)
    unlock: int  # confirmations after which the deposit can be withdrawn


@dataclass(frozen=True)
class NodeConfig:
    kind: NodeKind
    url: str  # may carry credentials (bitcoind user:pass): show only its host
    allow_private: bool = False
    timeout: float = 5.0

    @property
    def host(self) -> str:
        """The URL's host (and port) alone: what pages and messages may show."""
        parts = urlsplit(self.url)
        host = parts.hostname or ""
        return f"{host}:{parts.port}" if parts.port else host


@dataclass(frozen=True)
class AssetOnNetwork:
    symbol: str
    contract: str | None  # None: the network's native coin; EVM contracts are checksummed
    decimals: int
    min_deposit: Decimal
    confirmations: Confirmations  # effective: the asset's own, else the network's
    standard: str | None  # "ERC-20", "BEP-20", "TRC-20"; None for the native coin


@dataclass(frozen=True)
class Network:
    id: str
    name_en: str
    name_zh: str
    family: str
    chain_id: int | None
    testnet: bool
    native_symbol: str
    block_time_seconds: float
    confirmations: Confirmations
    memo_required: bool
    aliases: tuple[str, ...]
    explorer_tx: str | None
    explorer_address: str | None
    node: NodeConfig | None
    final_after: int
    assets: tuple[AssetOnNetwork, ...]

    def asset(self, symbol: str) -> AssetOnNetwork | None:
        wanted = symbol.strip().upper()
        return next((a for a in self.assets if a.symbol.upper() == wanted), None)

    def asset_by_contract(self, contract: str) -> AssetOnNetwork | None:
        """The token at ``contract`` (case-insensitive on EVM, exact on Tron)."""
        wanted = contract.strip()
        if self.family == "evm":
            wanted = wanted.lower()
            return next(
                (a for a in self.assets if a.contract and a.contract.lower() == wanted), None
            )
        return next((a for a in self.assets if a.contract == wanted), None)

    def tx_url(self, tx_hash: str) -> str | None:
        return self.explorer_tx.replace("{hash}", tx_hash) if self.explorer_tx else None

    def address_url(self, address: str) -> str | None:
        if not self.explorer_address:
            return None
        return self.explorer_address.replace("{address}", address)

    def name(self, locale: str) -> str:
        return self.name_zh if locale.lower().startswith("zh") else self.name_en


@dataclass(frozen=True)
class Registry:
    networks: tuple[Network, ...]

    def network(self, network_id: str) -> Network | None:
        wanted = network_id.strip().lower()
        return next((n for n in self.networks if n.id == wanted), None)

    def networks_for_asset(self, symbol: str) -> list[Network]:
        return [n for n in self.networks if n.asset(symbol) is not None]

    def family(self, family: str) -> list[Network]:
        return [n for n in self.networks if n.family == family]

    def asset_symbols(self) -> list[str]:
        return sorted({a.symbol for n in self.networks for a in n.assets})


# --- loading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    parsed: ParsedFile
    index: int

    def error(self, field: str, message: str) -> RegistryError:
        return self.parsed.error(("networks", self.index, field), message)


def load_registry(*paths: Path) -> Registry:
    """Read ``paths`` in order: later files add networks, and a network with the id of an
    earlier one replaces it (in its place). Raises RegistryError naming the file and line."""
    if not paths:
        raise ValueError("load_registry needs at least one file")
    chosen: dict[str, tuple[Network, _Source]] = {}
    for path in paths:
        parsed = read_file(path)
        seen: set[str] = set()
        for index, entry in enumerate(parsed.entries.networks):
            if entry.id in seen:
                raise _Source(parsed, index).error("id", f"network id '{entry.id}' is used twice")
            seen.add(entry.id)
            check_network(parsed, index)
            chosen[entry.id] = (_build(entry), _Source(parsed, index))
    _check_unique_across(list(chosen.values()))
    return Registry(tuple(network for network, _ in chosen.values()))


def _check_unique_across(entries: list[tuple[Network, _Source]]) -> None:
    """Aliases pick a network from a customer's words, and a chain id names one chain: two
    networks may not share either (checked after overlays replaced what they replace)."""
    aliases: dict[str, str] = {}
    chain_ids: dict[int, str] = {}
    for network, source in entries:
        for alias in {a.casefold() for a in network.aliases}:
            if alias in aliases and aliases[alias] != network.id:
                raise source.error(
                    "aliases", f"alias '{alias}' is already used by network '{aliases[alias]}'"
                )
            aliases[alias] = network.id
        if network.chain_id is not None:
            if network.chain_id in chain_ids:
                raise source.error(
                    "chain_id",
                    f"chain_id {network.chain_id} is already used by network "
                    f"'{chain_ids[network.chain_id]}'",
                )
            chain_ids[network.chain_id] = network.id


def _confirmations(value: ConfirmationsIn | None, default: Confirmations) -> Confirmations:
    return default if value is None else Confirmations(value.credit, value.unlock)


def _build(entry: NetworkIn) -> Network:
    confirmations = Confirmations(entry.confirmations.credit, entry.confirmations.unlock)
    native = AssetOnNetwork(
        symbol=entry.native.symbol,
        contract=None,
        decimals=entry.native.decimals,
        min_deposit=entry.native.min_deposit,
        confirmations=_confirmations(entry.native.confirmations, confirmations),
        standard=None,
    )
    default_standard = entry.token_standard or _DEFAULT_STANDARD.get(entry.family)
    tokens = tuple(
        AssetOnNetwork(
            symbol=token.symbol,
            contract=normalise_contract(entry.family, token.contract),
            decimals=token.decimals,
            min_deposit=token.min_deposit,
            confirmations=_confirmations(token.confirmations, confirmations),
            standard=token.standard or default_standard,
        )
        for token in entry.tokens
    )
    node = entry.node
    explorer = entry.explorer
    return Network(
        id=entry.id,
        name_en=entry.name_en,
        name_zh=entry.name_zh,
        family=entry.family,
        chain_id=entry.chain_id,
        testnet=entry.testnet,
        native_symbol=entry.native.symbol,
        block_time_seconds=float(entry.block_time_seconds),
        confirmations=confirmations,
        memo_required=entry.memo_required,
        aliases=tuple(a.strip() for a in entry.aliases),
        explorer_tx=explorer.tx if explorer else None,
        explorer_address=explorer.address if explorer else None,
        node=NodeConfig(node.kind, node.url, node.allow_private, node.timeout) if node else None,
        final_after=entry.final_after or confirmations.unlock,
        assets=(native, *tokens),
    )


# --- the process-wide registry -------------------------------------------------------------


def shipped_registry_file() -> Path:
    return shipped_data_dir() / "chain" / "networks.yaml"


def devnet_registry_file() -> Path:
    return shipped_data_dir() / "chain" / "devnet.yaml"


def configured_paths(settings: Settings) -> list[Path]:
    """``LEDGERDESK_CHAIN_REGISTRY`` (comma-separated files) or the shipped defaults, then the
    local demo networks when ``LEDGERDESK_DEMO_SERVICES`` is on."""
    paths = [Path(p.strip()) for p in settings.chain_registry.split(",") if p.strip()]
    paths = paths or [shipped_registry_file()]
    if settings.demo_services:
        paths.append(devnet_registry_file())
    return paths


_lock = threading.Lock()
_cached: tuple[tuple[Path, ...], Registry] | None = None


def get_registry(settings: Settings | None = None) -> Registry:
    """The registry of this process, loaded once. With ``settings`` (the app factory passes
    its own), the files those settings name are loaded if they differ from the cached ones;
    without, the registry already loaded is returned, else the one ``get_settings()`` names."""
    global _cached
    with _lock:
        if settings is None and _cached is not None:
            return _cached[1]
        paths = tuple(configured_paths(settings or get_settings()))
        if _cached is None or _cached[0] != paths:
            _cached = (paths, load_registry(*paths))
        return _cached[1]


def reset_registry() -> None:
    """Forget the loaded registry (tests, or after the operator changed a file)."""
    global _cached
    with _lock:
        _cached = None
