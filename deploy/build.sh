#!/bin/sh
# The image's build steps, also run by CI (deploy/smoke.sh) on the host:
#   deploy/build.sh deps    install the runtime dependencies from the lock file only
#   deploy/build.sh assets  collectstatic and compilemessages (settings: toegang.settings.build)
#   deploy/build.sh         both
# Uses the `python` on PATH (the image's, or the virtualenv CI puts first on PATH).
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"

deps() {
    "$PYTHON" -m pip install --quiet --require-hashes --no-deps -r requirements/runtime.txt
    "$PYTHON" -m pip check
}

assets() {
    DJANGO_SETTINGS_MODULE=toegang.settings.build "$PYTHON" manage.py collectstatic --noinput --verbosity 0
    if find toegang audit signalen casussen -name '*.po' | grep -q .; then
        DJANGO_SETTINGS_MODULE=toegang.settings.build "$PYTHON" manage.py compilemessages --verbosity 0
    fi
}

case "${1:-all}" in
    deps) deps ;;
    assets) assets ;;
    all) deps; assets ;;
    *) echo "gebruik: deploy/build.sh [deps|assets]" >&2; exit 2 ;;
esac
