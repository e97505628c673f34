from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from toegang import worker
from toegang.logging import get_logger

log = get_logger(__name__)


class Command(BaseCommand):
    help = "Draai de achtergrondtaken (relay, sealer, verlopen toegang) tot een stopsignaal."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--only", nargs="*", help="Alleen deze taken (namen)")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        names = [job.name for job in worker.jobs()]
        log.info("worker_started", jobs=names)
        threads = worker.start_lanes(stop, set(options["only"]) if options["only"] else None)
        for thread in threads:
            while thread.is_alive():
                thread.join(0.5)
        log.info("worker_stopped")
