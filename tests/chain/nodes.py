"""Local HTTP servers standing in for misbehaving nodes: one that never answers in time, one
that answers garbage, one that fails with HTTP 500 a few times, and a proxy to the real
local chain that can rewrite its answers (e.g. into pre-Byzantium receipts)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# A reply: HTTP status and body bytes.
Reply = tuple[int, bytes]


class ScriptedNode:
    """``respond(request_json) -> (status, body)``; counts every request it gets."""

    def __init__(self, respond: Callable[[Any], Reply]) -> None:
        self.respond = respond
        self.hits = 0
        self.methods: list[str] = []
        self.lock = threading.Lock()

    def reply(self, body: bytes) -> Reply:
        with self.lock:
            self.hits += 1
        try:
            request = json.loads(body)
        except ValueError:
            request = None
        if isinstance(request, dict):
            with self.lock:
                self.methods.append(str(request.get("method")))
        return self.respond(request)


@contextmanager
def serve(node: ScriptedNode) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            status, data = node.reply(self.rfile.read(length))
            with suppress(BrokenPipeError, ConnectionResetError):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def rpc_result(request: Any, result: Any) -> Reply:
    ident = request.get("id") if isinstance(request, dict) else None
    return 200, json.dumps({"jsonrpc": "2.0", "id": ident, "result": result}).encode()


def sleeper(seconds: float) -> Callable[[Any], Reply]:
    def respond(request: Any) -> Reply:
        time.sleep(seconds)
        return rpc_result(request, "0x1")

    return respond


def proxy(
    handle: Callable[[bytes], Any], rewrite: Callable[[str, Any], Any] | None = None
) -> Callable[[Any], Reply]:
    """Forward to a DevNode's JSON-RPC handler; ``rewrite(method, result)`` may change the
    result before it goes back."""

    def respond(request: Any) -> Reply:
        answer = handle(json.dumps(request).encode())
        if rewrite is not None and isinstance(answer, dict) and "result" in answer:
            answer["result"] = rewrite(str(request.get("method")), answer["result"])
        return 200, json.dumps(answer).encode()

    return respond
