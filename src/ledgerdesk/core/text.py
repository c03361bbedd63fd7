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


# Bidi embeddings, overrides and isolates reorder the text after them ("\u202eevil" reads as
# "live"); shown text replaces each with a visible marker, so an agent sees the trick. The
# marks (LRM, RLM, ALM) cannot reorder letters and are dropped.
_BIDI_REORDERING = re.compile("[\u202a-\u202e\u2066-\u2069]")
_BIDI_MARKS = re.compile("[\u200e\u200f\u061c]")


def neutralise_bidi(value: str) -> str:
    """``value`` safe to display: every bidi embedding, override or isolate control becomes a
    visible ``[U+202E]`` marker (no HTML-special characters, so it is safe inside markup) and
    the invisible direction marks are removed; everything else is kept."""
    if not (_BIDI_REORDERING.search(value) or _BIDI_MARKS.search(value)):
        return value
    value = _BIDI_MARKS.sub("", value)
    return _BIDI_REORDERING.sub(lambda m: f"[U+{ord(m.group()):04X}]", value)
