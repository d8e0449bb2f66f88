"""Callcenter settings: every knob is an environment variable (see .env.example and README)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

# The example value from .env.example counts as unset: a copied .env must not sign production
# sessions with a key everyone can read.
PLACEHOLDER_SECRET_KEYS = {
    "change-me-to-a-long-random-string",
    "change-me-to-another-random-string",
}
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not SECRET_KEY or SECRET_KEY in PLACEHOLDER_SECRET_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string, or DEBUG=true for development."
        )
    SECRET_KEY = SECRET_KEY or "insecure-development-key-only-used-when-DEBUG-is-true"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django_filters",
    "django_htmx",
    "template_partials",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "callcenter",
    "accounts",
    "hierarchy",
    "knowledgebase",
    "workorders",
    "requests_app",
    "open311",
    "feedback",
    "calls",
    "mail",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads the body: refuses one too large from its Content-Length.
    "callcenter.errors.RequestSizeMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.middleware.SessionIdleMiddleware",
    # Turns a locked-out login into the login page with its message (accounts.views.login_locked).
    "axes.middleware.AxesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so its process_exception sees a database error first.
    "callcenter.errors.DatabaseOutageMiddleware",
]

ROOT_URLCONF = "callcenter.urls"
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "callcenter.wsgi.application"

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
                "callcenter.context_processors.navigation",
                "calls.availability.availability",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while an agent saves; the busy timeout waits instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes counts failed logins first; the model backend then checks the password.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LoginAttemptBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions are rows with their user (accounts.models.Session), so that logging out, a password
# change or a deactivation can end every session of that user. A session ends after this many
# minutes without a request; accounts.middleware.SessionIdleMiddleware moves the end forward at
# most every few minutes instead of writing the session on every request.
SESSION_ENGINE = "accounts.sessions"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "480")) * 60

# Password guessing (django-axes): after LOGIN_FAILURE_LIMIT failures within the lock time, the
# username is locked, and so, separately, is the client address; each lasts LOGIN_LOCK_MINUTES
# after the last failure. TRUSTED_PROXY_COUNT proxies in front append to X-Forwarded-For.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCK_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "callcenter.views.login_locked"
AXES_CLIENT_IP_CALLABLE = "accounts.login.client_address"
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# A success must not wipe the failures counted against the client address: an attacker with an
# account of their own could otherwise guess without end between two of their own logins.
AXES_RESET_ON_SUCCESS = False

# Internationalisation: times are stored in UTC and shown in TIME_ZONE.
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en")
LANGUAGES = [
    ("en", _("English")),
    ("de", _("German")),
    ("nb", _("Norwegian Bokmål")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

# Region used to read phone numbers typed without a country code.
PHONE_DEFAULT_REGION = os.environ.get("PHONE_DEFAULT_REGION", "DE")


# The phone system (Kamailio, rtpengine and the media service; see calls/ and the README).
# PHONE_SECRET is the header X-Phone-Secret the phone system sends with every question and event;
# PHONE_AUTH_SECRET signs the browsers' time-limited SIP credentials (Kamailio's autheph). Both
# are required unless DEBUG is on, like SECRET_KEY.
def env_secret(name: str, development_default: str) -> str:
    value = os.environ.get(name, "").strip()
    if value and value not in PLACEHOLDER_SECRET_KEYS:
        return value
    if not DEBUG:
        raise ImproperlyConfigured(
            f"{name} is not set. Set it to a long random string, or DEBUG=true for development."
        )
    return development_default


PHONE_SECRET = env_secret("PHONE_SECRET", "dev-phone-secret")
PHONE_AUTH_SECRET = env_secret("PHONE_AUTH_SECRET", "dev-phone-auth-secret")
SIP_DOMAIN = os.environ.get("SIP_DOMAIN", "127.0.0.1")
SIP_HOST = os.environ.get("SIP_HOST", "127.0.0.1")
SIP_PORT = int(os.environ.get("SIP_PORT", "5060"))  # UDP and TCP
SIP_WS_PORT = int(os.environ.get("SIP_WS_PORT", "5066"))  # browsers (WebSocket)
RTPENGINE_NG_PORT = int(os.environ.get("RTPENGINE_NG_PORT", "2223"))
RTP_PORT_MIN = int(os.environ.get("RTP_PORT_MIN", "30000"))
RTP_PORT_MAX = int(os.environ.get("RTP_PORT_MAX", "30999"))
MEDIA_SIP_PORT = int(os.environ.get("MEDIA_SIP_PORT", "5070"))  # the media service's own SIP port
PHONE_APP_URL = os.environ.get("PHONE_APP_URL", "http://127.0.0.1:8000")
# Relative paths are taken from the project's directory.
PHONE_RUN_DIR = BASE_DIR / os.environ.get("PHONE_RUN_DIR", "var/phone")
CALL_RECORDINGS_DIR = BASE_DIR / os.environ.get("CALL_RECORDINGS_DIR", "var/recordings")
# The media service's spoken prompts (WAV files espeak-ng renders once and keeps).
PHONE_PROMPTS_DIR = BASE_DIR / os.environ.get(
    "PHONE_PROMPTS_DIR", str(Path(os.environ.get("PHONE_RUN_DIR", "var/phone")) / "prompts")
)
# How many days a call's recording is kept; then the task worker deletes it.
CALL_RECORDING_DAYS = int(os.environ.get("CALL_RECORDING_DAYS", "90"))
# After how many seconds a waiting caller's routing question is asked again: for the first five
# in the queue, up to the fiftieth, and the others (an agent who becomes free goes to the head
# first anyway). Tests that fill a queue shorten them.
QUEUE_RETRY_SECONDS = (1, 2, 5)
# How long the browsers' SIP credentials are valid (seconds).
PHONE_CREDENTIALS_SECONDS = int(os.environ.get("PHONE_CREDENTIALS_SECONDS", str(12 * 3600)))

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# E-mail
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
# Background tasks (e-mail to callers): stored in the database, run by `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "callcenter@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address customers reach this server at: the links in e-mails to them (feedback surveys).
PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

# E-mail in (the mail app): where attachments are kept (relative paths are taken from the
# project's directory), how large one attachment and all of one message's may be (larger ones are
# noted on the e-mail, not kept), and how many acknowledgements one sender gets within an hour.
MAIL_ATTACHMENTS_DIR = BASE_DIR / os.environ.get("MAIL_ATTACHMENTS_DIR", "var/mail")
MAIL_ATTACHMENT_MAX_BYTES = int(os.environ.get("MAIL_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
MAIL_MESSAGE_ATTACHMENTS_MAX_BYTES = int(
    os.environ.get("MAIL_MESSAGE_ATTACHMENTS_MAX_BYTES", str(25 * 1024 * 1024))
)
MAIL_ACKNOWLEDGEMENTS_PER_HOUR = int(os.environ.get("MAIL_ACKNOWLEDGEMENTS_PER_HOUR", "3"))

# Open311 GeoReport v2 (/open311/v2/): what discovery tells apps, and how many requests one API
# key, and one client address, may post within an hour (then 429 with Retry-After).
OPEN311_CONTACT = os.environ.get("OPEN311_CONTACT", "")
OPEN311_KEY_SERVICE = os.environ.get("OPEN311_KEY_SERVICE", "")
OPEN311_POSTS_PER_KEY_PER_HOUR = int(os.environ.get("OPEN311_POSTS_PER_KEY_PER_HOUR", "1000"))
OPEN311_POSTS_PER_ADDRESS_PER_HOUR = int(
    os.environ.get("OPEN311_POSTS_PER_ADDRESS_PER_HOUR", "100")
)

# Request sizes. Form fields: at most 2.5 MB together (Django's DATA_UPLOAD_MAX_MEMORY_SIZE,
# checked before they are read; the longest text, 100,000 characters, fits several times).
# Uploads: the catalogue import reads at most CATALOGUE_IMPORT_MAX_BYTES, and a whole body
# larger than REQUEST_MAX_BYTES is refused from its Content-Length before it is read.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)
CATALOGUE_IMPORT_MAX_BYTES = 5 * 1024 * 1024
CATALOGUE_IMPORT_MAX_ROWS = 10_000
FILE_UPLOAD_MAX_MEMORY_SIZE = CATALOGUE_IMPORT_MAX_BYTES
REQUEST_MAX_BYTES = CATALOGUE_IMPORT_MAX_BYTES + 256 * 1024  # the file and the form around it

# Security
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        # The softphone's WebSocket to Kamailio (calls/credentials/ hands it this address).
        "connect-src": ["'self'", f"ws://{SIP_HOST}:{SIP_WS_PORT}"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Kamailio and the media service ask over plain HTTP on this machine (PHONE_APP_URL) with
    # their shared secret and follow no redirect.
    SECURE_REDIRECT_EXEMPT = [r"^calls/phone/"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes tells of every login and logout at INFO; its warnings (failures, locks) stay.
    "loggers": {"axes": {"level": "WARNING"}},
}
