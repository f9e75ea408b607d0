"""Fixtures shared by the whole suite: one persona per role, and services that must be there."""

import os

import pytest
from django.db import connection

from pleegzorg.factories import RegionFactory, TeamFactory, UserFactory
from pleegzorg.models import User

# On CI (make test with CI=true) a missing service or browser fails the run instead of skipping.
REQUIRE_SERVICES = os.environ.get("PLEEGZORG_REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (required on CI)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def requires_postgresql(db):
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL")


@pytest.fixture
def region(db):
    return RegionFactory(name="Utrecht")


@pytest.fixture
def team(db, region):
    return TeamFactory(name="Utrecht Stad", region=region, lead__username="teamleider")


@pytest.fixture
def other_team(db, region):
    return TeamFactory(name="Amersfoort", region=region, lead__username="teamleider2")


@pytest.fixture
def team_lead(team):
    return team.lead


@pytest.fixture
def caseworker(team):
    return UserFactory(username="werker", first_name="Wendy", team=team)


@pytest.fixture
def other_caseworker(other_team):
    return UserFactory(username="werker2", first_name="Wim", team=other_team)


@pytest.fixture
def hub_home_parent(db):
    return UserFactory(username="hubhome", first_name="Hanna", role=User.Role.HUB_HOME_PARENT)


@pytest.fixture
def liaison(db):
    return UserFactory(username="begeleider", first_name="Bart", role=User.Role.LIAISON)


@pytest.fixture
def app_manager(db):
    return UserFactory(username="beheer", first_name="Bea", role=User.Role.APP_MANAGER)


PERSONAS = ("caseworker", "team_lead", "hub_home_parent", "liaison", "app_manager", "anonymous")


@pytest.fixture
def persona_client(request, client):
    """A test client logged in as the persona named by the test's ``persona`` parameter."""

    def login_as(persona: str):
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        return client

    return login_as


@pytest.fixture(autouse=True)
def dutch():
    """Each test starts in Dutch, whatever language an earlier request switched to."""
    from django.utils import translation

    with translation.override("nl"):
        yield
