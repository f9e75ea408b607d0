"""Stays at the hub home of children whose placement has ended (issue 11): the hub home and the
liaison keep the constellation's history; the caseworker and team lead see a stay as long as
they may read the child's file (in aftercare), and change none of it then; past aftercare the
stay is closed to them like the file."""

import datetime as dt

import pytest

from constellations.factories import RespiteStayFactory
from constellations.models import RespiteStay
from placements.factories import PlacementFactory
from placements.models import Placement
from tests.matrix import PERSONAS


def ended_with_a_stay(caseworker, family, bed, today, days_ago: int) -> RespiteStay:
    """A placement of ``caseworker`` in ``family`` (a member) that ended ``days_ago``, and a
    stay at the hub home a month before its end."""
    placement = PlacementFactory(
        caseworker=caseworker,
        family=family,
        start_date=today - dt.timedelta(days=days_ago + 200),
        end_date=today - dt.timedelta(days=days_ago),
        end_reason=Placement.EndReason.RETURN_HOME,
    )
    arrival = placement.end_date - dt.timedelta(days=30)
    return RespiteStayFactory(
        bed=bed,
        child=placement.child,
        arrival=arrival,
        departure=arrival + dt.timedelta(days=2),
        family=family,
        status=RespiteStay.Status.COMPLETED,
    )


@pytest.fixture
def stays(caseworker, member_families, bed, today, placed_child, others_child):
    """One stay of a child in aftercare, one past it (werker's both); werker and the other
    caseworker still have children placed in member families, so they see the constellation."""
    return {
        "aftercare": ended_with_a_stay(caseworker, member_families[1], bed, today, 30),
        "past": ended_with_a_stay(caseworker, member_families[2], bed, today, 400),
    }


EXPECTED = {
    # persona: (stay in aftercare, stay past aftercare)
    "caseworker": (200, 404),
    "team_lead": (200, 404),
    "hub_home_parent": (200, 200),
    "liaison": (200, 200),
    "app_manager": (403, 403),  # the role has no constellation pages (Beheer)
    "foster_parent": (403, 403),  # nor a foster parent's account, so far (issue 13)
    "anonymous": (302, 302),
    "other_caseworker": (404, 404),
}


@pytest.mark.parametrize("persona", [*PERSONAS, "other_caseworker"])
def test_a_stay_of_a_child_whose_placement_ended_answers_every_role(persona, matrix, stays):
    aftercare, past = EXPECTED[persona]
    matrix.check(
        [
            (persona, f"/logeren/{stays['aftercare'].pk}/", aftercare),
            (persona, f"/logeren/{stays['past'].pk}/", past),
        ]
    )


@pytest.mark.parametrize("persona", [*PERSONAS, "other_caseworker"])
def test_care_facts_of_a_child_no_longer_placed_are_not_shown(persona, matrix, stays):
    """Care facts are for a stay to come: only children placed now (the hub home and the
    liaison: 404); the others may never read care facts (403)."""
    constellation = stays["aftercare"].constellation
    expected = {"hub_home_parent": 404, "liaison": 404, "anonymous": 302}.get(persona, 403)
    matrix.check(
        [
            (persona, f"/constellaties/{constellation.pk}/kinderen/{stay.child_id}/", expected)
            for stay in stays.values()
        ]
    )


def test_the_team_lead_reads_the_stay_of_a_child_in_aftercare_but_does_not_change_it(
    client, team_lead, stays
):
    stay = stays["aftercare"]
    client.force_login(team_lead)
    body = client.get(f"/logeren/{stay.pk}/").content.decode()
    assert 'name="status"' not in body
    data = {"version": stay.version, "status": "cancelled", "notes": "x"}
    assert client.post(f"/logeren/{stay.pk}/", data).status_code == 403
    stay.refresh_from_db()
    assert stay.status == RespiteStay.Status.COMPLETED
