"""The client's address, for rate limits and logs: one function, used everywhere.

``X-Forwarded-For`` is believed only as far as it was written by a proxy we trust
(``LEDGERDESK_TRUSTED_PROXIES``): the header is read from the right, each trusted hop is
skipped, and the first address that is not a trusted proxy is the client, as uvicorn's
``ProxyHeadersMiddleware`` and werkzeug's ``ProxyFix`` do. Anything further left was written by
the client itself and is ignored, so a forged header cannot give an attacker a fresh address
per request. With no trusted proxy configured (the default) the header is ignored entirely.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.requests import HTTPConnection

from ledgerdesk.core.settings import IpNetwork

UNKNOWN = "unknown"


def client_address(request: HTTPConnection) -> str:
    """The address of whoever sent ``request`` (the peer, or what trusted proxies report); a
    websocket's too."""
    peer = request.client.host if request.client else UNKNOWN
    trusted: Sequence[IpNetwork] = request.app.state.settings.trusted_proxies
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    forwarded = [
        hop.strip()
        for header in request.headers.getlist("x-forwarded-for")
        for hop in header.split(",")
        if hop.strip()
    ]
    return forwarded_client(peer, forwarded, trusted)


def forwarded_client(peer: str, forwarded: Sequence[str], trusted: Sequence[IpNetwork]) -> str:
    """The client behind the trusted ``peer``: the rightmost hop of ``forwarded`` that is not
    a trusted proxy (the leftmost hop when all are trusted; the last trusted hop when the
    first untrusted one is not an address, since a trusted proxy would not write that)."""
    nearest = peer
    for hop in reversed(forwarded):
        address = _parse(hop)
        if address is None:
            return nearest
        if not _is_trusted(address, trusted):
            return address
        nearest = address
    return nearest


def _parse(hop: str) -> str | None:
    try:
        return str(ipaddress.ip_address(hop))
    except ValueError:
        return None


def _is_trusted(address: str, trusted: Sequence[IpNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:  # "testclient", a Unix socket path
        return False
    return any(ip.version == net.version and ip in net for net in trusted)
