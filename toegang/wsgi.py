"""WSGI entry point: HTTP in production (gunicorn, ``deploy/start.sh web``).

Websockets are served by ``toegang.asgi`` (uvicorn, ``deploy/start.sh realtime``); the
proxy in front routes ``/ws/`` there. Why two servers: docs/architecture.md,
"Serving HTTP".
"""

from __future__ import annotations

import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toegang.settings.dev")
try:
    from django.conf import settings

    from toegang.proxies import TrustedProxies

    application = TrustedProxies(get_wsgi_application(), settings.TRUSTED_PROXIES)
except ImproperlyConfigured as exc:  # a clear message for operators, not a traceback
    sys.stderr.write(f"Configuratiefout: {exc}\n")
    sys.exit(2)
