"""Ending and handing over a placement through the pages, for every role, with and without htmx."""

import pytest
from django.urls import reverse
from django.utils.timezone import localdate

from placements.models import Placement
from pleegzorg.factories import UserFactory
from tests.matrix import CASE_FILE


@pytest.mark.parametrize(("persona", "own", "other"), CASE_FILE)
@pytest.mark.parametrize("action", ["beeindigen", "overdragen", "jeugdbeschermer"])
def test_placement_actions_answer_every_role(
    persona, own, other, action, matrix, placement, other_placement
):
    matrix.check(
        [
            (persona, f"/plaatsingen/{placement.pk}/{action}/", own),
            (persona, f"/plaatsingen/{other_placement.pk}/{action}/", other),
        ]
    )


def test_ending_without_a_reason_keeps_the_input_and_changes_nothing(caseworker, client, placement):
    client.force_login(caseworker)
    response = client.post(
        f"/plaatsingen/{placement.pk}/beeindigen/",
        {
            "version": 1,
            "end_date": localdate().isoformat(),
            "end_reason": "",
            "end_note": "Gaat terug naar moeder",
        },
    )
    body = response.content.decode()
    assert "Kies waarom de plaatsing eindigde." in body
    assert "Gaat terug naar moeder" in body
    assert Placement.objects.get(pk=placement.pk).end_date is None


def test_ending_before_the_start_is_refused(caseworker, client, placement):
    client.force_login(caseworker)
    before = placement.start_date.replace(year=placement.start_date.year - 1)
    response = client.post(
        f"/plaatsingen/{placement.pk}/beeindigen/",
        {"version": 1, "end_date": before.isoformat(), "end_reason": "return_home"},
    )
    assert "De einddatum ligt vóór de begindatum." in response.content.decode()
    assert Placement.objects.get(pk=placement.pk).end_date is None


def test_ending_a_placement_redirects_to_the_file_with_a_confirmation(
    caseworker, client, placement
):
    client.force_login(caseworker)
    response = client.post(
        f"/plaatsingen/{placement.pk}/beeindigen/",
        {
            "version": 1,
            "end_date": localdate().isoformat(),
            "end_reason": "premature",
            "ended_by": "foster_family",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("placements:child", args=[placement.child_id])
    assert "is beëindigd" in response.content.decode()
    placement.refresh_from_db()
    assert placement.end_reason == "premature" and placement.ended_by == "foster_family"


def test_a_team_lead_hands_a_placement_over_and_the_former_caseworker_loses_access(
    team_lead, caseworker, team, client, placement
):
    colleague = UserFactory(username="collega", team=team)
    client.force_login(team_lead)
    response = client.post(
        f"/plaatsingen/{placement.pk}/overdragen/",
        {
            "version": 1,
            "new_caseworker": colleague.pk,
            "handover_note": "Omgang met moeder loopt goed.",
            "family_informed": "on",
            "no_change_of_course_until": "",
        },
    )
    assert response["Location"] == reverse("placements:caseload")
    placement.refresh_from_db()
    assert placement.caseworker == colleague
    client.force_login(caseworker)
    assert client.get(f"/kinderen/{placement.child_id}/").status_code == 404
    client.force_login(colleague)
    assert (
        "Omgang met moeder loopt goed."
        in client.get(f"/kinderen/{placement.child_id}/").content.decode()
    )


def test_a_handover_without_a_note_is_refused_with_the_input_kept(
    team_lead, team, client, placement
):
    colleague = UserFactory(team=team)
    client.force_login(team_lead)
    response = client.post(
        f"/plaatsingen/{placement.pk}/overdragen/",
        {
            "version": 1,
            "new_caseworker": colleague.pk,
            "handover_note": "",
            "family_informed": "on",
        },
    )
    body = response.content.decode()
    assert "Schrijf een overdrachtsnotitie" in body
    assert "checked" in body
    assert Placement.objects.get(pk=placement.pk).caseworker != colleague


def test_a_caseworker_cannot_hand_over_to_someone_outside_the_team(
    caseworker, other_caseworker, client, placement
):
    client.force_login(caseworker)
    response = client.post(
        f"/plaatsingen/{placement.pk}/overdragen/",
        {"version": 1, "new_caseworker": other_caseworker.pk, "handover_note": "x"},
    )
    assert response.status_code == 200
    assert Placement.objects.get(pk=placement.pk).caseworker == caseworker


def test_a_new_youth_protector_needs_a_handover_note_and_keeps_the_history(
    caseworker, client, placement
):
    from placements.factories import YouthProtectorFactory
    from placements.models import YouthProtectorAssignment

    old = placement.youth_protector
    YouthProtectorAssignment.objects.create(
        placement=placement, youth_protector=old, start_date=placement.start_date
    )
    new = YouthProtectorFactory(first_name="Yara")
    client.force_login(caseworker)
    url = f"/plaatsingen/{placement.pk}/jeugdbeschermer/"
    response = client.post(url, {"version": 1, "new_youth_protector": new.pk, "handover_note": ""})
    assert (
        "Schrijf een overdrachtsnotitie: wat de nieuwe jeugdbeschermer moet weten."
        in response.content.decode()
    )
    response = client.post(
        url,
        {
            "version": 1,
            "new_youth_protector": new.pk,
            "handover_note": "Zitting in maart.",
            "family_informed": "on",
        },
        follow=True,
    )
    assert "is nu de jeugdbeschermer van Sanne Visser" in response.content.decode()
    placement.refresh_from_db()
    assert placement.youth_protector == new
    assert placement.youth_protector_assignments.get(youth_protector=old).end_date is not None


def test_posting_a_caseworker_of_another_team_is_refused_with_the_message(
    caseworker, other_caseworker, client, placement
):
    assignments = list(placement.caseworker_assignments.values_list("pk", "end_date"))
    client.force_login(caseworker)
    response = client.post(
        f"/plaatsingen/{placement.pk}/overdragen/",
        {
            "version": 1,
            "new_caseworker": other_caseworker.pk,
            "handover_note": "Omgang met moeder loopt goed.",
            "family_informed": "on",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert (
        "U kunt deze plaatsing niet aan deze pleegzorgwerker overdragen. "
        "Kies een pleegzorgwerker uit de lijst." in body
    )
    assert "Omgang met moeder loopt goed." in body
    placement.refresh_from_db()
    assert placement.caseworker == caseworker and placement.version == 1
    assert list(placement.caseworker_assignments.values_list("pk", "end_date")) == assignments
