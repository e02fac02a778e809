"""Settings shared by every environment.

Every environment variable the service reads is read here (or in production.py, which only
tightens these). Defaults serve a developer: SQLite, a broker that needs no server, and a
file-based cache, all kept under VAR_DIR.
"""

from __future__ import annotations

from pathlib import Path

import django_stubs_ext
import environ
from django.conf.locale import LANG_INFO

# Lets generic classes such as admin.ModelAdmin[Model] be subscripted at run time.
django_stubs_ext.monkeypatch()

BACKEND_DIR = Path(__file__).resolve().parents[2]
REPO_DIR = BACKEND_DIR.parent

env = environ.Env()

# Local state for the embedded default (SQLite file, broker folders, cache, beat schedule).
VAR_DIR = Path(env.str("VAR_DIR", default=str(REPO_DIR / ".var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-secret-key-change-me-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The URL Twilio (and patients' browsers) reach us at; used for webhook signatures and links.
PORT = env.int("PORT", default=8000)
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default=f"http://127.0.0.1:{PORT}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "corsheaders",
    "clinic.core",
    "clinic.accounts",
    "clinic.scheduling",
    "clinic.patients",
    "clinic.todos",
    "clinic.intake",
    "clinic.messaging",
    "clinic.visitlinks",
    "clinic.oncall",
    "clinic.checkins",
    "clinic.waitlist",
    "clinic.rems",
    "clinic.measures",
    "clinic.selfbooking",
    "clinic.demo",
]

MIDDLEWARE = [
    "clinic.core.middleware.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before CommonMiddleware, as django-cors-headers asks, so preflight answers carry its headers.
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The patient's language for pages: the switch's cookie, else the browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "clinic.scheduling.middleware.AdminInClinicTimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns lockouts raised by authentication into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

# --- Stores -------------------------------------------------------------------------------

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="clinic"),
        }
    }
else:
    # A file cache is shared by every local process, so throttles hold across web workers.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Celery (read by config/celery_app.py through the CELERY_ namespace) ----------------------

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT: str | None = None
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
else:
    # Files under VAR_DIR, written atomically (kombu's own file transport is not: its worker died
    # reading a half-written message). Chosen over SQLAlchemy's transport on SQLite: see workers/file_broker.py.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT = "workers.file_broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "broker" / "queue"),
        "data_folder_out": str(VAR_DIR / "broker" / "queue"),
        "processed_folder": str(VAR_DIR / "broker" / "processed"),
        "control_folder": str(VAR_DIR / "broker" / "control"),
        "store_processed": False,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Auth ---------------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    # First, as django-axes asks: it refuses locked-out credentials before any password check.
    "axes.backends.AxesStandaloneBackend",
    # Django's password check behind a per-username limit against password spraying.
    "clinic.accounts.signin_guard.GuardedModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# Brute-force protection: a username from one address is locked after AXES_FAILURE_LIMIT misses.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# The same client address as throttles and the audit trail (never the proxy's, never a forged header).
AXES_CLIENT_IP_CALLABLE = "clinic.core.client_ip.client_ip"
# Every miss is kept (the last 1,000 per username): the per-username limit below counts them.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Against password spraying (many addresses, one username), without letting anyone lock a user out:
# after this many misses for a username within the window, from any addresses, it signs in only from
# addresses where it signed in with its password within SIGNIN_KNOWN_ADDRESS_DAYS (accounts/signin_guard.py).
SIGNIN_USERNAME_FAILURE_LIMIT = env.int("SIGNIN_USERNAME_FAILURE_LIMIT", default=20)
SIGNIN_USERNAME_FAILURE_WINDOW_HOURS = env.float("SIGNIN_USERNAME_FAILURE_WINDOW_HOURS", default=24.0)
SIGNIN_KNOWN_ADDRESS_DAYS = env.int("SIGNIN_KNOWN_ADDRESS_DAYS", default=90)

# --- API ----------------------------------------------------------------------------------

