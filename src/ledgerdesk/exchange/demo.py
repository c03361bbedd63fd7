"""The demo exchange: a real HTTP service implementing docs/exchange-api.yaml over a
DemoExchange, for ``make run``, the tests and an exchange's engineers to try the contract.

It is its own FastAPI app (not part of the desk), checks every request's signature exactly as
an exchange must, and answers errors as ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Annotated, Any

import uvicorn
from fastapi import APIRouter, Body, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ledgerdesk.exchange.demo_page import ChatEmbed, add_help_page
from ledgerdesk.exchange.demo_state import DemoExchange, DemoStateError
from ledgerdesk.exchange.records import (
    address_json,
    deposit_json,
    format_time,
    profile_json,
    reset_json,
    withdrawal_json,
)
from ledgerdesk.exchange.signing import (
    KEY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SignatureError,
    verify,
)

__all__ = [
    "ChatEmbed",
    "DemoExchange",
    "RunningService",
    "create_demo_app",
    "start_demo_exchange",
]


Limit = Annotated[int, Query(ge=1, le=100)]


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def _not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"no such {what}")


def create_demo_app(
    state: DemoExchange, *, key_id: str, secret: str, chat: ChatEmbed | None = None
) -> FastAPI:
    """The demo exchange's app over ``state``: its support API accepts requests signed by
    ``key_id``; with ``chat``, ``/`` is its help page with the desk's chat widget."""

    async def signed(request: Request) -> None:
        headers = request.headers
        if not all(h in headers for h in (KEY_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER)):
            raise ApiError(401, "unauthorized", "the request is not signed")
        if headers[KEY_HEADER] != key_id:
            raise ApiError(401, "unauthorized", "unknown key id")
        # The request target exactly as it came over the wire, not a decoded copy.
        target = request.scope.get("raw_path", b"").decode("latin-1")
        query = request.scope.get("query_string", b"").decode("latin-1")
        if query:
            target += "?" + query
        try:
            verify(
                secret,
                timestamp=headers[TIMESTAMP_HEADER],
                method=request.method,
                path_and_query=target,
                body=await request.body(),
                signature=headers[SIGNATURE_HEADER],
            )
        except SignatureError as exc:
            raise ApiError(401, "unauthorized", exc.message) from None
        state.record_request(request.method, target)

    app = FastAPI(title="ledgerdesk demo exchange", version="1", docs_url=None, redoc_url=None)
    _add_error_handlers(app)
    api = APIRouter(dependencies=[Depends(signed)])
    _add_routes(api, state)
    app.include_router(api)
    if chat is not None:
        add_help_page(app, state, chat)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.message)

    @app.exception_handler(DemoStateError)
    async def state_error(request: Request, exc: DemoStateError) -> JSONResponse:
        return _error(404, "not_found", str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return _error(400, "invalid_request", f"{where}: {first.get('msg', 'invalid')}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
        return _error(exc.status_code, code, str(exc.detail))


def _add_routes(app: APIRouter, state: DemoExchange) -> None:
    @app.get("/v1/customers")
    def find_customers(email: Annotated[str, Query(min_length=3, max_length=320)]) -> Any:
        profile = state.find_by_email(email)
        return {"customers": [] if profile is None else [profile_json(profile)]}

    @app.get("/v1/customers/{customer_id}")
    def get_customer(customer_id: str) -> Any:
        profile = state.customer(customer_id)
        if profile is None:
            raise _not_found("customer")
        return profile_json(profile)

    @app.get("/v1/customers/{customer_id}/deposit-addresses")
    def list_addresses(
        customer_id: str, asset: str | None = None, network: str | None = None
    ) -> Any:
        found = state.deposit_addresses(customer_id, asset, network)
        return {"addresses": [address_json(a) for a in found]}

    @app.get("/v1/customers/{customer_id}/deposits")
    def list_deposits(customer_id: str, tx_hash: str | None = None, limit: Limit = 20) -> Any:
        found = state.deposits(customer_id, tx_hash=tx_hash, limit=limit)
        return {"deposits": [deposit_json(d) for d in found]}

    @app.get("/v1/customers/{customer_id}/withdrawals")
    def list_withdrawals(customer_id: str, limit: Limit = 20) -> Any:
        found = state.withdrawals(customer_id, limit=limit)
        return {"withdrawals": [withdrawal_json(w) for w in found]}

    @app.get("/v1/customers/{customer_id}/withdrawals/{withdrawal_id}")
    def get_withdrawal(customer_id: str, withdrawal_id: str) -> Any:
        if state.customer(customer_id) is None:
            raise _not_found("customer")
        record = state.withdrawal(customer_id, withdrawal_id)
        if record is None:
            raise _not_found("withdrawal")
        return withdrawal_json(record)

    @app.post("/v1/customers/{customer_id}/lock")
    def lock(
        customer_id: str,
        reason: Annotated[str, Body(embed=True, min_length=1, max_length=500)],
    ) -> Any:
        if state.customer(customer_id) is None:
            raise _not_found("customer")
        return {"locked": True, "locked_at": format_time(state.lock(customer_id, reason))}

    @app.post("/v1/customers/{customer_id}/2fa-reset")
    def reset_two_factor(
        customer_id: str,
        hold_hours: Annotated[int, Body(embed=True, ge=1, le=720)],
        reference: Annotated[str, Body(embed=True, min_length=1, max_length=64)],
    ) -> Any:
        if state.customer(customer_id) is None:
            raise _not_found("customer")
        return reset_json(state.reset_two_factor(customer_id, hold_hours, reference))

    @app.post("/v1/customers/{customer_id}/2fa-reset/{reset_id}/cancel")
    def cancel_two_factor_reset(customer_id: str, reset_id: str) -> Any:
        if state.customer(customer_id) is None:
            raise _not_found("customer")
        return reset_json(state.cancel_two_factor_reset(customer_id, reset_id))


@dataclass
class RunningService:
    """A service running in a daemon thread of this process; ``stop()`` ends it."""

    url: str
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    _socket: socket.socket = field(repr=False)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()


def start_demo_exchange(
    state: DemoExchange,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    key_id: str,
    secret: str,
    chat: ChatEmbed | None = None,
) -> RunningService:
    """Serve the demo exchange on ``host:port`` (0: a free port) and return once it accepts
    connections; ``.url`` names the port actually bound."""
    app = create_demo_app(state, key_id=key_id, secret=secret, chat=chat)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, proxy_headers=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="demo-exchange"
    )
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError(f"the demo exchange did not start on {host}:{bound_port}")
        time.sleep(0.02)
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    return RunningService(f"http://{shown}:{bound_port}", server, thread, sock)
