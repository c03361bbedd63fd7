"""Asking the configured chains whether a 64-hex string is a transaction hash.

Only used when the words around the string do not say whether it is a transaction hash or a
private key. Each chain is an EVM JSON-RPC endpoint (``eth_getTransactionByHash``); TRON's
JSON-RPC answers the same call. Answers are cached; a chain that does not answer in time
counts as no answer, so the guard then redacts (the safe side).
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence

import httpx

log = logging.getLogger(__name__)
_HEX64 = re.compile(r"^(?:0[xX])?([0-9a-fA-F]{64})$")


class EvmTxLookup:
    """``lookup(hash) -> True`` (a transaction on some chain), ``False`` (every chain answered
    and none has it) or ``None`` (no chain could answer)."""

    def __init__(self, urls: Sequence[str], *, timeout: float = 2.0, cache_size: int = 4096):
        self.urls = [u for u in urls if u]
        self.timeout = timeout
        self._cache: OrderedDict[str, bool] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def __call__(self, candidate: str) -> bool | None:
        match = _HEX64.match(candidate.strip())
        if match is None or not self.urls:
            return None
        tx_hash = "0x" + match.group(1).lower()
        with self._lock:
            if tx_hash in self._cache:
                self._cache.move_to_end(tx_hash)
                return self._cache[tx_hash]
        answered = False
        for url in self.urls:
            found = self._ask(url, tx_hash)
            if found is True:
                self._remember(tx_hash, True)
                return True
            if found is False:
                answered = True
        if answered:
            self._remember(tx_hash, False)
            return False
        return None

    def _remember(self, tx_hash: str, value: bool) -> None:
        with self._lock:
            self._cache[tx_hash] = value
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def _ask(self, url: str, tx_hash: str) -> bool | None:
        body = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "eth_getTransactionByHash",
            "params": [tx_hash],
        }
        try:
            response = httpx.post(url, json=body, timeout=self.timeout)
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("guard: chain %s did not answer (%s)", _safe(url), exc.__class__.__name__)
            return None
        if not isinstance(data, dict) or "error" in data:
            return None
        return data.get("result") is not None


def _safe(url: str) -> str:
    """The URL without credentials or path (RPC URLs often carry an API key)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return "<invalid url>"
    return f"{parsed.scheme}://{parsed.host}:{parsed.port or ''}"


_lookups: dict[tuple[str, ...], EvmTxLookup] = {}


def lookup_for(urls: Sequence[str]) -> EvmTxLookup | None:
    """One shared lookup (and cache) per configured set of chains; None when none are set."""
    key = tuple(u for u in urls if u)
    if not key:
        return None
    if key not in _lookups:
        _lookups[key] = EvmTxLookup(key)
    return _lookups[key]
