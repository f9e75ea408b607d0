"""System checks for what the settings must never be: retention below the law's minimum, and
(with ``--deploy``) a production cookie or static file less protected than a page."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

# The Jeugdwet and NEN 7513: access-log entries at least 5 years, case files 20 years.
MIN_ACCESS_LOG_RETENTION_YEARS = 5
MIN_CASE_FILE_RETENTION_YEARS = 20


@register()
def retention_periods(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    if settings.ACCESS_LOG_RETENTION_YEARS < MIN_ACCESS_LOG_RETENTION_YEARS:
        errors.append(
            Error(
                f"ACCESS_LOG_RETENTION_YEARS is {settings.ACCESS_LOG_RETENTION_YEARS}: the access "
                f"log is kept at least {MIN_ACCESS_LOG_RETENTION_YEARS} years (NEN 7513).",
                hint="Set PLEEGZORG_ACCESS_LOG_RETENTION_YEARS to 5 or more.",
                id="pleegzorg.E001",
            )
        )
    if settings.CASE_FILE_RETENTION_YEARS < MIN_CASE_FILE_RETENTION_YEARS:
        errors.append(
            Error(
                f"CASE_FILE_RETENTION_YEARS is {settings.CASE_FILE_RETENTION_YEARS}: a youth-care "
                f"file is kept at least {MIN_CASE_FILE_RETENTION_YEARS} years (Jeugdwet).",
                hint="Set PLEEGZORG_CASE_FILE_RETENTION_YEARS to 20 or more.",
                id="pleegzorg.E002",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def cookies_and_static_files(app_configs=None, **kwargs) -> list[Warning]:
    """Django's own deploy checks cover the session and CSRF cookies' Secure flag; these cover
    what they leave out."""
    warnings = []
    if not settings.LANGUAGE_COOKIE_SECURE:
        warnings.append(
            Warning(
                "LANGUAGE_COOKIE_SECURE is off: the language cookie would be sent over HTTP.",
                id="pleegzorg.W001",
            )
        )
    if not settings.CSRF_COOKIE_HTTPONLY:
        warnings.append(
            Warning(
                "CSRF_COOKIE_HTTPONLY is off: no script needs the CSRF cookie (the token comes "
                "from the page).",
                id="pleegzorg.W002",
            )
        )
    if getattr(settings, "WHITENOISE_ADD_HEADERS_FUNCTION", None) is None:
        warnings.append(
            Warning(
                "WHITENOISE_ADD_HEADERS_FUNCTION is not set: static files would be served "
                "without X-Frame-Options and the Content Security Policy.",
                id="pleegzorg.W003",
            )
        )
    return warnings
