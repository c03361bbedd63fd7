"""One adapter per kind of node, behind the ``ChainAdapter`` interface (``chain.types``).

``make_adapter`` builds one from a kind and a URL (the operator command does this);
``adapter_for`` builds one from a registry network's node configuration. Adapters are cheap:
what they learn about a node (its breaker, final answers, verified chain id, head) is kept
process-wide by node URL, so build one per lookup.
"""

from __future__ import annotations

import importlib
from typing import Protocol

from ledgerdesk.chain.transport import TransportOptions
from ledgerdesk.chain.types import NODE_KINDS, ChainAdapter, ChainError, ChainErrorKind, NodeKind


class _Node(Protocol):
    """What ``adapter_for`` reads of ``chain.registry.NodeConfig``."""

    @property
    def kind(self) -> NodeKind: ...
    @property
    def url(self) -> str: ...
    @property
    def allow_private(self) -> bool: ...
    @property
    def timeout(self) -> float: ...


class _Network(Protocol):
    """What ``adapter_for`` reads of ``chain.registry.Network``."""

    @property
    def id(self) -> str: ...
    @property
    def chain_id(self) -> int | None: ...
    @property
    def final_after(self) -> int: ...
    @property
    def node(self) -> _Node | None: ...


# kind → (module under ledgerdesk.chain.adapters, class). Modules load on first use, so a
# kind whose module is missing fails only when a network actually uses it.
_ADAPTERS: dict[NodeKind, tuple[str, str]] = {
    "evm": ("evm", "EvmAdapter"),
    "esplora": ("esplora", "EsploraAdapter"),
    "bitcoind": ("bitcoind", "BitcoindAdapter"),
    "tron": ("tron", "TronAdapter"),
}


def make_adapter(
    kind: NodeKind,
    url: str,
    *,
    options: TransportOptions | None = None,
    chain_id: int | None = None,
    final_after: int | None = None,
) -> ChainAdapter:
    """An adapter for the node of ``kind`` at ``url``. ``chain_id`` is checked against the
    node (EVM only); ``final_after`` is the depth after which answers are final (each kind
    has its default)."""
    if kind not in NODE_KINDS:
        raise ChainError(ChainErrorKind.not_configured, f"unknown node kind {kind!r}")
    module_name, class_name = _ADAPTERS[kind]
    try:
        module = importlib.import_module(f"{__name__}.{module_name}")
        adapter_class = getattr(module, class_name)
    except (ImportError, AttributeError):
        raise ChainError(
            ChainErrorKind.not_configured, f"the {kind} adapter is not installed"
        ) from None
    options = options or TransportOptions()
    if kind == "evm":
        adapter: ChainAdapter = adapter_class(
            url, options, final_after=final_after, chain_id=chain_id
        )
    else:
        adapter = adapter_class(url, options, final_after)  # None: the kind's own depth
    return adapter


def adapter_for(network: _Network) -> ChainAdapter:
    """The adapter for a registry network's node; ChainError(not_configured) when the
    network has none."""
    node = network.node
    if node is None:
        raise ChainError(
            ChainErrorKind.not_configured, f"no node is configured for the network {network.id}"
        )
    options = TransportOptions(timeout=node.timeout, allow_private=node.allow_private)
    return make_adapter(
        node.kind,
        node.url,
        options=options,
        chain_id=network.chain_id,
        final_after=network.final_after,
    )
