"""A caseworker keeps the file up to date: the family, a decision, a parent."""

import pytest
from playwright.sync_api import expect

from placements.factories import PlacementFactory
from tests.e2e.conftest import assert_accessible, login

pytestmark = pytest.mark.browser


@pytest.fixture
def placement(caseworker):
    return PlacementFactory(
        caseworker=caseworker,
        child__first_name="Sanne",
        child__last_name="Visser",
        family__surname="De Boer",
    )


def test_caseworker_changes_the_family_records_a_decision_and_adds_a_parent(
    page, live_server, caseworker, placement
):
    login(page, live_server, caseworker.username)
    page.goto(f"{live_server.url}/kinderen/{placement.child_id}/")

    page.locator("#pleeggezin").get_by_role("link", name="Familie De Boer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Familie De Boer")
    assert_accessible(page)
    page.get_by_role("link", name="Gezinsgegevens of status wijzigen").click()
    page.get_by_label("Postcode").fill("SW1A 1AA")
    page.get_by_role("button", name="Gezin opslaan").click()
    expect(page.locator(".error-summary")).to_contain_text("Vul een Nederlandse postcode in")
    assert_accessible(page)
    page.get_by_label("Postcode").fill("3511ab")
    page.get_by_label("Status (verplicht)").select_option(label="gepauzeerd")
    page.get_by_role("button", name="Gezin opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("Familie De Boer opgeslagen.")
    expect(page.locator("#status-heading + ul")).to_contain_text("gepauzeerd")

    page.goto(f"{live_server.url}/kinderen/{placement.child_id}/")
    page.get_by_role("link", name="Besluit vastleggen").click()
    page.get_by_label("Wat is besloten").fill("Wisseling van school na de zomer")
    page.get_by_label("Besloten door").fill("Jeugdbeschermer")
    page.get_by_label("Pleegouders gehoord").check()
    page.get_by_label("Reden").fill("Dichter bij het pleeggezin")
    page.get_by_role("button", name="Besluit opslaan").click()
    expect(page.locator(".error-summary")).to_contain_text("Schrijf op wat de pleegouders zeiden.")
    assert_accessible(page)
    page.get_by_label("Mening van de pleegouders").fill("Eens, als het vervoer geregeld is.")
    page.get_by_role("button", name="Besluit opslaan").click()
    expect(page.locator("#besluiten")).to_contain_text("Eens, als het vervoer geregeld is.")

    page.get_by_role("link", name="Ouder toevoegen").click()
    page.get_by_label("Voornaam").fill("Ilse")
    page.get_by_label("Achternaam").fill("Visser")
    page.get_by_label("Heeft gezag").check()
    assert_accessible(page)
    page.get_by_role("button", name="Ouder opslaan").click()
    expect(page.locator("#ouders")).to_contain_text("Ilse Visser · heeft gezag")
    assert_accessible(page)
