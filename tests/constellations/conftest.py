"""Fixtures for constellations: one constellation in the team's region, run by the ``liaison``
persona, around a hub home with two beds whose parent is the ``hub_home_parent`` persona, with
three member families. The ``caseworker`` persona has children placed in two of them; the
``other_caseworker`` (another team, same region) in the third.

Beside it: a constellation in another region with its own liaison and hub home, and people who
should not see ours.
"""

import datetime as dt

import pytest
from django.utils import timezone

from constellations.factories import (
    BedFactory,
    ConstellationFactory,
    HubHomeFactory,
    MembershipFactory,
)
from placements.factories import ChildFactory, FosterFamilyFactory, PlacementFactory
from placements.models import Placement
from pleegzorg.factories import RegionFactory, TeamFactory, UserFactory
from pleegzorg.models import User


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def constellation(team, liaison, today):
    return ConstellationFactory(
        name="Sterrenbeeld Utrecht",
        region=team.region,
        liaison=liaison,
        start_date=today - dt.timedelta(days=400),
    )


@pytest.fixture
def hub(constellation, hub_home_parent):
    return HubHomeFactory(
        constellation=constellation, family__name="Familie Hubers", parents=[hub_home_parent]
    )


@pytest.fixture
def beds(hub):
    return [BedFactory(hub=hub, name="Bed 1"), BedFactory(hub=hub, name="Bed 2")]


@pytest.fixture
def bed(beds):
    return beds[0]


@pytest.fixture
def other_bed(beds):
    return beds[1]


@pytest.fixture
def member_families(constellation, today):
    """Three member families, members for 300 days."""
    return [
        MembershipFactory(
            constellation=constellation,
            family=FosterFamilyFactory(name=name),
            joined_on=today - dt.timedelta(days=300),
        ).family
        for name in ("Familie De Boer", "Familie Jansen", "Familie Smit")
    ]


@pytest.fixture
def member_family(member_families):
    return member_families[0]


@pytest.fixture
def placed_child(caseworker, member_families):
    """Sanne, placed with Familie De Boer (a member), in werker's caseload."""
    return PlacementFactory(
        caseworker=caseworker, family=member_families[0], child__first_name="Sanne"
    ).child


@pytest.fixture
def second_child(caseworker, member_families):
    """Daan, placed with Familie Jansen (a member), in werker's caseload."""
    return PlacementFactory(
        caseworker=caseworker, family=member_families[1], child__first_name="Daan"
    ).child


@pytest.fixture
def others_child(other_caseworker, member_families):
    """Noor, placed with Familie Smit (a member), in the other team's caseload."""
    return PlacementFactory(
        caseworker=other_caseworker, family=member_families[2], child__first_name="Noor"
    ).child


@pytest.fixture
def outsider_child(caseworker):
    """Mila, placed with a family that is in no constellation, in werker's caseload."""
    return PlacementFactory(
        caseworker=caseworker,
        family=FosterFamilyFactory(name="Familie Buiten"),
        child__first_name="Mila",
    ).child


@pytest.fixture
def unplaced_child(db):
    return ChildFactory(first_name="Jip")


# -- people and a constellation elsewhere ----------------------------------------------------------


@pytest.fixture
def other_region_lead(db):
    region = RegionFactory(name="Overijssel")
    return TeamFactory(name="Zwolle", region=region, lead__username="teamleider3").lead


@pytest.fixture
def other_team_lead(other_team):
    """Leads Amersfoort, the other team in the same region."""
    return other_team.lead


@pytest.fixture
def other_liaison(db):
    return UserFactory(username="begeleider2", role=User.Role.LIAISON)


@pytest.fixture
def other_hub_home_parent(db):
    return UserFactory(username="hubhome2", role=User.Role.HUB_HOME_PARENT)


@pytest.fixture
def idle_caseworker(team):
    """A caseworker of the same team without any child in a member family."""
    PlacementFactory(caseworker__username="werker3", caseworker__team=team)
    return User.objects.get(username="werker3")


@pytest.fixture
def former_caseworker(team, member_families, today):
    """A caseworker whose placement in a member family ended last month."""
    placement = PlacementFactory(
        caseworker__username="werker4",
        caseworker__team=team,
        family=member_families[0],
        start_date=today - dt.timedelta(days=200),
        end_date=today - dt.timedelta(days=30),
        end_reason=Placement.EndReason.RETURN_HOME,
    )
    return placement.caseworker


@pytest.fixture
def other_constellation(other_region_lead, other_liaison, other_hub_home_parent, today):
    """In Overijssel, with its own liaison, hub home, bed and one member family."""
    constellation = ConstellationFactory(
        name="Sterrenbeeld Zwolle",
        region=other_region_lead.led_teams.get().region,
        liaison=other_liaison,
        start_date=today - dt.timedelta(days=400),
    )
    hub = HubHomeFactory(constellation=constellation, parents=[other_hub_home_parent])
    BedFactory(hub=hub, name="Bed 1")
    MembershipFactory(constellation=constellation, joined_on=today - dt.timedelta(days=300))
    return constellation
