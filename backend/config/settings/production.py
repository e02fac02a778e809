"""Production settings: secrets and hosts have no defaults, and every deploy check passes."""

from __future__ import annotations

import environ

from .base import *  # noqa: F403
from .base import EMAIL_URL, env


def _required(name: str) -> str:
    """A variable production cannot run without; missing and empty (as docker-compose passes it) are refused."""
    value = str(env.str(name, default="")).strip()
    if not value:
        raise environ.ImproperlyConfigured(f"Set {name}: production settings have no default for it.")
    return value


DEBUG = False
SECRET_KEY = _required("SECRET_KEY")
ALLOWED_HOSTS = [host.strip() for host in _required("ALLOWED_HOSTS").split(",") if host.strip()]
DATABASES = {"default": env.db_url_config(_required("DATABASE_URL"))}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
PUBLIC_BASE_URL = _required("PUBLIC_BASE_URL").rstrip("/")

# Production always runs on Redis: broker, and the cache that holds throttles and rate limits.
REDIS_URL = _required("REDIS_URL")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="clinic"),
    }
}
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_TRANSPORT = None
CELERY_BROKER_TRANSPORT_OPTIONS = {}

TWILIO_ACCOUNT_SID = _required("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = _required("TWILIO_AUTH_TOKEN")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")
TWILIO_MESSAGING_SERVICE_SID = env.str("TWILIO_MESSAGING_SERVICE_SID", default="")
if not (TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID):
    raise environ.ImproperlyConfigured("Set TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID.")
# The SMS sandbox is a development tool: production always talks to Twilio.
SMS_BACKEND = "twilio"
SMS_SANDBOX_ENABLED = False
INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "clinic.messaging.sandbox"]  # noqa: F405
TWILIO_API_URL = env.str("TWILIO_API_URL", default="https://api.twilio.com").rstrip("/")
# Email needs a real mail server (EMAIL_URL); without one the email channel is off (README, Email), and
# the sandbox mailbox is never an option here.
if not EMAIL_URL:
    EMAIL_URL = ""
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    EMAIL_ENABLED = False

# TLS is terminated by the proxy in front of us, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Health checks come from inside the network over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_AGE = 8 * 60 * 60  # one working day

# gunicorn serves the collected static files itself (admin, API docs, the contact page).
MIDDLEWARE = [*MIDDLEWARE]  # noqa: F405
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "whitenoise.middleware.WhiteNoiseMiddleware"
)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