# How many reverse proxies in front of the web process append to X-Forwarded-For (0 = none: the
# header is ignored and the address is REMOTE_ADDR). Read by clinic.core.client_ip, the one function
# behind throttles, sign-in lockouts and the audit trail. NUM_PROXIES is the older name.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=env.int("NUM_PROXIES", default=0))
if TRUSTED_PROXY_COUNT < 0:
    raise environ.ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")


def _throttle_rate(name: str, default: str) -> str | None:
    """A DRF rate such as "5/min"; "off" turns that limit off (load tests from one address need it)."""
    rate = str(env.str(name, default=default)).strip()
    return None if rate.lower() == "off" else rate


REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "clinic.accounts.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["clinic.accounts.permissions.IsStaffMember"],
    # The staff API reads JSON only: form encoding turns an empty field into "not sent", so one PATCH
    # meant two things. The public inquiry view also takes form posts (its own parser_classes).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_SCHEMA_CLASS": "clinic.core.openapi.ClinicAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "clinic.core.exceptions.api_exception_handler",
    # DRF reads None as "trust the whole header"; 0 means REMOTE_ADDR. Our throttles ask client_ip
    # (clinic.core.throttling), and any plain DRF throttle counts the same address.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "inquiry_burst": _throttle_rate("INQUIRY_THROTTLE_BURST", "5/min"),
        "inquiry_daily": _throttle_rate("INQUIRY_THROTTLE_DAILY", "30/day"),
        "email_unsubscribe": _throttle_rate("EMAIL_UNSUBSCRIBE_THROTTLE", "30/min"),
        # A session's link page (clinic.visitlinks): every request, and the changes (confirm, cancel, move).
        "visit_link": _throttle_rate("VISIT_LINK_THROTTLE", "60/min"),
        "visit_link_change": _throttle_rate("VISIT_LINK_CHANGE_THROTTLE", "10/min"),
        # Questionnaire pages by link (clinic.measures): every request, and links that open nothing.
        "questionnaire": _throttle_rate("QUESTIONNAIRE_THROTTLE", "120/min"),
        "questionnaire_miss": _throttle_rate("QUESTIONNAIRE_MISS_THROTTLE", "20/hour"),
        # Choosing a self-booked time (clinic.selfbooking), per client address.
        "selfbooking": _throttle_rate("SELFBOOKING_THROTTLE", "10/min"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Clinic intake and messaging API",
    "DESCRIPTION": "Public inquiry form, staff triage, scheduling and SMS messaging.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    # Serve Swagger UI from our own static files: no CDN, works offline and under a strict CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a `status` field with different choices; name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "InquiryStatusEnum": "clinic.intake.models.Inquiry.Status",
        "OutboundMessageStatusEnum": "clinic.messaging.models.OutboundMessage.Status",
        "AppointmentStatusEnum": "clinic.scheduling.models.Appointment.Status",
        # Sedation, dissociation and respiratory depression on a REMS monitoring record share one scale.
        "RemsObservationEnum": "clinic.rems.models.Observation",
    },
}

# Browsers may call the public inquiry API from these sites only (a clinic website embedding the
# form, e.g. https://www.example-clinic.com). Staff endpoints never answer cross-origin requests.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/v1/inquiries/$"
CORS_ALLOW_METHODS = ["OPTIONS", "POST"]
CORS_ALLOW_HEADERS = ["accept", "content-type", "idempotency-key"]
CORS_ALLOW_CREDENTIALS = False
CORS_PREFLIGHT_MAX_AGE = 3600

# Requests larger than this are refused with 413 before anything reads them.
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=64 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# --- The clinic ---------------------------------------------------------------------------

CLINIC_TIMEZONE = env.str("CLINIC_TIMEZONE", default="America/New_York")
# Region used to read phone numbers written without a country code.
PHONE_DEFAULT_REGION = env.str("PHONE_DEFAULT_REGION", default="US")
# A repeat inquiry from the same phone or email within this window is merged into the first.
INQUIRY_MERGE_WINDOW_HOURS = env.int("INQUIRY_MERGE_WINDOW_HOURS", default=24)

