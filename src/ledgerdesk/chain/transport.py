"""How adapters talk to nodes: timeouts, retries with backoff, a circuit breaker per node,
the private-address rule, and a cache of final answers.

Breakers and the cache are process-wide and keyed by the node URL, so adapters can be built
per request and still share what the process has learnt about a dead node.
"""

from __future__ import annotations

import functools
import json
import random
import ssl
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx

from ledgerdesk.chain.types import ChainError, ChainErrorKind, TxLookup
from ledgerdesk.core.outbound import OutboundBlocked, check_outbound_url

RETRY_STATUS = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class TransportOptions:
    timeout: float = 5.0  # seconds, per attempt (connect, read, write and pool each)
    attempts: int = 3
    backoff: float = 0.2  # first pause; doubles each retry, with jitter
    breaker_threshold: int = 5  # consecutive failed calls that open the breaker
    breaker_cooldown: float = 30.0  # seconds before one trial call is let through
    allow_private: bool = False


class CircuitBreaker:
    """Closed → open after ``threshold`` consecutive failures → half-open after ``cooldown``
    (one trial call) → closed on success, open again on failure.

    A call counts as failed when the node did not answer, answered an HTTP error or
    something that is not JSON (``record(False)``), and also when its JSON turns out to be
    unusable for what was asked (``record_bad_answer``, through ``Transport``)."""

    def __init__(self, threshold: int, cooldown: float) -> None:
        self.threshold = threshold
        self.cooldown = cooldown
        self.failures = 0
        self.opened_at: float | None = None
        self._lock = threading.Lock()

    def before_call(self) -> None:
        with self._lock:
            if self.opened_at is None:
                return
            if time.monotonic() - self.opened_at < self.cooldown:
                raise ChainError(
                    ChainErrorKind.circuit_open,
                    f"the node failed {self.failures} times in a row; not asked again for "
                    f"{self.cooldown:.0f} s",
                )
            # Half-open: let this call through, and block the others until it reports.
            self.opened_at = time.monotonic()

    def record(self, ok: bool) -> int:
        """Count one call; returns the consecutive failures before it."""
        with self._lock:
            before = self.failures
            if ok:
                self.failures = 0
                self.opened_at = None
            else:
                self._fail()
            return before

    def record_bad_answer(self, streak: int) -> None:
        """Calls recorded as successes answered something unusable: count one failure,
        continuing ``streak``, the failures those successes reset (so a half-open trial
        answered in the wrong shape opens the breaker again at once)."""
        with self._lock:
            self.failures = max(self.failures, streak)
            self._fail()

    def _fail(self) -> None:
        self.failures += 1
        if self.failures >= self.threshold:
            self.opened_at = time.monotonic()


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(url: str, options: TransportOptions) -> CircuitBreaker:
    key = _node_key(url)
    with _breakers_lock:
        breaker = _breakers.get(key)
        if breaker is None:
            breaker = _breakers[key] = CircuitBreaker(
                options.breaker_threshold, options.breaker_cooldown
            )
        return breaker


def reset_breakers() -> None:
    """Forget every node's failures (tests; an operator's restart does the same)."""
    with _breakers_lock:
        _breakers.clear()


def _node_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


