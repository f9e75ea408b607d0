"""Settings shared by every environment; local.py, production.py and test.py build on these.

Everything that differs per installation comes from the environment (see .env.example).
"""

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config import static_headers
from config.env import BASE_DIR, env, mailer_from_url

IS_PRODUCTION = False

VAR_DIR = Path(env.str("PLEEGZORG_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    # Its widget templates, for FORM_RENDERER below.
    "django.forms",
    "django_htmx",
    "pleegzorg.axes_app.LoginLockoutConfig",  # django-axes, named in Dutch
    # The second login step (pleegzorg.mfa): django-otp's devices (an authenticator app, the
    # recovery codes) and django-otp-webauthn's passkeys.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "pleegzorg",
    "placements",
    "constellations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "pleegzorg.middleware.IdleTimeoutMiddleware",
    "pleegzorg.middleware.SessionLifetimeMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whether this session passed the second login step (request.user.is_verified(), as
    # django-otp's OTPMiddleware, without its query per request), and the one place that sends
    # everyone who did not to it (pleegzorg.mfa).
    "pleegzorg.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "pleegzorg.middleware.RefusalLogMiddleware",
    # Last, so that it sees the outcome of authentication (django-axes' documented position).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# Forms render their widgets with the project's template engine, so that templates/django/forms/
# can override one of Django's (the select's options written inline: a filter form of several
# selects rendered in a third less time).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

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
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "pleegzorg.context_processors.navigation",
            ],
            # The attrs filter of the widget templates in templates/django/forms/, and a
            # {% url %} that writes URLs of ids from a pattern worked out once (fast_urls).
            "builtins": ["pleegzorg.templatetags.widgets", "pleegzorg.templatetags.fast_urls"],
        },
    },
]

# Database: an SQLite file under var/ unless DATABASE_URL says otherwise ("check out and it works").
# Figures kept under the generations of the tables they read (pleegzorg.generations); in
# memory per process here, shared through Redis in production.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "results": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "results",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'pleegzorg.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo runs web and worker against one SQLite file: WAL and IMMEDIATE transactions avoid
    # "database is locked" between them.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "pleegzorg.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, the user of each request fetched by a query compiled once.
    "pleegzorg.backends.PasswordBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "pleegzorg.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "pleegzorg:start"
LOGOUT_REDIRECT_URL = "login"

# Idle timeout: the session expires after this many minutes without a request.
IDLE_TIMEOUT_MINUTES = env.int("PLEEGZORG_IDLE_TIMEOUT_MINUTES", default=30)
SESSION_COOKIE_AGE = IDLE_TIMEOUT_MINUTES * 60
# Django's database sessions, their query compiled once per process (pleegzorg.session_store).
SESSION_ENGINE = "pleegzorg.session_store"
# The session is written at most once a minute (pleegzorg.middleware.IdleTimeoutMiddleware).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Absolute lifetime: however active, a session ends this many hours after its login
# (pleegzorg.middleware.SessionLifetimeMiddleware); then the user logs in again, both steps.
SESSION_MAX_HOURS = env.int("PLEEGZORG_SESSION_MAX_HOURS", default=12)