# --- Scheduling ---------------------------------------------------------------------------

# Offered start times fall on this grid inside a provider's working hours.
SCHEDULING_SLOT_MINUTES = env.int("SCHEDULING_SLOT_MINUTES", default=15)
# The longest window one availability request may ask for.
SCHEDULING_MAX_AVAILABILITY_DAYS = env.int("SCHEDULING_MAX_AVAILABILITY_DAYS", default=62)
# A reminder is not sent later than this before its session, checked again at send time (scheduling/reminders.py).
REMINDER_MIN_LEAD_MINUTES = env.int("REMINDER_MIN_LEAD_MINUTES", default=60)

# --- Check-ins and alerts (clinic.checkins) -----------------------------------------------

# A check-in is never due sooner than this after its session (monitoring included) ends.
CHECKIN_MIN_MINUTES_AFTER_SESSION = env.int("CHECKIN_MIN_MINUTES_AFTER_SESSION", default=60)
# No check-in text goes out more than this long after its time (counted from when texting hours first
# allowed it): a session marked completed late skips such steps, and a text held up is suppressed.
CHECKIN_LATE_START_GRACE_HOURS = env.float("CHECKIN_LATE_START_GRACE_HOURS", default=6.0)
# No answer this long after a check-in was sent: one gentle follow-up; this long after that: a staff task.
CHECKIN_FOLLOW_UP_HOURS = env.float("CHECKIN_FOLLOW_UP_HOURS", default=4.0)
CHECKIN_NO_ANSWER_HOURS = env.float("CHECKIN_NO_ANSWER_HOURS", default=20.0)
# A reply counts as an answer to the patient's latest check-in sent within this window.
CHECKIN_ANSWER_WINDOW_HOURS = env.float("CHECKIN_ANSWER_WINDOW_HOURS", default=48.0)
# Scores that open an alert: mood at or below, PHQ-2 total at or above, a drop of this many points
# below the average of the patient's previous three mood answers.
CHECKIN_LOW_MOOD_MAX = env.int("CHECKIN_LOW_MOOD_MAX", default=3)
CHECKIN_PHQ2_POSITIVE_MIN = env.int("CHECKIN_PHQ2_POSITIVE_MIN", default=3)
CHECKIN_SHARP_DROP_POINTS = env.int("CHECKIN_SHARP_DROP_POINTS", default=4)
# An urgent alert nobody acknowledged climbs the on-call ladder one step after this long (on-call,
# backup, medical director, clinic line), then pages everyone on it again at this interval.
ALERT_ESCALATE_MINUTES = env.int("ALERT_ESCALATE_MINUTES", default=10)

# --- Crisis detection (clinic.messaging.crisis) ----------------------------------------------
# The labelled texts the semantic layer compares each message with; empty turns that layer off. If they
# cannot load, crisis detection runs on its lexicon alone and /readyz says so.
CRISIS_SEMANTIC_EXEMPLARS = env.str(
    "CRISIS_SEMANTIC_EXEMPLARS",
    default=str(BACKEND_DIR / "clinic" / "messaging" / "crisis" / "corpus" / "messages.csv"),
)

# --- SMS (used by the messaging engine) ---------------------------------------------------

SMS_BACKEND = env.str("SMS_BACKEND", default="sandbox")
if SMS_BACKEND not in ("sandbox", "twilio"):
    raise environ.ImproperlyConfigured("SMS_BACKEND must be 'sandbox' or 'twilio'.")
