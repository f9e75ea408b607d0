"""Tests: the database from DATABASE_URL (PostgreSQL on CI), fast hashing, mail kept in memory (Django's test runner swaps every mailer for locmem)."""

from .local import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = False
