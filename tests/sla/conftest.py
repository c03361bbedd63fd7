from __future__ import annotations

from collections.abc import Iterator

import pytest

import ledgerdesk.sla.clocks  # noqa: F401  (the listener, as composition.load_handlers loads it)
from ledgerdesk.sla import policies


@pytest.fixture(autouse=True)
def _fresh_policies() -> Iterator[None]:
    """Each test's policies, not a cached snapshot of another test's database."""
    policies.invalidate()
    yield
    policies.invalidate()
