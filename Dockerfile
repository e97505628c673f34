# Image for the web and worker processes of the Brede Toegang platform.
# Its build and start steps are scripts in deploy/, which CI runs on the host
# (deploy/smoke.sh): what CI tests is what the image does.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=toegang.settings.production

RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client curl gettext \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --uid 10001 toegang

WORKDIR /app
# Dependencies first (their own layer): only what requirements/runtime.txt names, with hashes.
COPY requirements/runtime.txt requirements/runtime.txt
COPY deploy/build.sh deploy/build.sh
RUN deploy/build.sh deps

COPY --chown=toegang:toegang . .
RUN deploy/build.sh assets && chown -R toegang:toegang /app/var

USER toegang
EXPOSE 8000
ENTRYPOINT ["deploy/start.sh"]
CMD ["web"]
