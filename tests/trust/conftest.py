"""Trust factories for API and page tests: official channels committed through the services
under a brand name no other test uses, and deactivated when the test ends (the database is
shared by the whole run, and other pillars' tests read the official domains)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.trust import services as svc


@dataclass(frozen=True)
class Brand:
    """A registered brand: ``name`` is the label (``deskqhzmwk``), ``domain`` its site."""

    name: str
    domain: str
    telegram: str
    phone: str
    ids: tuple[int, ...]


def brand_name() -> str:
    """Letters only (no digits, no i/l/o that fold into each other), so edits are predictable."""
    return "desk" + "".join(random.choices("abcdefghjkmnpqrstuvwxyz", k=6))


@pytest.fixture
def brand(app: Any) -> Iterator[Brand]:
    name = brand_name()
    phone = f"+4420794{random.randint(60000, 69999)}"
    with app.state.sessionmaker() as session:
        channels = [
            svc.do_add_channel(session, SYSTEM, "domain", f"{name}.com", "Official website"),
            svc.do_add_channel(session, SYSTEM, "telegram", f"@{name}_help", "Support bot"),
            svc.do_add_channel(session, SYSTEM, "email", f"support@{name}.com", "Support mail"),
            svc.do_add_channel(session, SYSTEM, "phone", phone, "Hotline"),
        ]
        session.commit()
        ids = tuple(c.id for c in channels)
    yield Brand(name, f"{name}.com", f"{name}_help", phone, ids)
    with app.state.sessionmaker() as session:
        for channel_id in ids:
            svc.do_deactivate_channel(session, SYSTEM, channel_id)
        session.commit()
    svc.clear_domain_cache()
