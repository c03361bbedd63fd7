"""The desk's client of the exchange's support API (the contract in docs/exchange-api.yaml).

Every request is signed (``exchange.signing``), bounded by a timeout and refused before it
leaves when the exchange's address is private and the operator has not allowed that. Reads are
kept for ``cache_seconds`` per path and query; ``lock_account`` is never cached and forgets
what was kept about that customer. Every failure is an ExchangeError whose ``kind`` says what
the caller should do and whose message (English, for operators) never contains the secret.
"""

from __future__ import annotations

import json
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any, TypeVar
from urllib.parse import quote, urlencode, urlsplit

import httpx

import ledgerdesk
from ledgerdesk.core import invalidation
from ledgerdesk.core.outbound import OutboundBlocked, check_outbound_url
from ledgerdesk.exchange.records import (
    CustomerProfile,
    DepositAddress,
    DepositRecord,
    RecordError,
    TwoFactorReset,
    WithdrawalRecord,
    parse_address,
    parse_deposit,
    parse_list,
    parse_profile,
    parse_reset,
    parse_time,
    parse_withdrawal,
)
from ledgerdesk.exchange.signing import signed_headers

__all__ = [
    "CustomerProfile",
    "DepositAddress",
    "DepositRecord",
    "ExchangeClient",
    "ExchangeError",
    "ExchangeErrorKind",
    "TwoFactorReset",
    "WithdrawalRecord",
    "get_exchange",
    "override_exchange",
]

T = TypeVar("T")
MAX_LIMIT = 100
MAX_HOLD_HOURS = 720
MAX_RESPONSE_BYTES = 2 * 1024 * 1024
_CACHE_SIZE = 2048


class ExchangeErrorKind(StrEnum):
    not_configured = "not_configured"  # no exchange URL in the settings
    unavailable = "unavailable"  # timeout, connection refused, 5xx, 429: try again later
    unauthorized = "unauthorized"  # 401/403: key id or secret wrong, or the clocks disagree
    not_found = "not_found"  # 404: no such customer or record
    bad_response = "bad_response"  # the answer is not what the contract says
    forbidden_address = "forbidden_address"  # private address and allow_private is off


