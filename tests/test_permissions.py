"""Who may see what: every URL for every role, and policies whose two answers agree."""

import pytest
from django.http import Http404
from django.test import RequestFactory

from pleegzorg import permissions
from pleegzorg.audit import Action, Outcome, Purpose, access_log_write
from pleegzorg.factories import TeamFactory, UserFactory
from pleegzorg.models import AccessLogEntry, Team, User
from tests.conftest import PERSONAS

LOGIN = "/inloggen/"

LOGGED_IN = PERSONAS[:-1]


def answers(allowed, *, others, anonymous=302):
    """Expected status per persona: 200 for the allowed ones, ``others`` for the rest.

    302 for anonymous means: sent to the login page. Django admin sends logged-in users without
    access to its own login page (302) rather than answering 403.
    """
    return {p: 200 if p in allowed else others for p in LOGGED_IN} | {"anonymous": anonymous}


URL_MATRIX = {
    "/": answers(LOGGED_IN, others=None),
    "/inzagelog/": answers(("team_lead", "app_manager"), others=403),
    "/caseload/": answers(("caseworker", "team_lead"), others=403),
    "/plaatsingen/nieuw/": answers(("caseworker", "team_lead"), others=403),
    "/overleggen/": answers(("caseworker", "team_lead"), others=403),
    "/constellaties/": answers(
        ("caseworker", "team_lead", "hub_home_parent", "liaison"), others=403
    ),
    "/meldingen/": answers(LOGGED_IN, others=None),
    "/wachtwoord-wijzigen/": answers(LOGGED_IN, others=None),
    "/beheer/": answers(("app_manager",), others=302),
    "/beheer/pleegzorg/user/": answers(("app_manager",), others=302),
    "/beheer/pleegzorg/accesslogentry/": answers(("app_manager",), others=302),
    # Open to everyone: the login and password-reset pages, and the health check.
    LOGIN: answers((), others=302, anonymous=200),
    "/wachtwoord-vergeten/": answers(LOGGED_IN, others=None, anonymous=200),
    "/healthz": answers(LOGGED_IN, others=None, anonymous=200),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url", URL_MATRIX)
def test_every_url_answers_every_role_as_intended(url, persona, persona_client, other_caseworker):
    response = persona_client(persona).get(url)
    assert response.status_code == URL_MATRIX[url][persona], f"{persona} on {url}"
    if response.status_code == 302 and persona == "anonymous":
        assert "/inloggen/" in response["Location"] or "/beheer/login/" in response["Location"]


def test_every_url_of_the_app_is_in_the_matrix():
    from django.urls import get_resolver

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                if str(pattern.pattern) not in ("beheer/",):
                    yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    routes = {"/" + route for route in walk(get_resolver().url_patterns)}
    # Routes with parameters and POST-only routes are tested in test_auth.py.
    tested_elsewhere = {
        "/taal/",
        "/uitloggen/",
        "/wachtwoord-herstellen/<uidb64>/<token>/",
        "/wachtwoord-vergeten/verstuurd/",
        "/wachtwoord-herstellen/klaar/",
        "/wachtwoord-wijzigen/klaar/",
        # Child-file routes: per role with own and other children in tests/placements/test_pages.py
        "/kinderen/<int:pk>/",
        "/kinderen/<int:pk>/inzage/",
        "/kinderen/<int:pk>/<slug:section>/",
        "/kinderen/<int:pk>/<slug:section>/wijzigen/",
        "/plaatsingen/<int:pk>/beeindigen/",
        "/pleeggezinnen/<int:pk>/",
        "/pleeggezinnen/<int:pk>/wijzigen/",
        "/kinderen/<int:pk>/besluiten/nieuw/",
        "/kinderen/<int:pk>/stem/nieuw/",
        "/kinderen/<int:pk>/ouders/nieuw/",
        "/kinderen/<int:pk>/ouders/<int:link_pk>/",
        "/plaatsingen/<int:pk>/overdragen/",
        "/plaatsingen/<int:pk>/jeugdbeschermer/",
        # Meetings: per role in tests/placements/test_meetings.py
        "/overleggen/<int:pk>/",
        "/overleggen/<int:pk>/agenda/",
        "/plaatsingen/<int:pk>/overleg/nieuw/",
        "/plaatsingen/<int:pk>/overleg/aanvragen/",
        "/plaatsingen/<int:pk>/gesprek-met-kind/",
        "/plaatsingen/<int:pk>/overlegritme/",
        "/overleggen/<int:pk>/wijzigen/",
        # Constellation routes: per role with own and other constellations in
        # tests/constellations/test_pages.py
        "/constellaties/<int:pk>/",
        "/constellaties/<int:pk>/kalender/",
        "/constellaties/<int:pk>/logeren/nieuw/",
        "/constellaties/<int:pk>/logeren/beschikbaar/",
        "/constellaties/<int:pk>/leden/nieuw/",
        "/constellaties/<int:pk>/leden/<int:membership_pk>/vertrek/",
        "/constellaties/<int:pk>/ouders/nieuw/",
        "/constellaties/<int:pk>/bijeenkomsten/nieuw/",
        "/constellaties/<int:pk>/contacten/nieuw/",
        "/constellaties/<int:pk>/kinderen/<int:child_pk>/",
        "/logeren/<int:pk>/",
        # Notifications: own and someone else's, per role, in tests/test_notifications.py
        "/meldingen/<int:pk>/",
        "/meldingen/<int:pk>/gelezen/",
        "/meldingen/alles-gelezen/",
    }
    assert routes - tested_elsewhere <= set(URL_MATRIX), routes - tested_elsewhere - set(URL_MATRIX)


@pytest.fixture
def world(caseworker, other_caseworker, team_lead, hub_home_parent, liaison, app_manager):
    """Every persona plus a team without a lead and a caseworker without a team."""
    TeamFactory(name="Zonder leider", lead=None)
    UserFactory(username="zonderteam")
    return [caseworker, other_caseworker, team_lead, hub_home_parent, liaison, app_manager]


def agree(policy, viewers, objects):
    for viewer in viewers:
        visible = set(policy.visible_to(viewer).values_list("pk", flat=True))
        for obj in objects:
            assert policy.can_view(viewer, obj) == (obj.pk in visible), (
                f"{type(policy).__name__}: {viewer.role} {viewer} on {obj}"
            )


def test_team_policy_queryset_and_object_check_agree(world):
    agree(permissions.teams, User.objects.all(), Team.objects.all())


def test_user_policy_queryset_and_object_check_agree(world):
    agree(permissions.users, User.objects.all(), User.objects.all())


def test_access_log_policy_queryset_and_object_check_agree(world):
    for user in User.objects.all():
        access_log_write(user=user, action=Action.VIEW, purpose=Purpose.CARE, person=user)
    agree(permissions.access_log, User.objects.all(), AccessLogEntry.objects.all())


def test_colleagues_a_caseworker_sees_are_their_team_and_its_lead(world, caseworker, team_lead):
    visible = set(permissions.users.visible_to(caseworker))
    assert visible == set(User.objects.filter(team=caseworker.team)) | {team_lead}


def test_a_record_someone_may_not_see_answers_404_and_the_attempt_is_logged(caseworker, other_team):
    request = RequestFactory().get("/")
    request.user = caseworker
    with pytest.raises(Http404):
        permissions.get_visible_or_404(
            permissions.teams, request, purpose=Purpose.CARE, pk=other_team.pk
        )
    denied = AccessLogEntry.objects.get(outcome=Outcome.DENIED)
    assert denied.user == caseworker and denied.object_id == other_team.pk
    assert (
        permissions.get_visible_or_404(
            permissions.teams, request, purpose=Purpose.CARE, pk=caseworker.team_id
        )
        == caseworker.team
    )


def test_a_missing_record_answers_404_without_a_log_entry(caseworker):
    request = RequestFactory().get("/")
    request.user = caseworker
    with pytest.raises(Http404):
        permissions.get_visible_or_404(permissions.teams, request, purpose=Purpose.CARE, pk=999999)
    assert not AccessLogEntry.objects.exists()
