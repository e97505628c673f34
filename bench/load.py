"""Load harness: the production topology on this machine, driven by wrk over loopback.

    make load            # or: python -m bench.load [--duration 10] [--connections 16 64]

It starts everything itself: a fresh PostgreSQL database (``LOAD_DATABASE_URL``,
default ``postgres://postgres@127.0.0.1:5432/toegang_load``, dropped and created), Redis
(``LOAD_REDIS_URL``, default db 15, flushed), the production settings with a freshly
generated key ring in a temporary folder, ``--web-workers`` web processes (default 2)
and ``manage.py worker``, once per server (``--servers``): uvicorn for everything, and
gunicorn (WSGI, gthread) for HTTP beside one uvicorn for ``/ws/`` (production's choice,
docs/architecture.md "Serving HTTP"). Each variant holds ``--websockets`` consultant
sockets open (default 2,000) for the whole of its HTTP load. It seeds the demo
organisations, partner API clients and consulenten with casussen, then runs wrk per
request type and connection count:

* ``me``: the floor, the cheapest authenticated API request (``GET /api/v1/me``:
  token look-up, one small serializer, no audit record);
* ``healthz`` (only with ``--kinds``): database and channel-layer round trip;
* ``signaal-anoniem`` and ``signaal-identified``: partner systems posting signals, each
  body unique (identified: a new resident per request);
* ``caselist``: a consultant's case list (``GET /api/v1/casussen``, token auth);
* ``casus``: a consultant opening one of their casussen.

It prints per type: requests/s, p50/p95/p99 latency, HTTP errors (status >= 400),
socket errors, the peak number of PostgreSQL connections of the run, and throughput
as a ratio of the ``me`` floor at the same connection count; then the ratios between
servers, the websockets that stayed connected, and with ``--compare-no-pool`` /
``--compare-no-audit`` the signal types once more without the pool
(``CONN_MAX_AGE=0``) / without audit recording (``bench.noaudit_asgi``).
Every run is bounded by ``--duration``; only loopback addresses are targeted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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
    cpu: dict[str, float] = field(default_factory=dict)

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


def parse_with_targets(
    parser: argparse.ArgumentParser, prefix: str, database: str
) -> argparse.Namespace:
    """``--database-url`` and ``--redis-url`` (defaults from ``<prefix>_DATABASE_URL`` and
    ``<prefix>_REDIS_URL``), parsed, and refused unless both are on loopback."""
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            f"{prefix}_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{database}"
        ),
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get(f"{prefix}_REDIS_URL", "redis://127.0.0.1:6379/15"),
    )
    args = parser.parse_args()
    _require_loopback(args.database_url)
    _require_loopback(args.redis_url)
    return args


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


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _wait_quiet(pid: int, share: float = 0.05, timeout: float = 300) -> None:
    """Wait until ``pid`` (the worker) uses less than ``share`` of a core over a second.

    After the seed the worker relays, projects and seals its events and audit records;
    measured during a run, that backlog would be charged to the requests of the run.
    """
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        before = _cpu_seconds(pid)
        time.sleep(1.0)
        if _cpu_seconds(pid) - before < share:
            break
    print(f"Worker quiet after {time.monotonic() - start:.0f} s.", flush=True)


def _descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (gunicorn's and uvicorn's workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _children_cpu() -> float:
    """CPU of this process's finished children (the load generator's runs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class CpuMeter:
    """CPU seconds spent during a run by the web processes, the worker, PostgreSQL's
    backends of the bench database and the load generator: where a request's cost goes."""

    def __init__(self, groups: dict[str, list[int]], sampler: ConnectionSampler) -> None:
        self.groups = groups
        self.sampler = sampler
        self.start: dict[int, float] = {}
        self.spent: dict[str, float] = {}

    def _pg_pids(self) -> list[int]:
        rows = self.sampler.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.sampler.name]
        ).fetchall()
        return [int(row[0]) for row in rows]

    def _all(self) -> dict[str, list[int]]:
        pids = {
            name: [p for root in roots for p in _descendants(root)]
            for name, roots in self.groups.items()
        }
        pids["postgres"] = self._pg_pids()
        return pids

    def __enter__(self) -> CpuMeter:
        self.start = {pid: _cpu_seconds(pid) for pids in self._all().values() for pid in pids}
        return self

    def stop(self, extra: dict[str, float] | None = None) -> dict[str, float]:
        self.spent = {
            name: sum(max(0.0, _cpu_seconds(pid) - self.start.get(pid, 0.0)) for pid in pids)
            for name, pids in self._all().items()
        }
        self.spent.update(extra or {})
        return self.spent

    def __exit__(self, *exc: object) -> None:
        return None


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


