#!/bin/sh
# How the image starts, also run by CI (deploy/smoke.sh) on the host:
#   deploy/start.sh migrate  as the owner role: (roles,) migrations, grants for the app role
#   deploy/start.sh web      uvicorn as the app role, behind a TLS-terminating proxy
#   deploy/start.sh worker   outbox relay, audit sealer, expiring access, as the app role
# Environment: DATABASE_URL (app role), DATABASE_OWNER_URL (migrate only),
# DATABASE_ADMIN_URL (migrate only, optional: creates the roles first), PORT,
# WEB_WORKERS, TRUSTED_PROXIES (addresses whose X-Forwarded-* headers are believed).
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-toegang.settings.production}"

case "${1:-web}" in
    migrate)
        : "${DATABASE_OWNER_URL:?DATABASE_OWNER_URL ontbreekt (de eigenaarrol voor migraties)}"
        : "${DATABASE_URL:?DATABASE_URL ontbreekt (de app-rol)}"
        if [ -n "${DATABASE_ADMIN_URL:-}" ]; then
            "$PYTHON" manage.py db_roles create
        fi
        DATABASE_URL="$DATABASE_OWNER_URL" "$PYTHON" manage.py migrate --noinput
        "$PYTHON" manage.py db_roles grant
        ;;
    web)
        # Refuses to start on a restored database that is behind the shred ledger.
        "$PYTHON" manage.py restore_check --check
        exec "$PYTHON" -m uvicorn toegang.asgi:application \
            --host "${WEB_HOST:-0.0.0.0}" --port "${PORT:-8000}" \
            --workers "${WEB_WORKERS:-4}" \
            --proxy-headers --forwarded-allow-ips "${TRUSTED_PROXIES:-127.0.0.1}" \
            --no-access-log
        ;;
    worker)
        exec "$PYTHON" manage.py worker
        ;;
    *)
        echo "gebruik: deploy/start.sh migrate|web|worker" >&2
        exit 2
        ;;
esac
