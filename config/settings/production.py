"""Production: PostgreSQL and Redis from the environment, secure cookies, HTTPS only.

Start-up fails with a clear message when DJANGO_SECRET_KEY, DATABASE_URL, CELERY_BROKER_URL
(or REDIS_URL) or EMAIL_URL is missing.
"""

from django.core.exceptions import ImproperlyConfigured

from config.env import env, mailer_from_url

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, DATABASES, STORAGES

IS_PRODUCTION = True
# Every role logs in with two steps in production, whatever the environment says.
REQUIRE_2FA = True


def required(name: str, why: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(f"{name} is not set. {why} See .env.example for every variable.")
    return value


SECRET_KEY = required(
    "DJANGO_SECRET_KEY",
    "Production refuses to start without a secret key of its own "
    '(generate one with: python -c "import secrets; print(secrets.token_urlsafe(50))").',
)
required(
    "DATABASE_URL", "Production runs on PostgreSQL, e.g. postgres://user:pass@db:5432/pleegzorg."
)
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or required(
    "REDIS_URL", "Production needs a Redis broker: set CELERY_BROKER_URL or REDIS_URL."
)
# Password reset mails must really leave the building: no console backend in production.
MAILERS = {
    "default": mailer_from_url(
        required("EMAIL_URL", "Set an SMTP server, e.g. smtp+tls://user:pass@mail.example.nl:587.")
    )
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL in production.")

DEBUG = env.bool("DJANGO_DEBUG", default=False)
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False

SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
# Every cookie Secure: the language switch's too (the messages cookie follows the session's).
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_NAME = "__Host-django_language"
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True

# Passkeys belong to the site's host name: by default the first of DJANGO_ALLOWED_HOSTS, over
# https (PLEEGZORG_WEBAUTHN_RP_ID and PLEEGZORG_WEBAUTHN_ORIGINS say otherwise).
_HOSTS = [host.lstrip(".") for host in ALLOWED_HOSTS if host != "*"]
OTP_WEBAUTHN_RP_ID = env.str("PLEEGZORG_WEBAUTHN_RP_ID", default=_HOSTS[0] if _HOSTS else "")
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list(
    "PLEEGZORG_WEBAUTHN_ORIGINS", default=[f"https://{host}" for host in _HOSTS]
)

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env.str("REDIS_URL", default=CELERY_BROKER_URL),
    },
    # Figures kept under the generations of their tables (pleegzorg.generations): shared by
    # every web process, so a result computed by one is found by the others.
    "results": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env.str("REDIS_URL", default=CELERY_BROKER_URL),
        "KEY_PREFIX": "results",
    },
}
