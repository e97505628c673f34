"""Realtime benchmark: websocket clients on loopback, events at a rate, per channel layer.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/events \\
    REDIS_URL=redis://127.0.0.1:6379/3 python -m bench.realtime_bench [--clients 2000]

For each layer (channels_redis core and pubsub) it starts uvicorn (``--workers``
processes; the target is 10,000 clients over 2) with the real ASGI app and consumer,
connects N clients (API tokens) from ``--client-processes`` processes of their own
(``bench.realtime_clients``), measures server CPU idle with 0 and with N connections,
then emits events at ``--rate`` and ``--lag-rate`` (0: skip) for ``--duration`` seconds
(each to 1..25 recipients) with a relay process on LISTEN/NOTIFY, and prints, per
phase, messages delivered / expected, p50/p95/p99 latency commit → message received,
relay lag (commit → sent) and the peak number of Redis connections on the bench's
Redis database, and the CPU that the servers, the client processes and the relay used
in the phase (per delivered message: load-robust, unlike the latencies on a shared
machine). The open-files limit is raised to its hard limit in the client and server
processes. Loopback only; every phase is bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.realtime_roles import AGGREGATE, USER_PREFIX, recipients_of

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.realtime_settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/events")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/3")


def _ensure_database() -> None:
    url = os.environ["DATABASE_URL"]
    if not url.startswith("postgres"):
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _prepare_users(count: int) -> tuple[list[int], list[str]]:
    import secrets

    from toegang.models import ApiToken, User
    from toegang.services import token_digest

    User.objects.filter(username__startswith=USER_PREFIX).delete()
    users = User.objects.bulk_create(
        User(
            username=f"{USER_PREFIX}{i:05d}", rol="consulent", first_name="Bench", last_name=str(i)
        )
        for i in range(count)
    )
    tokens = ["bt_" + secrets.token_urlsafe(24) for _ in users]
    ApiToken.objects.bulk_create(
        ApiToken(user=u, naam="bench", prefix=t[:8], digest=token_digest(t))
        for u, t in zip(users, tokens, strict=True)
    )
    return [u.pk for u in users], tokens


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (uvicorn's worker processes)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in task.read_text().split():
            found += _tree(int(child))
    return found


def _cpu_seconds(pid: int) -> float:
    total = 0.0
    for member in _tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _cpu_percent(pid: int, seconds: float) -> float:
    before, started = _cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return 100 * (_cpu_seconds(pid) - before) / (time.monotonic() - started)


def _raise_open_files() -> int:
    """Raise this process's (and its children's) open-files limit to the hard limit."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


