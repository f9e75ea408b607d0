"""Decisions (Advies 2) and the voice of the child, recorded from the child file."""

import pytest
from django.utils.timezone import localdate

from placements.models import Decision, VoiceNote
from tests.matrix import CASE_FILE


@pytest.mark.parametrize(("persona", "own", "other"), CASE_FILE)
@pytest.mark.parametrize("what", ["besluiten", "stem"])
def test_recording_answers_every_role(
    persona, own, other, what, matrix, placement, other_placement
):
    matrix.check(
        [
            (persona, f"/kinderen/{placement.child_id}/{what}/nieuw/", own),
            (persona, f"/kinderen/{other_placement.child_id}/{what}/nieuw/", other),
        ]
    )


def test_a_decision_with_consulted_foster_parents_needs_their_view(caseworker, client, placement):
    client.force_login(caseworker)
    data = {
        "decided_on": localdate().isoformat(),
        "subject": "Andere school",
        "decided_by": "Jeugdbeschermer",
        "foster_parents_consulted": "on",
        "foster_parents_view": "",
        "reason": "Dichter bij huis",
    }
    response = client.post(f"/kinderen/{placement.child_id}/besluiten/nieuw/", data)
    body = response.content.decode()
    assert "Schrijf op wat de pleegouders zeiden." in body and 'value="Andere school"' in body
    assert not Decision.objects.exists()
    data["foster_parents_view"] = "Eens, als het vervoer geregeld is."
    response = client.post(f"/kinderen/{placement.child_id}/besluiten/nieuw/", data, follow=True)
    assert "Besluit vastgelegd: Andere school" in response.content.decode()
    assert "Eens, als het vervoer geregeld is." in response.content.decode()


def test_the_voice_of_the_child_is_recorded_and_not_in_the_future(caseworker, client, placement):
    client.force_login(caseworker)
    url = f"/kinderen/{placement.child_id}/stem/nieuw/"
    future = localdate().replace(year=localdate().year + 1).isoformat()
    response = client.post(url, {"said_on": future, "text": "Ik wil bij oma logeren."})
    assert "Deze datum ligt in de toekomst." in response.content.decode()
    assert not VoiceNote.objects.exists()
    response = client.post(
        url, {"said_on": localdate().isoformat(), "text": "Ik wil bij oma logeren."}, follow=True
    )
    assert "Ik wil bij oma logeren." in response.content.decode()
    assert VoiceNote.objects.get().recorded_by == caseworker
