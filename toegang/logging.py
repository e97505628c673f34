"""Structured logging with structlog: JSON in production, readable in development.

Log lines carry ids (request id, user id, object ids), never personal data.
"""

from __future__ import annotations

import logging
import logging.config
from typing import Any

import structlog

_configured = False


def configure(*, fmt: str = "console", level: str = "INFO") -> None:
    """Configure stdlib logging and structlog once per process."""
    global _configured
    if _configured:
        return
    _configured = True
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {
                "structured": {
                    "()": structlog.stdlib.ProcessorFormatter,
                    "processors": [
                        structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                        renderer,
                    ],
                    "foreign_pre_chain": shared,
                }
            },
            "handlers": {"default": {"class": "logging.StreamHandler", "formatter": "structured"}},
            "root": {"handlers": ["default"], "level": level},
            "loggers": {
                # Django's request logger would print URLs and tracebacks with values.
                "django.request": {"level": "ERROR"},
                "django.server": {"level": "WARNING"},
                "uvicorn.access": {"level": "WARNING"},
            },
        }
    )
    structlog.configure(
        # Below the level a call stops at once, before the context, level, name and
        # time are added (an info line per signal cost that under LOG_LEVEL=WARNING).
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.stdlib.get_logger(name)
