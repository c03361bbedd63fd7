from __future__ import annotations

from collections.abc import Iterator

import pytest

from ledgerdesk.sla import policies


@pytest.fixture(autouse=True)
def _fresh_policies() -> Iterator[None]:
    """Each test's policies, not a cached snapshot of another test's database."""
    policies.invalidate()
    yield
    policies.invalidate()
