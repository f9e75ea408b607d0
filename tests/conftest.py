"""Fixtures shared by the whole suite: one persona per role, and services that must be there."""

import io
import os
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from pleegzorg.factories import RegionFactory, TeamFactory, UserFactory
from pleegzorg.models import User
from tests.clients import Client as VerifiedClient
from tests.matrix import PERSONAS, Matrix

__all__ = ["PERSONAS"]  # imported from here by several test modules

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


@pytest.fixture
def foster_parent(request, db):
    """A foster parent with an account (issue 13): of the test's ``family`` where it has one
    (the family of the ``placement`` fixture: their own foster child), else of a family of
    their own."""
    from placements.factories import FosterFamilyFactory, FosterParentFactory

    family = (
        request.getfixturevalue("family")
        if "family" in request.fixturenames
        else FosterFamilyFactory(name="Familie Pleeg")
    )
    user = UserFactory(username="pleegouder", first_name="Petra", role=User.Role.FOSTER_PARENT)
    FosterParentFactory(family=family, first_name="Petra", last_name="de Boer", account=user)
    return user


@pytest.fixture
def client():
    """pytest-django's client, whose ``force_login`` passes the second login step as well
    (tests/clients.py)."""
    return VerifiedClient()


@pytest.fixture
def matrix(request, db) -> Matrix:
    """Checks tables of (persona, url, expected status): see tests/matrix.py."""
    return Matrix(request)


@pytest.fixture
def persona_client(request, client):
    """A test client logged in as the persona named by the test's ``persona`` parameter."""

    def login_as(persona: str):
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        return client

    return login_as


@pytest.fixture(autouse=True)
def no_kept_results():
    """Each test starts without kept figures (pleegzorg.generations): the test database is
    emptied between tests, with its write counters, and a count can come back."""
    from django.core.cache import caches

    from pleegzorg import generations

    caches[generations.CACHE].clear()


@pytest.fixture(autouse=True)
def dutch():
    """Each test starts in Dutch, whatever language an earlier request switched to."""
    from django.utils import translation

    with translation.override("nl"):
        yield


# -- the demo, seeded once ------------------------------------------------------------------------


FACTORY_MODULES = (
    "factory",
    "pleegzorg.factories",
    "placements.factories",
    "constellations.factories",
)


@pytest.fixture(scope="session")
def demo_data(django_db_setup, django_db_blocker):
    """``seed_demo --scale small``, run once for the whole session inside a transaction that is
    rolled back at its end. Use it through ``seeded``.

    Seeding takes a second or more and some 25 tests only read what it made. Each of those tests
    still runs in its own transaction (a savepoint inside this one), so whatever a test changes,
    seeding again on a later day included, is undone after it. The tests that use it run after
    all others (``pytest_collection_modifyitems`` below): no other test sees the demo's rows.
    """
    from django.utils import translation

    with django_db_blocker.unblock():
        # The demo seeds some of its random choices with primary keys, and PostgreSQL does not
        # roll its sequences back: set them to what the rows need (1 for the empty tables), as
        # in the fresh database of `make demo`. The same demo in every run, whatever ran before.
        models = apps.get_models(include_auto_created=True)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
        outer = transaction.atomic()
        # As the atomic blocks of a TestCase: a durable block inside it behaves as in any test.
        outer._from_testcase = True
        outer.__enter__()
        try:
            # factory-boy is a dev dependency only: the demo must seed without the factories.
            without_factories = dict.fromkeys(FACTORY_MODULES)
            with translation.override("nl"), mock.patch.dict(sys.modules, without_factories):
                call_command("seed_demo", "--scale", "small", stdout=io.StringIO())
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def seeded(request, demo_data, db):
    """The small demo (see ``demo_data``), in this test's own transaction."""
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        pytest.fail("the shared demo lives in a transaction: a test that commits cannot use it")


# -- the order of the session ----------------------------------------------------------------------


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "after_the_matrix: runs last, on what every matrix of the session requested"
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """The tests on the shared demo run after all others, so that its rows, rolled back only at
    the end of the session, are never seen by a test that expects an empty database. Last of all
    come the checks on what the matrices requested."""
    items.sort(
        key=lambda item: (
            item.get_closest_marker("after_the_matrix") is not None,
            "demo_data" in getattr(item, "fixturenames", ()),
        )
    )
    # The whole suite: every path asked for holds all of tests/, and none is left out.
    tests = Path(__file__).parent
    config.stash[WHOLE_SUITE] = (
        config.stash.get(WHOLE_SUITE, True)
        and not config.getoption("ignore")
        and not config.getoption("ignore_glob")
        and all(
            tests.is_relative_to((config.invocation_params.dir / arg.split("::")[0]).resolve())
            for arg in config.args
        )
    )


def pytest_deselected(items):
    """Deselecting (-k, -m) a test that checks a matrix leaves the matrix incomplete."""
    if any("matrix" in getattr(item, "fixturenames", ()) for item in items):
        items[0].config.stash[WHOLE_SUITE] = False


WHOLE_SUITE = pytest.StashKey[bool]()


@pytest.fixture
def whole_suite(request) -> bool:
    """Whether this session runs every test that checks a matrix."""
    return request.config.stash.get(WHOLE_SUITE, False)
