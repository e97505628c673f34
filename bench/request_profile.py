"""One request type in process: time, queries and a cProfile of N requests.

    python -m bench.request_profile signaal-identified --requests 200
    python -m bench.request_profile caselist --profile 25        # top 25 by cumulative time

Runs the production WSGI application (``toegang.wsgi``: the whole middleware stack, as
gunicorn calls it) in this process on the seed of ``bench.load`` (consulenten with
casussen, partner API clients): no server, no sockets, one thread. It prepares, once,
a PostgreSQL database (``--database-url``, default ``toegang_profile``) with a fresh key
ring in ``--folder``; ``--fresh`` starts over. Prints per request the median and p95
wall time and the number of queries, and with ``--profile`` the cProfile table.
Asserts nothing; figures are for comparing before and after in one run.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench.load import (
    ROOT,
    _env,
    _fresh_database,
    _generate_keyring,
    _manage,
    parse_with_targets,
)

KINDS = (
    "healthz",
    "me",
    "signaal-anoniem",
    "signaal-identified",
    "caselist",
    "caselist-html",
    "casus",
)


def _prepare(args: argparse.Namespace) -> dict[str, str]:
    folder: Path = args.folder
    env = _env(args, folder)
    if args.fresh or not (folder / "consulenten.txt").exists():
        (folder / "var" / "static").mkdir(parents=True, exist_ok=True)
        (folder / "keyring.json").unlink(missing_ok=True)
        _fresh_database(args.database_url)
        _generate_keyring(folder)
        _manage(env, "migrate", "--noinput", "-v", "0")
        subprocess.run(
            [
                sys.executable, "-m", "bench.load_seed", str(folder),
                "--partners", "20", "--consulenten", "4", "--casussen", "15",
            ],
            cwd=ROOT, env=env, check=True, timeout=900,
        )  # fmt: skip
        # A stable SECRET_KEY for the sessions of the HTML list.
        (folder / "secret_key").write_text(env["SECRET_KEY"])
    env["SECRET_KEY"] = (folder / "secret_key").read_text()
    _manage(env, "migrate", "--noinput", "-v", "0")  # the code may be newer than the data
    return env


def _environ(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": "127.0.0.1",
    }
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
        else:
            environ[f"HTTP_{key}"] = value
    return environ


def _session_cookie(username: str) -> str:
    """A logged-in, second-factor-verified session of ``username`` (as after the login)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from toegang.identity import sessions
    from toegang.models import User

    user = User.objects.get(username=username)
    now = int(time.time())
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[sessions.AUTH_AT] = now
    store[sessions.LAST_SEEN] = now
    store[sessions.GENERATION] = user.sessie_generatie
    store[DEVICE_ID_SESSION_KEY] = "bench"
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def _requests(kind: str, folder: Path) -> Iterator[dict[str, Any]]:
    partners = (folder / "partners.txt").read_text().split()
    consulenten = [
        line.split() for line in (folder / "consulenten.txt").read_text().splitlines() if line
    ]
    counter = itertools.count()
    if kind.startswith("signaal"):
        for n in counter:
            if kind == "signaal-anoniem":
                body = {
                    "toestemming": "zonder_toestemming",
                    "buurt": "Centrum",
                    "leefgebieden": ["eenzaamheid"],
                    "omschrijving": f"Signaal in proces {time.time_ns()}-{n}",
                }
            else:
                body = {
                    "toestemming": "met_toestemming",
                    "inwoner": {
                        "voornaam": "Profiel",
                        "achternaam": f"Inwoner {time.time_ns()}-{n}",
                        "geboortedatum": f"19{n % 99:02d}-0{n % 9 + 1}-1{n % 9}",
                    },
                    "leefgebieden": ["financien"],
                    "omschrijving": "De post stapelt zich op.",
                    "urgent": False,
                }
            yield _environ(
                "POST",
                "/api/v1/signalen",
                {
                    "Authorization": f"Bearer {partners[n % len(partners)]}",
                    "Content-Type": "application/json",
                },
                json.dumps(body).encode(),
            )
    elif kind == "healthz":
        while True:
            yield _environ("GET", "/healthz", {})
    elif kind == "caselist-html":
        from toegang.models import ApiToken
        from toegang.services import token_digest

        token = ApiToken.objects.select_related("user").get(digest=token_digest(consulenten[0][0]))
        cookie = _session_cookie(token.user.username)
        while True:
            yield _environ("GET", "/casussen/", {"Cookie": cookie})
    else:
        for n in counter:
            token, casus = consulenten[n % len(consulenten)]
            path = {"me": "/api/v1/me", "caselist": "/api/v1/casussen"}.get(
                kind, f"/api/v1/casussen/{casus}"
            )
            yield _environ("GET", path, {"Authorization": f"Bearer {token}"})


