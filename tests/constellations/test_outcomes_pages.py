"""The outcome monitor's page: who may open it, its filters, its export and its queries."""

import datetime as dt

import pytest
from django.utils import timezone

from constellations.factories import ConstellationFactory, MembershipFactory
from placements.factories import ChildFactory, FosterFamilyFactory, PlacementFactory
from placements.models import FosterFamilyStatusChange, Placement
from pleegzorg.factories import RegionFactory
from pleegzorg.models import AccessLogEntry

URL = "/uitkomsten/"


def test_team_leads_and_application_managers_open_the_monitor_others_may_not(matrix):
    rows = [
        ("caseworker", 403),
        ("team_lead", 200),
        ("hub_home_parent", 403),
        ("liaison", 403),
        ("app_manager", 200),
        ("foster_parent", 403),
        ("anonymous", 302),
    ]
    matrix.check([(persona, URL, status) for persona, status in rows])
    matrix.check(
        [(persona, "/uitkomsten/export/vergelijking.csv", status) for persona, status in rows]
    )


def test_a_region_that_is_not_the_team_leads_answers_404_and_is_logged(client, team_lead):
    other = RegionFactory(name="Noord")
    client.force_login(team_lead)
    response = client.get(URL, {"region": other.pk})
    assert response.status_code == 404
    assert AccessLogEntry.objects.filter(user=team_lead, outcome="denied").exists()


def test_the_application_manager_sees_every_region(client, app_manager):
    other = RegionFactory(name="Noord")
    client.force_login(app_manager)
    response = client.get(URL, {"region": other.pk})
    assert response.status_code == 200
    assert "Noord" in response.content.decode()


def test_the_menu_offers_outcomes_to_team_leads(client, team_lead):
    client.force_login(team_lead)
    page = client.get("/").content.decode()
    assert 'href="/uitkomsten/"' in page
    assert "Uitkomsten" in page


@pytest.mark.parametrize(
    "query, message",
    [
        ({"start": "2025-06-01", "end": "2025-01-01"}, "De einddatum ligt vóór de begindatum."),
        ({"region": "99999"}, "Deze regio bestaat niet. Kies een regio uit de lijst."),
        ({"region": "abc"}, "Deze regio bestaat niet. Kies een regio uit de lijst."),
        ({"start": "gisteren"}, "Voer een geldige datum in."),
    ],
)
def test_bad_filters_get_a_dutch_message(client, team_lead, query, message):
    client.force_login(team_lead)
    response = client.get(URL, query)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "Verbeter de filters om de uitkomsten te zien." in page
    export = client.get("/uitkomsten/export/vergelijking.csv", query)
    assert export.status_code == 400


def test_the_default_period_is_the_last_12_months(client, team_lead):
    client.force_login(team_lead)
    page = client.get(URL).content.decode()
    today = timezone.localdate()
    assert f'value="{today.isoformat()}"' in page
    assert "Families die meedoen aan een constellatie kunnen verschillen" in page


def test_htmx_answers_only_the_results(client, team_lead):
    client.force_login(team_lead)
    response = client.get(URL, {"start": "2025-01-01"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="outcomes">')
    assert "<h1>" not in page
    assert response["Vary"] == "HX-Request, Cookie" or "HX-Request" in response["Vary"]


def test_the_export_is_a_dutch_csv_and_logged(client, team_lead):
    client.force_login(team_lead)
    response = client.get("/uitkomsten/export/vergelijking.csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffMaat;Binnen een constellatie;")
    assert "Verhuizingen per 1.000 zorgdagen" in text
    assert AccessLogEntry.objects.filter(user=team_lead, action="export").exists()
    assert client.get("/uitkomsten/export/voortijdig.csv").status_code == 200
    assert client.get("/uitkomsten/export/redenen.csv").content.decode().count("\r\n") == 1
    assert client.get("/uitkomsten/export/onbekend.csv").status_code == 404


def test_the_page_shows_only_counts_never_a_name(client, team_lead, caseworker):
    child = ChildFactory(first_name="Zoë", last_name="Vermeulen")
    family = FosterFamilyFactory(name="Familie Oosterhout")
    PlacementFactory(child=child, family=family, caseworker=caseworker)
    client.force_login(team_lead)
    page = client.get(URL).content.decode()
    assert "Vermeulen" not in page
    assert "Oosterhout" not in page


def test_the_page_runs_a_fixed_number_of_queries(
    client, team_lead, caseworker, team, django_assert_max_num_queries
):
    # More than a page (25) of placements, families, memberships, endings and stops.
    today = timezone.localdate()
    constellation = ConstellationFactory(region=team.region)
    for i in range(30):
        family = FosterFamilyFactory()
        if i % 2:
            MembershipFactory(constellation=constellation, family=family)
        FosterFamilyStatusChange.objects.create(
            family=family, status="active", changed_on=today - dt.timedelta(days=800)
        )
        PlacementFactory(
            family=family,
            caseworker=caseworker,
            start_date=today - dt.timedelta(days=300 + i),
            end_date=today - dt.timedelta(days=i) if i % 3 else None,
            end_reason=Placement.EndReason.PREMATURE if i % 3 else "",
        )
    client.force_login(team_lead)
    client.get(URL)  # the first request after logging in also saves the session
    # The session and user, the regions, 10 measures (each with its 24 months), the access log,
    # the unread notices of the menu.
    with django_assert_max_num_queries(15):
        response = client.get(URL)
    assert response.status_code == 200
