"""Server time and queries of pages, as one user sees them: the median of N requests.

    python manage.py time_pages --as teamleider --repeat 20 /dashboard/ /uitkomsten/

Requests go through Django's test client inside this process (no network, no web server): the
time is the server's own, from the request entering the middleware to the response leaving it.
Every request is a real one, so reads of personal data are written to the access log as usual;
it refuses to run with production settings.

Figures kept under their tables' generations (``pleegzorg.generations``) are found again while
nothing changed, as between requests here. ``--cold`` empties them before every request: the
time of computing every figure afresh, as after any change to the data they read.
"""

from __future__ import annotations

import statistics
import time

from django.conf import settings
from django.core.cache import caches
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user

from pleegzorg import generations
from pleegzorg.models import User


class Command(BaseCommand):
    help = "Median server time and query count of pages, requested as one user."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="URL paths, e.g. /dashboard/?team=3")
        parser.add_argument("--as", dest="username", required=True, help="the user to log in as")
        parser.add_argument("--repeat", type=int, default=20, help="requests per page (20)")
        parser.add_argument(
            "--cold", action="store_true", help="forget the kept figures before each request"
        )

    def handle(self, *args, paths: list[str], username: str, repeat: int, cold: bool, **options):
        if getattr(settings, "IS_PRODUCTION", False):
            raise CommandError("time_pages never runs with production settings.")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}: seed the demo first (make demo).")
        host = next((h for h in settings.ALLOWED_HOSTS if h not in ("*", "")), "localhost")
        client = Client(HTTP_HOST=host.lstrip("."))
        client.force_login(user)
        # As a user who also passed the second login step, with a second factor of their own
        # (without one, where it is required, every page answers with a redirect to set it up).
        device = next(iter(devices_for_user(user)), None)
        if device is not None:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        self.stdout.write(f"{'page':<50} {'status':>6} {'queries':>7} {'median':>9} {'max':>9}")
        for path in paths:
            client.get(path)  # warm up: templates and the first connection
            times, status, queries = [], None, 0
            for _ in range(max(1, repeat)):
                if cold:
                    caches[generations.CACHE].clear()
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(path)
                    times.append((time.perf_counter() - started) * 1000)
                status, queries = response.status_code, len(captured)
            self.stdout.write(
                f"{path:<50} {status:>6} {queries:>7} "
                f"{statistics.median(times):>7.1f}ms {max(times):>7.1f}ms"
            )
