"""ASGI entry point: HTTP through Django, websockets through Channels."""

from __future__ import annotations

import os
import sys

from django.core.asgi import get_asgi_application
from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toegang.settings.dev")
try:
    django_asgi_app = get_asgi_application()
except ImproperlyConfigured as exc:  # a clear message for operators, not a traceback
    sys.stderr.write(f"Configuratiefout: {exc}\n")
    sys.exit(2)

from channels.routing import ProtocolTypeRouter, URLRouter

from toegang.realtime.auth import AllowedHostsOriginValidator, TokenOrSessionAuthMiddleware
from toegang.realtime.routing import websocket_urlpatterns

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            TokenOrSessionAuthMiddleware(URLRouter(websocket_urlpatterns))
        ),
    }
)
