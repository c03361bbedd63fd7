"""A real local EVM chain for tests: py-evm (through eth-tester) mining real transactions,
served over HTTP JSON-RPC on loopback like any node."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class EvmNode:
    def __init__(self) -> None:
        from eth_tester import EthereumTester, PyEVMBackend

        self.chain = EthereumTester(PyEVMBackend())
        self.lock = threading.Lock()
        self.calls: list[str] = []

    def send(self, value: int = 10**15) -> str:
        """Mine a plain transfer between two funded accounts; returns its hash (0x…)."""
        with self.lock:
            sender, receiver = self.chain.get_accounts()[:2]
            tx_hash = self.chain.send_transaction(
                {"from": sender, "to": receiver, "value": value, "gas": 21000}
            )
            self.chain.mine_blocks(1)
        return str(tx_hash)

    def rpc(self, method: str, params: list[Any]) -> Any:
        from eth_tester.exceptions import TransactionNotFound

        self.calls.append(method)
        if method == "eth_getTransactionByHash":
            with self.lock:
                try:
                    tx = self.chain.get_transaction_by_hash(params[0])
                except TransactionNotFound:
                    return None
            return {k: (v.hex() if isinstance(v, bytes) else v) for k, v in tx.items()}
        if method == "eth_blockNumber":
            with self.lock:
                return hex(self.chain.get_block_by_number("latest")["number"])
        raise LookupError(method)


@contextmanager
def serve(node: EvmNode) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            request = json.loads(self.rfile.read(length))
            try:
                body = {
                    "jsonrpc": "2.0",
                    "id": request.get("id"),
                    "result": node.rpc(request["method"], request.get("params", [])),
                }
            except LookupError:
                body = {
                    "jsonrpc": "2.0",
                    "id": request.get("id"),
                    "error": {"code": -32601, "message": "method not found"},
                }
            data = json.dumps(body, default=str).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
