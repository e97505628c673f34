"""Settings shared by every environment, driven by environment variables.

Without ``DATABASE_URL`` and ``REDIS_URL`` the platform runs on its embedded
default: SQLite and the in-memory channel layer.
"""

from __future__ import annotations

from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

#: Where runtime files of the embedded default live (database, development keys).
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "channels",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "toegang",
    "toegang.events",
    "audit",
    "monitor",
    "signalen",
    "casussen",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "toegang.csp.CSPMiddleware",  # django-csp's, with the policy built once (toegang/csp.py)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "toegang.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "toegang.identity.middleware.SessionPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "toegang.middleware.AuditDenialMiddleware",
    "toegang.overload.OverloadMiddleware",
]

ROOT_URLCONF = "toegang.urls"
ASGI_APPLICATION = "toegang.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "toegang.context_processors.platform",
                "csp.context_processors.nonce",
            ],
            "builtins": ["toegang.templatetags.datums"],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'toegang.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    # Under ASGI every thread would keep its own persistent connection, so they grow
    # with threads until PostgreSQL refuses clients. A bounded pool per process instead
    # (psycopg_pool via Django): sizing formula in docs/architecture.md.
    # Only statements that ask to be prepared are (the audit append, audit/append.py):
    # Django's client-side cursors never prepare, and no query runs often enough to
    # reach this threshold by itself.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 2**62
    DATABASE_POOL = env.bool("DATABASE_POOL", default=True)
    if DATABASE_POOL:
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool refuses persistent connections
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
            "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=8),
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=5.0),
            "max_idle": env.float("DATABASE_POOL_MAX_IDLE", default=60.0),
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

#: Seconds a client is asked to wait (Retry-After) when the database is saturated.
OVERLOAD_RETRY_AFTER = env.int("OVERLOAD_RETRY_AFTER", default=5)
#: Seconds a process answers ``/healthz`` from its last check of the parts besides the
#: database (channel layer, cache, NATS, audit key and anchors); 0: check on every call.
HEALTHZ_CACHE_SECONDS = env.float("HEALTHZ_CACHE_SECONDS", default=5.0)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "toegang.User"

REDIS_URL = env.str("REDIS_URL", default="")
#: Connection options of the channel layer's Redis pools (channels_redis ``hosts``).
REDIS_LAYER_HOST_OPTIONS: dict[str, object] = {
    "socket_timeout": 15,
    "socket_connect_timeout": 2,
    # A bounded, blocking pool (toegang/realtime/layer.py): at most this many per
    # process whatever the number of sockets; a burst waits up to ``timeout`` seconds.
    "max_connections": 64,
    "timeout": 10,
    "retry_on_timeout": True,
    "health_check_interval": 5,
    "retry": Retry(ExponentialBackoff(cap=0.5, base=0.05), 2),
}
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "toegang.realtime.layer.BoundedRedisChannelLayer",
            # redis-py 8 times reads out after 5 s, exactly channels_redis' blocking-pop
            # timeout (consumers then die with TimeoutError): give it more room. Its
            # pool opened a connection per concurrent command (a burst of connects or
            # disconnects), up to a limit, then refused: ours waits instead.
            # After a Redis restart the pool's idle connections are dead: the health
            # check and the retry make the first command after the outage reconnect
            # instead of failing (the first websocket after recovery got HTTP 500).
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, **REDIS_LAYER_HOST_OPTIONS}],
                "capacity": 1500,
                "expiry": 30,
            },
        }
    }
    CACHES = {
        "default": {
            # Falls back to process memory while Redis is away (docs/architecture.md).
            "BACKEND": "toegang.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "toegang.identity.oidc.Backend",  # answers only on the SSO callback, when OIDC_ENABLED
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user object

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

#: The login policy (toegang/identity/policy.py): failed logins or codes allowed per
#: account within the window, and distinct failing accounts per client address.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=900)
LOGIN_IP_FAILURE_LIMIT = env.int("LOGIN_IP_FAILURE_LIMIT", default=10)
#: Proxies whose X-Forwarded-For is believed (given to uvicorn as forwarded_allow_ips).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

#: Second factor (django-otp). Our own login policy does the lockout, so the
#: devices' own exponential throttling is off (it would refuse a right code after a typo).
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Brede Toegang")
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
#: Passkeys (toegang/identity/passkeys.py). Empty: the host of the request (checked
#: against ALLOWED_HOSTS). Behind a TLS-terminating proxy set both, e.g.
#: WEBAUTHN_RP_ID=toegang.gemeente.nl and WEBAUTHN_ORIGIN=https://toegang.gemeente.nl.
WEBAUTHN_RP_ID = env.str("WEBAUTHN_RP_ID", default="")
WEBAUTHN_ORIGIN = env.str("WEBAUTHN_ORIGIN", default="")
WEBAUTHN_RP_NAME = env.str("WEBAUTHN_RP_NAME", default="Brede Toegang")

#: Single sign-on with OpenID Connect for gemeente staff (toegang/identity/oidc.py).
OIDC_ENABLED = env.bool("OIDC_ENABLED", default=False)
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="") or None
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid profile")
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = False
OIDC_STORE_ACCESS_TOKEN = False
LOGIN_REDIRECT_URL_FAILURE = "/inloggen/sso/geweigerd/"
#: Claims that carry the role and the team name; the map turns claim values into roles.
OIDC_ROLE_CLAIM = env.str("OIDC_ROLE_CLAIM", default="roles")
OIDC_TEAM_CLAIM = env.str("OIDC_TEAM_CLAIM", default="team")
OIDC_ROLE_MAP = env.json(
    "OIDC_ROLE_MAP",
    default={
        r: r for r in ("consulent", "teamleider", "privacy_officer", "beleidsadviseur", "beheerder")
    },
)
#: The organisation (by name) that SSO users belong to: the gemeente.
OIDC_ORGANISATIE = env.str("OIDC_ORGANISATIE", default="")
#: Provider-asserted MFA accepted instead of our own second factor.
OIDC_MFA_ACR_VALUES = env.list("OIDC_MFA_ACR_VALUES", default=[])
OIDC_MFA_AMR_VALUES = env.list("OIDC_MFA_AMR_VALUES", default=["mfa"])
#: Without asserted MFA: "local" (our own TOTP step) or "refuse".
OIDC_MFA_FALLBACK = env.str("OIDC_MFA_FALLBACK", default="local")

#: Sessions end after this many seconds without a request, and this long after login.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=15 * 60)
SESSION_ABSOLUTE_LIFETIME = env.int("SESSION_ABSOLUTE_LIFETIME", default=10 * 3600)

#: Sessions live in the database: a Redis outage must not log everyone out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIFETIME
CSRF_COOKIE_HTTPONLY = False  # htmx reads it from the cookie-less template tag instead

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands")]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "toegang" / "locale"]
#: The letterhead of the resident's plan (print page and PDF): the municipality's name
#: and, optionally, a PNG or JPEG logo file.
GEMEENTE_NAAM = env.str("GEMEENTE_NAAM", default="Gemeente")
GEMEENTE_LOGO = env.str("GEMEENTE_LOGO", default="")
#: One date format for the whole platform (toegang/formats/nl/formats.py, toegang/datums.py).
FORMAT_MODULE_PATH = ["toegang.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "toegang.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "toegang.api.problems.problem_exception_handler",
    # JSON only: the browsable API is English and needs inline styles (CSP); the
    # documentation is /api/v1/docs/.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["toegang.api.parsers.LimitedJSONParser"],
    "DEFAULT_THROTTLE_RATES": {
        "api_client": env.str("API_CLIENT_RATE", default="120/min"),
        "user": env.str("API_USER_RATE", default="600/min"),
    },
    "UNAUTHENTICATED_USER": None,
}

#: Content-Security-Policy (django-csp 4): scripts and styles from this origin or with
#: the response's nonce only; no inline event handlers, style attributes or eval.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
    }
}

