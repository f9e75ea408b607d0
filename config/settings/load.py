"""The server under `make load` (scripts/load): production's behaviour where it costs time, over
plain http on 127.0.0.1 and with the password as the only login step.

Built on local.py (its fixed key, embedded broker and per-process caches need no services
beyond the database) with what production does differently for speed: DEBUG off whatever the
environment says (so templates are cached and no query is kept), and database connections kept
open between requests (CONN_MAX_AGE, production's default). The middleware is base.py's, the
same as production's. What stays local: no https (no secure cookies, no redirect to https, no
HSTS: there is no TLS on 127.0.0.1) and no second login step (production forces it; 50 users
cannot answer an authenticator app). The password hasher is production's, so each simulated
user's one login costs what a real one does.
"""

from config.env import env

from .local import *  # noqa: F403
from .local import DATABASES

DEBUG = False
REQUIRE_2FA = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
