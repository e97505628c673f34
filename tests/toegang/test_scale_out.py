"""Two of everything: two web processes and two relays on one PostgreSQL and Redis.

Each web process is a real uvicorn on its own port, each relay a real
``manage.py relay``. A consultant has a websocket open on each web process; partner
signals are posted to both, one relay is killed halfway, and every socket still gets
every event for its user exactly once, whichever process took the request.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from websockets.sync.client import connect

from django.conf import settings
from django.db import connection

from signalen.services import partner_client_create
from tests.signalen import factories
from toegang.events.models import OutboxEvent
from toegang.roles import Rol
from toegang.services import api_token_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SIGNALS_PER_HALF = 6
#: Bounds on waiting (not assertions on time): start-up, and all events arriving.
START_TIMEOUT = 60.0
DELIVERY_TIMEOUT = 60.0


@pytest.fixture
def shared_services():
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("two processes share state only through PostgreSQL and Redis")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(var_dir: str) -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.toegang.scale_out_settings",
        DATABASE_URL=url,
        REDIS_URL=settings.REDIS_URL,
        KEYRING_FILE=settings.KEYRING_FILE,
        VAR_DIR=var_dir,
        PYTHONPATH=str(ROOT),
    )
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


class Processes:
    """Child processes, each stopped at the end (killed if it does not stop)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.children: list[subprocess.Popen[bytes]] = []
        self.logs = Path(env["VAR_DIR"])

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        log = self.logs / f"child-{len(self.children)}.log"
        with log.open("wb") as out:
            child = subprocess.Popen(
                [sys.executable, *args], cwd=ROOT, env=self.env, stdout=out, stderr=out
            )
        self.children.append(child)
        return child

    def output(self) -> str:
        """The tail of every child's output, for a failing assertion."""
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-1500:]}"
            for path in sorted(self.logs.glob("child-*.log"))
        )

    def web(self, port: int) -> None:
        self.start(
            "-m", "uvicorn", "toegang.asgi:application", "--host", "127.0.0.1",
            "--port", str(port), "--lifespan", "off", "--log-level", "warning",
        )  # fmt: skip

    def relay(self) -> subprocess.Popen[bytes]:
        return self.start("manage.py", "relay", "--no-webhooks", "--poll-interval", "0.2")

    def stop(self) -> None:
        for child in self.children:
            if child.poll() is None:
                child.terminate()
        for child in self.children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(timeout=10)


def _wait_for(port: int) -> None:
    """Until the web process answers its health check (database and channel layer)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"no healthy web process on port {port}")


class Socket:
    """A consultant's websocket; a thread collects the event ids of signal events."""

    def __init__(self, port: int, token: str) -> None:
        self._stack = contextlib.ExitStack()
        self.ws = self._stack.enter_context(
            connect(
                f"ws://127.0.0.1:{port}/ws/",
                additional_headers={"Authorization": f"Bearer {token}"},
                open_timeout=20,
            )
        )
        hello = json.loads(self.ws.recv(timeout=20))
        assert hello["type"] == "live.hello"
        self.event_ids: list[int] = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            for raw in self.ws:
                message = json.loads(raw)
                if message.get("type") == "signaal.ontvangen":
                    self.event_ids.append(message["event_id"])
        except Exception:  # the socket closes at the end of the test
            return

    def close(self) -> None:
        self._stack.close()
        self.thread.join(10)


def _post_signal(port: int, token: str) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/signalen",
        data=json.dumps(factories.anoniem()).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (loopback)
        assert answer.status == 201


def _wait_until(condition) -> None:
    deadline = time.monotonic() + DELIVERY_TIMEOUT
    while time.monotonic() < deadline and not condition():
        time.sleep(0.2)


def test_two_web_processes_and_two_relays_deliver_each_event_once_to_every_socket(
    shared_services, make_user, gemeente
):
    consulent = make_user(Rol.CONSULENT)  # in the intake team: gets every new signal
    token = api_token_create(user=consulent, naam="live").plaintext
    beheerder = make_user(Rol.BEHEERDER)
    _client, issued = partner_client_create(
        username="partner-schaal", organisatie=factories.inloophuis(), by=beheerder
    )
    partner = issued.plaintext

    port_a, port_b = _free_port(), _free_port()
    processes = Processes(_env(tempfile.mkdtemp(prefix="toegang-scale-")))
    sockets: list[Socket] = []
    try:
        processes.web(port_a)
        processes.web(port_b)
        first_relay = processes.relay()
        processes.relay()
        _wait_for(port_a)
        _wait_for(port_b)
        sockets = [Socket(port_a, token), Socket(port_b, token)]

        for _ in range(SIGNALS_PER_HALF):  # requests on B only: A's socket hears them too
            _post_signal(port_b, partner)
        _wait_until(lambda: all(len(s.event_ids) >= SIGNALS_PER_HALF for s in sockets))
        first_relay.send_signal(signal.SIGKILL)  # no goodbye: its leases must run out
        first_relay.wait(timeout=10)
        for index in range(SIGNALS_PER_HALF):
            _post_signal(port_a if index % 2 else port_b, partner)

        emitted = set(
            OutboxEvent.objects.filter(event_type="signaal.ontvangen").values_list("pk", flat=True)
        )
        assert len(emitted) == 2 * SIGNALS_PER_HALF
        _wait_until(lambda: all(set(s.event_ids) >= emitted for s in sockets))
        time.sleep(1.0)  # room for a (wrong) second copy to arrive before we count
    finally:
        for sock in sockets:
            sock.close()
        processes.stop()

    for name, sock in zip("AB", sockets, strict=True):
        assert sorted(sock.event_ids) == sorted(emitted), (
            f"socket on web process {name}\n{processes.output()}"
        )
    assert not OutboxEvent.objects.filter(pk__in=emitted).exclude(status="delivered").exists()
