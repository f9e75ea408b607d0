"""Who may see what: every URL for every role, and policies whose two answers agree."""

import pytest
from django.http import Http404
from django.test import RequestFactory
from django.urls import URLResolver, get_resolver

from pleegzorg import permissions
from pleegzorg.audit import Action, Outcome, Purpose, access_log_write
from pleegzorg.factories import TeamFactory, UserFactory
from pleegzorg.models import AccessLogEntry, Team, User
from tests.matrix import PERSONAS, REQUESTED

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
    "/wachtwoord-wijzigen/klaar/": answers(LOGGED_IN, others=None),
    "/beheer/": answers(("app_manager",), others=302),
    "/beheer/pleegzorg/user/": answers(("app_manager",), others=302),
    "/beheer/pleegzorg/accesslogentry/": answers(("app_manager",), others=302),
    # Open to everyone: the login and password-reset pages, and the health check. A reset link
    # that is not (or no longer) valid shows a page that says so.
    LOGIN: answers((), others=302, anonymous=200),
    "/wachtwoord-vergeten/": answers(LOGGED_IN, others=None, anonymous=200),
    "/wachtwoord-vergeten/verstuurd/": answers(LOGGED_IN, others=None, anonymous=200),
    "/wachtwoord-herstellen/MQ/ongeldig-teken/": answers(LOGGED_IN, others=None, anonymous=200),
    "/wachtwoord-herstellen/klaar/": answers(LOGGED_IN, others=None, anonymous=200),
    "/healthz": answers(LOGGED_IN, others=None, anonymous=200),
    # Logging out takes a POST (tests/test_auth.py); a GET is refused for everyone.
    "/uitloggen/": answers((), others=405, anonymous=405),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url", URL_MATRIX)
def test_every_url_answers_every_role_as_intended(url, persona, matrix, other_caseworker):
    matrix.check([(persona, url, URL_MATRIX[url][persona])])


def project_url_names(patterns=None, namespace=""):
    """The name of every URL pattern of the app. Left out: Django's own admin (tried above), and
    its views for switching the language and serving static files."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace != "admin":
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from project_url_names(pattern.url_patterns, inner)
        elif pattern.callback.__module__ not in ("django.views.i18n", "django.views.static"):
            yield namespace + (pattern.name or pattern.lookup_str)


@pytest.mark.after_the_matrix
def test_every_url_of_the_app_is_requested_by_every_persona(whole_suite):
    """Run after every other test: each matrix of the suite recorded what it requested."""
    if not whole_suite:
        pytest.skip("only a run of the whole suite requests every URL")
    names = list(project_url_names())
    assert len(names) > 40, "the walk over the URL patterns finds too few: out of date?"
    missing = {
        name: sorted(set(PERSONAS) - REQUESTED[name])
        for name in names
        if not set(PERSONAS) <= REQUESTED[name]
    }
    assert not missing, "no matrix (tests/matrix.py) requested these URLs as these personas:\n" + (
        "\n".join(f"{name}: {', '.join(personas)}" for name, personas in missing.items())
    )


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
