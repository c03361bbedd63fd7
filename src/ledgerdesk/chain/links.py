"""Transaction hashes and addresses in messages, linked to the explorer of the right network.

The format says the family (0x hashes are EVM, ``T…`` addresses Tron, ``bc1…`` Bitcoin); the
words around it say which network of the family ("BEP20", "TRC20", "Arbitrum"): first the
message itself, then ``hint_text`` (the ticket's subject and the rest of the conversation).
Without a word, the family's first mainnet with an explorer is used; a 64-hex hash without
``0x`` is a Bitcoin hash unless Tron is named, since both chains write hashes that way.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from markupsafe import Markup, escape

from ledgerdesk.chain.formats import ChainRef, find_chain_refs, is_testnet_address
from ledgerdesk.chain.registry import Network, Registry
from ledgerdesk.core import i18n

# The start of a conversation (its subject, the customer's first message) is where the network
# is named; reading more of a long ticket only costs time and cache memory.
HINT_LIMIT = 20_000

_ANCHOR = Markup(
    '<a href="{url}" rel="noopener noreferrer" target="_blank" class="chain-ref" '
    'title="{title}">{value}</a>'
)


class _Words:
    """Every word that names a network (its aliases, id and names) as one pattern. Compared
    by identity, so a registry's words are compiled once and cached per text."""

    def __init__(self, registry: Registry) -> None:
        self.owner: dict[str, str] = {}
        for network in registry.networks:
            for word in (*network.aliases, network.id, network.name_en, network.name_zh):
                self.owner.setdefault(word.casefold(), network.id)
        terms = sorted(self.owner, key=len, reverse=True)
        alternation = "|".join(re.escape(term) for term in terms)
        self.pattern = re.compile(
            rf"(?<![A-Za-z0-9])(?:{alternation})(?![A-Za-z0-9])", re.IGNORECASE
        )


_words_lock = threading.Lock()
_words_for: tuple[Registry, _Words] | None = None


def _words(registry: Registry) -> _Words:
    global _words_for
    with _words_lock:
        if _words_for is None or _words_for[0] is not registry:
            _words_for = (registry, _Words(registry))
        return _words_for[1]


@lru_cache(maxsize=256)
def _mentions(words: _Words, text: str) -> dict[str, int]:
    """Network id -> length of the longest word naming it in ``text``."""
    found: dict[str, int] = {}
    for match in words.pattern.finditer(text):
        network_id = words.owner.get(match.group().casefold())
        if network_id is not None:
            found[network_id] = max(found.get(network_id, 0), len(match.group()))
    return found


def _candidates(registry: Registry, ref: ChainRef) -> list[Network]:
    """The networks ``ref`` can belong to (a bare 64-hex hash: Bitcoin or Tron; a Bitcoin
    address: the networks of its kind, mainnet or testnet)."""
    bare_hash = ref.kind == "tx" and ref.family == "bitcoin"
    families = ("bitcoin", "tron") if bare_hash else (ref.family,)
    networks = [n for n in registry.networks if n.family in families]
    if ref.kind == "address" and ref.family == "bitcoin":
        testnet = is_testnet_address("bitcoin", ref.value)
        networks = [n for n in networks if n.testnet == testnet]
    return networks


def _has_explorer(network: Network, ref: ChainRef) -> bool:
    return bool(network.explorer_tx if ref.kind == "tx" else network.explorer_address)


def choose_network(
    registry: Registry, ref: ChainRef, text: str, hint_text: str = ""
) -> Network | None:
    """The network ``ref`` belongs to: the one named in ``text``, else in ``hint_text``, else
    the first mainnet of its family with an explorer (see the module docstring); None for a
    bare 64-hex hash with no network named."""
    candidates = _candidates(registry, ref)
    words = _words(registry)
    for source in (text, hint_text):
        named = _mentions(words, source) if source else {}
        best = max((named.get(n.id, 0) for n in candidates), default=0)
        if best:
            return next(n for n in candidates if named.get(n.id, 0) == best)
    if ref.kind == "tx" and ref.family != "evm":
        # 64 hex digits without 0x is a Bitcoin or Tron hash, but also an XRP, Litecoin or
        # Solana-era one: without a network named nearby, a link would be a guess.
        return None
    pool = [n for n in candidates if _has_explorer(n, ref)]
    pool = [n for n in pool if n.family == ref.family] or pool
    return next((n for n in pool if not n.testnet), pool[0] if pool else None)


def link_chain_refs(text: str, registry: Registry, hint_text: str = "") -> Markup:
    """``text`` escaped for HTML, with each recognised hash and address a link (new tab, no
    referrer) to its network's explorer. Line breaks and other text are kept as they are."""
    parts: list[str] = []
    position = 0
    hint_text = hint_text[:HINT_LIMIT]
    for ref in find_chain_refs(text):
        network = choose_network(registry, ref, text, hint_text)
        url = None
        if network is not None:
            url = network.tx_url(ref.value) if ref.kind == "tx" else network.address_url(ref.value)
        parts.append(escape(text[position : ref.start]))
        if network is not None and url is not None:
            title = network.name(i18n.get_locale())
            parts.append(_ANCHOR.format(url=url, title=title, value=ref.value))
        else:
            parts.append(escape(ref.value))
        position = ref.end
    parts.append(escape(text[position:]))
    return Markup("").join(parts)
