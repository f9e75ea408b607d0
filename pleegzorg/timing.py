"""Server time of pages as one user sees them, for ``time_pages`` and ``bench``.

Requests go through Django's test client inside this process (no network, no web server): the
time is the server's own, from the request entering the middleware to the response leaving it.
Every request is a real one, so reads of personal data are written to the access log as usual.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user

from pleegzorg.middleware import IdleTimeoutMiddleware
from pleegzorg.models import User


def refuse_production(command: str) -> None:
    if getattr(settings, "IS_PRODUCTION", False):
        raise CommandError(f"{command} never runs with production settings.")


def signed_in_client(username: str) -> tuple[Client, User]:
    """A client logged in as ``username``, past the second login step where the user has a
    second factor (without one, where it is required, every page redirects to set it up)."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user {username!r}: seed the demo first (make demo).")
    host = next((h for h in settings.ALLOWED_HOSTS if h not in ("*", "")), "localhost")
    client = Client(HTTP_HOST=host.lstrip("."))
    client.force_login(user)
    session = client.session
    device = next(iter(devices_for_user(user)), None)
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    # Counted as refreshed to the end of the run: the idle timeout's write of the session, at
    # most once a minute per user (IdleTimeoutMiddleware; BEGIN, UPDATE, COMMIT), is no page's
    # cost, and would otherwise land on whichever page is requested when the minute is up.
    session[IdleTimeoutMiddleware.REFRESHED_AT] = int(time.time()) + 24 * 60 * 60
    session.save()
    return client, user


@dataclass(frozen=True)
class Timing:
    status: int
    queries: int  # of the last request
    most_queries: int  # of any request
    median: float  # milliseconds
    p95: float
    slowest: float


def percentile(times: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` 0.95: the time 95 % of the requests stayed within)."""
    ordered = sorted(times)
    # ceil(share x n) in whole numbers: 0.95 x 20 in floating point is a hair above 19.
    rank = max(1, -(-round(share * 1000) * len(ordered) // 1000))
    return ordered[min(rank, len(ordered)) - 1]


def measure_sql(statements: list[tuple[str, Sequence | Mapping]], repeat: int) -> float:
    """The median time (ms) of running ``statements`` one after the other and fetching every
    row, over ``repeat`` runs after one to warm up: a page's floor (``pleegzorg.bench``)."""
    times = []
    with connection.cursor() as cursor:
        for run in range(max(1, repeat) + 1):
            started = time.perf_counter()
            for sql, params in statements:
                cursor.execute(sql, params)
                if cursor.description is not None:
                    cursor.fetchall()
            if run:
                times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(
    client: Client, path: str, repeat: int, before_each: Callable[[], None] | None = None
) -> Timing:
    """``repeat`` requests of ``path`` after one to warm up (templates, the first connection)."""
    client.get(path)
    times, counts, status = [], [], 0
    for _ in range(max(1, repeat)):
        if before_each is not None:
            before_each()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        status = response.status_code
        counts.append(len(captured))
    return Timing(
        status=status,
        queries=counts[-1],
        most_queries=max(counts),
        median=statistics.median(times),
        p95=percentile(times, 0.95),
        slowest=max(times),
    )


def clients_for(pages, clients: dict | None = None) -> dict:
    """A signed-in client per user of ``pages`` (``pleegzorg.bench.Page``), each page requested
    once: what a page shows from the others' reads (the access log searched) is there at every
    scale, and templates and connections are warm."""
    clients = {} if clients is None else clients
    for page in pages:
        if page.username not in clients:
            clients[page.username] = signed_in_client(page.username)
        client, user = clients[page.username]
        client.get(page.path(user))
    return clients


def query_counts(pages) -> dict[str, int]:
    """The queries of one request of each of ``pages`` as its user, after every page has been
    requested once (:func:`clients_for`); a page that does not answer 200 raises."""
    clients = clients_for(pages)
    counts = {}
    for page in pages:
        client, user = clients[page.username]
        path = page.path(user)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code != 200:
            raise CommandError(f"{page.label}: {path} answered {response.status_code}")
        counts[page.label] = len(captured)
    return counts
