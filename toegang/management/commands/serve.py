"""Serve the platform with uvicorn; on the embedded default also the worker jobs."""

from __future__ import annotations

import errno
import socket
from typing import Any

import uvicorn

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from toegang import worker
from toegang.health import check_channel_layer, check_database
from toegang.logging import get_logger

log = get_logger(__name__)


class Command(BaseCommand):
    help = "Start de webserver (ASGI, uvicorn)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        ok, detail = check_database()
        if not ok:
            raise CommandError(
                f"De database is niet bereikbaar ({detail}). Controleer DATABASE_URL."
            )
        ok, detail = check_channel_layer()
        if not ok:
            raise CommandError(f"Redis is niet bereikbaar ({detail}). Controleer REDIS_URL.")
        from audit.shred_ledger import startup_problem

        problem = startup_problem()
        if problem:
            raise CommandError(problem)
        sock = self._bind(options["host"], options["port"])
        if getattr(settings, "DEMO_MODE", False):
            log.warning(
                "demo_mode", detail="ontwikkelsleutels en demogegevens; niet voor echte inwoners"
            )
        if settings.EMBEDDED_WORKER:
            worker.start_in_thread()
            log.info("embedded_worker_started", jobs=[job.name for job in worker.jobs()])
        self.stdout.write(f"Brede Toegang draait op http://{options['host']}:{options['port']}/")
        uvicorn.run(
            "toegang.asgi:application",
            fd=sock.fileno(),  # the socket bound above: nothing can take the port in between
            log_config=None,
            access_log=False,
            lifespan="off",
            # The client address of the login policy and the audit trail: only the
            # proxies in TRUSTED_PROXIES may set it through X-Forwarded-For.
            proxy_headers=bool(settings.TRUSTED_PROXIES),
            forwarded_allow_ips=settings.TRUSTED_PROXIES or None,
        )

    def _bind(self, host: str, port: int) -> socket.socket:
        """Claim the address before saying anything runs; a taken port is a clear error."""
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            sock.close()
            if exc.errno == errno.EADDRINUSE:
                raise CommandError(
                    f"Poort {port} op {host} is al in gebruik door een ander programma. "
                    f"Stop dat programma of kies een andere poort, bijvoorbeeld: "
                    f"make run PORT={port + 1}"
                ) from None
            raise CommandError(f"Kan niet luisteren op {host}:{port} ({exc.strerror}).") from None
        sock.listen(2048)
        sock.set_inheritable(True)
        return sock
