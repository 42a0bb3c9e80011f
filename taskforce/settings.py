"""
Settings for the Joint Task Force site, read from the environment (12-factor).

Every value has a safe local default except SECRET_KEY, which production must
set: with DEBUG off the site refuses to start without it. README.md lists
every variable.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from taskforce.media import s3_media

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# ENV_FILE lets tests and deployments choose another file (or none: /dev/null).
environ.Env.read_env(env.str("ENV_FILE", default=str(BASE_DIR / ".env")))

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(or DEBUG=on for local development); `make run` writes a .env with one."
        )
    SECRET_KEY = "insecure-local-development-key-only-used-when-debug-is-on"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Before the admin, so the translated fields' admin widgets take precedence.
    "modeltranslation",
    "taskforce",
    "news",
    "quotes",
    "events",
    "search",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "csp",
    "axes",
    "django_prose_editor",
    "django_ratelimit",
    "imagekit",
    "reversion",
]

MIDDLEWARE = [
    # A cached page skips everything below the page cache: the headers they add
    # are stored with it. Conditional GET stays above, so hits answer with 304 too.
    "django.middleware.http.ConditionalGetMiddleware",
    "taskforce.cache.AnonymousPageCacheMiddleware",
    "taskforce.outages.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Reads the language from the path (/fr/...) and sends unprefixed addresses to the
    # visitor's browser language; the page cache above keys pages by their path. Leaves
    # robots.txt and the sitemap, the same in every language, unmarked (languages.py).
    "taskforce.languages.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Below every middleware that adds security headers, so its 400 carries them.
    "taskforce.handlers.MalformedRequestMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "taskforce.urls"
WSGI_APPLICATION = "taskforce.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "taskforce.context_processors.site",
            ],
        },
    },
]

# Database: SQLite file by default, PostgreSQL in production.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE transactions take the
    # write lock up front, so concurrent writers queue (busy timeout) instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Bounded waits: a lock held elsewhere, a runaway statement or a database that does
    # not answer costs a request seconds, not a worker (taskforce/outages.py answers 503).
    # Set per connection at connect time (libpq options), so no extra round trip.
    DATABASE_LOCK_TIMEOUT = env.float("DATABASE_LOCK_TIMEOUT", default=3)
    DATABASE_STATEMENT_TIMEOUT = env.float("DATABASE_STATEMENT_TIMEOUT", default=15)
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options.setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3))
    options["options"] = " ".join(
        [
            options.get("options", ""),
            f"-c lock_timeout={int(DATABASE_LOCK_TIMEOUT * 1000)}",
            f"-c statement_timeout={int(DATABASE_STATEMENT_TIMEOUT * 1000)}",
            # Compiling a query costs tens of milliseconds, more than any query here
            # runs: a search ranking thousands of matches is estimated costly enough to
            # trigger it, and then takes three times as long (docs/search.md).
            "-c jit=off",
        ]
    ).strip()
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        # A connection lives across requests, so the statements the pages run over and
        # over are parsed and planned once per connection, then reused. Django turns
        # this off by default for transaction-mode poolers (PgBouncer), which cannot
        # keep a statement between transactions.
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=5
        )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The embedded default lives in the database, so every process (make run, a management
# command, a second server) shares it: an edit made anywhere shows on the next page.
# Production sets CACHE_URL to Redis. The table is created after migrate (apps.py).
CACHES = {"default": env.cache_url("CACHE_URL", default="dbcache://page_cache")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 5000)
# Redis only ever holds what can be rebuilt, so when it cannot be reached the site
# carries on without it (pages rendered afresh; the page cache logs it) instead of
# failing every request, and a Redis that stops answering holds no request for long.
REDIS_CACHE_OPTIONS = {
    "IGNORE_EXCEPTIONS": True,
    "SOCKET_CONNECT_TIMEOUT": 1,
    "SOCKET_TIMEOUT": 1,
    "CONNECTION_POOL_CLASS": "taskforce.cache.FailFastConnectionPool",
}
if CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache":
    CACHES["default"].setdefault("OPTIONS", {}).update(REDIS_CACHE_OPTIONS)
# Anonymous pages are served from CACHES for this long at most (0 turns it off);
# any content change invalidates them at once (taskforce/cache.py).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=60)
# Under a burst of edits a page is rendered again at most this often; meanwhile, and while
# one worker renders it, visitors get the previous copy.
PAGE_CACHE_REFRESH_SECONDS = env.float("PAGE_CACHE_REFRESH_SECONDS", default=1.5)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# English and French: public pages live under /en/ and /fr/ (i18n_patterns); the admin
# speaks the staff member's browser language, or the one they chose in its header (a cookie
# sent to /admin/ only, so public addresses keep following the browser).
# Translations: locale/<lang>/LC_MESSAGES.
LANGUAGE_CODE = "en"
LANGUAGE_COOKIE_PATH = "/admin/"
LANGUAGE_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Each named in itself, as the language switcher shows it.
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and times in each language's own style (taskforce/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["taskforce.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Compressed, content-hashed names: served by whitenoise with far-future caching.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Content in English and French (django-modeltranslation; docs/translation.md) -----------
# Each translated field has a column per language (title_en, title_fr) on the same row.
# English is required; French is optional and reads as the English where it is missing.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)

# --- Media: uploaded images and their renditions ---------------------------------------------
# By default on this host's disk (MEDIA_ROOT), served by the site at MEDIA_URL. With several
# hosts, in an S3-compatible bucket (django-storages): AWS_STORAGE_BUCKET_NAME turns it on,
# boto3 reads the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY or an instance role).
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"], MEDIA_URL, MEDIA_ORIGIN = s3_media(
        bucket=AWS_STORAGE_BUCKET_NAME,
        endpoint_url=env.str("AWS_S3_ENDPOINT_URL", default=""),
        region=env.str("AWS_S3_REGION_NAME", default=""),
        media_url=env.str("MEDIA_URL", default=""),
        location=env.str("AWS_LOCATION", default=""),
        addressing=env.str("AWS_S3_ADDRESSING_STYLE", default=""),
    )
else:
    STORAGES["default"] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    MEDIA_URL = "/media/"
    MEDIA_ORIGIN = None
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Largest image staff may upload, in megabytes.
IMAGE_MAX_UPLOAD_MB = env.int("IMAGE_MAX_UPLOAD_MB", default=10)
# Renditions are made when an image is saved, so pages only compute their addresses.
IMAGEKIT_DEFAULT_CACHEFILE_STRATEGY = "taskforce.images.MakeOnSave"
IMAGEKIT_CACHEFILE_DIR = "renditions"

# Email: printed on the console unless EMAIL_URL names a real server.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Joint Task Force on smart cities <noreply@localhost>"
)
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# Security: on by default whenever DEBUG is off.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([MEDIA_ORIGIN] if MEDIA_ORIGIN else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# Admin login: locked after repeated failures; counters live in the database,
# so every process and host sees the same attempts.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"
# The same client address as the rate limit (CLIENT_IP_META_KEY below).
AXES_CLIENT_IP_CALLABLE = "taskforce.security.client_ip"
AXES_USERNAME_CALLABLE = "taskforce.security.admin_sign_in_username"

CSRF_FAILURE_VIEW = "taskforce.security.csrf_failure"

# Rate limits count in the shared cache (Redis in production).
RATELIMIT_USE_CACHE = "default"
RATELIMIT_VIEW = "taskforce.views.rate_limited"
# A cache that cannot count lets registrations through: the honeypot and the database's
# one-registration-per-address constraint still hold, and no visitor is turned away.
RATELIMIT_FAIL_OPEN = True
if CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DatabaseCache")):
    # One process during development; production sets CACHE_URL (Redis), see checks.py.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
        "axes": {"level": "WARNING"},
    },
}

SITE_NAME = "Joint Task Force on smart cities"

# --- Events and registration ----------------------------------------------------------------
# Absolute links in emails and calendar files (no request there); its host names calendar UIDs.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Personal data of registrations is deleted this many days after the event ends.
REGISTRATION_RETENTION_DAYS = env.int("REGISTRATION_RETENTION_DAYS", default=90)
# Registration POSTs per client IP, counted in the shared cache.
REGISTRATION_RATE_LIMIT = env.str("REGISTRATION_RATE_LIMIT", default="10/m")
# Registering an address already registered re-sends its private link at most this often.
REGISTRATION_LINK_RESEND_MINUTES = env.int("REGISTRATION_LINK_RESEND_MINUTES", default=10)
# Behind a proxy, the header holding the client IP, e.g. HTTP_X_REAL_IP: read by the rate
# limit and by the admin sign-in lock-out alike (taskforce.security.client_ip).
CLIENT_IP_META_KEY = env.str("RATELIMIT_IP_META_KEY", default="") or "REMOTE_ADDR"
RATELIMIT_IP_META_KEY = "taskforce.security.client_ip"
# `manage.py check --database default` warns when an email has waited longer than this.
EMAIL_PENDING_ALERT_SECONDS = env.int("EMAIL_PENDING_ALERT_SECONDS", default=600)
# Pending emails are retried by `send_pending_emails` up to this many times.
EMAIL_MAX_ATTEMPTS = env.int("EMAIL_MAX_ATTEMPTS", default=10)
# Seconds for one whole conversation with the mail server (connecting, one email, or
# closing), however the server stalls or drips: taskforce/mail.py.
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=10)
if EMAIL_CONFIG["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
    EMAIL_BACKEND = "taskforce.mail.DeadlineEmailBackend"
# The outbox worker (send_pending_emails --loop, started by make run and make serve)
# sends every email, so no visitor ever waits for the mail server. On: the request
# sends too, right after its commit, waiting up to EMAIL_TIMEOUT on a slow server.
EMAIL_SEND_AT_ONCE = env.bool("EMAIL_SEND_AT_ONCE", default=False)
