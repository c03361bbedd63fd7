"""Text hygiene shared by every service that stores or searches user input."""

from __future__ import annotations

import re

# C0 controls except tab, newline and carriage return, plus DEL. PostgreSQL refuses NUL in
# text outright, and the rest only ever arrive by accident or malice.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# Invisible characters that change how text reads without showing: zero-width characters, the
# soft hyphen, bidi marks, embeddings, overrides and isolates. The secret guard reads through
# them; the look-alike check treats them as a hiding trick.
INVISIBLE = frozenset(
    "\u00ad\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2066\u2067\u2068\u2069\ufeff"
)


def clean(value: str) -> str:
    """``value`` without control characters (tabs and line breaks kept)."""
    return _CONTROL.sub("", value)


def has_control(value: str) -> bool:
    return _CONTROL.search(value) is not None