class ExchangeError(Exception):
    def __init__(self, kind: ExchangeErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message

    def __repr__(self) -> str:
        return f"ExchangeError({self.kind.value}, {self.message!r})"


class ExchangeClient:
    def __init__(
        self,
        base_url: str,
        key_id: str,
        secret: str,
        *,
        timeout: float = 5.0,
        allow_private: bool = False,
        cache_seconds: float = 30.0,
    ) -> None:
        parts = urlsplit(base_url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ExchangeError(
                ExchangeErrorKind.not_configured,
                "the exchange URL must be an http(s) address, e.g. https://support-api.example",
            )
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._prefix = parts.path.rstrip("/")  # signed as part of the path
        self._host = parts.netloc.rsplit("@", 1)[-1]
        self.key_id = key_id
        self._secret = secret
        self.timeout = timeout
        self.allow_private = allow_private
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, str, Any]] = {}
        self._cache_lock = threading.Lock()
        _clients.add(self)
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            trust_env=False,
            headers={
                "User-Agent": f"ledgerdesk/{ledgerdesk.__version__}",
                "Accept": "application/json",
            },
        )

    def __repr__(self) -> str:  # never the secret
        return f"ExchangeClient({self._origin}{self._prefix}, key_id={self.key_id!r})"

    def close(self) -> None:
        self._http.close()

    # --- the contract ---------------------------------------------------------------------

    def customer(self, customer_ref: str) -> CustomerProfile:
        """The profile of an exchange customer id, or of ``"email:someone@example.com"``."""
        if customer_ref.startswith("email:"):
            email = customer_ref.removeprefix("email:").strip()
            if "@" not in email:
                raise ExchangeError(ExchangeErrorKind.not_found, "no e-mail address given")
            found = self._read(
                self._target("/v1/customers", {"email": email}),
                None,
                lambda payload: parse_list(payload, "customers", parse_profile),
            )
            if not found:
                raise ExchangeError(
                    ExchangeErrorKind.not_found, "the exchange has no customer with that e-mail"
                )
            profile: CustomerProfile = found[0]
            return profile
        return self._read(self._customer_path(customer_ref), customer_ref, parse_profile)

    def deposit_addresses(
        self, customer_id: str, asset: str | None = None, network: str | None = None
    ) -> list[DepositAddress]:
        target = self._target(
            self._customer_path(customer_id, "deposit-addresses"),
            {"asset": asset, "network": network},
        )
        return list(
            self._read(target, customer_id, lambda p: parse_list(p, "addresses", parse_address))
        )

    def deposits(
        self, customer_id: str, *, tx_hash: str | None = None, limit: int = 20
    ) -> list[DepositRecord]:
        target = self._target(
            self._customer_path(customer_id, "deposits"),
            {"tx_hash": tx_hash, "limit": _check_limit(limit)},
        )
        return list(
            self._read(target, customer_id, lambda p: parse_list(p, "deposits", parse_deposit))
        )

    def withdrawals(self, customer_id: str, *, limit: int = 20) -> list[WithdrawalRecord]:
        target = self._target(
            self._customer_path(customer_id, "withdrawals"), {"limit": _check_limit(limit)}
        )
        return list(
            self._read(
                target, customer_id, lambda p: parse_list(p, "withdrawals", parse_withdrawal)
            )
        )

    def withdrawal(self, customer_id: str, withdrawal_id: str) -> WithdrawalRecord:
        path = self._customer_path(customer_id, "withdrawals", withdrawal_id)
        return self._read(path, customer_id, parse_withdrawal)

    def lock_account(self, customer_id: str, reason: str) -> datetime:
        """Lock the account now (security flows); the moment the exchange locked it."""
        reason = reason.strip()
        if not reason or len(reason) > 500:
            raise ValueError("a lock needs a reason of 1 to 500 characters")
        body = json.dumps({"reason": reason}, ensure_ascii=False).encode()
        try:
            payload = self._request("POST", self._customer_path(customer_id, "lock"), body)
        finally:
            # Even a timed-out lock may have happened: never show the old "not locked" flag.
            self.forget_customer(customer_id)
        if not isinstance(payload, dict) or payload.get("locked") is not True:
            raise ExchangeError(
                ExchangeErrorKind.bad_response, "the exchange did not confirm the lock"
            )
        locked_at = payload.get("locked_at")
        moment = parse_time(locked_at) if isinstance(locked_at, str) else None
        if moment is None:
            raise ExchangeError(
                ExchangeErrorKind.bad_response, "the lock's locked_at is not an RFC 3339 time"
            )
        return moment

    def reset_two_factor(
        self, customer_id: str, *, hold_hours: int, reference: str
    ) -> TwoFactorReset:
        """Reset the customer's 2FA now and hold their withdrawals for ``hold_hours``; the
        desk's ``reference`` makes a repeated call answer the same reset (idempotent)."""
        if not 1 <= hold_hours <= MAX_HOLD_HOURS:
            raise ValueError(f"hold_hours must be from 1 to {MAX_HOLD_HOURS}")
        reference = reference.strip()
        if not reference or len(reference) > 64:
            raise ValueError("a reset needs a reference of 1 to 64 characters")
        body = json.dumps({"hold_hours": hold_hours, "reference": reference}).encode()
        return self._write(customer_id, self._customer_path(customer_id, "2fa-reset"), body)

    def cancel_two_factor_reset(self, customer_id: str, reset_id: str) -> TwoFactorReset:
        """Stop a reset: the old 2FA stays and its withdrawal hold is lifted (idempotent)."""
        path = self._customer_path(customer_id, "2fa-reset", reset_id, "cancel")
        return self._write(customer_id, path, b"{}")

    def _write(self, customer_id: str, path: str, body: bytes) -> TwoFactorReset:
        try:
            payload = self._request("POST", path, body)
        finally:
            self.forget_customer(customer_id)  # the profile and withdrawals changed
        try:
            return parse_reset(payload)
        except RecordError as exc:
            raise ExchangeError(
                ExchangeErrorKind.bad_response, f"the exchange's answer is malformed: {exc}"
            ) from None

    # --- cache ----------------------------------------------------------------------------

    def forget_customer(self, customer_id: str) -> None:
        """Drop every kept answer about ``customer_id`` (including e-mail lookups of it), in
        every process of the desk (``core.invalidation``; Redis carries it to the others)."""
        invalidation.announce(EXCHANGE_CACHE, customer_id)

    def _forget_here(self, customer_id: str) -> None:
        with self._cache_lock:
            for key in [k for k, (_, owner, _) in self._cache.items() if owner == customer_id]:
                del self._cache[key]

    def clear_cache(self) -> None:
        with self._cache_lock:
            self._cache.clear()

    def _cached(self, key: str) -> tuple[bool, Any]:
        with self._cache_lock:
            entry = self._cache.get(key)
            if entry is None:
                return False, None
            if entry[0] < time.monotonic():
                del self._cache[key]
                return False, None
            return True, entry[2]

    def _keep(self, key: str, owner: str, value: Any) -> None:
        if self.cache_seconds <= 0:
            return
        with self._cache_lock:
            now = time.monotonic()
            if len(self._cache) >= _CACHE_SIZE:
                for stale in [k for k, (expires, _, _) in self._cache.items() if expires < now]:
                    del self._cache[stale]
                while len(self._cache) >= _CACHE_SIZE:
                    del self._cache[next(iter(self._cache))]
            self._cache[key] = (now + self.cache_seconds, owner, value)

    # --- HTTP -----------------------------------------------------------------------------

    def _customer_path(self, customer_id: str, *rest: str) -> str:
        if not customer_id or not customer_id.strip():
            raise ExchangeError(ExchangeErrorKind.not_found, "no customer id given")
        segments = [customer_id, *rest]
        return "/v1/customers/" + "/".join(quote(s, safe="") for s in segments)

    @staticmethod
    def _target(path: str, query: dict[str, str | int | None]) -> str:
        items = [(k, str(v)) for k, v in query.items() if v is not None and v != ""]
        return f"{path}?{urlencode(items, quote_via=quote)}" if items else path

    def _read(self, target: str, customer_id: str | None, parse: Callable[[Any], T]) -> T:
        hit, value = self._cached(target)
        if hit:  # lists are kept as tuples, so no caller can change what others get
            return value  # type: ignore[no-any-return]
        payload = self._request("GET", target, b"")
        try:
            parsed = parse(payload)
        except RecordError as exc:
            raise ExchangeError(
                ExchangeErrorKind.bad_response, f"the exchange's answer is malformed: {exc}"
            ) from None
        owner = customer_id
        if owner is None and isinstance(parsed, list) and parsed:
            owner = getattr(parsed[0], "id", None)
        self._keep(target, owner or "", tuple(parsed) if isinstance(parsed, list) else parsed)
        return parsed

    def _request(self, method: str, target: str, body: bytes) -> object:
        try:
            check_outbound_url(self._origin, allow_private=self.allow_private)
        except OutboundBlocked as exc:
            raise ExchangeError(
                ExchangeErrorKind.forbidden_address, f"the exchange URL is refused: {exc}"
            ) from None
        signed_target = self._prefix + target
        headers = signed_headers(self.key_id, self._secret, method, signed_target, body)
        if body:
            headers["Content-Type"] = "application/json"
        try:
            response = self._http.request(
                method, self._origin + signed_target, content=body or None, headers=headers
            )
        except httpx.TimeoutException:
            raise ExchangeError(
                ExchangeErrorKind.unavailable,
                f"the exchange ({self._host}) did not answer within {self.timeout:g} s",
            ) from None
        except httpx.HTTPError as exc:
            raise ExchangeError(
                ExchangeErrorKind.unavailable,
                f"cannot reach the exchange ({self._host}): {type(exc).__name__}",
            ) from None
        return self._payload(response)

    def _payload(self, response: httpx.Response) -> object:
        status = response.status_code
        if status in (401, 403):
            raise ExchangeError(
                ExchangeErrorKind.unauthorized,
                f"the exchange refused our signature ({status}): check "
                "LEDGERDESK_EXCHANGE_KEY_ID, LEDGERDESK_EXCHANGE_SECRET and the clock"
                + _error_detail(response),
            )
        if status == 404:
            raise ExchangeError(
                ExchangeErrorKind.not_found,
                "the exchange has no such record" + _error_detail(response),
            )
        if status == 429 or status >= 500:
            raise ExchangeError(
                ExchangeErrorKind.unavailable, f"the exchange answered {status}; try again later"
            )
        if status != 200:
            raise ExchangeError(
                ExchangeErrorKind.bad_response,
                f"the exchange answered {status}" + _error_detail(response),
            )
        if len(response.content) > MAX_RESPONSE_BYTES:
            raise ExchangeError(ExchangeErrorKind.bad_response, "the exchange's answer is too big")
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise ExchangeError(
                ExchangeErrorKind.bad_response, "the exchange's answer is not JSON"
            ) from None