class RedisConnections:
    """Samples how many Redis connections use the bench's database (peak per phase)."""

    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url)
        self.db = self.client.connection_pool.connection_kwargs.get("db", 0)
        self.peak = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def count(self) -> int:
        return sum(1 for c in self.client.client_list() if int(c.get("db", -1)) == self.db)

    def start(self) -> None:
        self.peak = 0
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.5):
            self.peak = max(self.peak, self.count())

    def stop(self) -> int:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        return self.peak


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class ClientProcesses:
    """The websocket clients, spread over ``count`` processes (``bench.realtime_clients``).

    Each has its own event loop, so one process's queue of frames to read does not
    delay the others' (nor the measurement); all stamp arrivals with ``time.time()``,
    the clock the emitter stamps commits with, and their records are merged.
    """

    def __init__(self, url: str, tokens: list[str], count: int):
        self.url, self.tokens = url, tokens
        self.count = max(1, min(count, len(tokens)))
        self.tmp = Path(tempfile.mkdtemp(prefix="rtclients-"))
        self.procs: list[asyncio.subprocess.Process] = []
        self.cpu_mark = 0.0

    async def connect(self) -> float:
        """Start the processes; each connects its share (about 50 connecting at a time)."""
        started = time.monotonic()
        share = -(-len(self.tokens) // self.count)
        for n, first in enumerate(range(0, len(self.tokens), share)):
            path = self.tmp / f"tokens-{n}.json"
            path.write_text(json.dumps(self.tokens[first : first + share]))
            self.procs.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "bench.realtime_clients",
                    *("--url", self.url, "--tokens", str(path), "--first", str(first)),
                    *("--concurrency", str(max(10, 50 // self.count))),
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                )
            )
        hellos = await asyncio.gather(*(self._answer(p) for p in self.procs))
        failed = sum(h["failed"] for h in hellos)
        if failed:
            raise RuntimeError(f"{failed} of {len(self.tokens)} clients could not connect")
        return time.monotonic() - started

    async def _answer(self, proc: asyncio.subprocess.Process) -> dict[str, Any]:
        assert proc.stdout is not None
        line = await proc.stdout.readline()
        if not line:
            raise RuntimeError("a client process ended")
        return dict(json.loads(line))

    async def ask(self, command: str) -> list[dict[str, Any]]:
        for proc in self.procs:
            assert proc.stdin is not None
            proc.stdin.write(command.encode() + b"\n")
        return list(await asyncio.gather(*(self._answer(p) for p in self.procs)))

    async def mark(self) -> None:
        """Forget what arrived so far; the clients' CPU is counted from here."""
        self.cpu_mark = sum(a["cpu"] for a in await self.ask("mark"))

    async def received_count(self) -> int:
        return sum(a["count"] for a in await self.ask("count"))

    async def cpu_since_mark(self) -> float:
        return sum(a["cpu"] for a in await self.ask("count")) - self.cpu_mark

    async def received(self) -> list[tuple[int, int, float]]:
        """Every bench event received since :meth:`mark`, as (event id, socket, time)."""
        paths = [self.tmp / f"received-{n}.json" for n in range(len(self.procs))]
        for proc, path in zip(self.procs, paths, strict=True):
            assert proc.stdin is not None
            proc.stdin.write(f"dump {path}\n".encode())
        await asyncio.gather(*(self._answer(p) for p in self.procs))
        return [tuple(r) for path in paths for r in json.loads(path.read_text())]  # type: ignore[misc]

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.ask("close")
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


def _child(role: str, *args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bench.realtime_bench", "--role", role, *args], env=env
    )


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far (all cores, /proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(fields) - idle) / tick, sum(fields) / tick


async def _phase(
    args: Any,
    clients: ClientProcesses,
    server_pid: int,
    env: dict[str, str],
    rate: float,
    user_ids: list[int],
    start_index: int,
) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="rtbench-"))
    relay = _child(
        "relay", "--out", str(tmp / "relay.json"), "--recipients", str(args.recipients), env=env
    )
    await asyncio.sleep(2.0)  # relay starts and LISTENs
    await clients.mark()
    redis_connections = RedisConnections(os.environ["REDIS_URL"])
    redis_connections.start()
    server_cpu, relay_cpu, machine = (
        _cpu_seconds(server_pid),
        _cpu_seconds(relay.pid),
        _machine_busy(),
    )
    emitter = _child(
        "emit",
        "--out",
        str(tmp / "emit.json"),
        "--rate",
        str(rate),
        "--duration",
        str(args.duration),
        "--start",
        str(start_index),
        env=env,
    )
    while emitter.poll() is None:
        await asyncio.sleep(0.2)
    emitted = json.loads((tmp / "emit.json").read_text())
    commits = {eid: (k, t) for eid, k, t in emitted["records"]}
    expected = sum(len(recipients_of(k, user_ids, args.recipients)) for k, _ in commits.values())
    deadline = time.monotonic() + 15
    while await clients.received_count() < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    server_cpu = _cpu_seconds(server_pid) - server_cpu
    relay_cpu = _cpu_seconds(relay.pid) - relay_cpu
    busy, total = (now - then for now, then in zip(_machine_busy(), machine, strict=True))
    clients_cpu = await clients.cpu_since_mark()
    relay.terminate()
    relay.wait(timeout=30)
    redis_peak = redis_connections.stop()
    received = await clients.received()
    sent = {int(k): v for k, v in json.loads((tmp / "relay.json").read_text()).items()}
    latencies = [(t - commits[eid][1]) * 1000 for eid, _, t in received if eid in commits]
    lags = [(sent[eid] - t) * 1000 for eid, (_, t) in commits.items() if eid in sent]
    unique = len({(eid, idx) for eid, idx, _ in received if eid in commits})
    return {
        "rate": rate,
        "events": len(commits),
        "achieved": len(commits) / emitted["elapsed"],
        "expected": expected,
        "received": unique,
        "duplicates": len(latencies) - unique,
        "p50": _pct(latencies, 0.50),
        "p95": _pct(latencies, 0.95),
        "p99": _pct(latencies, 0.99),
        "max": max(latencies, default=0),
        "lag_p50": _pct(lags, 0.50),
        "lag_p99": _pct(lags, 0.99),
        "redis_peak": redis_peak,
        "fanout": statistics.mean(
            len(recipients_of(k, user_ids, args.recipients)) for k, _ in commits.values()
        ),
        "server_cpu": server_cpu,
        "clients_cpu": clients_cpu,
        "relay_cpu": relay_cpu,
        "machine_busy": busy,
        "machine_total": total,
    }


