"""Starting a placement through the guided flow, without JavaScript and with bad input."""

import pytest
from django.utils.timezone import localdate

from placements.factories import FosterFamilyFactory, PlacementFactory, YouthProtectorFactory
from placements.models import Child, FosterFamily, Placement
from tests.matrix import CASEWORK

URL = "/plaatsingen/nieuw/"


def new_child(**overrides):
    return {
        "s0-existing": "",
        "s0-first_name": "Noor",
        "s0-last_name": "Bakker",
        "s0-date_of_birth": "2016-04-02",
        "s0-gender": "girl",
        "s0-bsn": "",
        **overrides,
    }


def walk(client, answers: dict, upto: int):
    """Post each step in turn, as a browser would, carrying the answers along."""
    response = None
    for step in range(upto + 1):
        response = client.post(URL, {**answers, "step": step, "action": "next"})
    return response


@pytest.mark.parametrize(("persona", "status"), CASEWORK)
def test_the_flow_answers_every_role(persona, status, matrix):
    matrix.check([(persona, URL, status)])


def test_a_caseworker_starts_a_placement_for_a_new_child(caseworker, client, family):
    youth_protector = YouthProtectorFactory()
    client.force_login(caseworker)
    answers = {
        **new_child(),
        "s1-search": "",
        "s1-family": family.pk,
        "s2-kind": "full_time",
        "s2-legal_basis": "ots",
        "s2-start_date": localdate().isoformat(),
        "s2-planned_end_date": "",
        "s2-perspective": "grow_up",
        "s3-caseworker": caseworker.pk,
        "s3-youth_protector": youth_protector.pk,
    }
    assert walk(client, answers, 0).context["step"] == 1
    assert "2 plekken vrij" in walk(client, answers, 0).content.decode()
    response = walk(client, answers, 3)
    placement = Placement.objects.get(child__first_name="Noor")
    assert response["Location"] == f"/kinderen/{placement.child_id}/"
    assert placement.caseworker == caseworker and placement.youth_protector == youth_protector
    assert placement.perspective == "grow_up"


def test_a_full_family_is_refused_on_the_family_step_and_nothing_is_saved(caseworker, client):
    full = FosterFamilyFactory(name="Familie Vol", places=1)
    PlacementFactory(family=full, caseworker=caseworker)
    client.force_login(caseworker)
    answers = {
        **new_child(),
        "s1-family": full.pk,
        "s2-kind": "full_time",
        "s2-legal_basis": "ots",
        "s2-start_date": localdate().isoformat(),
        "s2-perspective": "undecided",
        "s3-caseworker": caseworker.pk,
    }
    response = walk(client, answers, 3)
    assert response.context["step"] == 1
    assert "is vol" in response.content.decode()
    assert not Child.objects.filter(first_name="Noor").exists()


def test_a_stopped_family_is_not_offered_and_refused(caseworker, client):
    stopped = FosterFamilyFactory(
        status=FosterFamily.Status.STOPPED, stop_date=localdate(), stop_reason="moved"
    )
    client.force_login(caseworker)
    response = walk(client, {**new_child(), "s1-family": stopped.pk}, 1)
    assert response.context["step"] == 1
    assert "Kies een actief pleeggezin uit de lijst." in response.content.decode()


def test_a_malformed_bsn_and_a_missing_name_stay_on_the_child_step_with_the_input(
    caseworker, client
):
    client.force_login(caseworker)
    response = walk(client, new_child(**{"s0-bsn": "123456789", "s0-first_name": ""}), 0)
    body = response.content.decode()
    assert response.context["step"] == 0
    assert "elfproef" in body and "Vul dit in voor een nieuw kind." in body
    assert 'value="Bakker"' in body


def test_end_before_start_stays_on_the_placement_step(caseworker, client, family):
    client.force_login(caseworker)
    answers = {
        **new_child(),
        "s1-family": family.pk,
        "s2-kind": "full_time",
        "s2-legal_basis": "ots",
        "s2-start_date": "2026-03-10",
        "s2-planned_end_date": "2026-03-01",
        "s2-perspective": "undecided",
    }
    response = walk(client, answers, 2)
    assert response.context["step"] == 2
    assert "De geplande einddatum ligt vóór de startdatum." in response.content.decode()


def test_an_overlapping_full_time_placement_is_refused(caseworker, client, placement):
    client.force_login(caseworker)
    answers = {
        "s0-existing": placement.child_id,
        "s0-gender": "unknown",
        "s1-family": FosterFamilyFactory().pk,
        "s2-kind": "full_time",
        "s2-legal_basis": "ots",
        "s2-start_date": localdate().isoformat(),
        "s2-perspective": "undecided",
        "s3-caseworker": caseworker.pk,
    }
    response = walk(client, answers, 3)
    assert response.context["step"] == 2
    assert "heeft in deze periode al een voltijdplaatsing" in response.content.decode()
    assert placement.child.placements.count() == 1


def test_back_keeps_the_answers(caseworker, client, family):
    client.force_login(caseworker)
    answers = {**new_child(), "s1-family": family.pk}
    client.post(URL, {**answers, "step": 0, "action": "next"})
    response = client.post(URL, {**answers, "step": 1, "action": "back"})
    assert response.context["step"] == 0
    assert 'value="Noor"' in response.content.decode()
