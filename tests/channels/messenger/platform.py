"""A local HTTP server playing the Telegram Bot API and the Discord HTTP API: it records every
request and answers with the platforms' documented response shapes (tests/channels/messenger/
samples). ``fail_next`` makes the next matching call answer an error (429, 403 …)."""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

SAMPLES = Path(__file__).parent / "samples"
TELEGRAM_TOKEN = "7000000001:AAHfake-token-for-tests_0123456789ab"
DISCORD_TOKEN = "MTMxMDAwMDAwMDAwMDAwMDAwMQ.fake.discord-bot-token"


def discord_id(prefix: str, number: int) -> str:
    """The snowflake the server gives Discord object ``number`` (``8…`` messages, ``9…`` DMs)."""
    return f"{prefix}{number:018d}"


def sample(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / name).read_text())
    return data


@dataclass
class Call:
    method: str
    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    result_id: int = 0  # the id of the message (or channel) the answer created

    @property
    def telegram_method(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass
class Platform:
    port: int = 0
    calls: list[Call] = field(default_factory=list)
    failures: list[tuple[str, int, dict[str, Any], dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_id: int = 100
    # What GET /file/bot<token>/<file_path> serves (getFile answers with these paths).
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail_next(
        self, pattern: str, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        with self.lock:
            self.failures.append((pattern, status, body, headers or {}))

    def matching(self, pattern: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if re.search(pattern, f"{c.method} {c.path}")]

    def wait_for(self, pattern: str, count: int = 1, timeout: float = 15.0) -> list[Call]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.matching(pattern)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"expected {count} calls matching {pattern!r}, got {self.calls}")

    def answer(self, call: Call) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self.lock:
            self.calls.append(call)
            target = f"{call.method} {call.path}"
            for index, (pattern, status, body, headers) in enumerate(self.failures):
                if re.search(pattern, target):
                    del self.failures[index]
                    return status, body, headers
            self.next_id += 1
            new_id = call.result_id = self.next_id
        return 200, self._success(call, new_id), {}

    def _success(self, call: Call, new_id: int) -> dict[str, Any]:
        if call.path.startswith("/bot"):
            if call.telegram_method == "sendMessage":
                result = sample("telegram_send_message_result.json")
                result["result"].update(message_id=new_id, text=call.body.get("text", ""))
                result["result"]["chat"]["id"] = call.body.get("chat_id")
                return result
            if call.telegram_method == "getFile":
                found = sample("telegram_get_file_result.json")
                found["result"]["file_id"] = call.body.get("file_id")
                return found
            return {"ok": True, "result": True}
        if call.path == "/users/@me/channels":
            channel = sample("discord_dm_channel.json")
            channel["id"] = discord_id("9", new_id)
            return channel
        message = sample("discord_message.json")
        message.update(id=discord_id("8", new_id), content=call.body.get("content", ""))
        return message


def _handler(platform: Platform) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else {}
            call = Call(self.command, self.path, body, dict(self.headers.items()))
            if self.command == "GET" and self.path.startswith("/file/bot"):
                self._file(call)
                return
            status, answer, headers = platform.answer(call)
            if self.command == "PUT" and status == 200 and "/pins/" in self.path:
                self.send_response(204)  # Discord's Pin Message answers 204 No Content
                self.end_headers()
                return
            data = json.dumps(copy.deepcopy(answer)).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _file(self, call: Call) -> None:
            with platform.lock:
                platform.calls.append(call)
            data = platform.files.get(call.path.split("/", 3)[-1])
            self.send_response(200 if data is not None else 404)
            self.send_header("Content-Length", str(len(data or b"")))
            self.end_headers()
            self.wfile.write(data or b"")

        do_POST = do_PUT = do_GET = _serve

        def log_message(self, *args: Any) -> None:
            return

    return Handler


@pytest.fixture
def platform() -> Iterator[Platform]:
    server_state = Platform()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server_state))
    server_state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server_state
    server.shutdown()
    server.server_close()
