"""A real HTTP server on 127.0.0.1 that answers chain-node requests from recorded responses
(tests/chain/recorded/), counts what it was asked, and can be told to misbehave: answer
late (timeouts), answer garbage, or fail with HTTP 500."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ledgerdesk.chain.adapters.common import reset_heads
from ledgerdesk.chain.transport import TransportOptions, final_cache, reset_breakers

RECORDED = Path(__file__).parent / "recorded"

# Local nodes need allow_private; short timeouts and tiny backoff keep error tests fast.
FAST = TransportOptions(timeout=0.5, attempts=2, backoff=0.01, allow_private=True)


def recorded(kind: str, name: str) -> bytes:
    """A recorded answer, byte for byte (amounts keep the digits the node wrote)."""
    return (RECORDED / kind / name).read_bytes()


def recorded_json(kind: str, name: str) -> Any:
    return json.loads(recorded(kind, name))


def reset_chain_state() -> None:
    """Forget cached final answers, head heights and breaker counts between tests."""
    final_cache.clear()
    reset_heads()
    reset_breakers()


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    delay: float = 0.0

    @classmethod
    def json(cls, value: Any, status: int = 200) -> Reply:
        return cls(status, json.dumps(value).encode())


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body or b"null")


Router = Callable[[Request], Reply]


@dataclass
class RecordedServer:
    """``router`` answers each request; ``override`` (when set) answers every request
    instead — the way tests make the node misbehave."""

    router: Router
    override: Reply | None = None
    requests: list[Request] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)  # what a router may read and tests change
    url: str = ""
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> str:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    self.command,
                    self.path,
                    self.rfile.read(length) if length else b"",
                    {k.lower(): v for k, v in self.headers.items()},
                )
                with owner._lock:
                    owner.requests.append(request)
                reply = owner.override or owner.router(request)
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except OSError:
                    pass  # the client gave up waiting (timeout tests)

            do_GET = _answer
            do_POST = _answer

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def count(self, path: str, marker: str | None = None) -> int:
        """Requests made to ``path`` (and whose body contains ``marker``, when given)."""
        with self._lock:
            return sum(
                1
                for r in self.requests
                if r.path == path and (marker is None or marker.encode() in r.body)
            )
