"""One settings module. Everything that differs between machines comes from the environment, parsed strictly."""

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from gridcare.production import production_errors

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GRIDCARE_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name, default):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), not {raw!r}")


def env_int(name, default):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_list(name, default):
    raw = os.environ.get(name)
    return [item.strip() for item in raw.split(",") if item.strip()] if raw else default


def _secret_key():
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


# Production (`gridcare serve --prod` sets GRIDCARE_PRODUCTION=1 for every process it starts): the key and the hosts
# from the environment or nothing starts, DEBUG off, hashed and compressed static files, logs on stdout.
PRODUCTION = env_bool("GRIDCARE_PRODUCTION", False)
if PRODUCTION and (errors := production_errors(os.environ)):
    raise ImproperlyConfigured("production settings: " + " ".join(errors))
SECRET_KEY = _secret_key()
DEBUG = False if PRODUCTION else env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "gridcare.errors.csrf_failure"  # our 403 page, in the user's language

INSTALLED_APPS = [
    "gridcare.admin_site.BackOfficeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_htmx",
    "csp",
    "ninja",  # Swagger UI from its own static files, not a CDN
    "django_tasks",
    "gridcare.apps.TaskResultsConfig",  # django_tasks_db, named in our languages
    "gridcare.apps.LockoutsConfig",  # axes, likewise
    "django_otp",
    "django_otp.plugins.otp_totp",  # before accounts, whose admin takes its device admin off the back office
    "core",
    "gridcare",
    "accounts",
    "registry",
    "care",
    "screening",
    "tracing",
    "logistics",
    "volunteers",
    "notices",
    "command",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # on every answer, static files' too (whitenoise answers below it)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # user.is_verified(): the session passed the second factor
    "accounts.middleware.RequestContextMiddleware",
    "accounts.middleware.SecondFactorGate",  # below the token check: a bearer token passes, a session waits
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gridcare.errors.LimitPages",  # a limit reached anywhere → the 429 page
]

ROOT_URLCONF = "gridcare.urls"
WSGI_APPLICATION = "gridcare.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gridcare" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gridcare.navigation.nav_items",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'gridcare.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
SQLITE_SYNCHRONOUS = os.environ.get("SQLITE_SYNCHRONOUS", "NORMAL").upper()
if SQLITE_SYNCHRONOUS not in ("NORMAL", "FULL", "EXTRA"):
    raise ImproperlyConfigured(f"SQLITE_SYNCHRONOUS must be NORMAL, FULL or EXTRA, not {SQLITE_SYNCHRONOUS!r}")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets pages read while a desk or an import writes; IMMEDIATE avoids "database is locked" on upgrade
        # synchronous=NORMAL in WAL: a commit survives the process being killed (`make fault-test`), not a power
        # cut; SQLITE_SYNCHRONOUS=FULL syncs every commit to disk as well (docs/RELIABILITY.md).
        "init_command": f"PRAGMA journal_mode=WAL; PRAGMA synchronous={SQLITE_SYNCHRONOUS}; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    # A file, not shared-cache memory: concurrency tests need SQLite's real locking (busy_timeout), as in production.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test_gridcare.sqlite3")}
# A streaming replica for the heavy read-only pages (core.replica): dashboards, coverage, exports.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", env_int("REPLICA_CONNECT_TIMEOUT", 2))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", 30)
REPLICA_RETRY_SECONDS = env_int("REPLICA_RETRY_SECONDS", 30)  # after a failure, the replica is left alone so long
REPLICA_STICKY_SECONDS = env_int("REPLICA_STICKY_SECONDS", 10)  # a writer's own reads stay on the primary so long
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# The lock-out backend comes first: it refuses a locked username+address before any password is checked.
AUTHENTICATION_BACKENDS = ["accounts.backends.LockoutBackend", "accounts.backends.RoleBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# The second factor for staff (accounts.totp, django-otp's TOTP device): "off" (nobody is asked), "optional" (a user
# may enrol on their account page and is then asked for the 6-digit code at each login), "required" (every staff
# role enrols at its first login before any other page). Read at each request. docs/DECISIONS.md "Staff TOTP".
STAFF_TOTP = os.environ.get("STAFF_TOTP", "off").lower() or "off"
if STAFF_TOTP not in ("off", "optional", "required"):
    raise ImproperlyConfigured(f"STAFF_TOTP must be off, optional or required, not {STAFF_TOTP!r}")
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "gridcare")  # the name an authenticator app lists the code under
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_HTTPONLY = True
# A session lasts a shift (12 h) from login, and survives the phone's browser being closed or killed in the
# background (docs/DECISIONS.md "Session expiry"); SESSION_EXPIRE_AT_BROWSER_CLOSE=1 makes it a browser-session cookie.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", False)

