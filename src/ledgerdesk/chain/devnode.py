"""A real local EVM chain: py-evm (through eth-tester) mining real transactions, served as an
Ethereum JSON-RPC node over HTTP. ``make run`` starts one for the demo; the tests and the
bench drive it.

    node = DevNode(chain_id=1337)
    url = node.serve()                      # http://127.0.0.1:<free port>
    token = node.deploy_token("USDT", 6)
    tx = node.send_token(token, node.accounts[1], 25_000_000)
    node.mine(12)
    node.stop()

Every touch of the chain holds one lock, so the HTTP threads, the auto-miner and the caller
can use the node at the same time.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ledgerdesk.chain import devnode_rpc as rpc
from ledgerdesk.core.paths import shipped_data_dir

MAX_BODY = 1 << 20  # bytes; a JSON-RPC request is a few hundred
TOKEN_SUPPLY_UNITS = 10**9  # whole tokens minted to the deployer
TRANSFER_SELECTOR = bytes.fromhex("a9059cbb")  # transfer(address,uint256)


@cache
def token_artifact() -> dict[str, Any]:
    """ABI and bytecode of our ERC-20 token (``data/chain/token.json``, built from
    ``token.vy`` by ``python -m ledgerdesk.chain.build_token``)."""
    path = shipped_data_dir() / "chain" / "token.json"
    artefact: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return artefact


class DevNode:
    """``chain_id``: the id the chain answers and signs with (default: eth-tester's).
    ``block_interval``: when set, a daemon thread mines a block every so many seconds once
    ``serve()`` runs, like a real chain's clock."""

    def __init__(self, chain_id: int | None = None, block_interval: float | None = None) -> None:
        from eth_tester import EthereumTester, PyEVMBackend

        backend = PyEVMBackend()
        if chain_id is not None:
            # py-evm builds each VM's chain context (CHAINID opcode, EIP-155 checks) from the
            # chain's ``chain_id``; eth-tester fixes it on a class, so override the instance.
            backend.chain.chain_id = chain_id
        self.chain_id: int = int(backend.chain.chain_id)
        self.tester = EthereumTester(backend)
        self.block_interval = block_interval
        self.lock = threading.RLock()
        self.calls: Counter[str] = Counter()  # JSON-RPC methods served, for tests and the bench
        self._default_token: str | None = None
        self._pending = False
        self._server: ThreadingHTTPServer | None = None
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._methods = self._method_table()

    # -- accounts and state ---------------------------------------------------------------

    @property
    def accounts(self) -> list[str]:
        """The funded accounts (checksummed); ``accounts[0]`` sends by default."""
        with self.lock:
            return [str(a) for a in self.tester.get_accounts()]

    @property
    def head(self) -> int:
        """The number of the latest mined block."""
        with self.lock:
            return int(self.tester.get_block_by_number("latest")["number"])

    @property
    def pending(self) -> bool:
        """True while sent transactions wait in the pending block for ``mine()``."""
        return self._pending

    @pending.setter
    def pending(self, on: bool) -> None:
        with self.lock:
            if not on and self.tester.backend.chain.get_block().transactions:
                self.tester.mine_blocks(1)
            self._pending = on

    @contextmanager
    def pending_mode(self) -> Iterator[None]:
        """Transactions sent inside stay pending until ``mine()``; leaving mines what is
        still pending in one block."""
        before = self.pending
        self.pending = True
        try:
            yield
        finally:
            self.pending = before

    def balance(self, address: str) -> int:
        with self.lock:
            return int(self.tester.get_balance(address))

    def token_balance(self, contract: str, address: str) -> int:
        from eth_abi.abi import decode, encode
        from eth_utils.abi import function_signature_to_4byte_selector

        data = function_signature_to_4byte_selector("balanceOf(address)") + encode(
            ["address"], [address]
        )
        with self.lock:
            out = self.tester.call({"from": self.accounts[0], "to": contract, "data": data.hex()})
        return int(decode(["uint256"], bytes.fromhex(out[2:]))[0])

    # -- sending --------------------------------------------------------------------------

    def send_native(
        self, to: str, value: int, memo: str | None = None, sender: str | None = None
    ) -> str:
        """Send ``value`` wei; ``memo`` travels as UTF-8 calldata (how some wallets tag a
        transfer). Returns the transaction hash (0x…)."""
        data = memo.encode("utf-8") if memo else b""
        # Intrinsic gas plus calldata: 16 per byte, or EIP-7623's floor of 40 per non-zero
        # byte; what is not used is refunded.
        gas = 21_000 + 40 * len(data)
        return self._send({"to": to, "value": value, "gas": gas, "data": "0x" + data.hex()}, sender)

    def deploy_token(self, symbol: str, decimals: int) -> str:
        """Deploy our ERC-20 token; the deployer (``accounts[0]``) holds the whole supply of
        10⁹ tokens. Returns the contract address, checksummed."""
        from eth_abi.abi import encode

        artefact = token_artifact()
        args = encode(
            ["string", "string", "uint8", "uint256"],
            [f"Test {symbol}", symbol, decimals, TOKEN_SUPPLY_UNITS * 10**decimals],
        )
        with self.lock:
            tx_hash = self._send({"data": artefact["bytecode"] + args.hex(), "gas": 2_000_000})
            if self.pending:
                self.mine()  # a contract address is only known once the block is mined
            receipt = self.tester.get_transaction_receipt(tx_hash)
        address = str(receipt["contract_address"])
        if self._default_token is None:
            self._default_token = address
        return address

    def send_token(
        self,
        contract: str,
        to: str,
        amount_raw: int,
        sender: str | None = None,
        *,
        gas: int = 100_000,
    ) -> str:
        """``transfer(to, amount_raw)`` on an ERC-20 contract; returns the transaction hash."""
        from eth_abi.abi import encode

        data = TRANSFER_SELECTOR + encode(["address", "uint256"], [to, amount_raw])
        return self._send({"to": contract, "data": "0x" + data.hex(), "gas": gas}, sender)

    def send_failing(
        self, contract: str | None = None, to: str | None = None, sender: str | None = None
    ) -> str:
        """A token transfer of more than the sender holds, with gas to spare: mined (unless in
        pending mode) with status 0. Deploys a token first when none was given or deployed."""
        if contract is None:
            contract = self._default_token or self.deploy_token("FAIL", 18)
        sender = sender or self.accounts[0]
        too_much = self.token_balance(contract, sender) + 1
        return self.send_token(contract, to or self.accounts[1], too_much, sender, gas=200_000)

    def mine(self, n: int = 1) -> int:
        """Mine ``n`` blocks (with whatever is pending); returns the new head."""
        with self.lock:
            self.tester.mine_blocks(n)
            return self.head

    def time_travel(self, seconds: int) -> int:
        """Move the chain's clock ``seconds`` ahead (mines one block at the new time, as
        ``evm_increaseTime`` + ``evm_mine`` do); returns that block's timestamp."""
        with self.lock:
            now = int(self.tester.get_block_by_number("pending")["timestamp"])
            self.tester.time_travel(now + seconds)
            return int(self.tester.get_block_by_number("latest")["timestamp"])

    def _send(self, tx: dict[str, Any], sender: str | None = None) -> str:
        with self.lock:
            tx = {"from": sender or self.accounts[0], **tx}
            if not self._pending:
                return str(self.tester.send_transaction(tx))  # applied and mined
            # Pending mode: apply the transaction to the pending block and leave it there, as
            # a node's pool would. (eth-tester's own pending mode keeps one transaction per
            # sender: each takes its nonce from the mined state.)
            tx.setdefault("nonce", self.tester.get_nonce(tx["from"], "pending"))
            return str(self.tester._add_transaction_to_pending_block(tx))

    # -- JSON-RPC -------------------------------------------------------------------------

    def handle(self, body: bytes) -> Any:
        """One HTTP request body → the JSON answer (an object, or a list for a batch)."""
        try:
            request = json.loads(body)
        except ValueError:
            return _error(None, rpc.RpcError(rpc.PARSE_ERROR, "parse error"))
        if isinstance(request, list):
            if not request:
                return _error(None, rpc.RpcError(rpc.INVALID_REQUEST, "empty batch"))
            return [self._handle_one(item) for item in request]
        return self._handle_one(request)

    def _handle_one(self, request: Any) -> dict[str, Any]:
        if not isinstance(request, dict) or not isinstance(request.get("method"), str):
            return _error(None, rpc.RpcError(rpc.INVALID_REQUEST, "invalid request"))
        ident = request.get("id")
        params = request.get("params", [])
        if not isinstance(params, list):
            return _error(ident, rpc.RpcError(rpc.INVALID_PARAMS, "params must be an array"))
        try:
            result = self.call(request["method"], params)
        except rpc.RpcError as exc:
            return _error(ident, exc)
        return {"jsonrpc": "2.0", "id": ident, "result": result}

    def call(self, method: str, params: list[Any]) -> Any:
        """Answer one JSON-RPC method (raises ``RpcError``)."""
        from eth_tester.exceptions import (
            BlockNotFound,
            TransactionFailed,
            TransactionNotFound,
            ValidationError,
        )

        handler = self._methods.get(method)
        if handler is None:
            raise rpc.RpcError(
                rpc.METHOD_NOT_FOUND, f"the method {method} does not exist/is not available"
            )
        try:
            with self.lock:
                self.calls[method] += 1
                return handler(params)
        except (BlockNotFound, TransactionNotFound):
            return None
        except TransactionFailed as exc:
            raise rpc.RpcError(rpc.EXECUTION_REVERTED, f"execution reverted: {exc}") from None
        except ValidationError as exc:
            raise rpc.RpcError(rpc.SERVER_ERROR, str(exc)) from None

    def _method_table(self) -> dict[str, Callable[[list[Any]], Any]]:
        t = self.tester
        p = rpc.param
        return {
            "web3_clientVersion": lambda _: rpc.CLIENT_VERSION,
            "net_version": lambda _: str(self.chain_id),
            "eth_chainId": lambda _: hex(self.chain_id),
            "eth_accounts": lambda _: [a.lower() for a in self.accounts],
            "eth_blockNumber": lambda _: hex(self.head),
            "eth_gasPrice": lambda _: hex(self._gas_price()),
            "eth_maxPriorityFeePerGas": lambda _: hex(10**9),
            "eth_getBlockByNumber": lambda ps: rpc.to_rpc(
                t.get_block_by_number(rpc.parse_block(p(ps, 0)), rpc.parse_bool(p(ps, 1, False)))
            ),
            "eth_getBlockByHash": lambda ps: rpc.to_rpc(
                t.get_block_by_hash(rpc.parse_hash(p(ps, 0)), rpc.parse_bool(p(ps, 1, False)))
            ),
            "eth_getTransactionByHash": lambda ps: rpc.to_rpc(
                t.get_transaction_by_hash(rpc.parse_hash(p(ps, 0)))
            ),
            "eth_getTransactionReceipt": lambda ps: self._receipt(rpc.parse_hash(p(ps, 0))),
            "eth_getLogs": lambda ps: rpc.to_rpc(
                [_strip_log(log) for log in t.get_logs(**rpc.parse_log_filter(p(ps, 0)))]
            ),
            "eth_getBalance": lambda ps: hex(
                t.get_balance(rpc.parse_address(p(ps, 0)), rpc.parse_block(p(ps, 1, "latest")))
            ),
            "eth_getCode": lambda ps: t.get_code(
                rpc.parse_address(p(ps, 0)), rpc.parse_block(p(ps, 1, "latest"))
            ),
            "eth_getTransactionCount": lambda ps: hex(
                t.get_nonce(rpc.parse_address(p(ps, 0)), rpc.parse_block(p(ps, 1, "latest")))
            ),
            "eth_call": lambda ps: t.call(
                rpc.parse_transaction(p(ps, 0), self.accounts[0]),
                rpc.parse_block(p(ps, 1, "latest")),
            ),
            "eth_estimateGas": lambda ps: hex(
                t.estimate_gas(rpc.parse_transaction(p(ps, 0), self.accounts[0]))
            ),
            "eth_sendTransaction": lambda ps: self._send_rpc(
                rpc.parse_transaction(p(ps, 0), self.accounts[0])
            ),
            "eth_sendRawTransaction": lambda ps: self._send_raw(rpc.parse_data(p(ps, 0))),
            "evm_mine": lambda ps: hex(self.mine(rpc.parse_quantity(p(ps, 0, "0x1")))),
        }

    def _send_rpc(self, tx: dict[str, Any]) -> str:
        if "gas" not in tx:  # as nodes do, estimate what the caller left out
            tx["gas"] = self.tester.estimate_gas(tx)
        return self._send(tx)

    def _send_raw(self, raw_hex: str) -> str:
        """Like a node, refuse a transaction signed for another chain (py-evm itself does not
        compare a transaction's chain id with its own)."""
        builder = self.tester.backend.chain.get_vm().get_transaction_builder()
        try:
            signed_for = builder.decode(bytes.fromhex(raw_hex[2:])).chain_id
        except Exception:  # any undecodable payload is the sender's error
            raise rpc.RpcError(rpc.SERVER_ERROR, "rlp: invalid transaction encoding") from None
        if signed_for is not None and signed_for != self.chain_id:
            raise rpc.RpcError(
                rpc.SERVER_ERROR,
                f"invalid chain id for signer: have {signed_for} want {self.chain_id}",
            )
        if self._pending:
            raw_hash = self.tester.backend.send_raw_transaction(bytes.fromhex(raw_hex[2:]))
            return "0x" + bytes(raw_hash).hex()
        return str(self.tester.send_raw_transaction(raw_hex))

    def _receipt(self, tx_hash: str) -> dict[str, Any] | None:
        receipt = self.tester.get_transaction_receipt(tx_hash)
        if receipt["block_number"] is None:
            return None  # in the pending block: nodes have no receipt yet
        logs = [_strip_log(log) for log in receipt["logs"]]
        formatted_logs = rpc.to_rpc(logs)
        answer = rpc.receipt_to_rpc({**receipt, "logs": logs}, rpc.logs_bloom(formatted_logs))
        return answer

    def _gas_price(self) -> int:
        base_fee = self.tester.get_block_by_number("pending").get("base_fee_per_gas") or 0
        return int(base_fee) + 10**9

    # -- serving --------------------------------------------------------------------------

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve JSON-RPC over HTTP (and start the auto-miner when ``block_interval`` is set);
        returns the node URL. Port 0 picks a free port."""
        if self._server is not None:
            raise RuntimeError("this node is already serving")
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._stopping.clear()
        server = self._server
        self._start(lambda: server.serve_forever(poll_interval=0.05), "devnode-http")
        if self.block_interval:
            self._start(self._auto_mine, "devnode-miner")
        return self.url

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the node is not serving")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        """Stop serving and mining; safe to call twice."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()

    def _start(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _auto_mine(self) -> None:
        assert self.block_interval
        while not self._stopping.wait(self.block_interval):
            self.mine()


def _strip_log(log: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in log.items() if k != "type"}


def _error(ident: Any, error: rpc.RpcError) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": ident, "error": error.to_json()}


def _handler_for(node: DevNode) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "ledgerdesk-devnode"

        def do_POST(self) -> None:
            try:
                length = int(self.headers.get("Content-Length", "0"))
            except ValueError:
                length = -1
            if not 0 < length <= MAX_BODY:
                self._reply(413 if length > MAX_BODY else 400, {"error": "bad body length"})
                return
            answer = node.handle(self.rfile.read(length))
            self._reply(200, answer)

        def do_GET(self) -> None:
            self._reply(405, {"error": "JSON-RPC answers POST"})

        def _reply(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler
