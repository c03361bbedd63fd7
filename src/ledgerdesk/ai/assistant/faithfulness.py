"""The faithfulness check: every number, amount, duration, network name and URL a reply states
must appear in what the reply was built from (its sources).

Claims are compared normalised, so a faithful rewording passes and a changed fact does not:

- text is folded first: full-width characters to ASCII (NFKC: "２４", "０．１０％", "１，０００"),
  traditional characters to simplified ("小時" = "小时"), thousands separators dropped;
- durations are compared in one unit per kind ("48 小时" = "48 hours" = "2 days"; business
  days, months and years stay apart); a range ("1–3 days") needs the same range, a single
  duration may be one end of a range in the sources;
- amounts compare value and unit ("0.1%" = "0.10%", "10 USDT" ≠ "10 USDC");
- network names compare by the chain registry's network ("ERC20" = "Ethereum" = "以太坊"),
  plus a few well-known networks the registry may not list (Solana, Litecoin, ...), so an
  invented network is caught too;
- URLs, e-mail addresses and bare domains must appear as such (a link to a look-alike host
  is the classic scam); long identifiers (addresses, transaction hashes) exactly;
- a bare number ("2 confirmations", "needs 12") must appear as a number somewhere in the
  sources. This is a check of values, not of which fact a value belongs to: a reply that
  moves "20" from TRC20 to BTC passes when 20 is in the sources.

Numbers written as words count when they quantify a unit ("six confirmations", "两个小时",
"half an hour"); list markers at the start of a line ("1. ") are not claims.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import cast
from urllib.parse import urlsplit

from ledgerdesk.ai.assistant.claims import (
    Claim,
    claims,
    find_claims,
    normalise,
    one_unit_durations,
    url_key,
    word_values,
)
from ledgerdesk.ai.assistant.types import FaithCheck, Source

__all__ = ["Claim", "check_faithful", "claims", "find_claims", "normalise", "url_key"]


# --- checking -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Facts:
    """What the sources state, in the forms claims are compared in."""

    values: frozenset[Decimal]
    keys: frozenset[Hashable]
    durations: frozenset[tuple[str, Decimal]]  # (kind, size) of every duration and range end
    hosts: frozenset[str]

    def supports(self, claim: Claim) -> bool:
        if claim.kind == "number":
            return bool(set(claim.values) & self.values)
        if claim.kind == "duration":
            low, high = _duration_ends(claim)
            return low in self.durations if low == high else claim.key in self.keys
        if claim.kind == "domain":
            return claim.key in self.hosts
        return claim.key in self.keys


def _duration_ends(claim: Claim) -> tuple[tuple[str, Decimal], tuple[str, Decimal]]:
    _, kind, low, high = cast(tuple[str, str, Decimal, Decimal], claim.key)
    return (kind, low), (kind, high)


def _source_texts(sources: Iterable[Source]) -> list[str]:
    texts: list[str] = []
    for source in sources:
        texts.extend(t for t in (source.text, source.title, source.url) if t)
    return texts


@lru_cache(maxsize=256)
def _facts(sources: tuple[Source, ...]) -> _Facts:
    values: set[Decimal] = set()
    keys: set[Hashable] = set()
    durations: set[tuple[str, Decimal]] = set()
    hosts: set[str] = set()
    for text in _source_texts(sources):
        for claim in find_claims(text):
            values.update(claim.values)
            keys.add(claim.key)
            if claim.kind == "duration":
                durations.update(_duration_ends(claim))
            elif claim.kind in ("url", "email", "domain"):
                hosts.add(_host_of(claim))
        folded = normalise(text)
        values.update(word_values(folded))
        durations.update(one_unit_durations(folded))
    return _Facts(frozenset(values), frozenset(keys), frozenset(durations), frozenset(hosts))


def _host_of(claim: Claim) -> str:
    if claim.kind == "email":
        return claim.text.rsplit("@", 1)[-1].lower()
    if claim.kind == "domain":
        return str(claim.key)
    return (urlsplit(claim.text).hostname or "").lower()


def check_faithful(reply: str, sources: Sequence[Source]) -> FaithCheck:
    """Whether every claim in ``reply`` appears in ``sources`` (their text, title and link);
    the claims that do not, as written, each once, in order."""
    facts = _facts(tuple(sources))
    unsupported: list[str] = []
    for claim in find_claims(reply):
        if not facts.supports(claim) and claim.text not in unsupported:
            unsupported.append(claim.text)
    return FaithCheck(ok=not unsupported, unsupported=tuple(unsupported))
