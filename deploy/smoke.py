"""Smoke check of a running deployment (``deploy/smoke.sh`` starts one on the host).

Run with the deployment's own environment (production settings, the app role):

    python deploy/smoke.py WEB_PORT REALTIME_PORT

It makes a melder with a password and an API token through the services, then,
over HTTP as a browser and a partner system behind a TLS proxy would:
``/healthz`` answers ok for database and channel layer; the login page's form
with its CSRF token logs the melder in, and the audit record has the client address
the proxy forwarded; the realtime server opens a websocket for the melder's token; a
signal posted to the API is accepted; and the worker (another process) delivers the
outbox events it caused.
Prints one line per check; exits non-zero on the first failure.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import sys
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import django

TIMEOUT = 30.0  # seconds for one request
OUTBOX_WAIT = 60.0  # seconds the worker gets to deliver the signal's events
CLIENT_ADDRESS = "203.0.113.7"  # the client as the (simulated) proxy forwards it


class SmokeError(Exception):
    pass


class Browser:
    """HTTP to 127.0.0.1:port as if through a TLS proxy (X-Forwarded-Proto: https).

    Cookies are kept by hand: they are ``Secure``, which a cookie jar would only
    send over https, while this hop is the proxy's plain HTTP.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        sent = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": CLIENT_ADDRESS,
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        sent.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeError(message)


def check_health(browser: Browser) -> None:
    status, _, body = browser.request("GET", "/healthz")
    _check(status == 200, f"/healthz gaf {status}: {body[:300]!r}")
    health = json.loads(body)
    _check(health["database"]["detail"] == "postgresql", f"database: {health['database']}")
    _check(health["channel_layer"]["ok"], f"channel layer: {health['channel_layer']}")
    print("ok  /healthz: database (postgresql) en channel layer")


def check_login(browser: Browser, username: str, password: str) -> None:
    status, _, body = browser.request("GET", "/inloggen/")
    _check(status == 200, f"GET /inloggen/ gaf {status}")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    _check(match is not None and "csrftoken" in browser.cookies, "geen CSRF-token op /inloggen/")
    assert match is not None
    form = {"csrfmiddlewaretoken": match.group(1).decode(), "username": username}
    form["password"] = password
    status, headers, body = browser.request(
        "POST",
        "/inloggen/",
        body=urlencode(form).encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": browser.origin,
            "Referer": f"{browser.origin}/inloggen/",
        },
    )
    _check(status == 302, f"POST /inloggen/ gaf {status}, geen doorverwijzing: {body[:300]!r}")
    _check("/inloggen/" not in headers.get("location", ""), "terug naar het inlogformulier")
    _check("sessionid" in browser.cookies, "geen sessiecookie na het inloggen")
    location = headers["location"]
    for _ in range(5):  # "/" sends each role on to its own start page
        status, headers, _ = browser.request("GET", location)
        if status != 302:
            break
        location = headers["location"]
        _check("/inloggen/" not in location, "na inloggen terug naar het inlogformulier")
    _check(status == 200, f"startpagina na inloggen ({location}) gaf {status}")
    print("ok  inloggen met CSRF-token, sessie, startpagina")


def check_client_address(username: str) -> None:
    from audit.models import AuditRecord

    seen = (
        AuditRecord.objects.filter(username=username)
        .order_by("-id")
        .values_list("ip_adres", flat=True)
        .first()
    )
    _check(seen == CLIENT_ADDRESS, f"auditregel met clientadres {seen!r}, niet {CLIENT_ADDRESS}")
    print("ok  auditregel met het clientadres dat de proxy doorgaf")


def check_live(port: int, token: str) -> None:
    import asyncio

    from websockets.asyncio.client import connect

    async def hello() -> dict:
        async with connect(
            f"ws://127.0.0.1:{port}/ws/",
            additional_headers=[("Authorization", f"Bearer {token}")],
            open_timeout=TIMEOUT,
        ) as ws:
            return dict(json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT)))

    try:
        first = asyncio.run(hello())
    except Exception as exc:  # any failure to connect is the finding
        raise SmokeError(f"websocket op de realtime-server: {exc.__class__.__name__}") from None
    _check(first.get("type") == "live.hello", f"websocket gaf eerst {first.get('type')!r}")
    print("ok  websocket op de realtime-server (live.hello)")


def check_signal(browser: Browser, token: str) -> None:
    from toegang.events.models import OutboxEvent

    before = OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    signal = {
        "toestemming": "zonder_toestemming",
        "buurt": "Rookproef",
        "leefgebieden": ["eenzaamheid"],
        "omschrijving": "Rookproef van de deployment: geen echte melding.",
    }
    status, _, body = browser.request(
        "POST",
        "/api/v1/signalen",
        body=json.dumps(signal).encode(),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": secrets.token_hex(16),
        },
    )
    _check(status == 201, f"POST /api/v1/signalen gaf {status}: {body[:300]!r}")
    print("ok  signaal via de API aangenomen (201)")

    deadline = time.monotonic() + OUTBOX_WAIT
    while True:
        events = list(OutboxEvent.objects.filter(id__gt=before).values_list("status", flat=True))
        if events and all(s == OutboxEvent.Status.DELIVERED for s in events):
            break
        if time.monotonic() > deadline:
            raise SmokeError(f"de worker leverde de outbox niet af: {events}")
        time.sleep(0.5)
    print(f"ok  worker leverde {len(events)} outbox-gebeurtenis(sen) af")


def make_melder() -> tuple[str, str, str]:
    from toegang.models import Organisatie, Team
    from toegang.roles import Rol
    from toegang.services import api_token_create, user_create

    # Signals land with a team of the gemeente; a fresh deployment's beheerder makes one.
    gemeente, _ = Organisatie.objects.get_or_create(
        naam="Gemeente Rookproef", defaults={"soort": Organisatie.Soort.GEMEENTE}
    )
    Team.objects.get_or_create(naam="Brede Toegang Rookproef", organisatie=gemeente)
    organisatie, _ = Organisatie.objects.get_or_create(
        naam="Inloophuis Rookproef",
        defaults={"soort": Organisatie.Soort.INLOOPHUIS, "buurt": "Rookproef"},
    )
    username, password = f"rookproef-{secrets.token_hex(4)}", secrets.token_urlsafe(18)
    user = user_create(
        username=username, password=password, rol=Rol.MELDER, organisatie=organisatie
    )
    return username, password, api_token_create(user=user, naam="rookproef").plaintext


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("gebruik: python deploy/smoke.py WEBPOORT REALTIMEPOORT", file=sys.stderr)
        return 2
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toegang.settings.production")
    django.setup()
    browser = Browser(int(argv[1]))
    try:
        check_health(browser)
        username, password, token = make_melder()
        check_login(browser, username, password)
        check_client_address(username)
        check_live(int(argv[2]), token)
        check_signal(Browser(browser.port), token)
    except SmokeError as exc:
        print(f"FOUT {exc}", file=sys.stderr)
        return 1
    print("rookproef geslaagd")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
