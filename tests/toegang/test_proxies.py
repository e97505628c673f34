"""The client address behind trusted proxies on the WSGI server (toegang.proxies)."""

from __future__ import annotations

from toegang.proxies import TrustedProxies, client_address, networks

TRUSTED = networks(["172.28.0.10", "10.1.0.0/16"])


def _environ_seen(trusted: list[str], **environ: str) -> dict:
    seen: dict = {}

    def app(env, start_response):
        seen.update(env)
        return [b""]

    TrustedProxies(app, trusted)(dict(environ), lambda *a: None)
    return seen


def test_a_trusted_proxy_gives_the_rightmost_untrusted_hop():
    assert client_address("172.28.0.10", "198.51.100.4, 10.1.2.3", TRUSTED) == "198.51.100.4"


def test_a_client_cannot_spoof_its_address_through_a_trusted_proxy():
    # The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the real peer.
    assert client_address("172.28.0.10", "1.2.3.4, 203.0.113.9", TRUSTED) == "203.0.113.9"


def test_an_untrusted_peer_keeps_its_own_address():
    assert client_address("203.0.113.9", "1.2.3.4", TRUSTED) == "203.0.113.9"


def test_the_wsgi_middleware_rewrites_remote_addr_only_for_trusted_peers():
    seen = _environ_seen(
        ["127.0.0.1"],
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert seen["REMOTE_ADDR"] == "203.0.113.7"
    assert seen["HTTP_X_FORWARDED_PROTO"] == "https"


def test_forwarded_headers_from_an_untrusted_peer_are_dropped():
    seen = _environ_seen(
        ["127.0.0.1"],
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="1.2.3.4",
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert seen["REMOTE_ADDR"] == "203.0.113.9"
    assert "HTTP_X_FORWARDED_PROTO" not in seen and "HTTP_X_FORWARDED_FOR" not in seen


def test_without_trusted_proxies_nobody_may_claim_tls():
    seen = _environ_seen([], REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    assert "HTTP_X_FORWARDED_PROTO" not in seen
