"""A length-preserving normal form for detection, so offsets found in it are offsets in the
original text.

Full-width ASCII becomes ASCII (``１２３４`` → ``1234``, ``：`` → ``:``), the ideographic space
a space, and invisible characters (zero-width, bidi controls) a space. Every character maps to
exactly one character, so no offset table is needed.
"""

from __future__ import annotations

from functools import cache

from ledgerdesk.core.text import INVISIBLE


@cache
def _table() -> dict[int, int]:
    table = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
    table[0x3000] = 0x20  # ideographic space
    table[0x3001] = ord(",")  # 、 enumeration comma
    table[0x3002] = ord(".")  # 。
    for ch in INVISIBLE:
        table[ord(ch)] = 0x20
    table[0x00A0] = 0x20
    return table


def prepare(text: str) -> str:
    """``text`` in the detection form; ``len(prepare(t)) == len(t)`` always."""
    if text.isascii():
        return text
    return text.translate(_table())
