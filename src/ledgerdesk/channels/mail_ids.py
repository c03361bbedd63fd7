"""Message-IDs as the desk stores and looks them up (``mail_message_ids``, ``inbound_mails``).

The columns are guarded like every text from outside, and the guard takes a 64-hex-digit
run for a private key: ``<9f86…0f00@mx.example>`` would be stored as
``[removed: private key]@mx.example``, and every such id would look like every other one (a
false duplicate, a wrong thread). An id the guard would change is therefore kept as a digest
of itself instead: the same id always gives the same key, different ids different keys, and
no possible secret is stored. Lookups compare with the key directly (``plain``), so the guard
runs once per id rather than once per query."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import String, type_coerce

from ledgerdesk.ai.guard.storage import guard_text
from ledgerdesk.channels.mail_parse import MAX_ID_CHARS


def stored_id(message_id: str) -> str:
    """The key under which ``message_id`` (without angle brackets) is stored."""
    value = message_id[:MAX_ID_CHARS]
    if not value or guard_text(value) == value:
        return value
    return "sha256-" + hashlib.sha256(value.encode()).hexdigest()[:40] + "@guarded.invalid"


def plain(column: Any) -> Any:
    """``column`` compared as plain text: its bound values are already keys or addresses that
    passed ``stored_id`` / the guard, so they are not guarded again."""
    return type_coerce(column, String())