# Two-step login (pleegzorg.mfa). Required: everyone without a second factor is sent to set one
# up before anything else. Only the demo (config/settings/local.py, `make demo`) turns it off;
# there a user who has a second factor is still asked for it. Production forces it on.
REQUIRE_2FA = env.bool("PLEEGZORG_REQUIRE_2FA", default=True)
# Changing the second factor or the email address asks for the password again when the last
# time it was given is longer ago than this.
REAUTH_MINUTES = env.int("PLEEGZORG_REAUTH_MINUTES", default=10)
OTP_TOTP_ISSUER = "Pleegzorg"
# Passkeys (django-otp-webauthn): the relying party is the site's own host name; a passkey
# works only on the origins listed (https in production).
OTP_WEBAUTHN_RP_ID = env.str("PLEEGZORG_WEBAUTHN_RP_ID", default="localhost")
OTP_WEBAUTHN_RP_NAME = "Pleegzorg"
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list(
    "PLEEGZORG_WEBAUTHN_ORIGINS", default=["http://localhost:8000"]
)
OTP_WEBAUTHN_HELPER_CLASS = "pleegzorg.mfa.WebAuthnHelper"
# A passkey is a second step after the password, not a login of its own: one login flow, with
# the lockout of django-axes in front of it.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
# No script reads the CSRF cookie: forms carry {% csrf_token %} and htmx sends the token from the
# page (hx-headers on <body>). Set everywhere, so that a test catches a script that reads it.
CSRF_COOKIE_HTTPONLY = True
# The language switch's cookie: never read by a script, and not sent along from other sites.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Login lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from one
# address, that combination waits AXES_COOLOFF_TIME. Unknown usernames lock the same way, so the
# lockout never reveals whether an account exists.
AXES_FAILURE_LIMIT = env.int("PLEEGZORG_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("PLEEGZORG_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "pleegzorg.views.auth.locked_out"
AXES_VERBOSE = False

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True
# Dates as 23-11-2026 (see config/formats/).
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the app's static folders (no collectstatic needed outside production).
WHITENOISE_USE_FINDERS = True
# WhiteNoise answers /static/ before the clickjacking and CSP middleware run: it adds their headers
# itself, so a static file is framed and sniffed no more than a page.
WHITENOISE_ADD_HEADERS_FUNCTION = static_headers.add_security_headers

# Email: console by default; in production an EMAIL_URL such as
# smtp+tls://user:pass@mail.example.nl:587 (Django 6.1 MAILERS).
MAILERS = {"default": mailer_from_url(env.str("EMAIL_URL", default="consolemail://"))}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Pleegzorg <noreply@pleegzorg.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Content Security Policy: nothing from other origins, no inline script without the page's nonce
# (there is none today; {% htmx_script %} carries the nonce), no inline styles, no eval (htmx is
# configured not to evaluate: templates/base.html). Static files get the same policy
# (config/static_headers.py).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Celery: a broker from the environment; without one, kombu's filesystem transport under var/ so
# the demo runs a worker and beat with no server at all.
CELERY_DATA_DIR = VAR_DIR / "celery"
CELERY_BROKER_URL = env.str(
    "CELERY_BROKER_URL", default=env.str("REDIS_URL", default="filesystem://")
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    for folder in ("queue", "processed", "control"):
        (CELERY_DATA_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        "control_folder": str(CELERY_DATA_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The reminder scan runs every quarter of an hour on the clock; a number of seconds here runs it
# that often instead (tests/test_scale_out.py runs beat with a scan every few seconds).
REMINDER_SCAN_SECONDS = env.int("PLEEGZORG_REMINDER_SCAN_SECONDS", default=0)
# The beat schedule lives here in code (django-celery-beat pins Django < 6.1).
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "pleegzorg.tasks.clear_expired_sessions",
        "schedule": crontab(minute=17, hour=3),
    },
    # Retention (pleegzorg.retention): access-log entries older than ACCESS_LOG_RETENTION_YEARS go.
    "purge-access-log": {
        "task": "pleegzorg.tasks.purge_access_log",
        "schedule": crontab(minute=47, hour=3),
        "options": {"expires": 6 * 60 * 60},
    },
    # Reminders (pleegzorg.reminders): one scan finds what has fallen due and stores it once.
    # A scan not started within its interval is dropped: the next one covers the same ground.
    "scan-reminders": {
        "task": "pleegzorg.tasks.scan_reminders",
        "schedule": (
            timedelta(seconds=REMINDER_SCAN_SECONDS)
            if REMINDER_SCAN_SECONDS
            else crontab(minute="*/15")
        ),
        "options": {"expires": REMINDER_SCAN_SECONDS or 14 * 60},
    },
    # Foster parents' accounts (placements.invitations): a family that stops loses its access
    # on its stop date, just after midnight.
    "close-accounts-of-stopped-families": {
        "task": "placements.tasks.close_accounts_of_stopped_families",
        "schedule": crontab(minute=5, hour=0),
        "options": {"expires": 6 * 60 * 60},
    },
    # Generations (pleegzorg.generations): old write rows folded into the tables' counts.
    "prune-table-writes": {
        "task": "pleegzorg.tasks.prune_table_writes",
        "schedule": crontab(minute="7-59/15"),
        "options": {"expires": 14 * 60},
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

PAGE_SIZE = 50

# Retention (SECURITY.md). Access-log entries are kept this many years, then purged nightly by
# beat; NEN 7513 and the Jeugdwet ask for at least 5, and a system check refuses less (so does the
# database: its trigger lets no entry younger than 5 years go). A case file unchanged for
# CASE_FILE_RETENTION_YEARS (the Jeugdwet: 20, a check refuses less) is listed for review; only a
# person's confirmation deletes it.
ACCESS_LOG_RETENTION_YEARS = env.int("PLEEGZORG_ACCESS_LOG_RETENTION_YEARS", default=5)
CASE_FILE_RETENTION_YEARS = env.int("PLEEGZORG_CASE_FILE_RETENTION_YEARS", default=20)

# Meetings (Advies 1 and 8) and their reminders.
# A start meeting is due within this many days of a placement's start; a placement without a held
# start meeting is flagged. Not planned this many days after the start: the caseworker is reminded.
START_MEETING_DUE_DAYS = env.int("PLEEGZORG_START_MEETING_DUE_DAYS", default=14)
START_MEETING_PLAN_REMINDER_DAYS = env.int("PLEEGZORG_START_MEETING_PLAN_REMINDER_DAYS", default=3)
# Invitations (with an ICS file) go out this many days before a meeting.
MEETING_INVITATION_DAYS = env.int("PLEEGZORG_MEETING_INVITATION_DAYS", default=7)
# A meeting still without a report this many days after its date is escalated to the team lead.
MEETING_ESCALATION_DAYS = env.int("PLEEGZORG_MEETING_ESCALATION_DAYS", default=14)
# A joint meeting a foster parent asked for (issue 13) gets a date within this many days, or
# the caseworker is reminded; MEETING_ESCALATION_DAYS later the team lead is told.
JOINT_REQUEST_ANSWER_DAYS = env.int("PLEEGZORG_JOINT_REQUEST_ANSWER_DAYS", default=5)
# The guideline: at least this many conversations with the child in the last 12 months.
CHILD_CONTACTS_PER_YEAR = 3

# Need-to-know after a placement ends (NEN 7510; issue 11). Its caseworker and team lead keep
# read access, and the few changes aftercare needs, for this many months after the last day in
# the family. Six, because the work after an ending falls within half a year: the final report,
# a follow-up conversation with the child and with the family, handing over the life story, and
# the first months of a return home, when it wobbles if it is going to. After that the work is
# done, and so is the access: opening the file then needs a stated reason ("break the glass"),
# which is logged and reviewed. An organisation with longer aftercare (young adults) sets more.
AFTERCARE_MONTHS = env.int("PLEEGZORG_AFTERCARE_MONTHS", default=6)
# How long the link of a foster parent's invitation to their account works (issue 13).
FOSTER_PARENT_INVITATION_DAYS = env.int("PLEEGZORG_INVITATION_DAYS", default=7)
# How long a file opened with a stated reason stays open to that user: one working day, so the
# task the reason names can be finished without stating it again at every page, and the next
# day's access asks for a new reason.
BREAK_GLASS_HOURS = env.int("PLEEGZORG_BREAK_GLASS_HOURS", default=8)

# Team dashboard (issue 10). A caseworker's weighted caseload is the sum, over their active
# placements, of the weight of each kind of care: a crisis placement asks the most (daily contact,
# a quick decision on where next), part-time and respite care far less than full-time care. The
# norm is the weighted caseload of one full-time caseworker; a caseworker's own norm is this
# times their FTE (User.fte). Over the norm is marked in words on the dashboard.
CASELOAD_WEIGHTS = {"crisis": 1.5, "full_time": 1.0, "part_time": 0.5, "respite": 0.25}
CASELOAD_NORM_FTE = 20
# "Due soon" on the dashboard: what will be overdue this many days after the as-of date.
DASHBOARD_DUE_DAYS = 14
# An as-of date at most this many days ahead of today.
DASHBOARD_MAX_DAYS_AHEAD = 366
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The dashboard's aggregates carry many correlated subqueries, which makes PostgreSQL's
    # estimated cost pass jit_above_cost: JIT then spends seconds compiling a query that runs in
    # about 100 ms (measured at --scale org: 5.3 s with JIT, 0.1 s without). Web requests are
    # short queries: no JIT. A random read costs little more than a sequential one when the
    # data is in memory or on SSD (PostgreSQL's default of 4 is for spinning disks): at 1.1 the
    # planner looks a placement's meetings up by index instead of hashing every meeting.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", "-c jit=off -c random_page_cost=1.1"
    )
    # Prepared statements: planning took PostgreSQL longer than running most of the pages'
    # queries (the child file: 3 ms planning, 1 ms running). With values sent apart from the
    # statement (server-side binding, which Django supports) psycopg prepares a statement once
    # it has run this many times on a connection, and from then on PostgreSQL only executes
    # it: its CPU per request fell by a third (half on the case-file and constellation pages).
    # Empty turns it off, as a pooler in transaction mode (PgBouncer) needs. README: Production.
    prepare_threshold = env("DJANGO_DB_PREPARE_THRESHOLD", default="2").strip()
    if prepare_threshold:
        DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = int(prepare_threshold)