def _wait_for_server(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # Not /healthz: its channel-layer probe (send, then receive) never returns on
        # RedisPubSubChannelLayer, which only delivers to channels already subscribed.
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _flush_redis() -> None:
    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()


async def _run_layer(
    layer: str, delivery: str, args: Any, user_ids: list[int], tokens: list[str]
) -> dict[str, Any]:
    env = {**os.environ, "BENCH_LAYER": layer, "BENCH_DELIVERY": delivery}
    _flush_redis()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "toegang.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(args.port),
            "--log-level",
            "warning",
            "--lifespan",
            "off",
            "--workers",
            str(args.workers),
            # As deploy/start.sh: events are ~100 bytes, compressing them costs CPU
            # and a zlib context per socket.
            "--ws-per-message-deflate",
            "false",
        ],
        env=env,
    )
    try:
        _wait_for_server(args.port)
        idle_empty = _cpu_percent(server.pid, args.idle_seconds)
        clients = ClientProcesses(f"ws://127.0.0.1:{args.port}/ws/", tokens, args.client_processes)
        try:
            connect_s = await clients.connect()
            await asyncio.sleep(1.0)
            idle_full = await asyncio.to_thread(_cpu_percent, server.pid, args.idle_seconds)
            phases = []
            rates = [rate for rate in (args.rate, args.lag_rate) if rate > 0]
            for index, rate in enumerate(rates):
                phases.append(
                    await _phase(args, clients, server.pid, env, rate, user_ids, index * 500)
                )
        finally:
            await clients.close()
        return {
            "layer": f"{layer}/{delivery}",
            "connect_s": connect_s,
            "idle_empty": idle_empty,
            "idle_full": idle_full,
            "phases": phases,
        }
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def _print_variant(r: dict[str, Any], clients: int) -> None:
    per_conn = (r["idle_full"] - r["idle_empty"]) * 10_000 / max(1, clients)
    print(
        f"\n[{r['layer']}] connect {clients} clients: {r['connect_s']:.1f} s; server CPU idle: "
        f"{r['idle_empty']:.1f} % with 0 clients (baseline), {r['idle_full']:.1f} % with "
        f"{clients} (≈ {per_conn:.1f} µs CPU per second per idle connection)",
        flush=True,
    )
    for p in r["phases"]:
        print(
            f"  {p['rate']:.0f} ev/s (achieved {p['achieved']:.0f}, {p['events']} events, "
            f"mean fan-out {p['fanout']:.1f}): delivered {p['received']}/{p['expected']} "
            f"({100 * p['received'] / max(1, p['expected']):.1f} %, duplicates "
            f"{p['duplicates']}); commit→client p50 {p['p50']:.1f} ms, p95 {p['p95']:.1f} ms, "
            f"p99 {p['p99']:.1f} ms, max {p['max']:.0f} ms; "
            f"relay lag p50 {p['lag_p50']:.1f} ms, p99 {p['lag_p99']:.1f} ms; "
            f"Redis connections peak {p['redis_peak']}",
            flush=True,
        )
        delivered = max(1, p["received"])
        print(
            f"    CPU in the phase: servers {p['server_cpu']:.2f} s "
            f"({1e6 * p['server_cpu'] / delivered:.0f} µs per delivered message), "
            f"client processes {p['clients_cpu']:.2f} s "
            f"({1e6 * p['clients_cpu'] / delivered:.0f} µs per message), "
            f"relay {p['relay_cpu']:.2f} s; machine busy "
            f"{100 * p['machine_busy'] / max(p['machine_total'], 1e-9):.0f} % of "
            f"{os.cpu_count()} cores (other processes included)",
            flush=True,
        )


