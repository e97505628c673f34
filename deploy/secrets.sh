#!/bin/sh
# Generate the secrets of a compose deployment, one file per kind of service, so that
# each container gets only what it needs:
#   deploy/db.env       POSTGRES_PASSWORD                        (db only)
#   deploy/migrate.env  DATABASE_ADMIN_URL, DATABASE_OWNER_URL   (migrate only)
#   deploy/app.env      SECRET_KEY, DATABASE_URL (the app role)  (migrate, web, worker)
#   deploy/keyring.json the key ring, owned by the image's user (uid 10001), mode 0600
# Refuses to overwrite anything (a new key ring makes existing data unreadable).
# Usage: deploy/secrets.sh [output directory, default deploy/]
set -eu
cd "$(dirname "$0")/.."
OUT="${1:-deploy}"
PYTHON="${PYTHON:-.venv/bin/python}"
UID_IMAGE=10001   # the Dockerfile's `useradd --uid`
DB_NAME=toegang
OWNER=toegang_owner
APP=toegang_app

for f in db.env migrate.env app.env keyring.json; do
    if [ -e "$OUT/$f" ]; then
        echo "$OUT/$f bestaat al; niets overschreven." >&2
        exit 1
    fi
done
random() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

umask 077
mkdir -p "$OUT"
ADMIN_PW="$(random 24)"
OWNER_PW="$(random 24)"
APP_PW="$(random 24)"
cat > "$OUT/db.env" <<ENV
POSTGRES_USER=postgres
POSTGRES_PASSWORD=$ADMIN_PW
ENV
cat > "$OUT/migrate.env" <<ENV
DATABASE_ADMIN_URL=postgres://postgres:$ADMIN_PW@db:5432/$DB_NAME
DATABASE_OWNER_URL=postgres://$OWNER:$OWNER_PW@db:5432/$DB_NAME
ENV
cat > "$OUT/app.env" <<ENV
SECRET_KEY=$(random 48)
DATABASE_URL=postgres://$APP:$APP_PW@db:5432/$DB_NAME
ENV
DJANGO_SETTINGS_MODULE=toegang.settings.build "$PYTHON" manage.py keyring_generate \
    --output "$OUT/keyring.json" > /dev/null

# Compose mounts the key ring file as it is on the host: the container's user must own it.
if [ "$(id -u)" -eq 0 ]; then
    chown "$UID_IMAGE:$UID_IMAGE" "$OUT/keyring.json"
else
    echo "Voer nog uit (als root): chown $UID_IMAGE:$UID_IMAGE $OUT/keyring.json"
fi
echo "Geheimen geschreven in $OUT/ (db.env, migrate.env, app.env, keyring.json)."
echo "Maak nu een back-up van keyring.json, gescheiden van de databaseback-ups."
