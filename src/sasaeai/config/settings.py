"""Settings for sasaeai, read from the environment.

Every variable is documented with its default in docs/configuration.md.
``SASAEAI_ENV`` selects the profile: ``development`` (default; also used by the tests)
or ``production`` (secrets required, TLS assumed, ``check --deploy`` clean).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from sasaeai.config.env import Env

env = Env()

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.str("SASAEAI_VAR_DIR", str(Path.cwd() / "var")))

SASAEAI_ENV = env.str("SASAEAI_ENV", "development")
if SASAEAI_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"環境変数 SASAEAI_ENV の値 {SASAEAI_ENV!r} は使えません。development または production を指定してください。"
    )
PRODUCTION = SASAEAI_ENV == "production"

# The development key is public on purpose: it only serves a local demo.
DEVELOPMENT_SECRET_KEY = "django-insecure-sasaeai-development-only-not-for-production-use-0001"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY") if PRODUCTION else env.str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", None if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "環境変数 ALLOWED_HOSTS が設定されていません（例: welfare.example.lg.jp）。"
    )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS")

# Encryption of personal data at rest: comma-separated Fernet keys, newest first.
# Development falls back to a public key so the demo runs; production requires the variable.
DEVELOPMENT_ENCRYPTION_KEY = "c2FzYWVhaS1kZXZlbG9wbWVudC1rZXktMDAwMDAwMDA="
SASAEAI_ENCRYPTION_KEYS = env.list(
    "SASAEAI_ENCRYPTION_KEYS", None if PRODUCTION else [DEVELOPMENT_ENCRYPTION_KEY]
)
if PRODUCTION and not SASAEAI_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "環境変数 SASAEAI_ENCRYPTION_KEYS が設定されていません。"
        " `sasaeai generate_encryption_key` で鍵を作り、設定してください。"
    )

INSTALLED_APPS = [
    "sasaeai.core.apps.SasaeaiAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "sasaeai.core",
    "sasaeai.accounts",
    "sasaeai.audit",
    "sasaeai.plainlang",
    "sasaeai.plans",
    "sasaeai.publication",
    "sasaeai.directory",
    "sasaeai.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "sasaeai.core.http.ApiErrorsAsJsonMiddleware",
    "sasaeai.core.http.NulInPathMiddleware",
    "sasaeai.core.db.WebStatementTimeoutMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "sasaeai.accounts.middleware.StaffSessionMiddleware",
    "sasaeai.accounts.middleware.SignedInResponseMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

if PRODUCTION:
    # Static files are served by the application itself (behind the reverse proxy's cache).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "sasaeai.config.urls"
WSGI_APPLICATION = "sasaeai.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sasaeai.web.context_processors.site",
            ],
            "builtins": [
                "django.templatetags.static",
                "django.templatetags.i18n",
                "sasaeai.core.templatetags.wareki",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env.str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'sasaeai.sqlite3'}"),
        conn_max_age=env.int("DATABASE_CONN_MAX_AGE", 60 if PRODUCTION else 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
# PostgreSQL: a query of a web request stops after this many seconds (0: no limit). Background
# work and the command line are not limited (sasaeai.core.db.WebStatementTimeoutMiddleware).
SASAEAI_WEB_STATEMENT_TIMEOUT = env.int("SASAEAI_WEB_STATEMENT_TIMEOUT", 30 if PRODUCTION else 0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:home"

# Login throttling (django-axes): lock a username from one address after repeated failures.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", 0) or None
AXES_VERBOSE = False

OTP_TOTP_ISSUER = env.str("OTP_ISSUER", "sasaeai")
OTP_TOTP_THROTTLE_FACTOR = 1

# Sessions: staff sessions end after a period without activity and when the browser closes.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Behind TLS (production default): secure cookies, HSTS, redirect to https.
TLS = env.bool("SASAEAI_TLS", default=PRODUCTION)
SESSION_COOKIE_SECURE = TLS
CSRF_COOKIE_SECURE = TLS
SECURE_SSL_REDIRECT = TLS and env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 31_536_000) if TLS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = TLS
SECURE_HSTS_PRELOAD = TLS and env.bool("SECURE_HSTS_PRELOAD", default=True)
if env.bool("SASAEAI_BEHIND_PROXY", default=PRODUCTION):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

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

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [PACKAGE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", "localhost")
EMAIL_PORT = env.int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "sasaeai <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SASAEAI_YEAR_STYLE = env.str("SASAEAI_YEAR_STYLE", "wareki")
if SASAEAI_YEAR_STYLE not in {"wareki", "seireki"}:
    raise ImproperlyConfigured(
        f"環境変数 SASAEAI_YEAR_STYLE の値 {SASAEAI_YEAR_STYLE!r} は使えません。wareki または seireki を指定してください。"
    )
SASAEAI_SITE_NAME = env.str("SASAEAI_SITE_NAME", "ささえあい")
# The site's public address, for links in emails (reminders).
SASAEAI_BASE_URL = env.str("SASAEAI_BASE_URL", "http://localhost:8000")
# Requests per minute to the plain-language check API.
SASAEAI_PLAINLANG_RATE_ANONYMOUS = env.int("PLAINLANG_RATE_ANONYMOUS", 30)
SASAEAI_PLAINLANG_RATE_STAFF = env.int("PLAINLANG_RATE_STAFF", 300)

# Report builds started from the secretariat's screen run in a background thread; set this to
# build them within the request instead (tests, or a host where threads are unwelcome).
REPORTS_BUILD_SYNC = env.bool("SASAEAI_REPORTS_BUILD_SYNC", default=False)
# Directory imports started on the secretariat's screen (preview and apply) run in a background
# thread; set this to run them within the request instead (tests).
DIRECTORY_IMPORT_SYNC = env.bool("SASAEAI_DIRECTORY_IMPORT_SYNC", default=False)

# The rate limits count in the cache: one process by default; several workers need a shared
# cache, e.g. CACHE_URL=redis://127.0.0.1:6379/1 (Django's Redis backend).
_cache_url = env.optional("CACHE_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
        if _cache_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools narrate every step of a PDF at INFO; only their errors matter.
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
    },
}

# Turning HSTS preload off is a deliberate operator choice, so its warning is not repeated.
SILENCED_SYSTEM_CHECKS: list[str] = [] if SECURE_HSTS_PRELOAD or not TLS else ["security.W021"]
