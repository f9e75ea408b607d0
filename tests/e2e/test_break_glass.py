"""A caseworker opens a file past its aftercare period with a reason; the team lead reviews it."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from placements.factories import FosterFamilyFactory, PlacementFactory
from placements.models import Placement
from tests.e2e.conftest import assert_accessible, login

pytestmark = pytest.mark.browser


@pytest.fixture
def closed(caseworker):
    today = timezone.localdate()
    return PlacementFactory(
        caseworker=caseworker,
        child__first_name="Bram",
        child__last_name="Ende",
        family=FosterFamilyFactory(name="Familie Gesloten"),
        start_date=today - dt.timedelta(days=900),
        end_date=today - dt.timedelta(days=400),
        end_reason=Placement.EndReason.RETURN_HOME,
    )


def test_caseworker_opens_a_closed_file_with_a_reason_and_the_team_lead_reviews_it(
    page, live_server, caseworker, team_lead, closed
):
    login(page, live_server, caseworker.username)
    page.goto(f"{live_server.url}/kinderen/{closed.child_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dossier openen met een reden")
    expect(page.locator(".lead")).to_have_text("Bram Ende")
    assert_accessible(page)

    page.get_by_role("button", name="Dossier openen").click()
    expect(page.locator(".error-summary")).to_contain_text("Schrijf op waarom u dit dossier opent.")
    assert_accessible(page)

    reason = page.get_by_label("Waarom opent u dit dossier?")
    reason.fill("Rechter")
    page.get_by_role("button", name="Dossier openen").click()
    expect(page.locator(".error-summary")).to_contain_text("minstens 20 tekens")
    expect(reason).to_have_value("Rechter")

    reason.fill("De rechtbank vraagt om het verloop van de plaatsing.")
    page.get_by_role("button", name="Dossier openen").click()
    expect(page.get_by_role("status")).to_contain_text("alleen om te lezen")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bram Ende")
    expect(page.get_by_role("region", name="Geopend met een reden")).to_contain_text(
        "De rechtbank vraagt om het verloop van de plaatsing."
    )
    expect(page.get_by_role("link", name="Wijzigen: Zorg tijdens logeren")).to_have_count(0)
    assert_accessible(page)

    login(page, live_server, team_lead.username)
    page.get_by_role("link", name="Dossiers geopend met een reden beoordelen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dossiers geopend met een reden")
    expect(page.locator("#grant-results")).to_contain_text("De rechtbank vraagt")
    assert_accessible(page)
    page.get_by_role("button", name="Als beoordeeld markeren: Wendy").click()
    expect(page.get_by_role("status")).to_contain_text("Beoordeeld: Bram Ende.")
    expect(page.locator("#grant-results")).to_contain_text("0 te beoordelen")
    assert_accessible(page)
