"""Load harness: the production topology on this machine, driven by wrk over loopback.

    make load            # or: python -m bench.load [--duration 10] [--connections 16 64]

It starts everything itself: a fresh PostgreSQL database (``LOAD_DATABASE_URL``,
default ``postgres://postgres@127.0.0.1:5432/toegang_load``, dropped and created), Redis
(``LOAD_REDIS_URL``, default db 15, flushed), the production settings with a freshly
generated key ring in a temporary folder, uvicorn with ``--web-workers`` processes
(default 2) and ``manage.py worker``. It seeds the demo organisations, partner API
clients and consulenten with casussen, then runs wrk per request type and connection
count:

* ``me``: the floor, the cheapest authenticated API request (``GET /api/v1/me``:
  token look-up, one small serializer, no audit record);
* ``healthz`` (only with ``--kinds``): database and channel-layer round trip;
* ``signaal-anoniem`` and ``signaal-identified``: partner systems posting signals, each
  body unique (identified: a new resident per request);
* ``caselist``: a consultant's case list (``GET /api/v1/casussen``, token auth);
* ``casus``: a consultant opening one of their casussen.

It prints per type: requests/s, p50/p95/p99 latency, HTTP errors (status >= 400),
socket errors, the peak number of PostgreSQL connections of the run, and throughput
as a ratio of the ``me`` floor at the same connection count. ``--compare-no-pool``
runs the signal types once more with ``DATABASE_POOL=False`` (``CONN_MAX_AGE=0``).
Every run is bounded by ``--duration``; only loopback addresses are targeted.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
#: The request type every other one is compared with, per connection count.
FLOOR = "me"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

_LUA_COMMON = r"""
local lines = {}
for line in io.lines("%(file)s") do lines[#lines + 1] = line end
local counter = 0
local threads = {}
local nextid = 1
math.randomseed(os.time())

function setup(thread)
  thread:set("tid", nextid)
  nextid = nextid + 1
  table.insert(threads, thread)
end

local function pick()
  return lines[math.random(#lines)]
end

function done(summary, latency, requests)
  io.write(string.format(
    'LOADRESULT {"requests":%%d,"duration_us":%%d,"status":%%d,"connect":%%d,' ..
    '"read":%%d,"write":%%d,"timeout":%%d,"p50":%%d,"p95":%%d,"p99":%%d}\n',
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""

_LUA_REQUEST = {
    "healthz": r"""
function request()
  return wrk.format("GET", "/healthz")
end
""",
    "me": r"""
function request()
  local token = pick():match("^(%%S+)")
  return wrk.format("GET", "/api/v1/me", {["Authorization"] = "Bearer " .. token})
end
""",
    "signaal-anoniem": r"""
function request()
  counter = counter + 1
  local body = string.format(
    '{"toestemming":"zonder_toestemming","buurt":"Centrum","leefgebieden":["eenzaamheid"],' ..
    '"omschrijving":"Signaal onder last %%d-%%d-%%d"}', tid, counter, math.random(1000000))
  return wrk.format("POST", "/api/v1/signalen",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. pick()}, body)
end
""",
    "signaal-identified": r"""
function request()
  counter = counter + 1
  local body = string.format(
    '{"toestemming":"met_toestemming","inwoner":{"voornaam":"Last","achternaam":' ..
    '"Inwoner %%d-%%d-%%d","geboortedatum":"19%%02d-0%%d-1%%d"},"leefgebieden":["financien"],' ..
    '"omschrijving":"De post stapelt zich op.","urgent":false}',
    tid, counter, math.random(1000000), math.random(99) - 1, math.random(9), math.random(9) - 1)
  return wrk.format("POST", "/api/v1/signalen",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. pick()}, body)
end
""",
    "caselist": r"""
function request()
  local token = pick():match("^(%%S+)")
  return wrk.format("GET", "/api/v1/casussen", {["Authorization"] = "Bearer " .. token})
end
""",
    "casus": r"""
function request()
  local token, casus = pick():match("^(%%S+) (%%S+)$")
  return wrk.format("GET", "/api/v1/casussen/" .. casus, {["Authorization"] = "Bearer " .. token})
end
""",
}

_FILES = {
    "healthz": "partners.txt",
    "me": "consulenten.txt",
    "signaal-anoniem": "partners.txt",
    "signaal-identified": "partners.txt",
    "caselist": "consulenten.txt",
    "casus": "consulenten.txt",
}


@dataclass
class Result:
    kind: str
    connections: int
    variant: str
    figures: dict[str, Any] = field(default_factory=dict)
    peak_connections: int = 0

    @property
    def rps(self) -> float:
        seconds = self.figures.get("duration_us", 0) / 1e6
        return self.figures.get("requests", 0) / seconds if seconds else 0.0

    @property
    def socket_errors(self) -> int:
        return sum(self.figures.get(k, 0) for k in ("connect", "read", "write", "timeout"))


def _require_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    if host not in LOOPBACK:
        raise SystemExit(f"bench.load targets loopback only, not {host!r}")


def _fresh_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _drop_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


class ConnectionSampler:
    """Counts the bench database's PostgreSQL connections every 0.2 s; keeps the peak."""

    def __init__(self, url: str) -> None:
        import psycopg

        base, self.name = url.rsplit("/", 1)
        self.conn = psycopg.connect(f"{base}/postgres", autocommit=True)
        self.peak = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _count(self) -> int:
        row = self.conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [self.name]
        ).fetchone()
        return int(row[0]) if row else 0

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, self._count())

    def __enter__(self) -> ConnectionSampler:
        self.peak = self._count()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def now(self) -> int:
        return self._count()

    def close(self) -> None:
        self.conn.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(port: int, timeout: float = 90) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the web processes did not become healthy")


def _manage(env: dict[str, str], *args: str, timeout: float = 600) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, timeout=timeout
    )


class Topology:
    """uvicorn with N worker processes and ``manage.py worker``, stopped on exit."""

    def __init__(self, env: dict[str, str], web_workers: int) -> None:
        self.env = env
        self.web_workers = web_workers
        self.port = _free_port()
        self.procs: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Topology:
        web = [
            sys.executable, "-m", "uvicorn", "toegang.asgi:application",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--workers", str(self.web_workers),
            "--lifespan", "off", "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip
        self.procs.append(subprocess.Popen(web, cwd=ROOT, env=self.env))
        worker = [sys.executable, "manage.py", "worker"]
        self.procs.append(subprocess.Popen(worker, cwd=ROOT, env=self.env))
        _wait_ready(self.port)
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def _wrk(port: int, script: Path, connections: int, duration: int, threads: int) -> dict[str, Any]:
    command = [
        "wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{duration}s",
        "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}",
    ]  # fmt: skip
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 60, check=False
    )
    for line in done.stdout.splitlines():
        if line.startswith("LOADRESULT "):
            return dict(json.loads(line.removeprefix("LOADRESULT ")))
    raise RuntimeError(f"wrk gave no result: {done.stdout[-500:]} {done.stderr[-500:]}")


def _scripts(folder: Path) -> dict[str, Path]:
    paths = {}
    for kind, body in _LUA_REQUEST.items():
        path = folder / f"{kind}.lua"
        common = _LUA_COMMON % {"file": folder / _FILES[kind]}
        path.write_text(common + (body % {}))
        paths[kind] = path
    return paths


def _env(args: argparse.Namespace, folder: Path, *, pool: bool) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "KEYRING", "SECRET_KEY", "DJANGO_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "toegang.settings.production",
            "DATABASE_URL": args.database_url,
            "REDIS_URL": args.redis_url,
            "KEYRING_FILE": str(folder / "keyring.json"),
            "SECRET_KEY": secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "False",  # plain HTTP on loopback, no proxy in front
            "LOG_LEVEL": "WARNING",
            "DATABASE_POOL": "True" if pool else "False",
            "VAR_DIR": str(folder / "var"),
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def _generate_keyring(folder: Path) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "toegang.settings.test"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    _manage(env, "keyring_generate", "--output", str(folder / "keyring.json"))


def _flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def _run_variant(
    args: argparse.Namespace,
    folder: Path,
    scripts: dict[str, Path],
    sampler: ConnectionSampler,
    *,
    pool: bool,
    kinds: list[str],
) -> list[Result]:
    variant = "pool" if pool else "no pool"
    results = []
    with Topology(_env(args, folder, pool=pool), args.web_workers) as topology:
        for connections in args.connections:
            for kind in kinds:
                # A short warm-up per type (imports, caches, pool fill), not measured.
                _wrk(topology.port, scripts[kind], min(connections, 8), 2, args.threads)
                with sampler:
                    figures = _wrk(
                        topology.port, scripts[kind], connections, args.duration, args.threads
                    )
                results.append(Result(kind, connections, variant, figures, sampler.peak))
                print(_row(results[-1], None), flush=True)
    return results


def _ms(us: float) -> str:
    return f"{us / 1000:.1f}"


def _row(result: Result, floor: Result | None) -> str:
    f = result.figures
    ratio = f"{result.rps / floor.rps:.2f}" if floor and floor.rps else "-"
    return (
        f"{result.kind:<20} {result.variant:<8} {result.connections:>5} {result.rps:>9.1f} "
        f"{_ms(f['p50']):>8} {_ms(f['p95']):>8} {_ms(f['p99']):>8} {f['status']:>7} "
        f"{result.socket_errors:>7} {result.peak_connections:>7} {ratio:>7}"
    )


HEADER = (
    f"{'type':<20} {'variant':<8} {'conns':>5} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} "
    f"{'p99 ms':>8} {'>=400':>7} {'sockerr':>7} {'pg peak':>7} {'x floor':>7}"
)


def _table(results: list[Result]) -> None:
    print()
    print("Load run: uvicorn workers, worker, PostgreSQL and Redis on this machine (loopback)")
    print(HEADER)
    for result in results:
        floor = next(
            (
                r
                for r in results
                if r.kind == FLOOR
                and r.connections == result.connections
                and r.variant == result.variant
            ),
            None,
        )
        print(_row(result, floor))
    print(
        f"x floor: throughput as a ratio of {FLOOR!r} (GET /api/v1/me) at "
        "the same connection count. pg peak: most PostgreSQL connections to the bench "
        "database during that run (web processes and worker; the sampler not counted)."
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per run")
    parser.add_argument("--connections", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--partners", type=int, default=300)
    parser.add_argument("--consulenten", type=int, default=40)
    parser.add_argument("--casussen", type=int, default=15, help="per consulent")
    parser.add_argument(
        "--kinds",
        nargs="+",
        default=["me", "signaal-anoniem", "signaal-identified", "caselist", "casus"],
        choices=_LUA_REQUEST,
    )
    parser.add_argument("--compare-no-pool", action="store_true")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/toegang_load"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/15")
    )
    args = parser.parse_args()
    _require_loopback(args.database_url)
    _require_loopback(args.redis_url)
    if shutil.which("wrk") is None:
        print("wrk ontbreekt: installeer het met 'apt-get install -y wrk'.", file=sys.stderr)
        return 2

    folder = Path(tempfile.mkdtemp(prefix="toegang-load-"))
    (folder / "var" / "static").mkdir(parents=True)
    try:
        print(
            f"Fresh database {args.database_url.rsplit('/', 1)[1]}, Redis flushed, keys in {folder}"
        )
        _fresh_database(args.database_url)
        _flush_redis(args.redis_url)
        _generate_keyring(folder)
        env = _env(args, folder, pool=True)
        _manage(env, "migrate", "--noinput", "-v", "0")
        started = time.monotonic()
        subprocess.run(
            [
                sys.executable, "-m", "bench.load_seed", str(folder),
                "--partners", str(args.partners), "--consulenten", str(args.consulenten),
                "--casussen", str(args.casussen),
            ],
            cwd=ROOT, env=env, check=True, timeout=900,
        )  # fmt: skip
        print(f"Seeded in {time.monotonic() - started:.0f} s; running wrk.", flush=True)
        scripts = _scripts(folder)
        sampler = ConnectionSampler(args.database_url)
        print(HEADER)
        results = _run_variant(args, folder, scripts, sampler, pool=True, kinds=args.kinds)
        if args.compare_no_pool:
            kinds = [k for k in args.kinds if k == FLOOR or k.startswith("signaal")]
            results += _run_variant(args, folder, scripts, sampler, pool=False, kinds=kinds)
        print(f"PostgreSQL connections after the run: {sampler.now()}")
        sampler.close()
        _table(results)
    finally:
        if not args.keep_database:
            _drop_database(args.database_url)
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
