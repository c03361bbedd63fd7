"""Text hygiene shared by every service that stores or searches user input."""

from __future__ import annotations

import re

# C0 controls except tab, newline and carriage return, plus DEL. PostgreSQL refuses NUL in
# text outright, and the rest only ever arrive by accident or malice.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(value: str) -> str:
    """``value`` without control characters (tabs and line breaks kept)."""
    return _CONTROL.sub("", value)


def has_control(value: str) -> bool:
    return _CONTROL.search(value) is not None
