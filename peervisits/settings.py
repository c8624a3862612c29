"""
PeerVisits settings.

Every value comes from the environment, with defaults that run the whole
application on one machine with nothing else installed: SQLite, media and a
filesystem Celery broker under ``VAR_DIR``. Production sets ``DATABASE_URL``,
``REDIS_URL``, ``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``HTTPS=True``.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)
# The default key is only good for a laptop: `check --deploy` flags it.
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-peervisits-local-development-only")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "peervisits.apps.PeerVisitsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    # The project's apps, from the bottom floor up: each imports only those above it here.
    "core",
    "countries",
    "visits",
    "lessons",
    "reports",
    "peervisits",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "peervisits.urls"
WSGI_APPLICATION = "peervisits.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "peervisits.context_processors.site",
            ],
        },
    },
]
# Forms and fields are rendered with the templates above, so templates/ may override them
# (templates/admin/widgets/split_datetime.html labels the admin's date and time); Django's own
# widget templates, through Jinja2 (core/renderers.py says why).
FORM_RENDERER = "core.renderers.FormRenderer"

# Database: SQLite under VAR_DIR unless DATABASE_URL says otherwise (an empty one, as a shell's
# `DATABASE_URL= make test` leaves it, means the default too).
DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'peervisits.sqlite3'}"
    ),
}
# Persistent connections: a request reuses its process's connection (opening one costs more than
# most pages' queries), checked before reuse so that a restarted database is no error.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: make sure the folder of the SQLite file exists.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Several processes (the web server's threads, the worker, beat) write at once: readers and
    # the writer do not block each other (WAL), a write transaction takes the write lock when it
    # begins (IMMEDIATE), so that writers wait their turn, up to SQLITE_TIMEOUT seconds, instead
    # of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE",
        timeout=env.int("SQLITE_TIMEOUT", default=20),
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    )
    # Tests use a file too, not memory: Celery workers started by the tests share it.
    # One per test run, so that two runs side by side do not recreate each other's.
    DATABASES["default"].setdefault(
        "TEST", {"NAME": str(VAR_DIR / f"test-peervisits-{os.getpid()}.sqlite3")}
    )
elif DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # No JIT compilation: it pays off for long analytical queries, and cost a page 40 ms
    # compiling the plan of a search over thousands of lessons before running it in less.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis, when configured, is the Celery broker and the cache.
REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery (read by peervisits/celery.py through the CELERY_ namespace). Every task records its
# outcome in the database (report jobs) or needs none (e-mails): no result backend.
CELERY_BROKER_DIR = VAR_DIR / "celery"
CELERY_TASK_IGNORE_RESULT = True
# A web request gives up on a broker it cannot reach within about a second (the job stays queued
# for the sweep): connecting waits at most this long, and publishing tries twice (the second try
# replaces a pooled connection that went stale; reports/tasks.py).
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("BROKER_CONNECT_TIMEOUT", default=0.5)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        # A connection whose host went away fails instead of waiting for the network to say so.
        "socket_timeout": 5,
        "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    }
else:
    # kombu's filesystem transport: a broker that needs no server, for `make run`; written
    # to safely by several processes (peervisits/broker.py).
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT = "peervisits.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
# A task's message is acknowledged once it is done, and given back when its worker dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "consultation-deadline-reminders": {
        "task": "visits.methodology.tasks.send_consultation_reminders",
        "schedule": timedelta(hours=1),
    },
    "sweep-report-jobs": {
        "task": "reports.tasks.sweep_report_jobs",
        "schedule": timedelta(minutes=1),
    },
    # Early morning in the partner countries (07:00 in Asunción, Brasília and Montevideo).
    "daily-notification-digests": {
        "task": "core.tasks.send_digests",
        "schedule": crontab(minute=0, hour=10),
        "args": ("daily",),
    },
    "recommendation-responses-due": {
        "task": "visits.tasks.ask_for_responses",
        "schedule": crontab(minute=30, hour=10),
    },
    "weekly-notification-digests": {
        "task": "core.tasks.send_digests",
        "schedule": crontab(minute=0, hour=10, day_of_week="mon"),
        "args": ("weekly",),
    },
}

# A recommendation still open this many days after its visit closed: its addressee is asked
# for a response (once).
RECOMMENDATION_RESPONSE_DAYS = env.int("RECOMMENDATION_RESPONSE_DAYS", default=30)

# The consultation on the methodology: the focal points who have not answered are reminded
# at most once per version in this many hours (by a coordinator's button or by the beat).
CONSULTATION_REMINDER_INTERVAL = timedelta(
    hours=env.int("CONSULTATION_REMINDER_INTERVAL_HOURS", default=24)
)

# Reports: a render longer than REPORT_TIME_LIMIT seconds is stopped and fails;
# a job queued for REPORT_QUEUE_GRACE seconds without a worker taking it, or
# running past its time limit (its worker died), is dispatched again by the sweep.
REPORT_TIME_LIMIT = env.int("REPORT_TIME_LIMIT", default=300)
REPORT_QUEUE_GRACE = env.int("REPORT_QUEUE_GRACE", default=120)
REPORT_MAX_ATTEMPTS = env.int("REPORT_MAX_ATTEMPTS", default=3)
REPORT_AUTHOR = env.str("REPORT_AUTHOR", default="PeerVisits")

# Authentication: django-axes first so that locked-out users never reach the password check.
# The project's rules (core.permissions, each app's rules.py) answer permissions first: they
# need the user's roles only (one query per request). Django's model permissions (two more
# queries) are asked when the rules say no.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "core.permissions.RulesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The client's address (core/clients.py): X-Forwarded-For is believed only from these proxies
# (addresses or networks, comma-separated), e.g. the TLS proxy in front of gunicorn.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
AXES_CLIENT_IP_CALLABLE = "core.clients.client_address"
RATELIMIT_IP_META_KEY = "core.clients.client_address"
# Beside axes' per user-and-address lockout (peervisits/throttling.py): failed sign-ins per
# address and per user name within AXES_COOLOFF_MINUTES, and new passwords asked by e-mail.
SIGN_IN_FAILURES_PER_ADDRESS = env.int("SIGN_IN_FAILURES_PER_ADDRESS", default=20)
SIGN_IN_FAILURES_PER_USER = env.int("SIGN_IN_FAILURES_PER_USER", default=10)
PASSWORD_RESETS_PER_ADDRESS = env.str("PASSWORD_RESETS_PER_ADDRESS", default="10/h")
PASSWORD_RESETS_PER_EMAIL = env.str("PASSWORD_RESETS_PER_EMAIL", default="3/h")

# Internationalisation
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("pt", _("Portuguese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["peervisits.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="America/Asuncion")
USE_I18N = True
USE_TZ = True

# Static files are built into static/vendor from npm and served by WhiteNoise.
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Attachments of visits: the largest file accepted (visits/attachments.py checks it, and
# the type, by content). Uploads above Django's FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) are
# streamed to a temporary file, not held in memory; the reverse proxy in front should refuse
# request bodies well above this limit.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
# Knowledge Bank entries imported as plain text (lessons/knowledge_bank/): the largest
# file accepted.
LESSON_IMPORT_MAX_BYTES = env.int("LESSON_IMPORT_MAX_BYTES", default=1024 * 1024)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: the console in development, any backend through EMAIL_URL.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="PeerVisits <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where e-mails point to: the address users open PeerVisits at.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Notifications (core.notifications): the same unread notification of the same object is
# not given to a user again within this many minutes.
NOTIFICATION_REPEAT_WINDOW = timedelta(minutes=env.int("NOTIFICATION_REPEAT_MINUTES", default=60))

# Security. HTTPS=True turns on everything that only makes sense behind TLS.
HTTPS = env.bool("HTTPS", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_SSL_REDIRECT = HTTPS
# Health checks come from inside the deployment, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# No inline scripts or styles anywhere; Bootstrap's form controls draw their
# arrows and checks with data: SVG images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every layout step at INFO; its warnings (refused resources) stay.
        "weasyprint.progress": {"level": "WARNING"},
    },
}
