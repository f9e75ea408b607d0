"""The demo gives the outcome monitor something to show: endings and stops, inside and outside."""

import datetime as dt

from django.utils import timezone

from constellations.outcomes import selectors
from constellations.outcomes.selectors import Period
from pleegzorg.models import Region


def test_the_demo_has_endings_and_stops_inside_and_outside_over_two_years(seeded):
    today = timezone.localdate()
    two_years = Period(today - dt.timedelta(days=730), today)
    regions = list(Region.objects.values_list("pk", flat=True))
    windows = {"p": (two_years.start, two_years.end)}
    endings = selectors.endings(regions, windows)["p"]
    stops = selectors.stops_per_window(regions, windows)["p"]
    assert endings["ended"]["in"] and endings["ended"]["out"]
    assert endings["premature"]["in"] and endings["premature"]["out"]
    assert stops["in"] and stops["out"]


def test_the_demo_monitor_page_answers(seeded, client):
    from pleegzorg.models import User

    client.force_login(User.objects.get(username="teamleider"))
    response = client.get("/uitkomsten/")
    assert response.status_code == 200
    assert "Verloop over 24 maanden" in response.content.decode()
