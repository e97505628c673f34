"""The client address behind trusted proxies, for the WSGI server (gunicorn).

uvicorn rewrites ``REMOTE_ADDR`` from ``X-Forwarded-For`` for the peers in
``--forwarded-allow-ips``; gunicorn does not. ``TrustedProxies`` does the same for WSGI,
so every entrance sees the client as the first untrusted hop, counted from the right
(what the proxy itself appended), and a header sent by anyone else is ignored.
``TRUSTED_PROXIES`` takes addresses and networks (``172.28.0.10``, ``10.0.0.0/8``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(entries: Iterable[str]) -> list[Network]:
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip()]


def _trusted(address: str, trusted: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(peer: str, forwarded_for: str, trusted: list[Network]) -> str:
    """``peer`` unless it is a trusted proxy; then the rightmost untrusted forwarded hop."""
    if not forwarded_for or not _trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer


class TrustedProxies:
    """WSGI middleware: ``REMOTE_ADDR`` (and the scheme) as the trusted proxy reported them."""

    def __init__(self, app: Callable[..., Any], trusted: Iterable[str]) -> None:
        self.app = app
        self.trusted = networks(trusted)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        peer = environ.get("REMOTE_ADDR", "")
        if self.trusted and _trusted(peer, self.trusted):
            environ["REMOTE_ADDR"] = client_address(
                peer, environ.get("HTTP_X_FORWARDED_FOR", ""), self.trusted
            )
        else:
            # Only a trusted proxy may say the request came over TLS.
            environ.pop("HTTP_X_FORWARDED_PROTO", None)
            environ.pop("HTTP_X_FORWARDED_FOR", None)
        return self.app(environ, start_response)
