"""Outbound requests must not reach private networks unless the operator allows it.

A node URL or an exchange URL comes from configuration, but a mistyped or hostile one
(``http://169.254.169.254/``, ``http://localhost:6379/``) must not turn the desk into a probe of
its own network. Every host name is resolved and every address it resolves to is checked.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


class OutboundBlocked(ValueError):
    """The URL is not http(s), has no host, or resolves to a non-public address."""


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_outbound_url(url: str, *, allow_private: bool = False) -> str:
    """Return the URL's host after checking scheme, host and, unless ``allow_private``, that
    every address the host resolves to is public. Raises OutboundBlocked with a message that
    names the host (never the path, which may carry an API key)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise OutboundBlocked(f"'{parts.scheme or url[:20]}' is not http or https")
    host = parts.hostname
    if not host:
        raise OutboundBlocked("the URL has no host")
    if allow_private:
        return host
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundBlocked(f"cannot resolve {host}: {exc}") from None
    for info in infos:
        address = str(info[4][0])
        if not _is_public(address):
            raise OutboundBlocked(
                f"{host} resolves to {address}, a private, loopback or reserved address; "
                "allow private addresses for this endpoint if that is intended"
            )
    return host
