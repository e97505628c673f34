#!/usr/bin/env bash
# The image's recipe, run on the host the way the containers run it (CI's last step):
# a copy of the tree owned by the image's user (uid 10001, when run as root), a
# virtualenv filled by deploy/build.sh from the lock file only, the two database
# roles, deploy/start.sh migrate as the owner, then web (production settings,
# gunicorn), realtime (uvicorn) and worker as the app role; deploy/smoke.py checks
# /healthz, a login with CSRF and the forwarded client address, a websocket, a signal
# through the API and the worker's outbox delivery.
#
# Needs PostgreSQL (a superuser at SMOKE_ADMIN_URL's server) and Redis.
# Everything it makes (database, roles, files) is removed at the end.
set -euo pipefail
SRC="$(cd "$(dirname "$0")/.." && pwd)"
PG="${SMOKE_PG:-postgres://postgres@127.0.0.1:5432}"
REDIS_URL="${SMOKE_REDIS_URL:-redis://127.0.0.1:6379/11}"
# A Python the image's user can run (pyenv's under /root is not): the system's 3.11 if any.
HOST_PYTHON="${SMOKE_PYTHON:-$(command -v /usr/bin/python3.11 || command -v python3.11)}"
DB="toegang_smoke_$$"
OWNER="${DB}_owner"
APP="${DB}_app"
UID_IMAGE=10001

WORK="$(mktemp -d /tmp/toegang-smoke.XXXXXX)"
PIDS=()
cleanup() {
    status=$?
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ "$status" -ne 0 ]; then
        for log in "$WORK"/*.log; do [ -f "$log" ] && { echo "--- $log"; tail -n 40 "$log"; }; done
    fi
    psql "$PG/postgres" -qAt -v ON_ERROR_STOP=0 >/dev/null 2>&1 <<SQL || true
DROP DATABASE IF EXISTS "$DB" WITH (FORCE);
DROP ROLE IF EXISTS "$APP";
DROP ROLE IF EXISTS "$OWNER";
SQL
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT

# As root: the image's user runs everything, from files it owns, like in the container.
as_app() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
    as_app() { setpriv --reuid="$UID_IMAGE" --regid="$UID_IMAGE" --clear-groups -- "$@"; }
fi

as_app "$HOST_PYTHON" -c "" || { echo "smoke: $HOST_PYTHON is not runnable as uid $UID_IMAGE (SMOKE_PYTHON)"; exit 1; }

echo "smoke: copy of the tree in $WORK/app"
mkdir -p "$WORK/app"
git -C "$SRC" ls-files -z --cached --others --exclude-standard \
    | (cd "$SRC" && xargs -0 cp --parents -t "$WORK/app" 2>/dev/null || true)
if [ "$(id -u)" -eq 0 ]; then chown -R "$UID_IMAGE:$UID_IMAGE" "$WORK"; fi
chmod 0755 "$WORK"

echo "smoke: deploy/build.sh (lock file only) in a fresh virtualenv"
as_app "$HOST_PYTHON" -m venv "$WORK/venv"
export PATH="$WORK/venv/bin:$PATH" HOME="$WORK"
# build.sh and start.sh take `python` from PYTHON: the virtualenv's, whatever CI exported.
export PYTHON="$WORK/venv/bin/python"
as_app env PATH="$PATH" "$WORK/app/deploy/build.sh" > "$WORK/build.log" 2>&1

echo "smoke: key ring, secrets, database $DB"
export DJANGO_SETTINGS_MODULE=toegang.settings.production
export KEYRING_FILE="$WORK/keyring.json"
as_app env PATH="$PATH" DJANGO_SETTINGS_MODULE=toegang.settings.build \
    python "$WORK/app/manage.py" keyring_generate --output "$KEYRING_FILE" > /dev/null
SECRET_KEY="$(head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n')"
OWNER_PW="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
APP_PW="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export SECRET_KEY REDIS_URL ALLOWED_HOSTS=127.0.0.1,localhost LOG_FORMAT=json
psql "$PG/postgres" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$DB\"" > /dev/null
HOSTPART="${PG#postgres://*@}"
export DATABASE_URL="postgres://$APP:$APP_PW@$HOSTPART/$DB"
export DATABASE_OWNER_URL="postgres://$OWNER:$OWNER_PW@$HOSTPART/$DB"

echo "smoke: deploy/start.sh migrate (roles as admin, migrations as owner, grants)"
DATABASE_ADMIN_URL="$PG/$DB" as_app env PATH="$PATH" "$WORK/app/deploy/start.sh" migrate \
    > "$WORK/migrate.log" 2>&1
psql "$PG/$DB" -qAt -v ON_ERROR_STOP=1 > "$WORK/roles.txt" <<SQL
SELECT rolname || ':' || rolsuper FROM pg_roles WHERE rolname IN ('$OWNER', '$APP') ORDER BY 1;
SELECT 'audit-owner:' || tableowner FROM pg_tables WHERE tablename = 'audit_auditrecord';
SQL
grep -qx "$APP:false" "$WORK/roles.txt" && grep -qx "$OWNER:false" "$WORK/roles.txt" \
    && grep -qx "audit-owner:$OWNER" "$WORK/roles.txt" \
    || { echo "smoke: roles not as expected:"; cat "$WORK/roles.txt"; exit 1; }

free_port() { "$HOST_PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT="$(free_port)"
RT_PORT="$(free_port)"
echo "smoke: deploy/start.sh web (gunicorn, port $PORT), realtime (uvicorn, port $RT_PORT), worker, as the app role"
as_app env PATH="$PATH" PORT="$PORT" WEB_HOST=127.0.0.1 WEB_WORKERS=2 WEB_THREADS=4 \
    "$WORK/app/deploy/start.sh" web > "$WORK/web.log" 2>&1 &
PIDS+=($!)
as_app env PATH="$PATH" PORT="$RT_PORT" WEB_HOST=127.0.0.1 REALTIME_WORKERS=1 \
    "$WORK/app/deploy/start.sh" realtime > "$WORK/realtime.log" 2>&1 &
PIDS+=($!)
as_app env PATH="$PATH" "$WORK/app/deploy/start.sh" worker > "$WORK/worker.log" 2>&1 &
PIDS+=($!)
for port in "$PORT" "$RT_PORT"; do
    for _ in $(seq 60); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        kill -0 "${PIDS[0]}" 2>/dev/null && kill -0 "${PIDS[1]}" 2>/dev/null \
            || { echo "smoke: web or realtime stopped"; exit 1; }
        sleep 1
    done
done

echo "smoke: deploy/smoke.py"
as_app env PATH="$PATH" python "$WORK/app/deploy/smoke.py" "$PORT" "$RT_PORT"

echo "smoke: database connections now open, per role (budget in docs/deploy.md):"
psql "$PG/postgres" -qAt -F ' ' -c \
    "SELECT usename, count(*) FROM pg_stat_activity WHERE datname = '$DB' GROUP BY 1 ORDER BY 1"
echo "smoke: passed"