def _call(app: Callable[..., Any], environ: dict[str, Any]) -> tuple[str, bytes]:
    status: list[str] = []

    def start_response(s: str, _headers: list[Any], _exc: Any = None) -> None:
        status.append(s)

    chunks = app(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return status[0], body


def _package(filename: str) -> str:
    """``django.db``, ``psycopg``, ``toegang.api``... for a profiled function's file."""
    if "site-packages/" in filename:
        parts = filename.split("site-packages/", 1)[1].split("/")
    elif filename.startswith(str(ROOT)):
        parts = filename[len(str(ROOT)) + 1 :].split("/")
    else:
        return "python" if filename.startswith(("/", "<frozen")) else "builtin"
    if parts[0] in ("django", "toegang", "casussen", "signalen", "audit") and len(parts) > 2:
        return ".".join(parts[:2])
    return parts[0].removesuffix(".py")


def _by_package(stats: pstats.Stats, requests: int) -> None:
    """Own time per package, per request: where the CPU goes, without a hot spot."""
    totals: dict[str, float] = {}
    for (filename, _line, _name), row in stats.stats.items():  # type: ignore[attr-defined]
        totals[_package(filename)] = totals.get(_package(filename), 0.0) + row[2]
    print("own time per request by package (ms):")
    for package, seconds in sorted(totals.items(), key=lambda item: -item[1])[:25]:
        print(f"  {package:<28} {seconds / requests * 1000:7.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--profile", type=int, default=0, help="print the top N of cProfile")
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="profile on this process's CPU time: waits for PostgreSQL count as nothing",
    )
    parser.add_argument("--fresh", action="store_true", help="a new database and key ring")
    parser.add_argument(
        "--folder", type=Path, default=Path(tempfile.gettempdir()) / "toegang-profile"
    )
    args = parse_with_targets(parser, "PROFILE", "toegang_profile")
    args.folder.mkdir(parents=True, exist_ok=True)
    os.environ.update(_prepare(args))

    from django.db import connection

    from toegang.wsgi import application

    requests = _requests(args.kind, args.folder)
    for _ in range(args.warmup):
        status, body = _call(application, next(requests))
        if not status.startswith(("200", "201")):
            print(f"warm-up answered {status}: {body[:300]!r}", file=sys.stderr)
            return 1
    # Counted with an execute wrapper: the request's start resets Django's query log.
    captured: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        captured.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        _call(application, next(requests))
    times = []
    cpu_start = time.process_time()
    timer = time.process_time if args.cpu else time.perf_counter
    profiler = cProfile.Profile(timer) if args.profile else None
    for _ in range(args.requests):
        environ = next(requests)
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        status, _body = _call(application, environ)
        if profiler:
            profiler.disable()
        times.append(time.perf_counter() - start)
        if not status.startswith(("200", "201")):
            print(f"answered {status}", file=sys.stderr)
            return 1
    cpu = (time.process_time() - cpu_start) / len(times)
    ordered = sorted(times)
    print(
        f"{args.kind}: {len(times)} requests, median {statistics.median(ordered) * 1000:.2f} ms, "
        f"p95 {ordered[int(len(ordered) * 0.95) - 1] * 1000:.2f} ms, "
        f"CPU of this process {cpu * 1000:.2f} ms per request, "
        f"{len(captured)} queries"
    )
    if os.environ.get("PROFILE_SQL"):
        for sql in captured:
            print("  ", sql if os.environ.get("PROFILE_SQL") == "full" else sql[:240])
    if profiler:
        stats = pstats.Stats(profiler)
        calls = stats.total_calls  # type: ignore[attr-defined]
        print(f"function calls per request: {calls / len(times):.0f} (steady, unlike the times)")
        _by_package(stats, len(times))
        stats.sort_stats(args.sort).print_stats(args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
