"""Websocket clients for ``bench.load``: hold N live sockets open while the HTTP load runs.

    python -m bench.load_ws --url ws://127.0.0.1:PORT/ws/ --tokens FILE --count 2000 --out F

Each socket authenticates with a consultant's API token (round robin over the file's
tokens), waits for ``live.hello`` and then listens until SIGTERM. The result file gets
how many connected, how long connecting took, how many failed or were closed by the
server before the end, and how many messages arrived. Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import signal
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class Holder:
    def __init__(self, url: str, tokens: list[str]) -> None:
        self.url, self.tokens = url, tokens
        self.connected = 0
        self.failed = 0
        self.closed_early = 0
        self.messages = 0
        self.sockets: list[Any] = []
        self.stopping = False

    async def one(self, index: int, gate: asyncio.Semaphore) -> None:
        from websockets.asyncio.client import connect

        token = self.tokens[index % len(self.tokens)]
        async with gate:
            try:
                ws = await connect(
                    self.url,
                    additional_headers=[("Authorization", f"Bearer {token}")],
                    open_timeout=60,
                    max_queue=None,
                )
                await asyncio.wait_for(ws.recv(), 30)  # live.hello
            except Exception:
                self.failed += 1
                return
        self.connected += 1
        self.sockets.append(ws)
        try:
            async for _raw in ws:
                self.messages += 1
        except Exception:  # noqa: S110 (a dropped socket is counted below)
            pass
        if not self.stopping:
            self.closed_early += 1

    async def run(self, count: int, out: Path) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        gate = asyncio.Semaphore(100)
        started = time.monotonic()
        tasks = [asyncio.create_task(self.one(i, gate)) for i in range(count)]
        while self.connected + self.failed < count and not stop.is_set():
            await asyncio.sleep(0.1)
        connect_seconds = time.monotonic() - started
        (out.with_suffix(".ready")).write_text(str(self.connected))
        await stop.wait()
        self.stopping = True
        still_open = sum(1 for ws in self.sockets if ws.state.name == "OPEN")
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)
        for task in tasks:
            task.cancel()
        out.write_text(
            json.dumps(
                {
                    "requested": count,
                    "connected": self.connected,
                    "connect_seconds": round(connect_seconds, 1),
                    "failed": self.failed,
                    "closed_early": self.closed_early,
                    "open_at_end": still_open,
                    "messages": self.messages,
                }
            )
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--tokens", type=Path, required=True)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if urlsplit(args.url).hostname not in {"127.0.0.1", "localhost", "::1"}:
        print("alleen loopback", file=sys.stderr)
        return 2
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, args.count + 256)), hard))
    tokens = sorted({line.split()[0] for line in args.tokens.read_text().splitlines() if line})
    asyncio.run(Holder(args.url, tokens).run(args.count, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