#: Largest API request body (413 above it) and deepest JSON nesting (400 above it).
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)
API_MAX_JSON_DEPTH = 64

SPECTACULAR_SETTINGS = {
    "TITLE": "Brede Toegang API",
    "DESCRIPTION": (
        "API van het casuscoördinatieplatform van de Brede Toegang. "
        "Fouten volgen RFC 9457 (application/problem+json)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "toegang.api.schema.add_problem_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "PlanStatusEnum": "casussen.plan.constants.PlanStatus",
        "ActieStatusEnum": "casussen.plan.constants.ActieStatus",
        "CasusStatusEnum": "casussen.models.casus.Casus.Status",
        "SignaalStatusEnum": "signalen.models.Status",
    },
}

#: Key ring of key-encryption keys and the blind-index key (see docs/security.md).
KEYRING_FILE = env.str("KEYRING_FILE", default="")
KEYRING = env.str("KEYRING", default="")

#: Optional NATS JetStream bus for other municipal systems (docs/events.md); off when empty.
NATS_URL = env.str("NATS_URL", default="")

#: Where the audit keys come from (audit/keys.py): "keyring" (the key ring above, rotated
#: with ``rotate_keys --audit``) or "env" (AUDIT_KEYS "1:<base64>,2:<base64>"; the highest
#: version seals, the others check older seals).
AUDIT_KEY_PROVIDER = env.str("AUDIT_KEY_PROVIDER", default="keyring")
AUDIT_KEYS = env.str("AUDIT_KEYS", default="")
#: The hottest look-ups (toegang/prepared.py), the intake's inserts (toegang/inserts.py)
#: and the audit append (audit/append.py) run as prepared statements on PostgreSQL; off
#: behind a connection pooler in transaction mode that cannot keep them (docs/deploy.md).
PREPARED_STATEMENTS = env.bool("PREPARED_STATEMENTS", default=True)

#: Where the head of the audit chain is anchored outside the database (audit.anchors):
#: comma-separated ``file:<path>`` and/or ``nats://host:port/<STREAM>``. Empty: no anchors
#: (``audit_verify`` and ``/healthz`` say so).
AUDIT_ANCHOR_STORE = env.str("AUDIT_ANCHOR_STORE", default="")
# The shred ledger's mirror outside the database (audit/shred_ledger.py); empty: beside
# each file: anchor store. Read by restore_check and before the web process starts.
SHRED_LEDGER_STORE = env.str("SHRED_LEDGER_STORE", default="")
#: Seconds between anchors (the worker's ``audit_anchor`` job).
AUDIT_ANCHOR_INTERVAL = env.float("AUDIT_ANCHOR_INTERVAL", default=300.0)
#: Seconds between runs of the worker's ``audit_alerts`` job (the review queue's alerts).
AUDIT_ALERTS_INTERVAL = env.float("AUDIT_ALERTS_INTERVAL", default=300.0)

#: Run the outbox relay and audit sealer inside the web process (embedded default).
EMBEDDED_WORKER = env.bool("EMBEDDED_WORKER", default=False)

LOG_FORMAT = env.str("LOG_FORMAT", default="console")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING_CONFIG = None  # configured by toegang.logging.configure()