SMS_RATE_PER_SECOND = env.float("SMS_RATE_PER_SECOND", default=1.0)
# How often beat looks for due texts, and how many one look hands to the workers.
SMS_DISPATCH_INTERVAL_SECONDS = env.float("SMS_DISPATCH_INTERVAL_SECONDS", default=2.0)
SMS_DISPATCH_BATCH = env.int("SMS_DISPATCH_BATCH", default=500)
# Attempts a text gets before it fails: retryable provider errors, unknown outcomes the provider turns
# out not to have, and exceptions of our own while sending all count. Retries wait a capped
# exponential backoff with jitter.
SMS_MAX_ATTEMPTS = env.int("SMS_MAX_ATTEMPTS", default=6)
SMS_RETRY_BASE_SECONDS = env.float("SMS_RETRY_BASE_SECONDS", default=10.0)
SMS_RETRY_MAX_SECONDS = env.float("SMS_RETRY_MAX_SECONDS", default=900.0)
# A row still `sending` after this long (its worker died) is reconciled with the provider.
SMS_SENDING_STALE_SECONDS = env.int("SMS_SENDING_STALE_SECONDS", default=120)
# A row still `queued` after this long (its task was lost, or waits behind a backlog) gets another send
# task; it stays queued, so whichever task comes first sends it and the other finds nothing to do.
SMS_QUEUED_STALE_SECONDS = env.int("SMS_QUEUED_STALE_SECONDS", default=600)
SMS_SANDBOX_CALLBACK_DELAY_SECONDS = env.float("SMS_SANDBOX_CALLBACK_DELAY_SECONDS", default=0.2)
# The sandbox rewrites every text as Twilio's Smart Encoding does (curly quotes made straight, ...).
SMS_SANDBOX_SMART_ENCODING = env.bool("SMS_SANDBOX_SMART_ENCODING", default=False)
# The sandbox's Messages API answers after this long, like Twilio over the internet (100-300 ms).
SMS_SANDBOX_LATENCY_MS = env.int("SMS_SANDBOX_LATENCY_MS", default=0)
# A send task takes up to SMS_SEND_BATCH rows and has up to SMS_SEND_CONCURRENCY provider calls in
# flight per worker process (threads: sending waits on the network, not the CPU).
SMS_SEND_BATCH = env.int("SMS_SEND_BATCH", default=25)
SMS_SEND_CONCURRENCY = env.int("SMS_SEND_CONCURRENCY", default=25)
# Off only to measure the service without it (bench/priority.py's baseline): every text first come, first served.
SMS_PRIORITY = env.bool("SMS_PRIORITY", default=True)
# Urgent sends (pages) go to the default Celery queue's name + this, which every worker consumes first.
SMS_URGENT_QUEUE_SUFFIX = ".urgent"

# Exactly one beat runs these; the dispatcher is safe to run twice by mistake all the same.
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "workers.tasks.heartbeat", "schedule": 30.0},
    "dispatch-due-messages": {"task": "workers.tasks.outbox_dispatch", "schedule": SMS_DISPATCH_INTERVAL_SECONDS},
    "flag-unconfirmed-drivers": {"task": "workers.tasks.drivers_unconfirmed_flag", "schedule": 15 * 60.0},
    "checkins-follow-up": {"task": "workers.tasks.checkins_follow_up", "schedule": 60.0},
    # Also catches a page that failed, so the next step is paged within this long, not after minutes.
    "alerts-escalate": {"task": "workers.tasks.alerts_escalate", "schedule": 30.0},
    # Expires unanswered waitlist offers and offers freed times to the next patients (offers stay open 30 min).
    "waitlist-offers": {"task": "workers.tasks.waitlist_offers_sweep", "schedule": 60.0},
    # Day 5 of a REMS form's 7 days is a calendar day at its location: hourly is close enough.
    "rems-forms-due": {"task": "workers.tasks.rems_forms_due", "schedule": 60 * 60.0},
    # Questionnaires by link: mark sent ones, expire those whose link ended (clinic.measures).
    "questionnaires-sweep": {"task": "workers.tasks.questionnaires_sweep", "schedule": 5 * 60.0},
}
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="AC00000000000000000000000000000000")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="sandbox-auth-token")
# Set only while rotating the auth token: webhooks signed with it are still accepted (README, Operations).
TWILIO_AUTH_TOKEN_PREVIOUS = env.str("TWILIO_AUTH_TOKEN_PREVIOUS", default="")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="+15005550006")
TWILIO_MESSAGING_SERVICE_SID = env.str("TWILIO_MESSAGING_SERVICE_SID", default="")
# In the sandbox, texts go to our own sandbox API (served by this web process) unless told otherwise.
TWILIO_API_URL = env.str(
    "TWILIO_API_URL", default=PUBLIC_BASE_URL if SMS_BACKEND == "sandbox" else "https://api.twilio.com"
).rstrip("/")

