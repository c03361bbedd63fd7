"""The demo exchange served over real HTTP on loopback, and small misbehaving servers."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ledgerdesk.exchange.client import ExchangeClient
from ledgerdesk.exchange.demo import RunningService, start_demo_exchange
from ledgerdesk.exchange.demo_state import DemoExchange

KEY_ID = "desk-test"
SECRET = "test-secret-7c1f0e9a2b4d6f8a1c3e5a7b9d0f2e4c"
PORTAL_EMAIL = "customer@demo.ledgerdesk.local"
CHEN = "UID10000001"


@pytest.fixture
def demo_state() -> DemoExchange:
    return DemoExchange.load()


@pytest.fixture
def demo(demo_state: DemoExchange) -> Iterator[RunningService]:
    service = start_demo_exchange(demo_state, key_id=KEY_ID, secret=SECRET)
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture
def client(demo: RunningService) -> Iterator[ExchangeClient]:
    exchange = ExchangeClient(demo.url, KEY_ID, SECRET, allow_private=True, timeout=5)
    try:
        yield exchange
    finally:
        exchange.close()


@dataclass
class RawServer:
    """A plain HTTP server whose every answer ``respond`` decides (status, body, delay)."""

    url: str
    seen: list[str] = field(default_factory=list)


Responder = Callable[[str], tuple[int, bytes, float]]


@pytest.fixture
def raw_server() -> Iterator[Callable[[Responder], RawServer]]:
    servers: list[ThreadingHTTPServer] = []

    def start(respond: Responder) -> RawServer:
        record = RawServer("")

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                record.seen.append(self.path)
                status, body, delay = respond(self.path)
                time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client gave up (timeout test)
                    pass

            do_POST = do_GET

            def log_message(self, format: str, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        servers.append(server)
        threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
        record.url = f"http://127.0.0.1:{server.server_address[1]}"
        return record

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
