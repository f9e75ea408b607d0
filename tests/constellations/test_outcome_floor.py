"""The outcome monitor's floor (constellations/outcomes/floor.py: its figures by hand-written
SQL, timed by ``make bench``) computes exactly the figures the page shows: on the small demo as
the team lead and the application manager open it, and on the fixed data set of
test_outcomes.py, whose figures are known by hand."""

import pytest

from constellations.outcomes import floor
from constellations.outcomes.report import outcome_report
from constellations.outcomes.selectors import Period
from pleegzorg.models import User
from tests.constellations.test_outcomes import YEAR
from tests.constellations.test_outcomes import data as data  # the fixture

# Every measure the page shows: the data set known by hand has figures for each (so that equal
# cannot mean both empty); the small demo for all but a few (it has no child with three
# placements in a year, and the team lead's region no family that stopped).
MEASURES = {
    "ended",
    "premature",
    "days",
    "moves",
    "children",
    "many",
    "active",
    "part_time",
    "crisis",
    "stops",
    "nights",
    "members",
    "families_active",
    "families_stopped",
}

pytestmark = pytest.mark.usefixtures("requires_postgresql")  # the floor is PostgreSQL's SQL


@pytest.mark.parametrize("username", ["teamleider", "beheer"])
def test_the_floor_computes_the_figures_the_demo_page_shows(seeded, client, username):
    user = User.objects.get(username=username)
    client.force_login(user)
    report = client.get("/uitkomsten/").context["report"]
    hand = floor.run(user, report.period)
    assert {measure for measure, _window, _side in report.figures} >= MEASURES - {
        "many",
        "stops",
        "families_stopped",
    }
    assert {side for _measure, _window, side in report.figures} == {"in", "out"}
    assert hand == report.figures


def test_the_floor_states_the_regions_the_filter_offers(seeded):
    user = User.objects.get(username="teamleider")
    (regions_sql, params), _figures = floor.statements(user)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(regions_sql, params)
        names = [name for _pk, name in cursor.fetchall()]
    from constellations.outcomes.selectors import regions_visible_to

    assert names == sorted(region.name for region in regions_visible_to(user))
    assert names


def test_the_floor_gives_the_figures_known_by_hand(data, team_lead):
    hand = floor.run(team_lead, YEAR)
    known = {
        ("days", "p", "in"): 649,
        ("days", "p", "out"): 580,
        ("ended", "p", "in"): 2,
        ("ended", "p", "out"): 4,
        ("premature", "p", "in"): 1,
        ("premature", "p", "out"): 1,
        ("moves", "p", "in"): 1,
        ("moves", "p", "out"): 1,
        ("children", "p", "in"): 4,
        ("children", "p", "out"): 2,
        ("many", "p", "in"): 1,
        ("children", "m14", "in"): 3,
        ("children", "m14", "out"): 3,
        ("active", "p", "in"): 4,
        ("active", "p", "out"): 1,
        ("part_time", "p", "in"): 1,
        ("active", "m17", "in"): 2,
        ("active", "m17", "out"): 1,
        ("crisis", "this", "in"): 1,
        ("crisis", "last", "out"): 1,
        ("families_active", "p", "in"): 3,
        ("families_active", "p", "out"): 2,
        ("families_stopped", "p", "in"): 1,
        ("families_stopped", "p", "out"): 2,
        ("reason_breakdown", "p", "in"): 1,
        ("reason_support", "p", "out"): 1,
        ("reason_age_health", "p", "out"): 1,
        ("stops", "m19", "out"): 1,
        ("nights", "p", "in"): 4,
        ("nights", "m11", "in"): 2,
        ("members", "p", "in"): 4,
    }
    assert {measure for measure, _window, _side in known} >= MEASURES
    assert {key: hand.get(key) for key in known} == known
    # Figures known to be zero are left out, as the page leaves them out.
    assert ("many", "p", "out") not in hand
    assert ("part_time", "m17", "in") not in hand
    assert hand == outcome_report(data, YEAR).figures