# HTTPS. TLS=1 (or BEHIND_TLS_PROXY=1): the site is reached over HTTPS through a reverse proxy that ends TLS and
# sets X-Forwarded-Proto (gunicorn itself speaks plain HTTP on 127.0.0.1): cookies only over HTTPS, HTTP redirected,
# HSTS. The proxy must set X-Forwarded-Proto itself, overwriting whatever the client sent. Production's documented
# setting is TLS on; TLS off is for a machine reached on plain HTTP only (a test box), where `check --deploy` warns.
TLS = env_bool("TLS", env_bool("BEHIND_TLS_PROXY", False))
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = TLS
SECURE_SSL_REDIRECT = TLS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TLS else None
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$"]  # probes from the machine itself, on plain HTTP
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600) if TLS else 0
# Subdomains and the browsers' preload list are the domain owner's decisions (gridcare usually runs on one host of a
# government domain): off unless said, and then Django's two reminders are silenced (docs/DECISIONS.md "HTTPS").
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# A login or token request is refused for LOCKOUT_MINUTES after LOCKOUT_FAILURES failures in a row, counted per
# username AND address together (django-axes, in the database): a username locked from one address still logs in from
# another, and a successful login resets its pair. See docs/DECISIONS.md "Login lock-out".
LOCKOUT_FAILURES = env_int("LOCKOUT_FAILURES", 5)
LOCKOUT_MINUTES = env_int("LOCKOUT_MINUTES", 15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = "accounts.lockout.failure_limit"  # read LOCKOUT_FAILURES at each request
AXES_COOLOFF_TIME = "accounts.lockout.cool_off"  # LOCKOUT_MINUTES
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # refused attempts are not checked, so they do not count
AXES_CLIENT_IP_CALLABLE = "accounts.middleware.client_ip"  # REMOTE_ADDR, the same address the audit log and limits use
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
# Lock-outs answer through our own login page and API error (accounts.forms, accounts.api), not axes' middleware.
SILENCED_SYSTEM_CHECKS = ["axes.W002"]
if not SECURE_HSTS_INCLUDE_SUBDOMAINS:
    SILENCED_SYSTEM_CHECKS.append("security.W005")
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# Limits (core.limits) and the lock-out mutex count in this cache, shared by every worker: the database cache by
# default (its table is created by core's migration 0003), Redis when CACHE_URL or REDIS_URL says so.
CACHE_URL = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"CACHE_URL must be a redis:// URL, not {CACHE_URL!r}")
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "core.cache.DatabaseCache", "LOCATION": "gridcare_cache"}}
# Public pages: status look-ups per address per hour (help requests per address: care settings).
PUBLIC_STATUS_LOOKUPS_PER_HOUR = env_int("PUBLIC_STATUS_LOOKUPS_PER_HOUR", 20)
# Pledges per address per hour on a donation campaign's public page (a family or a shop pledges once or twice).
PUBLIC_PLEDGES_PER_HOUR = env_int("PUBLIC_PLEDGES_PER_HOUR", 10)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "gridcare" / "locale"]
FORMAT_MODULE_PATH = ["gridcare.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Production serves the collected files only, named by their hash (cached for ever) and compressed (gzip, brotli
# when installed); elsewhere whitenoise serves them from the apps' folders as they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": VAR_DIR / "media"}},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "gridcare.vendor.VendorFinder",
]
# Front-end libraries from npm (package.json; `make install` runs `npm ci`): static path -> installed file.
VENDOR_STATIC = {
    "vendor/echarts/echarts.min.js": BASE_DIR / "node_modules/echarts/dist/echarts.min.js",
    # MapLibre's ES module loads its worker from the file beside it (a same-origin module worker, no blob: URL).
    **{
        f"vendor/maplibre-gl/{name}": BASE_DIR / "node_modules/maplibre-gl/dist" / name
        for name in ("maplibre-gl.mjs", "maplibre-gl-worker.mjs", "maplibre-gl.css")
    },
}
# The command map's background: a raster tile URL template ("https://tiles.example/{z}/{x}/{y}.png"); empty: a
# blank background with only our own boundaries, so the map works with no internet.
MAP_TILES_URL = os.environ.get("MAP_TILES_URL", "")
MAP_TILES_ATTRIBUTION = os.environ.get("MAP_TILES_ATTRIBUTION", "")


def _origin(url_template):
    """The CSP source of a tile URL template: its scheme and host ("https://tiles.example"), a placeholder in the
    host's first label as a wildcard ("https://*.tiles.example")."""
    scheme, _, rest = url_template.partition("://")
    host = rest.split("/", 1)[0]
    first, dot, others = host.partition(".")
    return f"{scheme}://{'*' + dot + others if '{' in first else host}"


MAP_TILES_ORIGIN = [_origin(MAP_TILES_URL)] if MAP_TILES_URL else []

