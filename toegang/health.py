"""Liveness of the parts the platform needs: the database and the channel layer."""

from __future__ import annotations

import uuid

from asgiref.sync import async_to_sync

from channels.layers import get_channel_layer
from django.db import connection


def _describe(exc: Exception) -> str:
    # Only the exception class and its first line: no connection strings with passwords.
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:200]


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return False, _describe(exc)
    return True, connection.vendor


def check_channel_layer() -> tuple[bool, str]:
    layer = get_channel_layer()
    if layer is None:
        return False, "geen channel layer ingesteld"
    name = type(layer).__name__
    try:
        channel = f"healthz.{uuid.uuid4().hex}"
        async_to_sync(layer.send)(channel, {"type": "health.ping"})
        async_to_sync(layer.receive)(channel)
    except Exception as exc:
        return False, _describe(exc)
    return True, name
