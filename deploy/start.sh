#!/bin/sh
# How the image starts, also run by CI (deploy/smoke.sh) on the host:
#   deploy/start.sh migrate  as the owner role: (roles,) migrations, grants for the app role
#   deploy/start.sh web      HTTP: gunicorn (WSGI, threads) as the app role
#   deploy/start.sh realtime websockets (/ws/): uvicorn (ASGI) as the app role
#   deploy/start.sh worker   outbox relay, audit sealer, expiring access, as the app role
# web and realtime sit behind one TLS-terminating proxy that sends /ws/ to realtime and
# everything else to web (docker-compose.yml: deploy/Caddyfile; why two servers:
# docs/architecture.md, "Serving HTTP").
# Environment: DATABASE_URL (app role), DATABASE_OWNER_URL (migrate only),
# DATABASE_ADMIN_URL (migrate only, optional: creates the roles first), PORT,
# WEB_WORKERS and WEB_THREADS (web), REALTIME_WORKERS (realtime),
# TRUSTED_PROXIES (addresses whose X-Forwarded-* headers are believed).
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-toegang.settings.production}"
# The server and the app (login policy, audit) must believe the same proxies.
export TRUSTED_PROXIES="${TRUSTED_PROXIES:-127.0.0.1}"

case "${1:-web}" in
    migrate)
        : "${DATABASE_OWNER_URL:?DATABASE_OWNER_URL ontbreekt (de eigenaarrol voor migraties)}"
        : "${DATABASE_URL:?DATABASE_URL ontbreekt (de app-rol)}"
        if [ -n "${DATABASE_ADMIN_URL:-}" ]; then
            "$PYTHON" manage.py db_roles create
        fi
        DATABASE_URL="$DATABASE_OWNER_URL" "$PYTHON" manage.py migrate --noinput
        "$PYTHON" manage.py db_roles grant
        # The monitor's counters, once, after an upgrade that introduced them.
        "$PYTHON" manage.py monitor_rebuild --als-nodig
        ;;
    web)
        # Refuses to start on a restored database that is behind the shred ledger.
        "$PYTHON" manage.py restore_check --check
        # No access log: URLs and client addresses stay out of the logs (the audit trail
        # records who did what). Threads share the process's database pool.
        exec "$PYTHON" -m gunicorn toegang.wsgi:application \
            --bind "${WEB_HOST:-0.0.0.0}:${PORT:-8000}" \
            --workers "${WEB_WORKERS:-4}" --worker-class gthread --threads "${WEB_THREADS:-8}" \
            --forwarded-allow-ips "$TRUSTED_PROXIES" \
            --graceful-timeout 20 --timeout 60 --log-level warning
        ;;
    realtime)
        "$PYTHON" manage.py restore_check --check
        exec "$PYTHON" -m uvicorn toegang.asgi:application \
            --host "${WEB_HOST:-0.0.0.0}" --port "${PORT:-8001}" \
            --workers "${REALTIME_WORKERS:-2}" \
            --ws-per-message-deflate false \
            --proxy-headers --forwarded-allow-ips "$TRUSTED_PROXIES" \
            --no-access-log
        ;;
    worker)
        exec "$PYTHON" manage.py worker
        ;;
    *)
        echo "gebruik: deploy/start.sh migrate|web|realtime|worker" >&2
        exit 2
        ;;
esac
