"""Characters that hide or imitate: invisible bidi/zero-width controls, skeletons that fold
look-alike characters (Unicode confusables, digit swaps, ``rn`` for ``m``), mixed scripts.
Pure functions over the tables bundled with ``confusable-homoglyphs``; no network."""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from ledgerdesk.core.text import INVISIBLE

# INVISIBLE (bidi controls, zero-width characters) make a link read differently from where
# it goes.

_INVISIBLE_RE = re.compile("[" + "".join(sorted(INVISIBLE)) + "]")
_DROP_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))


def strip_invisible(text: str) -> str:
    return text.translate(_DROP_INVISIBLE)


def has_invisible(text: str) -> bool:
    return _INVISIBLE_RE.search(text) is not None


# Words that phishing domains put next to a brand (``okxsupport``, ``verify-bybit``).
_SCAM_WORDS = frozenset(
    """support help helpdesk desk service services care customer customers cs team official
    secure security safe verify verification verified validate validation auth login signin
    account accounts wallet wallets airdrop airdrops claim claims reward rewards bonus gift
    gifts promo event events refund refunds recovery recover restore unlock unfreeze kyc live
    chat online app apps web global pro exchange trade trading connect sync update updates
    admin center centre portal info net hub us usa uk eu asia""".split()
)
_SWAPS = str.maketrans({"0": "o", "1": "l", "3": "e", "5": "s", "|": "l"})
_DIGRAPHS = (("rn", "m"), ("vv", "w"), ("cl", "d"))


@cache
def _confusables() -> dict[str, str]:
    """Non-ASCII characters that look like an ASCII letter or digit, mapped to it."""
    from confusable_homoglyphs import confusables

    table: dict[str, str] = {}
    for char, glyphs in confusables.confusables_data.items():
        if len(char) != 1 or char.isascii():
            continue
        for glyph in glyphs:
            target = glyph["c"]
            if 0 < len(target) <= 2 and target.isascii() and target.isalnum():
                table[char] = target.lower()
                break
    return table


@lru_cache(maxsize=65536)
def skeleton(text: str) -> str:
    """What ``text`` looks like: look-alike characters folded, so that ``bіnance`` (Cyrillic
    і), ``b1nance``, ``ｂinance`` and ``bínance`` all have the skeleton of ``binance``.
    Only ever compared with another skeleton; ``i``, ``l`` and ``1`` share one letter."""
    if text.isascii():
        out = text.lower().translate(_SWAPS)
    else:
        out = _fold(text)
    for pair, single in _DIGRAPHS:
        out = out.replace(pair, single)
    return out.replace("i", "l")


def _fold(text: str) -> str:
    """``text`` without accents, lowercased, look-alike characters mapped to ASCII."""
    table = _confusables()
    chars: list[str] = []
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(ch) or ch in INVISIBLE:
            continue
        for low in ch.casefold():
            chars.append(table.get(low, low))
    return "".join(chars).translate(_SWAPS)


@cache
def scam_skeletons() -> frozenset[str]:
    return frozenset(skeleton(word) for word in _SCAM_WORDS)


# Script mixes that are ordinary writing (UTS 39 "highly restrictive"): Japanese, Chinese
# with Bopomofo, Korean, each also with Latin.
_USUAL_MIXES = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
)


def mixed_script(label: str) -> bool:
    from confusable_homoglyphs import categories

    scripts = categories.unique_aliases(label) - {"COMMON", "INHERITED"}
    return len(scripts) > 1 and not any(scripts <= usual for usual in _USUAL_MIXES)
