"""Start page and navigation per role."""

import pytest

from pleegzorg.navigation import navigation_for


def nav_labels(user):
    return [str(item["label"]) for item in navigation_for(user, "/")]


def test_navigation_shows_each_role_only_its_own_places(
    caseworker, team_lead, hub_home_parent, liaison, app_manager
):
    assert nav_labels(caseworker) == ["Start", "Caseload", "Mijn overleggen", "Constellaties"]
    assert nav_labels(hub_home_parent) == ["Start", "Constellaties"]
    assert nav_labels(liaison) == ["Start", "Constellaties"]
    assert nav_labels(team_lead) == [
        "Start",
        "Caseload",
        "Mijn overleggen",
        "Dashboard",
        "Constellaties",
        "Uitkomsten",
        "Inzagelog",
    ]
    assert nav_labels(app_manager) == [
        "Start",
        "Dashboard",
        "Uitkomsten",
        "Bewaartermijn",
        "Inzagelog",
        "Beheer",
    ]


@pytest.mark.parametrize(
    ("persona", "expected", "absent"),
    [
        (
            "caseworker",
            ["U bent ingelogd als pleegzorgwerker", "Team Utrecht Stad"],
            ["Inzagelog doorzoeken"],
        ),
        (
            "team_lead",
            [
                "U bent ingelogd als teamleider",
                "Team Utrecht Stad",
                "Inzagelog doorzoeken",
                "1 pleegzorgwerker",
            ],
            [],
        ),
        (
            "hub_home_parent",
            ["U bent ingelogd als hubhome-ouder", "logeeropvang"],
            ["Team Utrecht Stad", "Inzagelog"],
        ),
        (
            "liaison",
            ["U bent ingelogd als Mockingbird-begeleider", "bijeenkomsten"],
            ["Team Utrecht Stad", "Inzagelog"],
        ),
        (
            "app_manager",
            ["U bent ingelogd als functioneel beheerder", "Gebruikers, teams en regio’s beheren"],
            ["Team Utrecht Stad"],
        ),
        (
            "foster_parent",
            ["U bent ingelogd als pleegouder", "Je pleegzorgwerker houdt het dossier"],
            ["Team Utrecht Stad", "Inzagelog", "Caseload", "Beheer", "Constellaties"],
        ),
    ],
)
def test_the_start_page_says_what_each_role_can_do(
    persona, expected, absent, persona_client, caseworker
):
    body = persona_client(persona).get("/").content.decode()
    for text in expected:
        assert text in body
    for text in absent:
        assert text not in body


def test_the_start_page_of_a_team_lead_runs_a_fixed_number_of_queries(
    team_lead, client, django_assert_max_num_queries
):
    from pleegzorg.factories import TeamFactory, UserFactory

    for i in range(3):
        team = TeamFactory(name=f"Extra {i}", lead=team_lead)
        UserFactory.create_batch(20, team=team)
    client.force_login(team_lead)
    # session, user, teams with region and lead, their members, the bell's unread count, and the
    # session renewal (savepoint, update, release) that keeps the idle timeout moving.
    with django_assert_max_num_queries(8):
        response = client.get("/")
    assert response.content.decode().count("20 pleegzorgwerkers</p>") == 3


def test_pages_have_one_h1_a_skip_link_and_landmarks(caseworker, client):
    client.force_login(caseworker)
    body = client.get("/").content.decode()
    assert body.count("<h1") == 1
    assert 'class="skip-link" href="#main"' in body
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in body


def test_no_asset_comes_from_another_origin(caseworker, client):
    client.force_login(caseworker)
    response = client.get("/")
    body = response.content.decode()
    assert "http://" not in body.replace("http://www.w3.org", "")
    assert "https://" not in body
    assert "/static/django_htmx/htmx-2.min.js" in body
    assert "default-src 'self'" in response["Content-Security-Policy"]
