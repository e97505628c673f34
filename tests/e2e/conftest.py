"""Browser tests: Playwright drives Debian's Chromium against a real ASGI server.

The server is uvicorn in a thread of the test process, so it shares the test
database and channel layer. Without Chromium the tests skip, unless
``REQUIRE_BROWSER=1`` (CI) makes that an error.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop in the test thread; Django's ORM calls in
# the tests themselves are still synchronous (documented pytest-django workaround).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(config, items):
    missing = [p for p in (CHROMIUM, str(AXE)) if not Path(p).exists()]
    if not missing:
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(
            f"Browser tests need {', '.join(missing)} (run `make browser-deps`)"
        )
    skip = pytest.mark.skip(reason=f"missing {', '.join(missing)}")
    for item in items:
        if "e2e" in str(item.fspath):
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def asgi_server(django_db_setup, django_db_blocker) -> Iterator[str]:
    import uvicorn

    from toegang.asgi import application

    port = _free_port()
    config = uvicorn.Config(
        application,
        host="127.0.0.1",
        port=port,
        log_config=None,
        lifespan="off",
        access_log=False,
        ws="websockets-sansio",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)
    with django_db_blocker.unblock():
        _drop_server_connections()


def _drop_server_connections() -> None:
    """End the server threads' database sessions so the test database can be dropped."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    # The pool's idle connections were among them: start a fresh pool, not a dead one.
    connection.close()
    if hasattr(connection, "close_pool"):
        connection.close_pool()


@pytest.fixture
def demo(server) -> str:
    """The base URL of a server whose database holds the demo data (`manage.py demo`)."""
    from io import StringIO

    from django.core.management import call_command

    call_command("demo", stdout=StringIO())
    return server


@pytest.fixture
def relay_running(demo):
    """The worker jobs (relay among them) in a thread, as in the embedded default."""
    from toegang import worker

    stop = worker.start_in_thread()
    yield
    stop.set()
    for thread in threading.enumerate():
        if thread.name == "toegang-worker":
            thread.join(timeout=10)  # it closes its database connection on the way out


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def server(asgi_server, transactional_db) -> str:
    """The base URL, with a database whose writes the server thread can see."""
    return asgi_server


@pytest.fixture
def page(browser):
    """A desktop page under the site's own CSP (no ``bypass_csp``)."""
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(
        locale="nl-NL", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def serious_axe_violations(page) -> list[dict]:
    """Run axe-core (WCAG 2.1 A/AA) on the page; return serious and critical violations."""
    # Evaluated over the DevTools protocol, not as an inline <script>: the strict CSP
    # of the pages refuses inline scripts, also this one.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
        })"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def log_in(page, base_url: str, username: str, password: str) -> None:
    """Password and, where the user needs one, the TOTP code (see tests/auth.py)."""
    from tests.auth import log_in as log_in_user
    from toegang.models import User

    log_in_user(page, User.objects.get(username=username), password=password, base_url=base_url)