def _error_detail(response: httpx.Response) -> str:
    """`` (the exchange says: …)`` from a contract error body, or nothing."""
    try:
        message = str(json.loads(response.content)["error"]["message"])[:200]
    except (ValueError, UnicodeDecodeError, KeyError, TypeError):
        return ""
    return f" (the exchange says: {message})"


def _check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be from 1 to {MAX_LIMIT}")
    return limit


# --- the process's client -----------------------------------------------------------------

EXCHANGE_CACHE = "exchange.customer"
_clients: weakref.WeakSet[ExchangeClient] = weakref.WeakSet()


def _forget_everywhere_here(customer_id: str) -> None:
    for client in list(_clients):
        if customer_id:
            client._forget_here(customer_id)
        else:
            client.clear_cache()


invalidation.register(EXCHANGE_CACHE, _forget_everywhere_here)

_overrides: list[ExchangeClient | None] = []
_overrides_lock = threading.Lock()


def get_exchange() -> ExchangeClient | None:
    """The exchange client the settings describe (one per process, so its cache is shared),
    the one ``override_exchange`` put in place, or None when no exchange is configured."""
    with _overrides_lock:
        if _overrides:
            return _overrides[-1]
    from ledgerdesk.core.settings import get_settings

    s = get_settings()
    if not s.exchange_url:
        return None
    return _client_for(
        s.exchange_url,
        s.exchange_key_id,
        s.exchange_secret,
        s.exchange_timeout,
        s.exchange_allow_private,
        s.exchange_cache_seconds,
    )


@lru_cache(maxsize=4)
def _client_for(
    url: str, key_id: str, secret: str, timeout: float, allow_private: bool, cache: float
) -> ExchangeClient:
    return ExchangeClient(
        url, key_id, secret, timeout=timeout, allow_private=allow_private, cache_seconds=cache
    )


def override_exchange(
    client: ExchangeClient | None,
) -> AbstractContextManager[ExchangeClient | None]:
    """Within the block, ``get_exchange()`` answers ``client`` (None: no exchange), in every
    thread: tests and the demo wiring use it."""
    return _override(client)


@contextmanager
def _override(client: ExchangeClient | None) -> Iterator[ExchangeClient | None]:
    with _overrides_lock:
        _overrides.append(client)
    try:
        yield client
    finally:
        with _overrides_lock:
            # Remove this entry even if overrides were left in another order.
            for index in range(len(_overrides) - 1, -1, -1):
                if _overrides[index] is client:
                    del _overrides[index]
                    break
