"""A real local webhook receiver: an HTTP server on a free loopback port, in a thread, that
checks each request's signature the way docs/webhooks.md tells integrators to and answers
with the statuses a test queues (then 200 with a small JSON body, as typical receivers do).

The desk reaches it only with ``LEDGERDESK_WEBHOOKS_ALLOW_PRIVATE=true`` (fixture
``allow_private``)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ledgerdesk.channels.webhooks.signing import SignatureError, verify_signature


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int  # what the receiver answered
    verified: bool
    problem: str = ""

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Requests received, in order. ``secret`` is what signatures are checked against;
    ``answers`` are the statuses of the next requests (then 200)."""

    url: str
    secret: str = ""
    answers: list[int] = field(default_factory=list)
    redirect_to: str = ""
    received: list[Received] = field(default_factory=list)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def next_status(self) -> int:
        with self._changed:
            return self.answers.pop(0) if self.answers else 200

    def add(self, item: Received) -> None:
        with self._changed:
            self.received.append(item)
            self._changed.notify_all()

    def wait_for(self, count: int, timeout: float = 15.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(self.received)} of {count} requests arrived")
                self._changed.wait(left)
            return list(self.received)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            verified, problem = True, ""
            try:
                verify_signature(
                    receiver.secret, headers.get("ledgerdesk-signature", ""), body, time.time()
                )
            except SignatureError as exc:
                verified, problem = False, str(exc)
            status = 401 if not verified else receiver.next_status()
            receiver.add(Received(self.path, headers, body, status, verified, problem))
            if status in (301, 302, 307, 308):
                self.send_response(status)
                self.send_header("Location", receiver.redirect_to or "/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            answer = json.dumps({"ok": 200 <= status < 300}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def serve() -> Iterator[Receiver]:
    """Run a receiver for one fixture's lifetime (use with ``yield from``)."""
    receiver = Receiver(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/ledgerdesk"
    thread = threading.Thread(target=server.serve_forever, name="webhook-receiver", daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
