"""htmx: a view that answers a partial at the same URL as its full page says so in Vary, so that
no cache hands the partial to a full page load (or the other way round)."""

import pytest
from django.urls import reverse

from pleegzorg.models import Notification

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "url_name"),
    [
        ("team_lead", "pleegzorg:access_log"),
        ("caseworker", "pleegzorg:notifications"),
        ("caseworker", "placements:caseload"),
    ],
)
def test_pages_with_partials_vary_on_hx_request(persona_client, persona, url_name):
    client = persona_client(persona)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(reverse(url_name), headers=headers)
        assert response.status_code == 200
        assert "HX-Request" in response["Vary"]


def test_marking_a_notice_read_varies_on_hx_request(persona_client, caseworker):
    notice = Notification.objects.create(user=caseworker, text="Test")
    response = persona_client("caseworker").post(
        reverse("pleegzorg:notification_read", args=[notice.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