@dataclass(frozen=True)
class Variant:
    """How the web tier is served in one part of the run."""

    server: str = "uvicorn"  # "uvicorn": ASGI for all; "gunicorn": WSGI for HTTP + uvicorn for /ws/
    pool: bool = True
    audit: bool = True

    @property
    def name(self) -> str:
        name = self.server
        if not self.pool:
            name += "/nopool"
        if not self.audit:
            name += "/noaudit"
        return name


class Topology:
    """The web processes and ``manage.py worker``, stopped on exit.

    uvicorn: ``--web-workers`` ASGI processes serve HTTP and websockets on one port.
    gunicorn: ``--web-workers`` WSGI processes (gthread) serve HTTP, and one uvicorn
    process serves only the websockets on a second port (as a proxy would route ``/ws/``).
    """

    def __init__(
        self, env: dict[str, str], web_workers: int, variant: Variant, web_threads: int = 8
    ) -> None:
        self.env = env
        self.web_workers = web_workers
        self.web_threads = web_threads
        self.variant = variant
        self.port = _free_port()
        self.ws_port = self.port if variant.server == "uvicorn" else _free_port()
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def _uvicorn(self, port: int, workers: int) -> list[str]:
        app = "toegang.asgi:application" if self.variant.audit else "bench.noaudit_asgi:application"
        return [
            sys.executable, "-m", "uvicorn", app,
            "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
            "--lifespan", "off", "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip

    def __enter__(self) -> Topology:
        if self.variant.server == "uvicorn":
            web = self._uvicorn(self.port, self.web_workers)
        else:
            app = (
                "toegang.wsgi:application"
                if self.variant.audit
                else "bench.noaudit_wsgi:application"
            )
            web = [
                sys.executable, "-m", "gunicorn", app,
                "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.web_workers),
                "--worker-class", "gthread", "--threads", str(self.web_threads),
                "--log-level", "warning",
            ]  # fmt: skip
            self.procs["realtime"] = subprocess.Popen(
                self._uvicorn(self.ws_port, 1), cwd=ROOT, env=self.env
            )
        self.procs["web"] = subprocess.Popen(web, cwd=ROOT, env=self.env)
        worker = [sys.executable, "manage.py", "worker"]
        self.procs["worker"] = subprocess.Popen(worker, cwd=ROOT, env=self.env)
        _wait_ready(self.port)
        _wait_ready(self.ws_port)
        _wait_quiet(self.procs["worker"].pid)
        return self

    def pids(self) -> dict[str, list[int]]:
        return {name: [proc.pid] for name, proc in self.procs.items()}

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


class Websockets:
    """``bench.load_ws`` holding N consultant sockets open for as long as the block runs."""

    def __init__(self, port: int, folder: Path, count: int, env: dict[str, str]) -> None:
        self.out = folder / f"ws-{port}.json"
        self.command = [
            sys.executable, "-m", "bench.load_ws", "--url", f"ws://127.0.0.1:{port}/ws/",
            "--tokens", str(folder / "consulenten.txt"), "--count", str(count),
            "--out", str(self.out),
        ]  # fmt: skip
        self.env = env
        self.count = count
        self.result: dict[str, Any] = {}

    def __enter__(self) -> Websockets:
        self.proc = subprocess.Popen(self.command, cwd=ROOT, env=self.env)
        ready = self.out.with_suffix(".ready")
        deadline = time.monotonic() + 180
        while not ready.exists() and time.monotonic() < deadline and self.proc.poll() is None:
            time.sleep(0.2)
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        if self.out.exists():
            self.result = json.loads(self.out.read_text())


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


def _env(args: argparse.Namespace, folder: Path, *, pool: bool = True) -> dict[str, str]:
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
    variant: Variant,
    kinds: list[str],
) -> tuple[list[Result], dict[str, Any]]:
    results = []
    env = _env(args, folder, pool=variant.pool)
    with (
        Topology(env, args.web_workers, variant, args.web_threads) as topology,
        Websockets(topology.ws_port, folder, args.websockets, env) as sockets,
    ):
        for connections in args.connections:
            for kind in kinds:
                # A short warm-up per type (imports, caches, pool fill), not measured.
                _wrk(topology.port, scripts[kind], min(connections, 8), 2, args.threads)
                wrk_before = _children_cpu()
                with sampler, CpuMeter(topology.pids(), sampler) as meter:
                    figures = _wrk(
                        topology.port, scripts[kind], connections, args.duration, args.threads
                    )
                    cpu = meter.stop({"wrk": _children_cpu() - wrk_before})
                results.append(Result(kind, connections, variant.name, figures, sampler.peak, cpu))
                print(_row(results[-1], None), flush=True)
    return results, sockets.result


