"""Development and demo: embedded defaults (SQLite, filesystem broker), DEBUG off unless asked."""

from config.env import env

from .base import *  # noqa: F403
from .base import STATIC_ROOT, VAR_DIR

VAR_DIR.mkdir(parents=True, exist_ok=True)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# A fixed key is fine here: this settings module is never used in production (production.py
# refuses to start without DJANGO_SECRET_KEY).
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY", default="local-demo-key-never-use-in-production-7b1f0c2e9a4d8e6f3c5a"
)

# The demo's six accounts log in with their password alone; `tweestaps` has an authenticator app
# and shows the second step (README, "Demo accounts"). Production and the tests require it.
REQUIRE_2FA = env.bool("PLEEGZORG_REQUIRE_2FA", default=False)
