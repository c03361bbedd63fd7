"""What the Bitcoin adapters added to the Transport: URL credentials as basic auth, exact
decimals, and JSON-RPC errors carried in HTTP error statuses."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from decimal import Decimal

import pytest

from ledgerdesk.chain.transport import Transport, _split_credentials, breaker_for
from ledgerdesk.chain.types import ChainError, ChainErrorKind
from tests.chain.recorded_server import FAST, RecordedServer, Reply, reset_chain_state


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    reset_chain_state()
    yield
    reset_chain_state()


@pytest.fixture
def node() -> Iterator[RecordedServer]:
    server = RecordedServer(lambda request: server.state["reply"], state={"reply": Reply()})
    server.start()
    yield server
    server.stop()


def test_credentials_leave_the_url_and_go_as_basic_auth(node: RecordedServer) -> None:
    port = node.url.rsplit(":", 1)[1]
    transport = Transport(f"http://rpc%40user:p%3Ass@127.0.0.1:{port}/", FAST)
    assert transport.url == f"http://127.0.0.1:{port}"
    assert transport.breaker is breaker_for(f"http://127.0.0.1:{port}/", FAST)
    node.state["reply"] = Reply.json({"ok": True})
    assert transport.request("GET", "/x") == {"ok": True}
    expected = base64.b64encode(b"rpc@user:p:ss").decode()
    assert node.requests[0].headers["authorization"] == f"Basic {expected}"


def test_no_credentials_no_authorization(node: RecordedServer) -> None:
    node.state["reply"] = Reply.json([])
    Transport(node.url, FAST).request("GET", "/")
    assert "authorization" not in node.requests[0].headers


def test_split_credentials_keeps_ports_and_ipv6() -> None:
    assert _split_credentials("http://a:b@[::1]:8332/wallet") == (
        "http://[::1]:8332/wallet",
        ("a", "b"),
    )
    assert _split_credentials("https://node.example/") == ("https://node.example/", None)
    assert _split_credentials("http://onlyuser@h:1") == ("http://h:1", ("onlyuser", ""))


def test_parse_float_reads_exact_decimals(node: RecordedServer) -> None:
    node.state["reply"] = Reply(200, b'{"value": 0.00487958, "n": 1}')
    transport = Transport(node.url, FAST)
    assert transport.request("GET", "/", parse_float=Decimal) == {
        "value": Decimal("0.00487958"),
        "n": 1,
    }
    assert transport.request("GET", "/") == {"value": 0.00487958, "n": 1}


def test_rpc_error_in_http_500_is_returned_once(node: RecordedServer) -> None:
    error = {"result": None, "error": {"code": -5, "message": "No such"}, "id": 1}
    node.state["reply"] = Reply.json(error, status=500)
    transport = Transport(node.url, FAST)
    assert transport.request("POST", "/", json={}, rpc_errors=True) == error
    assert len(node.requests) == 1
    # Without the flag the same answer is an unreachable node, after the retries.
    with pytest.raises(ChainError) as caught:
        transport.request("POST", "/", json={})
    assert caught.value.kind is ChainErrorKind.unreachable
    assert len(node.requests) == 1 + FAST.attempts


@pytest.mark.parametrize(
    "reply",
    [
        Reply(500, b"<html>oops</html>", "text/html"),
        Reply.json({"result": None, "error": None}, status=500),
    ],
)
def test_http_500_without_an_rpc_error_is_still_retried(node: RecordedServer, reply: Reply) -> None:
    node.state["reply"] = reply
    with pytest.raises(ChainError) as caught:
        Transport(node.url, FAST).request("POST", "/", json={}, rpc_errors=True)
    assert caught.value.kind is ChainErrorKind.unreachable
    assert len(node.requests) == FAST.attempts