def test_a_team_lead_s_floor_leaves_other_regions_out(data, team_lead, app_manager):
    """The placement of another region (premature, in 2025) counts for the application
    manager, who sees every region, and not for the team lead."""
    lead = floor.run(team_lead, YEAR)
    everyone = floor.run(app_manager, YEAR)
    assert everyone[("premature", "p", "out")] == lead[("premature", "p", "out")] + 1


def test_a_period_without_data_has_no_figures(data, team_lead):
    empty = Period(YEAR.start.replace(year=2010), YEAR.end.replace(year=2010))
    assert floor.run(team_lead, empty) == outcome_report(data, empty).figures == {}


def test_a_child_placed_in_two_regions_counts_every_placement(caseworker, team, team_lead):
    """Three placements in 2025, the last in another region: the child counts for the team
    lead's region (its first two are there), with three placements, on the side of the last
    one's family (a member of a constellation elsewhere on its last day)."""
    from constellations.factories import ConstellationFactory
    from constellations.models import Membership
    from placements.factories import ChildFactory, FosterFamilyFactory, PlacementFactory
    from placements.models import Placement
    from pleegzorg.factories import RegionFactory, TeamFactory, UserFactory

    D = YEAR.start.__class__
    elsewhere = UserFactory(team=TeamFactory(region=RegionFactory(name="Elders")))
    member = FosterFamilyFactory(name="Elders lid")
    Membership.objects.create(
        constellation=ConstellationFactory(region=elsewhere.team.region, start_date=D(2024, 1, 1)),
        family=member,
        joined_on=D(2024, 1, 1),
    )
    child = ChildFactory()
    for start, end, worker, family in [
        (D(2025, 1, 1), D(2025, 3, 31), caseworker, FosterFamilyFactory()),
        (D(2025, 4, 1), D(2025, 7, 31), caseworker, FosterFamilyFactory()),
        (D(2025, 8, 1), None, elsewhere, member),
    ]:
        PlacementFactory(
            child=child,
            family=family,
            caseworker=worker,
            start_date=start,
            end_date=end,
            end_reason=Placement.EndReason.OTHER_FAMILY if end else "",
        )
    hand = floor.run(team_lead, YEAR)
    assert hand[("children", "p", "in")] == hand[("many", "p", "in")] == 1
    assert ("children", "p", "out") not in hand
    assert hand == outcome_report([team.region_id], YEAR).figures


def test_the_days_a_family_joined_and_left_count_inside(caseworker, team, team_lead):
    """Both days of a membership count: an ending on the day the family joined, and a crisis
    start on the day it left, are inside."""
    from constellations.factories import ConstellationFactory
    from constellations.models import Membership
    from placements.factories import FosterFamilyFactory, PlacementFactory
    from placements.models import CareKind, Placement

    D = YEAR.start.__class__
    family = FosterFamilyFactory()
    Membership.objects.create(
        constellation=ConstellationFactory(region=team.region, start_date=D(2024, 1, 1)),
        family=family,
        joined_on=D(2025, 5, 1),
        left_on=D(2025, 9, 30),
    )
    PlacementFactory(
        family=family,
        caseworker=caseworker,
        start_date=D(2025, 2, 1),
        end_date=D(2025, 5, 1),
        end_reason=Placement.EndReason.PREMATURE,
    )
    PlacementFactory(
        family=family, caseworker=caseworker, kind=CareKind.CRISIS, start_date=D(2025, 9, 30)
    )
    hand = floor.run(team_lead, YEAR)
    assert hand[("premature", "p", "in")] == hand[("crisis", "p", "in")] == 1
    # Care-days inside: 1 May (the first placement's last day), and 30 September (the second's
    # first day) the day the family left.
    assert hand[("days", "p", "in")] == 2
    assert hand == outcome_report([team.region_id], YEAR).figures
