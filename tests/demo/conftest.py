"""Fixtures of the demo tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.core.migrate import upgrade


@pytest.fixture
def empty_session(database_url: str) -> Iterator[Session]:
    """An empty, migrated database of the same kind as ``database_url``: the demo refuses to
    load into a desk that has tickets or agents, and other tests commit both."""
    from tests.conftest import _create_pg_database, _drop_pg_database

    if database_url.startswith("sqlite"):
        url = database_url.rsplit(".db", 1)[0] + f"-demo-{uuid.uuid4().hex[:6]}.db"
        admin = None
    else:
        url, admin = _create_pg_database()
    engine = make_engine(url)
    upgrade(engine)
    session = make_sessionmaker(engine)()
    try:
        yield session
    finally:
        session.close()
        engine.dispose()
        if admin is not None:
            _drop_pg_database(url, admin)
