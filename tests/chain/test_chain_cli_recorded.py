"""``ledgerdesk chain tx`` for the Bitcoin and Tron node kinds, against the recorded real
answers the adapter tests serve: the fixed JSON shape, with each kind's own finality depth
(the command passes none)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from ledgerdesk.cli import app
from tests.chain import test_bitcoind, test_esplora, test_tron
from tests.chain.recorded_server import RecordedServer, reset_chain_state

KEYS = ["found", "status", "block_number", "confirmations", "transfers"]


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    reset_chain_state()
    yield
    reset_chain_state()


def _serve(route: Any, state: dict[str, Any]) -> RecordedServer:
    server = RecordedServer(lambda request: route(server, request), state=state)
    server.start()
    return server


def _tx(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["chain", "tx", *args, "--allow-private", "--json"])
    assert result.exit_code == 0, result.output
    answer: dict[str, Any] = json.loads(result.stdout)
    assert list(answer) == KEYS
    return answer


def test_esplora_kind() -> None:
    server = _serve(test_esplora._route, {"tip": test_esplora.TIP})
    try:
        answer = _tx(test_esplora.TWO_OUTPUT_TX, "--kind", "esplora", "--url", server.url)
        missing = _tx(test_esplora.UNKNOWN_TX, "--kind", "esplora", "--url", server.url)
    finally:
        server.stop()
    assert answer["found"] and answer["status"] == "success"
    assert answer["confirmations"] >= 1 and answer["transfers"]
    assert all(t["from"] is None and t["asset"] == "native" for t in answer["transfers"])
    assert all(t["amount_raw"].isdigit() for t in answer["transfers"])
    assert missing == {
        "found": False,
        "status": "not_found",
        "block_number": None,
        "confirmations": None,
        "transfers": [],
    }


def test_bitcoind_kind() -> None:
    server = _serve(test_bitcoind._route, {"tip": test_bitcoind.TIP})
    url = server.url.replace(
        "http://",
        f"http://{test_bitcoind.USER}:{test_bitcoind._quote(test_bitcoind.PASSWORD)}@",
    )
    try:
        answer = _tx(test_bitcoind.OP_RETURN_TX, "--kind", "bitcoind", "--url", url)
    finally:
        server.stop()
    assert answer["found"] and answer["status"] == "success"
    assert answer["block_number"] == 66100 and answer["confirmations"] == 2996


def test_tron_kind() -> None:
    server = _serve(test_tron._route, test_tron._state())
    try:
        answer = _tx(test_tron.USDT_TX, "--kind", "tron", "--url", server.url)
    finally:
        server.stop()
    assert answer["found"] and answer["status"] == "success"
    (transfer,) = answer["transfers"]
    assert transfer["asset"].startswith("T") and transfer["amount_raw"] == "41677389"
