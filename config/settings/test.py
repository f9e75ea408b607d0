"""Tests: the database from DATABASE_URL (PostgreSQL on CI) and fast hashing.

Mail stays in memory: Django's test runner swaps every mailer for locmem.
"""

from .local import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = False

# As in production: the second login step is required (tests that need otherwise set it).
REQUIRE_2FA = True