# Content-Security-Policy on every answer, in every environment (django-csp): scripts and styles from our own files
# only (no inline script, style or event handler anywhere: gridcare/tests/test_security_headers.py scans every
# template), images also as data:/blob: (the map's and the charts'), the map's tile server for its tiles, never
# framed. docs/DECISIONS.md "Content-Security-Policy".
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:", *MAP_TILES_ORIGIN],
        "font-src": [SELF],
        "connect-src": [SELF, *MAP_TILES_ORIGIN],
        "worker-src": [SELF],  # MapLibre's worker is a same-origin module file, not a blob: URL
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}
MEDIA_ROOT = VAR_DIR / "media"

# The embedded default runs tasks from the database (`gridcare db_worker`); several machines use RQ on Redis.
TASK_BACKEND = os.environ.get("TASK_BACKEND", "database")
if TASK_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
elif TASK_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]  # django_rq: the queues and `rqworker`
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")}}
elif TASK_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    raise ImproperlyConfigured(f"TASK_BACKEND must be database, rq or immediate, not {TASK_BACKEND!r}")

# Imports of more rows than this run as a background task with a progress bar.
IMPORT_BACKGROUND_ROWS = env_int("IMPORT_BACKGROUND_ROWS", 5000)
# Every uploaded table (core.uploads): bytes, then rows and columns the sheet spans, checked before reading; a zipped
# workbook may unpack to at most UPLOAD_MAX_RATIO times its size and UPLOAD_MAX_UNZIPPED_BYTES in all.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
UPLOAD_MAX_ROWS = env_int("UPLOAD_MAX_ROWS", 200_000)
UPLOAD_MAX_COLUMNS = env_int("UPLOAD_MAX_COLUMNS", 60)
UPLOAD_MAX_RATIO = env_int("UPLOAD_MAX_RATIO", 100)
UPLOAD_MAX_UNZIPPED_BYTES = env_int("UPLOAD_MAX_UNZIPPED_BYTES", 500 * 1024 * 1024)
# Request bodies other than files (JSON, forms) are held in memory up to this; larger uploads spool to disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
PAGE_SIZE = env_int("PAGE_SIZE", 50)

# Exports (core.exports) run as background tasks and write .xlsx files under MEDIA_ROOT/exports: at most
# EXPORT_MAX_ROWS rows, progress saved every EXPORT_PROGRESS_ROWS rows; files and their rows are deleted after
# EXPORT_KEEP_HOURS. A task acts as the user who asked, with the actor ACTOR_FOR_USER builds (core knows no app).
EXPORT_MAX_ROWS = env_int("EXPORT_MAX_ROWS", 1_000_000)
EXPORT_PROGRESS_ROWS = env_int("EXPORT_PROGRESS_ROWS", 5000)
EXPORT_KEEP_HOURS = env_int("EXPORT_KEEP_HOURS", 24)
ACTOR_FOR_USER = "accounts.services.actor_for"

# Sizing a screening round (DOMAIN.md): finish within `hours`; one site per 2,000-3,000 people, one desk per 600-800,
# one sampler per 360.
SCREENING_SIZING = {
    "hours": env_int("SCREENING_HOURS", 24),
    "people_per_site": env_int("SCREENING_PEOPLE_PER_SITE", 2500),
    "people_per_desk": env_int("SCREENING_PEOPLE_PER_DESK", 700),
    "people_per_sampler": env_int("SCREENING_PEOPLE_PER_SAMPLER", 360),
}

# The round planner (screening.planner): a queueing simulation per site. Service: mean seconds per person at a desk
# (swab, scan, tube) and the lognormal spread simulate-screening draws around it; turnout: the share of the expected
# who come to a site; wide_share: of a grid's people, the share going to a wider site (a district-wide square) when
# a local one serves them too; the arrival curve: a weight per clock hour (0-23), a morning and an evening peak;
# a site "fits" when its last person is sampled within grace_minutes of closing; staff_per_desk: sampler,
# registrar and a volunteer keeping the line.
SCREENING_PLANNER = {
    "service_seconds": env_int("SCREENING_SERVICE_SECONDS", 60),
    "service_sigma": 0.4,
    "turnout": 0.9,
    "wide_share": 0.1,
    "grace_minutes": 15,
    "staff_per_desk": 3,
    "curve": [1, 1, 1, 1, 1, 1, 2, 6, 10, 9, 6, 4, 3, 3, 3, 4, 5, 7, 9, 8, 5, 3, 2, 1],
}

# The audited call link (registry.calls): calls per grid worker per clock hour, and the privacy-number bridge (a
# dotted path, e.g. "registry.calls.DevelopmentBridge"; empty: the phone dials the real number).
CALL_LIMIT_PER_HOUR = env_int("CALL_LIMIT_PER_HOUR", 30)
CALL_BRIDGE_BACKEND = os.environ.get("CALL_BRIDGE_BACKEND", "")
CALL_BRIDGE_MINUTES = env_int("CALL_BRIDGE_MINUTES", 10)

