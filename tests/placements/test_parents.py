"""Parents of a child: added and changed from the child file."""

import pytest

from placements.factories import ParentChildFactory
from placements.models import Parent
from tests.matrix import CASE_FILE


@pytest.mark.parametrize(("persona", "own", "other"), CASE_FILE)
def test_parent_pages_answer_every_role(persona, own, other, matrix, placement, other_placement):
    link = ParentChildFactory(child=placement.child)
    other_link = ParentChildFactory(child=other_placement.child)
    child, other_child = placement.child_id, other_placement.child_id
    matrix.check(
        [
            (persona, f"/kinderen/{child}/ouders/nieuw/", own),
            (persona, f"/kinderen/{other_child}/ouders/nieuw/", other),
            (persona, f"/kinderen/{child}/ouders/{link.pk}/", own),
            (persona, f"/kinderen/{other_child}/ouders/{other_link.pk}/", other),
            # A parent of another child cannot be reached through this child's file.
            (persona, f"/kinderen/{child}/ouders/{other_link.pk}/", 404 if own == 200 else own),
        ]
    )


def parent_data(**changes):
    data = {
        "first_name": "Ilse",
        "last_name": "Visser",
        "relation": "mother",
        "has_custody": "on",
        "participation": "Bezoek om de week",
        "phone": "0612345678",
        "email": "",
        "address": "",
    }
    return {**data, **changes}


def test_a_caseworker_adds_a_parent_with_custody(caseworker, client, placement):
    client.force_login(caseworker)
    response = client.post(
        f"/kinderen/{placement.child_id}/ouders/nieuw/", parent_data(), follow=True
    )
    body = response.content.decode()
    assert "Ilse Visser opgeslagen." in body and "heeft gezag" in body
    assert placement.child.parent_links.get().has_custody


def test_a_malformed_email_keeps_the_input(caseworker, client, placement):
    client.force_login(caseworker)
    response = client.post(
        f"/kinderen/{placement.child_id}/ouders/nieuw/", parent_data(email="geen-adres")
    )
    body = response.content.decode()
    assert "Voer een geldig e-mailadres in." in body and 'value="Ilse"' in body
    assert not Parent.objects.exists()


def test_changing_a_parent_is_version_checked(caseworker, team_lead, client, placement):
    link = ParentChildFactory(child=placement.child, parent__first_name="Ilse")
    url = f"/kinderen/{placement.child_id}/ouders/{link.pk}/"
    client.force_login(team_lead)
    client.post(url, parent_data(version=1, phone="0611111111"))
    client.force_login(caseworker)
    response = client.post(url, parent_data(version=1, phone="0622222222"))
    assert "Iemand anders heeft dit intussen gewijzigd" in response.content.decode()
    link.parent.refresh_from_db()
    assert link.parent.phone == "0611111111"
