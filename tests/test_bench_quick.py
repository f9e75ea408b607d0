"""make bench-quick (and part of make test, so of CI): every page ``make bench`` measures stays
within its query budget, and its number of queries does not grow with the data, from the small
demo to the demo seeded on to organisation scale (about 20 times the placements)."""

from django.core.management import call_command

from placements.models import Placement
from pleegzorg import bench, timing


def query_counts() -> dict[str, int]:
    return timing.query_counts(bench.pages())


def test_no_page_runs_more_queries_with_more_data(seeded, settings):
    settings.REQUIRE_2FA = False  # as make bench runs it (config.settings.local)
    small = query_counts()
    placements = Placement.objects.count()
    call_command("seed_demo", "--scale", "org", verbosity=0)
    assert Placement.objects.count() > 10 * placements
    larger = query_counts()
    problems = bench.growth_problems({"small": small, "org": larger})
    assert not problems, problems
