# One image for every process of the service: web (the default command), worker and beat
# (docker-compose.yml overrides the command). Configuration comes from the environment at run time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app/backend:/app \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    VAR_DIR=/app/var \
    PORT=8000 \
    WEB_CONCURRENCY=3 \
    GUNICORN_TIMEOUT=30

RUN groupadd --system --gid 10001 clinic \
    && useradd --system --uid 10001 --gid clinic --home-dir /app --no-create-home --shell /usr/sbin/nologin clinic

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. The project itself packages no
# modules (py-modules = []): `pip install .` installs exactly its dependencies.
COPY pyproject.toml README.md ./
RUN pip install . \
    && rm -rf build ./*.egg-info

COPY backend/ backend/
COPY workers/ workers/

# Production settings refuse to load without their secrets; collectstatic touches neither the
# database nor Redis, so placeholders that exist only for this step are enough.
RUN SECRET_KEY=collectstatic-build-step-only \
    ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/unused.sqlite3 \
    REDIS_URL=redis://127.0.0.1:6379/0 \
    PUBLIC_BASE_URL=https://localhost \
    TWILIO_ACCOUNT_SID=AC00000000000000000000000000000000 \
    TWILIO_AUTH_TOKEN=collectstatic-build-step-only \
    TWILIO_FROM_NUMBER=+15005550006 \
    python backend/manage.py collectstatic --noinput \
    && python -m compileall -q backend workers \
    && chown clinic:clinic /app/var

# Static files and code stay root-owned and read-only; only VAR_DIR (beat's schedule) is writable.
USER clinic

EXPOSE 8000

# The Host header must be one Django accepts: the first ALLOWED_HOSTS entry (".example.org" -> "example.org").
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; h = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); h = 'localhost' if h in ('', '*') else h; r.urlopen(r.Request('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/healthz', headers={'Host': h}), timeout=4)"]

# exec: gunicorn becomes PID 1 and receives SIGTERM for a graceful stop.
# WEB_CONCURRENCY is read by gunicorn itself as the number of workers. No access log: request
# lines carry query strings (names, phone numbers in staff searches).
CMD ["sh", "-c", "exec gunicorn config.wsgi:application --bind 0.0.0.0:${PORT} --timeout ${GUNICORN_TIMEOUT} --graceful-timeout 30 --keep-alive 5 --max-requests 1000 --max-requests-jitter 100 --worker-tmp-dir /dev/shm"]
