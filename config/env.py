"""The one place that reads the environment (django-environ). A `.env` file is read if present."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def mailer_from_url(url: str) -> dict:
    """A Django 6.1 MAILERS entry from an EMAIL_URL such as smtp+tls://user:pass@host:587,
    consolemail:// or filemail:///path (django-environ's schemes)."""
    parsed = environ.Env.email_url_config(url)
    options = {
        "host": parsed.get("EMAIL_HOST") or None,
        "port": parsed.get("EMAIL_PORT") or None,
        "username": parsed.get("EMAIL_HOST_USER") or None,
        "password": parsed.get("EMAIL_HOST_PASSWORD") or None,
        "use_tls": parsed.get("EMAIL_USE_TLS") or None,
        "use_ssl": parsed.get("EMAIL_USE_SSL") or None,
        "file_path": parsed.get("EMAIL_FILE_PATH") or None,
    }
    return {
        "BACKEND": parsed["EMAIL_BACKEND"],
        "OPTIONS": {key: value for key, value in options.items() if value is not None},
    }
