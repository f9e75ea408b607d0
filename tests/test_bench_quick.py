"""make bench-quick (and part of make test, so of CI): every page ``make bench`` measures stays
within its query budget, and its number of queries does not grow with the data, from the small
demo to the demo seeded on to organisation scale (about 20 times the placements)."""

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from placements.models import Placement
from pleegzorg import bench
from pleegzorg.timing import signed_in_client


def query_counts() -> dict[str, int]:
    counts = {}
    clients = {}
    for page in bench.pages():
        if page.username not in clients:
            clients[page.username] = signed_in_client(page.username)
        client, user = clients[page.username]
        path = page.path(user)
        client.get(path)  # warm up
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, (page.label, response.status_code)
        counts[page.label] = len(captured)
    return counts


def test_no_page_runs_more_queries_with_more_data(seeded, settings):
    settings.REQUIRE_2FA = False  # as make bench runs it (config.settings.local)
    small = query_counts()
    placements = Placement.objects.count()
    call_command("seed_demo", "--scale", "org", verbosity=0)
    assert Placement.objects.count() > 10 * placements
    larger = query_counts()
    budget = {page.label: bench.BUDGETS[page.kind][0] for page in bench.pages()}
    over = {label: n for label, n in larger.items() if n > budget[label]}
    grew = {label: (small[label], n) for label, n in larger.items() if n > small[label]}
    assert not over, f"over the query budget: {over}"
    assert not grew, f"more queries with more data (small, larger): {grew}"
