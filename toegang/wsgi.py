"""WSGI entry point, only for ``bench/load.py``'s comparison of HTTP servers.

Production serves HTTP and websockets with uvicorn (``toegang.asgi``); the figures and
the reason are in docs/architecture.md, "Serving HTTP".
"""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toegang.settings.dev")
application = get_wsgi_application()
