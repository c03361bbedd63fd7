"""Hashes in a case's guarded JSON (``Case.details``, ``CaseEvent.detail``).

The storage guard scans every string of a JSON document on its own, so a bare 64-hex value
(a Bitcoin or Tron transaction hash, a file's SHA-256) has no words around it and is taken
for a raw private key and redacted. Here a value that a field already labels — the form's
"Transaction hash (TxID)" row, a digest this desk computed — is scanned with that label in
front, exactly as the guard reads the line "TxID: …" in a message, and kept when the guard
keeps it there. A value the guard still takes for a secret is refused, never stored.
"""

from __future__ import annotations

import copy
from typing import Any

from ledgerdesk.ai.guard import scan
from ledgerdesk.ai.guard.storage import GuardedText
from ledgerdesk.core.errors import InvalidInput

TXID = "TxID"
SHA256 = "SHA-256"


def labelled(value: str, label: str) -> str:
    """``value`` marked as guarded, after the guard read it as ``<label>: <value>``."""
    prefix = f"{label}: "
    result = scan(prefix + value)
    if result.redacted != prefix + value:
        raise InvalidInput("This value looks like a secret and was not stored", field=label)
    return GuardedText(value)  # made from the scan above: the guard found nothing


def kept_details(details: dict[str, Any]) -> dict[str, Any]:
    """A scam report's details with its transaction hashes (reported and looked up) kept.
    Call before every assignment to ``Case.details``: values read back from the database
    are plain strings again."""
    out = copy.deepcopy(details)
    for row in out.get("tx_hashes", []):
        row["tx_hash"] = labelled(row["tx_hash"], TXID)
    for fact in out.get("tx_facts", []):
        fact["tx_hash"] = labelled(fact["tx_hash"], TXID)
    return out