# The public venue-code scan page (tracing): scans per address per hour (many phones share a carrier's address), and
# scans that matched nobody, counted apart and tighter so that guessing ID numbers and phones does not pay.
VENUE_SCANS_PER_HOUR = env_int("VENUE_SCANS_PER_HOUR", 300)
VENUE_SCAN_MISSES_PER_HOUR = env_int("VENUE_SCAN_MISSES_PER_HOUR", 20)

# API tokens expire after API_TOKEN_DAYS days.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30)

# Scheduled jobs (core.scheduler) delete what is kept only for a while: stored answers of idempotent writes after
# IDEMPOTENCY_KEY_DAYS, dead API tokens, login attempts and finished background-task results after RETENTION_DAYS.
IDEMPOTENCY_KEY_DAYS = env_int("IDEMPOTENCY_KEY_DAYS", 7)
RETENTION_DAYS = env_int("RETENTION_DAYS", 30)
# The people's data, per kind (core.retention, docs/ARCHITECTURE.md "Data lifecycle"): days each kind is kept before
# the daily purge deletes or anonymises it; 0 keeps it for good. Why each default is what it is: the kind's
# declaration (`<app>/retention.py`). Venue visits are not here: their keeping time is the district's tracing
# setting (21 days, the venue-code rule), which also refuses late visits.
RETENTION_DAYS_BY_KIND = {
    # the record of who did what: kept for good unless set (the law may ask for six months and more)
    "core.audit": env_int("AUDIT_KEEP_DAYS", 0),
    "registry.import_files": env_int("IMPORT_FILE_DAYS", 30),
    "tracing.arrival_reports": env_int("RETENTION_DAYS_ARRIVAL_REPORTS", 28),
    "tracing.contacts": env_int("RETENTION_DAYS_CONTACTS", 180),
    "tracing.isolations": env_int("RETENTION_DAYS_ISOLATIONS", 180),
    "screening.samples": env_int("RETENTION_DAYS_SAMPLES", 180),
    "notices.deliveries": env_int("RETENTION_DAYS_NOTICE_DELIVERIES", 90),
}

# Logs go to the console; in production to stdout, one line each with time, level and logger, from INFO up
# (gunicorn's access and error logs too), for the service manager's journal to keep.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "line"}
        if PRODUCTION
        else {"class": "logging.StreamHandler"}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO" if PRODUCTION else "WARNING")},
}

# Notices (notices/conf.py has every key and its default): waits before the silent are phoned / knocked on, the
# per-minute rate per channel, quiet hours (no SMS), retries, the SMS backend ("file": VAR_DIR/sms.log; "http").
NOTICES = {
    "PHONE_AFTER_HOURS": env_int("NOTICES_PHONE_AFTER_HOURS", 2),
    "KNOCK_AFTER_HOURS": env_int("NOTICES_KNOCK_AFTER_HOURS", 6),
    "SMS_BACKEND": os.environ.get("NOTICES_SMS_BACKEND", "file"),
    "SMS_URL": os.environ.get("NOTICES_SMS_URL", ""),
    "SMS_TOKEN": os.environ.get("NOTICES_SMS_TOKEN", ""),
    "PUBLIC_BASE_URL": os.environ.get("NOTICES_PUBLIC_BASE_URL", ""),
}

# The command centre's dashboard: how long a tile's numbers are kept (the job command.dashboards_warm refreshes
# the district's and the streets' every minute), and how often the wall screen reloads them.
COMMAND_CACHE_SECONDS = env_int("COMMAND_CACHE_SECONDS", 120)
# How long the scheduled recount's numbers of the district and the streets stay, should no next run replace them
# (no scheduler, no worker): longer than a recount of a district in a full round takes, under load. Each tile shows
# the time it was counted.
COMMAND_WARM_KEEP_SECONDS = env_int("COMMAND_WARM_KEEP_SECONDS", 15 * 60)
COMMAND_WALL_REFRESH_SECONDS = env_int("COMMAND_WALL_REFRESH_SECONDS", 30)

# The daily report (command.reports): made by the job command.daily_reports at DAILY_REPORT_AT (local time) for
# the district, every street and every community, and mailed to the staff of the area whose role is listed; its
# PDF embeds the TrueType CJK font at REPORT_FONT (Debian's fonts-wqy-microhei; a .ttc, its first face).
DAILY_REPORT_AT = os.environ.get("DAILY_REPORT_AT", "07:00")
DAILY_REPORT_ROLES = ["district_admin", "street_staff", "community_staff"]
REPORT_FONT = os.environ.get("REPORT_FONT", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