def _ms(us: float) -> str:
    return f"{us / 1000:.1f}"


def _row(result: Result, floor: Result | None) -> str:
    f = result.figures
    ratio = f"{result.rps / floor.rps:.2f}" if floor and floor.rps else "-"
    return (
        f"{result.kind:<20} {result.variant:<17} {result.connections:>5} {result.rps:>9.1f} "
        f"{_ms(f['p50']):>8} {_ms(f['p95']):>8} {_ms(f['p99']):>8} {f['status']:>7} "
        f"{result.socket_errors:>7} {result.peak_connections:>7} {ratio:>7}"
    )


HEADER = (
    f"{'type':<20} {'variant':<17} {'conns':>5} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} "
    f"{'p99 ms':>8} {'>=400':>7} {'sockerr':>7} {'pg peak':>7} {'x floor':>7}"
)


def _floor_of(result: Result, results: list[Result]) -> Result | None:
    return next(
        (
            r
            for r in results
            if r.kind == FLOOR
            and r.connections == result.connections
            and r.variant == result.variant
        ),
        None,
    )


def _table(results: list[Result], sockets: dict[str, dict[str, Any]]) -> None:
    print()
    print("Load run: web processes, worker, PostgreSQL and Redis on this machine (loopback)")
    print(HEADER)
    for result in results:
        print(_row(result, _floor_of(result, results)))
    print(
        f"x floor: throughput as a ratio of {FLOOR!r} (GET /api/v1/me) at "
        "the same connection count and variant. pg peak: most PostgreSQL connections to "
        "the bench database during that run (web processes and worker; the sampler not counted)."
    )
    _cpu_table(results)
    served = {r.variant.split("/")[0] for r in results}
    main = "gunicorn" if "gunicorn" in served else "uvicorn"
    _ratios(results, main, f"{main}/noaudit", "audit overhead: throughput with audit / without")
    _ratios(results, main, f"{main}/nopool", "pool: throughput with the pool / without")
    _ratios(
        results,
        "uvicorn",
        "gunicorn",
        "server: uvicorn (ASGI for all) / gunicorn (WSGI + uvicorn for /ws/)",
    )
    for variant, figures in sockets.items():
        if figures:
            print(
                f"websockets ({variant}): {figures['connected']}/{figures['requested']} connected "
                f"in {figures['connect_seconds']} s, {figures['failed']} failed, "
                f"{figures['closed_early']} closed by the server during the run, "
                f"{figures['open_at_end']} open at the end, {figures['messages']} messages"
            )


#: The processes whose CPU the table shows, in this order.
CPU_GROUPS = ("web", "postgres", "worker", "realtime", "wrk")


