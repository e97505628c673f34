"""Production: DEBUG off, secrets and the key ring are required."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import KEYRING, KEYRING_FILE, SECRET_KEY, env

DEBUG = False
DEMO_MODE = False
KEYRING_GENERATE_DEV = False


def _secret_from_file(name: str, current: str) -> str:
    path = env.str(f"{name}_FILE", default="")
    if path:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    return current


SECRET_KEY = _secret_from_file("SECRET_KEY", SECRET_KEY)
if not SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY ontbreekt of is te kort (minimaal 50 tekens). "
        "Zet SECRET_KEY of SECRET_KEY_FILE in de omgeving."
    )
if not (KEYRING or KEYRING_FILE):
    raise ImproperlyConfigured(
        "Geen sleutelbos: zet KEYRING (JSON) of KEYRING_FILE (pad). "
        "Zie docs/security.md voor het aanmaken met 'manage.py keyring_generate'."
    )


def _check_keyring() -> None:
    from toegang.crypto.errors import KeyRingError
    from toegang.crypto.keyring import read_keyring

    try:
        ring = read_keyring(keyring=KEYRING, keyring_file=KEYRING_FILE)
    except KeyRingError as exc:
        raise ImproperlyConfigured(f"Sleutelbos onbruikbaar: {exc}") from None
    if ring.development:
        raise ImproperlyConfigured(
            "De sleutelbos is gemarkeerd als ontwikkelsleutels (demo) en wordt in productie "
            "geweigerd. Maak een nieuwe met 'manage.py keyring_generate'."
        )


_check_keyring()

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

from toegang.logging import configure  # noqa: E402

configure(fmt=env.str("LOG_FORMAT", default="json"), level=env.str("LOG_LEVEL", default="INFO"))
