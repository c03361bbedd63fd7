"""A real HTTP server on 127.0.0.1 standing in for an OpenAI-compatible endpoint: it answers
``POST /v1/chat/completions`` with a recorded completion (tests/assistant/recorded/, see the
README there), keeps every request it received, and can answer late, with an error status or
with broken bytes."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

RECORDED = Path(__file__).parent / "recorded"


def recorded(name: str) -> bytes:
    return (RECORDED / name).read_bytes()


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Answer:
    body: bytes
    status: int = 200
    delay: float = 0.0


@dataclass
class CompletionsServer:
    answer: Answer = field(default_factory=lambda: Answer(recorded("faithful_en.json")))
    received: list[Received] = field(default_factory=list)
    url: str = ""  # http://127.0.0.1:<port>/v1 once started
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def serve(self, name: str, status: int = 200, delay: float = 0.0) -> None:
        """Answer the next requests with the recorded file ``name``."""
        self.answer = Answer(recorded(name), status, delay)

    def start(self) -> str:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                received = Received(
                    self.command,
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length),
                )
                with owner._lock:
                    owner.received.append(received)
                    answer = owner.answer
                if self.path != "/v1/chat/completions":
                    answer = Answer(b'{"error": {"message": "not found"}}', 404)
                if answer.delay:
                    time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except OSError:
                    pass  # the client stopped waiting (the timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}/v1"
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