def _cpu_table(results: list[Result]) -> None:
    """CPU milliseconds per request of each part of the machine during a run."""
    if not any(r.cpu for r in results):
        return
    print()
    print("CPU per request (ms) during each run, and the share of both cores used")
    print(
        f"{'type':<20} {'variant':<17} {'conns':>5} "
        + " ".join(f"{name:>8}" for name in CPU_GROUPS)
        + f" {'total':>8} {'cores':>6}"
    )
    for result in results:
        done = result.figures.get("requests", 0)
        seconds = result.figures.get("duration_us", 0) / 1e6
        if not done or not seconds:
            continue
        parts = [result.cpu.get(name, 0.0) for name in CPU_GROUPS]
        print(
            f"{result.kind:<20} {result.variant:<17} {result.connections:>5} "
            + " ".join(f"{part / done * 1000:8.2f}" for part in parts)
            + f" {sum(parts) / done * 1000:8.2f} {sum(parts) / seconds:6.2f}"
        )
    print(
        "web: the HTTP server's processes; postgres: the backends of the bench database; "
        "wrk: the load generator; cores: CPU seconds used per second of the run (of "
        f"{os.cpu_count()} cores; other work on the machine not counted)."
    )


def _ratios(results: list[Result], base: str, other: str, title: str) -> None:
    pairs = [
        (mine, theirs)
        for mine in results
        if mine.variant == base
        for theirs in results
        if theirs.variant == other
        and theirs.kind == mine.kind
        and theirs.connections == mine.connections
    ]
    if not pairs:
        return
    print(title)
    for mine, theirs in pairs:
        ratio = mine.rps / theirs.rps if theirs.rps else float("nan")
        print(
            f"  {mine.kind:<20} {mine.connections:>3} conns: {mine.rps:8.1f} / {theirs.rps:8.1f} "
            f"req/s = {ratio:.2f}   p95 {_ms(mine.figures['p95'])} / "
            f"{_ms(theirs.figures['p95'])} ms"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per run")
    parser.add_argument("--connections", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument(
        "--web-threads", type=int, default=8, help="gunicorn threads per web process"
    )
    parser.add_argument("--partners", type=int, default=300)
    parser.add_argument("--consulenten", type=int, default=40)
    parser.add_argument("--casussen", type=int, default=15, help="per consulent")
    parser.add_argument(
        "--kinds",
        nargs="+",
        default=["me", "signaal-anoniem", "signaal-identified", "caselist", "casus"],
        choices=_LUA_REQUEST,
    )
    parser.add_argument(
        "--servers", nargs="+", default=["uvicorn", "gunicorn"], choices=["uvicorn", "gunicorn"]
    )
    parser.add_argument("--websockets", type=int, default=2000, help="held open per variant")
    parser.add_argument("--compare-no-pool", action="store_true")
    parser.add_argument(
        "--compare-no-audit",
        action="store_true",
        help="the signal types once more with audit recording off (bench.noaudit_wsgi/_asgi)",
    )
    parser.add_argument("--keep-database", action="store_true")
    args = parse_with_targets(parser, "LOAD", "toegang_load")
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
        signal_kinds = [k for k in args.kinds if k == FLOOR or k.startswith("signaal")]
        # Production serves HTTP with gunicorn: the comparisons run on it when it is loaded.
        main_server = "gunicorn" if "gunicorn" in args.servers else args.servers[0]
        plan = [(Variant(server=server), args.kinds) for server in args.servers]
        if args.compare_no_pool:
            plan.append((Variant(server=main_server, pool=False), signal_kinds))
        if args.compare_no_audit:
            plan.append((Variant(server=main_server, audit=False), signal_kinds))
        results: list[Result] = []
        sockets: dict[str, dict[str, Any]] = {}
        for variant, kinds in plan:
            part, sockets[variant.name] = _run_variant(
                args, folder, scripts, sampler, variant, kinds
            )
            results += part
        print(f"PostgreSQL connections after the run: {sampler.now()}")
        sampler.close()
        _table(results, sockets)
    finally:
        if not args.keep_database:
            _drop_database(args.database_url)
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
