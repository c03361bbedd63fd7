"""Where the data the product ships lives (default knowledge base, training sets, models)."""

from __future__ import annotations

import sys
from pathlib import Path

import ledgerdesk


def shipped_data_dir() -> Path:
    """``data/`` of a source checkout (or editable install): ``src/ledgerdesk/`` sits two
    levels below it; else the copy a wheel installs under ``<prefix>/share/ledgerdesk/``."""
    checkout = Path(ledgerdesk.__file__).resolve().parents[2] / "data"
    if checkout.is_dir():
        return checkout
    return Path(sys.prefix) / "share" / "ledgerdesk" / "data"