_clients: OrderedDict[str, httpx.Client] = OrderedDict()
_clients_lock = threading.Lock()
MAX_CLIENTS = 64  # nodes whose connections are kept; the least recently used go first


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context (the system's trusted roots) for every node client of the process."""
    return httpx.create_ssl_context()


def client_for(url: str) -> httpx.Client:
    """The process-wide HTTP client of one node: its connections are kept alive between
    requests, and all share one TLS context, built once per process (building one per request
    cost about 50 ms here, most of a cold lookup). Timeouts and credentials are given per
    request."""
    key = _node_key(url)
    with _clients_lock:
        client = _clients.get(key)
        if client is not None:
            _clients.move_to_end(key)
            return client
        client = _clients[key] = httpx.Client(follow_redirects=False, verify=_tls_context())
        evicted = [_clients.popitem(last=False)[1] for _ in range(len(_clients) - MAX_CLIENTS)]
    for old in evicted:
        old.close()
    return client


def close_clients() -> None:
    """Close every node's connections (tests; a process that is done with the chain)."""
    with _clients_lock:
        clients = list(_clients.values())
        _clients.clear()
    for client in clients:
        client.close()


class FinalCache:
    """Final lookups by (node, hash); least recently used answers go first."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, str], TxLookup] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, node: str, tx_hash: str) -> TxLookup | None:
        with self._lock:
            key = (_node_key(node), tx_hash)
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, node: str, tx_hash: str, lookup: TxLookup) -> None:
        if not lookup.final:
            return
        with self._lock:
            self._items[(_node_key(node), tx_hash)] = lookup
            self._items.move_to_end((_node_key(node), tx_hash))
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


final_cache = FinalCache()


@dataclass(frozen=True)
class _Flags:
    not_found_ok: bool = False
    as_text: bool = False
    parse_float: Callable[[str], Any] | None = None
    rpc_errors: bool = False


def _split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """``http://user:pass@host/`` → (``http://host/``, (user, pass)); other URLs unchanged."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port is not None else host
    bare = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return bare, (unquote(parts.username or ""), unquote(parts.password or ""))


class Transport:
    """JSON over HTTP to one node. ``request`` returns the decoded JSON body, or raises
    ChainError after the retries are spent.

    Credentials in the URL (``http://user:pass@host:8332/``, as bitcoind wants) are taken out
    of ``url`` and sent as HTTP basic auth, so they never reach a cache key or a message."""

    def __init__(self, url: str, options: TransportOptions | None = None) -> None:
        bare, self._auth = _split_credentials(url)
        self.url = bare.rstrip("/")
        self.options = options or TransportOptions()
        self.host = urlsplit(bare).hostname or "?"
        self.breaker = breaker_for(bare, self.options)
        self._last_ok = False  # the last request was counted as a success by the breaker
        self._streak: int | None = None  # failures the first success of an operation reset
        self._depth = 0  # nesting of checked_answers()

    def request(
        self,
        method: str,
        path: str = "",
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        not_found_ok: bool = False,
        as_text: bool = False,
        parse_float: Callable[[str], Any] | None = None,
        rpc_errors: bool = False,
    ) -> Any:
        """``not_found_ok``: an HTTP 404 answers None instead of raising (REST explorers say
        'no such transaction' that way). ``as_text``: return the body as text (Esplora answers
        ``/blocks/tip/height`` in plain text) instead of decoding JSON. ``parse_float``: how
        JSON numbers with a fraction are read (``Decimal`` for amounts in whole coins).
        ``rpc_errors``: a JSON-RPC server may carry an error in an HTTP error status (Bitcoin
        Core answers any JSON-RPC 1.0 error with HTTP 500); such an answer whose body is a JSON
        object with a non-null ``error`` is returned as it is, not retried."""
        self._last_ok = False
        try:
            check_outbound_url(self.url, allow_private=self.options.allow_private)
        except OutboundBlocked as exc:
            raise ChainError(ChainErrorKind.forbidden_address, str(exc)) from None
        self.breaker.before_call()
        try:
            flags = _Flags(not_found_ok, as_text, parse_float, rpc_errors)
            result = self._with_retries(method, path, json, params, flags)
        except ChainError as exc:
            # A garbled answer is the node's fault too: count it against the breaker.
            self.breaker.record(False)
            raise exc from None
        reset = self.breaker.record(True)
        if self._streak is None:
            self._streak = reset
        self._last_ok = True
        return result

    @contextmanager
    def checked_answers(self) -> Iterator[None]:
        """Wrap one adapter operation (a lookup, a head): a ChainError(bad_response) raised in
        it after the node answered means the answer was unusable — valid JSON of the wrong
        shape, another transaction than the one asked for, a JSON-RPC refusal — and is
        reported with ``report_bad_answer``. Nested uses count as the outermost one."""
        if self._depth == 0:
            self._streak = None
        self._depth += 1
        try:
            yield
        except ChainError as exc:
            if exc.kind == ChainErrorKind.bad_response:
                self.report_bad_answer()
            raise
        finally:
            self._depth -= 1

    def report_bad_answer(self) -> None:
        """The node answered the last request(s) in a shape the adapter cannot use (adapters
        raise ChainError(bad_response) for it): count that against the node's breaker as one
        failed call, continuing the failures from before the operation's first success, where
        the transport had counted a success. Several answers rejected in one operation count
        once; nothing is counted when the last request failed in the transport (it was
        counted there), so this can be called for every bad_response an adapter lets out."""
        if not self._last_ok:
            return
        self._last_ok = False
        self.breaker.record_bad_answer(self._streak or 0)
        self._streak = None

    def _with_retries(
        self,
        method: str,
        path: str,
        body: Any,
        params: dict[str, str] | None,
        flags: _Flags,
    ) -> Any:
        last: ChainError | None = None
        for attempt in range(self.options.attempts):
            if attempt:
                pause = self.options.backoff * (2 ** (attempt - 1))
                time.sleep(pause * (0.5 + random.random()))  # jitter, not crypto
            try:
                return self._once(method, path, body, params, flags)
            except _Retryable as exc:
                last = exc.error
        assert last is not None
        raise last

    def _once(
        self,
        method: str,
        path: str,
        body: Any,
        params: dict[str, str] | None,
        flags: _Flags,
    ) -> Any:
        url = self.url + path
        try:
            response = client_for(self.url).request(
                method,
                url,
                json=body,
                params=params,
                timeout=self.options.timeout,
                auth=self._auth if self._auth is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.TimeoutException:
            raise _Retryable(
                ChainError(
                    ChainErrorKind.timeout,
                    f"{self.host} did not answer within {self.options.timeout:g} s",
                )
            ) from None
        except httpx.HTTPError as exc:
            raise _Retryable(
                ChainError(
                    ChainErrorKind.unreachable,
                    f"cannot reach {self.host}: {exc.__class__.__name__}",
                )
            ) from None
        if response.status_code == 404 and flags.not_found_ok:
            return None
        if response.status_code >= 400 and flags.rpc_errors:
            carried = _rpc_error_body(response.text, flags.parse_float)
            if carried is not None:
                return carried
        if response.status_code in RETRY_STATUS:
            raise _Retryable(
                ChainError(
                    ChainErrorKind.unreachable,
                    f"{self.host} answered HTTP {response.status_code}",
                )
            )
        if response.status_code >= 400:
            raise ChainError(
                ChainErrorKind.bad_response, f"{self.host} answered HTTP {response.status_code}"
            )
        if flags.as_text:
            return response.text
        try:
            return json.loads(response.text, parse_float=flags.parse_float)
        except ValueError:
            raise ChainError(
                ChainErrorKind.bad_response, f"{self.host} answered something that is not JSON"
            ) from None


def _rpc_error_body(text: str, parse_float: Callable[[str], Any] | None) -> Any:
    """The decoded body when it is a JSON-RPC error object, else None."""
    try:
        decoded = json.loads(text, parse_float=parse_float)
    except ValueError:
        return None
    if isinstance(decoded, dict) and decoded.get("error") is not None:
        return decoded
    return None


class _Retryable(Exception):
    def __init__(self, error: ChainError) -> None:
        super().__init__(error.message)
        self.error = error
