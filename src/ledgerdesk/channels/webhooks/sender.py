"""One delivery attempt: resolve the host once, check every address it resolves to
(``core.outbound``: private, loopback and reserved addresses are refused unless
``LEDGERDESK_WEBHOOKS_ALLOW_PRIVATE``), then connect to the checked address itself, so a DNS
answer that changes between check and connect (DNS rebinding) cannot reach an internal host.
TLS still verifies the certificate against the URL's host name (sent as SNI). Redirects are
not followed: a 3xx is a failed attempt."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

import ledgerdesk
from ledgerdesk.channels.webhooks.signing import SIGNATURE_HEADER, sign
from ledgerdesk.core.outbound import OutboundBlocked, check_outbound_url

USER_AGENT = f"ledgerdesk-webhooks/{ledgerdesk.__version__}"


@dataclass(frozen=True)
class Attempt:
    """What one attempt found: ``ok`` for a 2xx; ``error`` says why not, without the URL's
    path or query (they may carry a receiver's token) and never the secret."""

    ok: bool
    status_code: int | None
    error: str | None
    duration_ms: int


def resolve(url: str, *, allow_private: bool) -> list[str]:
    """The addresses to connect to: the URL's host resolved once, every address checked."""
    host = check_outbound_url(url, allow_private=True)  # scheme and host; no lookup yet
    port = urlsplit(url).port or 443
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundBlocked(f"cannot resolve {host}: {exc}") from None
    addresses = [str(info[4][0]) for info in infos]
    if not allow_private:
        for address in addresses:
            literal = f"[{address}]" if ":" in address else address
            try:
                check_outbound_url(f"http://{literal}/", allow_private=False)
            except OutboundBlocked:
                raise OutboundBlocked(
                    f"{host} resolves to {address}, a private, loopback or reserved address; "
                    "set LEDGERDESK_WEBHOOKS_ALLOW_PRIVATE=true if that is intended"
                ) from None
    return list(dict.fromkeys(addresses))  # each once, in the resolver's order


def _pinned_request(
    client: httpx.Client, url: str, address: str, headers: dict[str, str], body: bytes
) -> httpx.Request:
    original = httpx.URL(url)
    request = client.build_request(
        "POST", original.copy_with(host=address), headers=headers, content=body
    )
    request.headers["Host"] = original.netloc.decode("ascii")
    if original.scheme == "https":
        request.extensions["sni_hostname"] = original.host
    return request


def post(
    url: str,
    secret: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float,
    allow_private: bool,
    now: float | None = None,
) -> Attempt:
    """POST ``body`` to ``url``, signed with ``secret`` at ``now`` (unix seconds)."""
    started = time.monotonic()
    stamp = int(now if now is not None else time.time())
    sent = {
        **headers,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: sign(secret, stamp, body),
    }
    try:
        response = _send(url, resolve(url, allow_private=allow_private), sent, body, timeout)
    except OutboundBlocked as exc:
        return Attempt(False, None, f"refused: {exc}", _ms(started))
    except httpx.TimeoutException:
        return Attempt(False, None, f"timed out after {timeout:g} s", _ms(started))
    except httpx.HTTPError as exc:
        return Attempt(False, None, f"{type(exc).__name__}: {exc}"[:300], _ms(started))
    code = response.status_code
    if 200 <= code < 300:
        return Attempt(True, code, None, _ms(started))
    if 300 <= code < 400:
        return Attempt(False, code, f"HTTP {code}: redirects are not followed", _ms(started))
    return Attempt(False, code, f"HTTP {code}", _ms(started))


def _send(
    url: str, addresses: list[str], headers: dict[str, str], body: bytes, timeout: float
) -> httpx.Response:
    """Send to the first checked address that accepts a connection (an IPv6 address the
    network cannot reach falls back to the IPv4 one, as a browser would)."""
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for address in addresses[:-1]:
            try:
                return client.send(_pinned_request(client, url, address, headers, body))
            except httpx.ConnectError:
                continue
        return client.send(_pinned_request(client, url, addresses[-1], headers, body))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