def _print_ratios(results: list[dict[str, Any]]) -> None:
    base = results[0]
    print(f"\nratios against {base['layer']} (same run):")
    for r in results[1:]:
        for p, q in zip(base["phases"], r["phases"], strict=True):
            print(
                f"  {r['layer']} at {p['rate']:.0f} ev/s: p99 latency {q['p99'] / p['p99']:.2f}x, "
                f"relay lag p99 {q['lag_p99'] / p['lag_p99']:.2f}x, "
                f"idle CPU {(r['idle_full'] + 0.01) / (base['idle_full'] + 0.01):.2f}x"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--role", choices=["main", "relay", "emit"], default="main")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn processes")
    parser.add_argument(
        "--client-processes",
        type=int,
        default=0,
        help="websocket client processes (default: one per 2,500 clients, at most 4)",
    )
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--lag-rate", type=float, default=300)
    parser.add_argument("--duration", type=float, default=8)
    parser.add_argument("--recipients", type=int, default=25)
    parser.add_argument("--layers", default="core,pubsub")
    parser.add_argument("--deliveries", default="fanout,groups")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--idle-seconds", type=float, default=5)
    parser.add_argument("--out", default="")
    parser.add_argument("--start", type=int, default=0)
    args = parser.parse_args()
    if args.client_processes <= 0:
        args.client_processes = min(4, -(-args.clients // 2500))

    if args.role == "main":
        # Stopped from outside (timeout): still stop the server and children (finally).
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        open_files = _raise_open_files()
        if open_files < args.clients + 1000:  # the servers' sockets; each client process's
            parser.error(f"{args.clients} clients need more open files than {open_files}")
        _ensure_database()
    import django

    django.setup()
    from bench import realtime_roles

    if args.role == "relay":
        realtime_roles.run_relay(args.out, args.recipients)
        return
    if args.role == "emit":
        realtime_roles.run_emitter(args.out, args.rate, args.duration, args.start)
        return
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    user_ids, tokens = _prepare_users(args.clients)
    print(
        f"realtime bench: {args.clients} clients in {args.client_processes} client processes "
        f"over {args.workers} server processes, "
        f"up to {args.recipients} recipients per event, "
        f"{args.duration:.0f} s per phase, loopback",
        flush=True,
    )
    results = []
    for delivery in args.deliveries.split(","):
        for layer in args.layers.split(","):
            args.port = _free_port()
            result = asyncio.run(_run_layer(layer, delivery, args, user_ids, tokens))
            _print_variant(result, args.clients)
            results.append(result)
    if len(results) > 1:
        _print_ratios(results)
    from toegang.events.models import OutboxEvent

    OutboxEvent.objects.filter(aggregate_type=AGGREGATE).delete()


if __name__ == "__main__":
    main()
