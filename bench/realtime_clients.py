"""One client process of ``bench.realtime_bench``: websockets on loopback, bench events timed.

    python -m bench.realtime_clients --url ws://127.0.0.1:PORT/ws/ --tokens FILE --first N

Connects one websocket per API token in ``FILE`` (a JSON list; socket ``N + i`` is
token ``i``), then answers one JSON line on stdout per command line on stdin:
``mark`` (forget what was received), ``count``, ``dump PATH`` (write the bench events
received as ``[event_id, socket, time.time()]``) and ``close``; each answer carries
``count`` (bench events received since ``mark``) and ``cpu`` (this process's CPU
seconds), so the bench can tell the clients' share of the machine from the servers'.

The websocket client is a bare ``asyncio.Protocol`` (RFC 6455 handshake and frames,
answering pings and the close handshake): a received frame costs a few microseconds
and no task wake-up, so with thousands of sockets the time measured is the server's,
not this process's queue. It keeps each bench event's raw frame and its arrival time
and parses them only for ``dump``. Loopback only; bounded by the bench's phases.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import os
import resource
import struct
import sys
import time
from typing import Any
from urllib.parse import urlsplit

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


def _masked_frame(opcode: int, payload: bytes) -> bytes:
    """A client frame (clients must mask, RFC 6455 5.3); control payloads are short."""
    mask = os.urandom(4)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + body


class BenchSocket(asyncio.Protocol):
    """One websocket: the handshake, then frames; bench events are kept with their time."""

    def __init__(self, host: str, path: str, token: str, index: int, sink: list[Any]):
        self.index, self.sink = index, sink
        self.key = base64.b64encode(os.urandom(16))
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Key: {self.key.decode()}\r\n"
            f"Authorization: Bearer {token}\r\n\r\n"
        ).encode()
        self.buffer = b""
        self.upgraded = False
        self.hello: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.upgraded:
            head, sep, rest = self.buffer.partition(b"\r\n\r\n")
            if not sep:
                return
            accept = base64.b64encode(hashlib.sha1(self.key + _GUID).digest())  # noqa: S324
            if not head.startswith(b"HTTP/1.1 101") or accept not in head:
                self._fail(ConnectionError(head.split(b"\r\n", 1)[0].decode("latin-1")))
                return
            self.upgraded, self.buffer = True, rest
        self._frames()

    def _frames(self) -> None:
        buffer, at, size = self.buffer, 0, len(self.buffer)
        while size - at >= 2:
            first, length = buffer[at], buffer[at + 1] & 0x7F
            start = at + 2
            if length == 126:
                if size - start < 2:
                    break
                (length,) = struct.unpack_from("!H", buffer, start)
                start += 2
            elif length == 127:
                if size - start < 8:
                    break
                (length,) = struct.unpack_from("!Q", buffer, start)
                start += 8
            if size - start < length:
                break
            payload = buffer[start : start + length]
            at = start + length
            self._frame(first & 0x0F, payload)
        self.buffer = buffer[at:]

    def _frame(self, opcode: int, payload: bytes) -> None:
        if opcode == TEXT:
            if not self.hello.done():
                self.hello.set_result(None)  # live.hello
            elif b'"event_id"' in payload and b"bench." in payload:
                self.sink.append((payload, self.index, time.time()))
        elif opcode == PING and self.transport is not None:
            self.transport.write(_masked_frame(PONG, payload))
        elif opcode == CLOSE and self.transport is not None:
            self.transport.write(_masked_frame(CLOSE, payload[:2]))
            self.transport.close()

    def _fail(self, exc: Exception) -> None:
        if not self.hello.done():
            self.hello.set_exception(exc)
        if self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(exc or ConnectionError("closed before live.hello"))
        if not self.closed.done():
            self.closed.set_result(None)

    async def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(_masked_frame(CLOSE, struct.pack("!H", 1000)))
            try:
                async with asyncio.timeout(5):
                    await self.closed
            except TimeoutError:
                self.transport.close()


class Clients:
    def __init__(self, url: str, tokens: list[str], first: int, concurrency: int):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.netloc, self.path = parts.netloc, parts.path or "/"
        self.tokens, self.first, self.concurrency = tokens, first, concurrency
        self.received: list[Any] = []
        self.sockets: list[BenchSocket] = []

    async def connect(self) -> tuple[float, int]:
        loop = asyncio.get_running_loop()
        gate = asyncio.Semaphore(self.concurrency)
        started = time.monotonic()
        failures: list[str] = []

        async def one(i: int, token: str) -> bool:
            async with gate:
                sock = BenchSocket(self.netloc, self.path, token, self.first + i, self.received)
                try:
                    async with asyncio.timeout(60):
                        await loop.create_connection(lambda: sock, self.host, self.port)
                        await sock.hello
                except (OSError, TimeoutError) as exc:
                    failures.append(repr(exc))
                    return False
                self.sockets.append(sock)
                return True

        done = await asyncio.gather(*(one(i, t) for i, t in enumerate(self.tokens)))
        if failures:
            sys.stderr.write(f"{len(failures)} connects failed, first: {failures[0]}\n")
        return time.monotonic() - started, done.count(False)

    async def close(self) -> None:
        await asyncio.gather(*(s.close() for s in self.sockets), return_exceptions=True)

    def dump(self, path: str) -> None:
        records = [(json.loads(raw)["event_id"], index, at) for raw, index, at in self.received]
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(records, handle)


def _say(clients: Clients, **extra: Any) -> None:
    reply = {"count": len(clients.received), "cpu": time.process_time(), **extra}
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()


async def _serve(args: argparse.Namespace) -> None:
    with open(args.tokens, encoding="utf-8") as handle:
        tokens = json.load(handle)
    clients = Clients(args.url, tokens, args.first, args.concurrency)
    seconds, failed = await clients.connect()
    _say(clients, connect_s=seconds, failed=failed)
    loop = asyncio.get_running_loop()
    commands = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(commands), sys.stdin)
    while line := (await commands.readline()).decode().split():
        if line[0] == "mark":
            clients.received.clear()
        elif line[0] == "dump":
            clients.dump(line[1])
        elif line[0] == "close":
            await clients.close()
            _say(clients)
            return
        _say(clients)
    await clients.close()  # stdin closed: the bench is gone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--tokens", required=True)
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--concurrency", type=int, default=25)
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    try:
        import uvloop

        uvloop.run(_serve(args))
    except ImportError:
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
