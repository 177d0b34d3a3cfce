"""The one settings module of Good Enough, read from the environment.

Defaults are safe for a laptop (SQLite under ``var/``, an embedded Redis started by ``make
run``); production sets ``DEBUG`` off and must then provide its secrets. A bad value stops
start-up with a message naming the variable (see ``backend/env.py``).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_stubs_ext
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from backend import env

# django-stubs declares some Django classes generic (a model field's set and get types, for
# one); this lets them be subscripted at run time too, as core.crypto's field is.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.get_str("GOOD_ENOUGH_VAR_DIR") or BASE_DIR / "var")

DEBUG = env.get_bool("DEBUG", default=False)

# Three secrets, each with one job, so that each can be rotated without touching the others:
# SECRET_KEY signs what Django signs (the dashboard's sessions among them); JWT_SIGNING_KEY
# signs the API's tokens; FIELD_ENCRYPTION_KEYS encrypt stored text (core/crypto.py).
SECRET_KEY = env.get_secret(
    "SECRET_KEY",
    debug=DEBUG,
    var_dir=VAR_DIR,
    generate=env.new_secret_key,
    validate=env.validate_secret_key,
)
# Old SECRET_KEYs, still accepted for what they signed (sessions stay signed in) while nothing
# new is signed with them.
SECRET_KEY_FALLBACKS = env.get_secret_list(
    "SECRET_KEY_FALLBACKS", validate=env.validate_secret_key, not_equal={"SECRET_KEY": SECRET_KEY}
)
# simplejwt verifies with one key: rotating it signs every device out (they log in again).
JWT_SIGNING_KEY = env.get_secret(
    "JWT_SIGNING_KEY",
    debug=DEBUG,
    var_dir=VAR_DIR,
    generate=env.new_secret_key,
    validate=env.validate_secret_key,
)
if JWT_SIGNING_KEY in {SECRET_KEY, *SECRET_KEY_FALLBACKS}:
    raise ImproperlyConfigured("JWT_SIGNING_KEY must not be SECRET_KEY (or one of its fallbacks): each rotates alone.")
# Newest first: new text is encrypted with the first key, the others still decrypt it until
# ``manage.py reencrypt`` has rewritten everything under the first.
FIELD_ENCRYPTION_KEYS = [
    key.strip()
    for key in env.get_secret(
        "FIELD_ENCRYPTION_KEYS",
        debug=DEBUG,
        var_dir=VAR_DIR,
        generate=env.new_encryption_key,
        validate=env.validate_encryption_keys,
    ).split(",")
]
# Text written before the data keys stood alone was encrypted under keys derived from
# SECRET_KEY (and its fallbacks) with each FIELD_ENCRYPTION_KEYS entry: those still decrypt
# until this is turned off, which is safe once ``reencrypt`` has run (README, "Keys").
FIELD_ENCRYPTION_LEGACY_KEYS = env.get_bool("FIELD_ENCRYPTION_LEGACY_KEYS", default=True)

ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1"])
PORT = env.get_int("PORT", 8000, minimum=1, maximum=65535)
# Where people open the product: links sent by e-mail (a password reset) start with it, never
# with the Host header of the request that asked for them (which a stranger can set).
PUBLIC_URL = (
    env.get_url("PUBLIC_URL", {"https", "http"})
    or (f"http://127.0.0.1:{PORT}" if DEBUG else f"https://{ALLOWED_HOSTS[0]}")
).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "core",
    "accounts",
    "journal",
    "reminders",
    "care",
    "safety",
    "dashboard",
    "patient_web",
    "seeds",
]

MIDDLEWARE = [
    # Outermost, so that every answer under /api/ passes it, even one refused further in.
    "core.middleware.ApiResponseMiddleware",
    "core.middleware.RequestLimitsMiddleware",
    # Before everything that writes the body: pages are compressed once they are whole.
    "core.middleware.HtmlGZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the dashboard's own middleware, so that its early 413 carries these headers too.
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Before the session and CSRF middleware: an oversize body is refused before they read it.
    "dashboard.security.DashboardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After AuthenticationMiddleware, as django-otp requires: it adds ``is_verified()`` to request.user.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last, as django-axes asks: it turns a flagged lockout into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"
ASGI_APPLICATION = "backend.asgi.application"

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

# --- Database -------------------------------------------------------------------------------

_database_url = env.get_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
try:
    _database = dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
except Exception as error:  # dj-database-url raises several kinds for a malformed URL.
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL Django supports: {error}") from None
if not _database.get("ENGINE"):
    raise ImproperlyConfigured("DATABASE_URL is not a database URL Django supports.")
if _database["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Web, worker and beat share the file: WAL lets readers go on while one writes, and
    # IMMEDIATE transactions take the write lock up front instead of failing half-way.
    # secure_delete zeroes what is deleted, so an erased patient is gone from the file too.
    _database["ENGINE"] = "core.sqlite"  # Django's, with SQLite's real parameter limit
    _database["CONN_MAX_AGE"] = 0
    # Tests run in memory, as on Django's own SQLite backend; said outright because pytest-django
    # knows only that backend by name, and would give each xdist worker a file named after ours.
    _database["TEST"] = {"NAME": ":memory:"}
    _database["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker and cache ----------------------------------------------------------------

REDIS_URL = env.get_url("REDIS_URL", {"redis", "rediss", "unix"})


def _celery_url(url: str) -> str:
    # redis-py and Django's cache spell a socket ``unix:///path``; kombu spells it ``redis+socket://``.
    return "redis+socket://" + url.removeprefix("unix://") if url.startswith("unix://") else url


if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = _celery_url(REDIS_URL)
    CELERY_RESULT_BACKEND = _celery_url(REDIS_URL)
else:
    # Only one-off management commands run without REDIS_URL (``make run`` always sets it,
    # starting an embedded Redis when none is given); the test suite starts its own Redis
    # for the tests that need a real broker.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"

CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = timedelta(days=1)
# A task is acknowledged only after it ran, and a worker that dies mid-task gives it back:
# every task must therefore be safe to run twice (the reminders' unique delivery row is).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis re-delivers an unacknowledged task after this long; it must exceed the longest task.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# One beat entry: the reminder dispatcher, at the top of every minute. Everything it does is
# decided from the database (reminders/dispatcher.py), so a beat that restarts or runs late
# loses nothing.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "dispatch-reminders": {"task": "reminders.dispatch", "schedule": crontab(minute="*")},
    # Tell therapists of flags whose telling was lost, or that someone may see only now.
    "tell-flags": {"task": "reminders.tell_flags", "schedule": crontab(minute="*")},
}

# --- Accounts and auth ----------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
# E-mail is unique ignoring case through a functional unique index (Lower("email")), which
# this check cannot see; the field itself is deliberately not unique=True (case-sensitive).
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
AUTHENTICATION_BACKENDS = [
    # django-axes first: a locked-out address+e-mail is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Then the account's bound on failures from all addresses (accounts/auth.py), at every door.
    "accounts.auth.AccountBoundBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "display_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTH_THROTTLE_RATE = env.get_rate("AUTH_THROTTLE_RATE", "10/min")
# Password-reset e-mails asked for one address (whoever asks): few, so that nobody can fill an
# inbox with them. Each link works once, for an hour.
PASSWORD_RESET_THROTTLE_RATE = env.get_rate("PASSWORD_RESET_THROTTLE_RATE", "5/hour")
PASSWORD_RESET_TIMEOUT = 60 * 60
# Failed log-ins per account, from all addresses together (accounts/auth.py): past it, only
# addresses that have signed in to the account before may try; the owner is told by e-mail.
AUTH_ACCOUNT_FAILURE_RATE = env.get_rate("AUTH_ACCOUNT_FAILURE_RATE", "20/hour")

# How many reverse proxies (load balancer, ingress) stand in front of gunicorn and append to
# X-Forwarded-For; 0 means clients connect directly and REMOTE_ADDR is their address.
TRUSTED_PROXY_COUNT = env.get_int("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=10)
AXES_CLIENT_IP_CALLABLE = "accounts.auth.client_address"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_USERNAME_FORM_FIELD = "email"
AXES_USERNAME_CALLABLE = "accounts.auth.axes_username"
AXES_RESET_ON_SUCCESS = True
# A try while locked out (the owner's right password, too) does not start the cool-off again: the
# lock ends 15 minutes after the failure that set it, whatever is tried meanwhile.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HTTP_RESPONSE_CODE = 429
# The dashboard's sign-in page says it in its own words (the API's view answers its own lockouts).
AXES_LOCKOUT_CALLABLE = "dashboard.auth_views.locked_out"
AXES_VERBOSE = False
# No trail of successful log-ins: axes would create a Django session (and set a cookie) on
# every token request just to hash its key into that trail. Failures are still counted.
AXES_DISABLE_ACCESS_LOG = True

# The dashboard's sessions (the API uses tokens and never opens one): 30 idle minutes, each
# request pushing the end back. An API request carries no session, so nothing is saved for it.
LOGIN_URL = "dashboard:sign-in"
SESSION_COOKIE_AGE = 30 * 60
# Database sessions encrypted under the data keys (what a page flashes to the next names drafts),
# in rows that name their user, so that signing out everywhere can end them all.
SESSION_ENGINE = "accounts.sessions"
SESSION_SAVE_EVERY_REQUEST = True
# The dashboard's flashed messages name drafts and patients' practices: they stay in the
# session on the server, not in a cookie (Django's default keeps them in one, signed but readable).
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# The second factor (accounts/two_factor.py): the name an authenticator app shows
# beside the code, and no more than one step (30 s) of clock drift either way.
OTP_TOTP_ISSUER = "Good Enough"
OTP_TOTP_TOLERANCE = 1

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=30),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,  # the token view sends user_logged_in, which does it
    "ALGORITHM": "HS256",
    "SIGNING_KEY": JWT_SIGNING_KEY,
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
}

# --- REST framework and OpenAPI -------------------------------------------------------------

_renderers = ["rest_framework.renderers.JSONRenderer"]
if DEBUG:
    _renderers.append("rest_framework.renderers.BrowsableAPIRenderer")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": _renderers,
    "DEFAULT_PARSER_CLASSES": ["core.parsers.StrictJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.CursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "core.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "core.errors.ExceptionHandler",
    "EXCEPTION_FORMATTER_CLASS": "core.errors.ExceptionFormatter",
    "ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True,
    # What the schema may list; core.openapi.AutoSchema picks, per operation, those it can give.
    "ALLOWED_ERROR_STATUS_CODES": ["400", "401", "403", "404", "406", "409", "412", "413", "415", "429", "503"],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Good Enough API",
    "DESCRIPTION": (
        "The backend of a self-compassion journaling app used between therapy sessions. "
        "Patients log reflections, pride entries and experiments; therapists link to their "
        "patients and review what was shared.\n\n"
        "Every error answer (4xx, 503) has one shape, "
        '`{"type", "errors": [{"code", "detail", "attr"}]}`; a 409 adds `existing_id`. '
        "Each operation types `code` as the enum of the codes it gives (`<Operation>ErrorCode`); treat a code "
        "your client does not know as its status. A method a path does not have answers 405 "
        "`method_not_allowed` with `Allow`. "
        'Writes to versioned objects take `If-Match: "<version>"` (412 when stale); their answers '
        "carry `ETag`. Every authenticated answer is `Cache-Control: no-store`. "
        "A request body holds only the fields its schema lists: an unknown or read-only one (`id`, "
        "`version`, `created_at`...), even echoed unchanged, is a 400 `unknown_field` naming it."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Swagger UI would otherwise send the schema's address to validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "accounts.models.Role.choices",
        "CareLinkStatusEnum": "accounts.models.CARE_LINK_STATUS_CHOICES",
        "CommitmentKindEnum": "journal.models.COMMITMENT_KIND_CHOICES",
        "CommitmentStatusEnum": "journal.models.COMMITMENT_STATUS_CHOICES",
        "ExperimentStatusEnum": "journal.models.EXPERIMENT_STATUS_CHOICES",
        "ReminderKindEnum": "reminders.models.Reminder.Kind",
        "ReminderPatientKindEnum": "reminders.serializers.PATIENT_KIND_CHOICES",
        "DeliveryStatusEnum": "reminders.models.Delivery.Status",
        "AccessLogWhatEnum": "care.models.ACCESS_LOG_WHAT_CHOICES",
        "SharedEntryTypeEnum": "care.serializers.ENTRY_TYPE_CHOICES",
        "CommitmentChangeTypeEnum": "journal.kinds.COMMITMENT_TYPE",
        "ReflectionChangeTypeEnum": "journal.kinds.REFLECTION_TYPE",
        "PrideEntryChangeTypeEnum": "journal.kinds.PRIDE_ENTRY_TYPE",
        "ExperimentChangeTypeEnum": "journal.kinds.EXPERIMENT_TYPE",
        "FlagSourceEnum": "safety.models.FLAG_SOURCE_CHOICES",
        "RiskKindEnum": "safety.models.RISK_KIND_CHOICES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.openapi.enums_by_reference",
        "core.openapi.require_what_is_always_sent",
        "core.openapi.no_defaults_in_requests",
        "core.openapi.typed_error_codes",
        "core.schema.health_in_schema",
        "core.openapi.nulls_that_clear",
        "core.openapi.uuids_in_paths",
    ],
}

# --- Session transcripts --------------------------------------------------------------------

# A second drafter for session transcripts, off until TRANSCRIPT_DRAFTER_URL is set: a language
# model the clinic runs, behind an OpenAI-compatible API (care/model_drafter.py,
# docs/model-drafter.md). Setting the URL sends every recorded transcript there.
TRANSCRIPT_DRAFTER_URL = env.get_base_url("TRANSCRIPT_DRAFTER_URL")
if TRANSCRIPT_DRAFTER_URL and TRANSCRIPT_DRAFTER_URL.endswith("/chat/completions"):
    raise ImproperlyConfigured(
        "TRANSCRIPT_DRAFTER_URL is the API's base URL (e.g. http://127.0.0.1:8080/v1); "
        "/chat/completions is added to it, so leave that off."
    )
TRANSCRIPT_DRAFTER_MODEL = env.get_str("TRANSCRIPT_DRAFTER_MODEL") or "default"
TRANSCRIPT_DRAFTER_KEY = env.get_checked("TRANSCRIPT_DRAFTER_KEY", env.validate_bearer_token)
# The whole request (connect, send, the model's answer) gets this long; then the built-in drafter drafts.
TRANSCRIPT_DRAFTER_TIMEOUT = env.get_seconds("TRANSCRIPT_DRAFTER_TIMEOUT", 20.0, minimum=0.1, maximum=600.0)

# --- Safety ---------------------------------------------------------------------------------

# The crisis resources patients are shown (safety/resources.py): an operator-edited TOML file,
# read at start-up; a broken one stops start-up with a message naming the entry and field.
SAFETY_CRISIS_RESOURCES = Path(env.get_str("SAFETY_CRISIS_RESOURCES") or BASE_DIR / "safety" / "crisis_resources.toml")

# --- Internationalisation, static files -----------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "backend.staticfiles.StaticFilesStorage"
    },
}
# Without collectstatic (development and the test suite) whitenoise serves from the apps.
WHITENOISE_USE_FINDERS = True

# --- Security (``manage.py check --deploy`` is clean when DEBUG is off) ----------------------

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.get_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz(/reminders)?$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# No script of ours reads either cookie (the dashboard has none), so none may; and neither is
# sent along when another site posts to us.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "dashboard.views.csrf_failure"  # the dashboard's own page under /app/
SECURE_HSTS_SECONDS = 0 if DEBUG else 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# django-csp's policy, strict: our own stylesheet only, no script at all, no framing, forms
# post only to us, no <base>. The second factor's QR code is an <svg> written into the page,
# so images need nothing beyond 'self' (no data: URL). It covers the dashboard and Django's own
# plain pages; not /api/, which answers JSON and whose Swagger UI needs an inline <style> and
# script, nor /admin/, whose pages use inline styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'"],
        "style-src": ["'self'"],
        "script-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
    },
    "EXCLUDE_URL_PREFIXES": ("/api/", "/admin/"),
}

# --- Mail and logging -----------------------------------------------------------------------

# Reminder channels: each is off until its variable is set (see reminders/channels.py).
# Push to phones: FCM HTTP v1, authenticated as the service account in FCM_SERVICE_ACCOUNT_FILE
# (read and checked here, once). REMINDER_CHANNEL_PUSH_URL replaces Google's send URL: a relay
# of your own, or a test stand-in; without a service account nothing authenticates the request,
# which only such a relay accepts, so pointing it at Google's FCM alone is refused.
FCM_SERVICE_ACCOUNT = env.get_service_account("FCM_SERVICE_ACCOUNT_FILE")
REMINDER_CHANNEL_PUSH_URL = env.get_url("REMINDER_CHANNEL_PUSH_URL", {"http", "https"})
_push_host = env.url_host(REMINDER_CHANNEL_PUSH_URL or "")
if _push_host == "fcm.googleapis.com" and not FCM_SERVICE_ACCOUNT:
    raise ImproperlyConfigured(
        "REMINDER_CHANNEL_PUSH_URL points at Google's FCM, which needs FCM_SERVICE_ACCOUNT_FILE "
        "(a service account's JSON key); set that, and leave REMINDER_CHANNEL_PUSH_URL unset."
    )
# A reminder that no configured channel reaches (push set up, but the patient has no device):
# in development it goes to the log and counts as sent; in production it is ``failed``. With no
# channel configured at all, every reminder goes to the log (API.md).
REMINDER_CONSOLE_FALLBACK = DEBUG
REMINDER_WEBHOOK_URL = env.get_url("REMINDER_WEBHOOK_URL", {"http", "https"})
REMINDER_WEBHOOK_SECRET = env.get_checked(
    "REMINDER_WEBHOOK_SECRET",
    env.validate_webhook_secret,
    required_because="REMINDER_WEBHOOK_URL is set" if REMINDER_WEBHOOK_URL else None,
)
# Web Push (browsers): the VAPID key signs every push; development generates one into var/.
# A subject without a key, or (in production) a key without a subject, is a half configuration.
_vapid_subject = env.get_checked("WEBPUSH_VAPID_SUBJECT", env.validate_vapid_subject)
WEBPUSH_VAPID_PRIVATE_KEY = env.get_optional_secret(
    "WEBPUSH_VAPID_PRIVATE_KEY",
    debug=DEBUG,
    var_dir=VAR_DIR,
    generate=env.new_vapid_private_key,
    validate=env.validate_vapid_private_key,
    required_because="WEBPUSH_VAPID_SUBJECT is set" if _vapid_subject else None,
)
WEBPUSH_VAPID_SUBJECT = env.get_checked(
    "WEBPUSH_VAPID_SUBJECT",
    env.validate_vapid_subject,
    required_because="WEBPUSH_VAPID_PRIVATE_KEY is set" if WEBPUSH_VAPID_PRIVATE_KEY and not DEBUG else None,
) or ("mailto:reminders@localhost" if WEBPUSH_VAPID_PRIVATE_KEY else None)
# A browser's subscription names the URL we POST to, so only push services' hosts are reached
# (core/outbound.py checks the name when a device registers, and every address when sending).
WEBPUSH_ALLOWED_HOSTS = env.get_host_patterns(
    "WEBPUSH_ALLOWED_HOSTS",
    [
        "fcm.googleapis.com",  # Chrome, Edge on Android, Opera
        "*.push.services.mozilla.com",  # Firefox (updates.push.services.mozilla.com)
        "*.push.apple.com",  # Safari (web.push.apple.com)
        "*.notify.windows.com",  # Edge on Windows (WNS)
    ],
)
# Networks a user-chosen URL may reach although they are not public. Not read from the
# environment: no deployment needs it; the tests put loopback here to reach local servers.
OUTBOUND_ALSO_ALLOWED_NETWORKS: list[str] = []

EMAIL_URL = env.get_url("EMAIL_URL", env.EMAIL_SCHEMES)
if EMAIL_URL:
    _mail = env.parse_email_url("EMAIL_URL", EMAIL_URL)
    EMAIL_BACKEND = _mail.backend
    EMAIL_HOST = _mail.host
    EMAIL_PORT = _mail.port
    EMAIL_HOST_USER = _mail.user
    EMAIL_HOST_PASSWORD = _mail.password
    EMAIL_USE_TLS = _mail.use_tls
    EMAIL_USE_SSL = _mail.use_ssl
    EMAIL_TIMEOUT = _mail.timeout
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.get_str("DEFAULT_FROM_EMAIL", "Good Enough <noreply@localhost>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.get_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # Django's own "django" logger prints to the console too when DEBUG is on: each request
        # warning came out twice. One handler, ours.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