# The SMS sandbox (a stand-in for Twilio's API with a page to reply as a patient) is installed
# and mounted only when SMS_BACKEND=sandbox; production settings never install it.
SMS_SANDBOX_ENABLED = SMS_BACKEND == "sandbox"
if SMS_SANDBOX_ENABLED:
    INSTALLED_APPS.append("clinic.messaging.sandbox")

# --- Email (the outbox's second channel) ---------------------------------------------------
# EMAIL_URL names the mail server as django-environ reads it: smtp://user:pass@host:587 (smtp+tls://,
# smtps://, consolemail://, ...). Unset with the SMS sandbox: emails land in the sandbox mailbox
# (/sandbox/mail/). Unset without it: email is off, and nothing is ever written for that channel.
EMAIL_URL = env.str("EMAIL_URL", default="")
SANDBOX_EMAIL_BACKEND = "clinic.messaging.sandbox.mailbox.SandboxEmailBackend"
if EMAIL_URL:
    vars().update(env.email_url_config(EMAIL_URL))
elif SMS_SANDBOX_ENABLED:
    EMAIL_BACKEND = SANDBOX_EMAIL_BACKEND
EMAIL_ENABLED = bool(EMAIL_URL) or SMS_SANDBOX_ENABLED
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# Replies to this address are not read: every email says so and how to get help at once.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Clinic <no-reply@clinic.invalid>")
# How long an unsubscribe link keeps working (a link in an old email should still work).
EMAIL_UNSUBSCRIBE_MAX_AGE_DAYS = env.int("EMAIL_UNSUBSCRIBE_MAX_AGE_DAYS", default=3 * 365)

# --- Internationalisation -----------------------------------------------------------------

LANGUAGE_CODE = "en"
# The languages patients are written to in: English first (the default), then the others, each with
# its translation files in the apps' locale/ folders (clinic.core.languages).
# Each app keeps its translations in its own locale/ folder, where Django finds them.
CLINIC_LANGUAGES = env.list("CLINIC_LANGUAGES", default=["en", "es"])
if CLINIC_LANGUAGES[:1] != ["en"] or not set(CLINIC_LANGUAGES) <= set(LANG_INFO):
    raise environ.ImproperlyConfigured("CLINIC_LANGUAGES must start with en and list language codes, e.g. en,es")
LANGUAGES = [(code, LANG_INFO[code]["name"]) for code in CLINIC_LANGUAGES]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# --- Security defaults (production.py tightens these) -------------------------------------

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# One JSON object per line (LOG_FORMAT=plain for a terminal); phone numbers and e-mails redacted in both.
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
if LOG_FORMAT not in ("json", "plain"):
    raise environ.ImproperlyConfigured("LOG_FORMAT must be 'json' or 'plain'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "clinic.core.log_format.JsonFormatter"},
        "plain": {
            "()": "clinic.core.log_format.RedactingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Request logs carry query strings; keep them out unless debugging.
        "django.server": {"level": "WARNING"},
        # The Twilio SDK logs every request (URL, headers) at INFO; our own log lines say what matters.
        "twilio.http_client": {"level": "WARNING"},
        # SQL with its parameters (names, numbers, texts) is logged at DEBUG when DEBUG is on: never.
        "django.db.backends": {"level": "INFO"},
    },
}
# Celery workers log through the same handler and redaction instead of installing their own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
