"""The self-service tests run in the shared demo world (tests/demo_world.py): ``world`` is the
session's world, ``desk`` points the app's registry and exchange at it for one test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.demo_world import DEMO_EMAIL, World, fresh_node_state

__all__ = ["DEMO_EMAIL", "World"]


@pytest.fixture(scope="session")
def world(demo_world: World) -> World:
    return demo_world


@pytest.fixture
def desk(demo_desk: World) -> World:
    return demo_desk


@pytest.fixture(autouse=True)
def _fresh_node_state() -> Iterator[None]:
    with fresh_node_state():
        yield
