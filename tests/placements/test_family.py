"""The foster family page."""

import pytest

from placements.factories import FosterParentFactory, OwnChildFactory, PlacementFactory
from pleegzorg.models import AccessLogEntry
from tests.matrix import CASE_FILE


@pytest.mark.parametrize(("persona", "own", "other"), CASE_FILE)
def test_the_family_page_answers_every_role(
    persona, own, other, matrix, placement, other_placement
):
    matrix.check(
        [
            (persona, f"/pleeggezinnen/{placement.family_id}/", own),
            (persona, f"/pleeggezinnen/{other_placement.family_id}/", other),
        ]
    )


def test_the_family_page_shows_its_people_and_placements_and_is_logged(
    caseworker, other_caseworker, client, placement
):
    family = placement.family
    FosterParentFactory(family=family, first_name="Petra")
    OwnChildFactory(family=family, first_name="Jesse")
    PlacementFactory(
        family=family,
        caseworker=other_caseworker,
        child__first_name="Mila",
        child__last_name="Geheim",
    )
    client.force_login(caseworker)
    body = client.get(f"/pleeggezinnen/{family.pk}/").content.decode()
    assert "Petra" in body and "Jesse" in body and "Sanne Visser" in body
    # Another caseworker's child: first name only, no link to a file this user may not open.
    assert "Mila" in body and "Geheim" not in body
    assert AccessLogEntry.objects.filter(
        user=caseworker, person_id=family.pk, action="view"
    ).exists()


def test_the_family_page_runs_a_fixed_number_of_queries(
    caseworker, client, placement, django_assert_max_num_queries
):
    for _ in range(10):
        PlacementFactory(family=placement.family, caseworker=caseworker, kind="part_time")
        OwnChildFactory(family=placement.family)
    client.force_login(caseworker)
    with django_assert_max_num_queries(14):
        client.get(f"/pleeggezinnen/{placement.family_id}/")


def family_data(family, **changes):
    data = {
        "version": family.version,
        "name": family.name,
        "street": family.street,
        "postcode": family.postcode,
        "city": family.city,
        "municipality": family.municipality,
        "offers_full_time": "on",
        "places": family.places,
        "status": family.status,
        "stop_date": "",
        "stop_reason": "",
        "stop_note": "",
    }
    return {**data, **changes}


@pytest.mark.parametrize(("persona", "own", "other"), CASE_FILE)
def test_the_family_edit_page_answers_every_role(
    persona, own, other, matrix, placement, other_placement
):
    matrix.check(
        [
            (persona, f"/pleeggezinnen/{placement.family_id}/wijzigen/", own),
            (persona, f"/pleeggezinnen/{other_placement.family_id}/wijzigen/", other),
        ]
    )


def test_a_postcode_that_is_not_dutch_keeps_the_input_and_saves_nothing(
    caseworker, client, placement
):
    client.force_login(caseworker)
    family = placement.family
    response = client.post(
        f"/pleeggezinnen/{family.pk}/wijzigen/",
        family_data(family, postcode="SW1A 1AA", city="Londen"),
    )
    body = response.content.decode()
    assert "Vul een Nederlandse postcode in" in body and 'value="Londen"' in body
    family.refresh_from_db()
    assert family.city != "Londen" and family.version == 1


def test_stopping_needs_a_date_and_reason_and_lands_in_the_status_history(
    caseworker, client, placement
):
    client.force_login(caseworker)
    family = placement.family
    url = f"/pleeggezinnen/{family.pk}/wijzigen/"
    response = client.post(url, family_data(family, status="stopped"))
    assert "Vul de datum in waarop het gezin stopte." in response.content.decode()
    response = client.post(
        url,
        family_data(
            family,
            status="stopped",
            stop_date="2026-11-01",
            stop_reason="age_health",
            postcode="3511ab",
        ),
        follow=True,
    )
    body = response.content.decode()
    family.refresh_from_db()
    assert family.status == "stopped" and family.postcode == "3511 AB"
    assert family.status_changes.get().status == "stopped"
    assert "leeftijd of gezondheid" in body and "Statusgeschiedenis" in body
