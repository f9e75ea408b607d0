"""A team lead hands a placement over; a caseworker ends one."""

import pytest
from playwright.sync_api import expect

from placements.factories import PlacementFactory
from pleegzorg.factories import UserFactory
from tests.e2e.conftest import assert_accessible, login

pytestmark = pytest.mark.browser


@pytest.fixture
def placement(caseworker):
    return PlacementFactory(
        caseworker=caseworker, child__first_name="Sanne", child__last_name="Visser"
    )


def test_team_lead_hands_a_placement_over(
    page, live_server, team_lead, caseworker, team, placement
):
    UserFactory(username="collega", first_name="Cor", last_name="Collega", team=team)
    login(page, live_server, team_lead.username)
    page.goto(f"{live_server.url}/kinderen/{placement.child_id}/")
    page.get_by_role("link", name="Plaatsing overdragen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plaatsing overdragen")
    assert_accessible(page)

    page.get_by_label("Nieuwe pleegzorgwerker").select_option(label="Cor Collega")
    page.get_by_role("button", name="Plaatsing overdragen").click()
    expect(page.locator(".error-summary")).to_contain_text("Schrijf een overdrachtsnotitie")
    assert_accessible(page)

    page.get_by_label("Overdrachtsnotitie").fill("Omgang met moeder loopt goed; school is bezorgd.")
    page.get_by_label("Het pleeggezin is ingelicht").check()
    page.get_by_role("button", name="Plaatsing overdragen").click()
    expect(page.get_by_role("status")).to_contain_text("is overgedragen aan Cor Collega")
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload van uw team")
    assert_accessible(page)


def test_caseworker_ends_a_placement_with_a_reason(page, live_server, caseworker, placement):
    login(page, live_server, caseworker.username)
    page.goto(f"{live_server.url}/kinderen/{placement.child_id}/")
    page.get_by_role("link", name="Plaatsing beëindigen").click()
    page.get_by_role("button", name="Plaatsing beëindigen").click()
    expect(page.locator(".error-summary")).to_contain_text("Kies waarom de plaatsing eindigde.")
    assert_accessible(page)

    page.get_by_label("Waarom is de plaatsing beëindigd?").select_option(
        label="geplande terugkeer naar huis"
    )
    page.get_by_role("button", name="Plaatsing beëindigen").click()
    expect(page.get_by_role("status")).to_contain_text("is beëindigd")
    expect(page.locator("#plaatsingen")).to_contain_text("geplande terugkeer naar huis")
    assert_accessible(page)


def test_caseworker_records_a_new_youth_protector(page, live_server, caseworker, placement):
    from placements.factories import YouthProtectorFactory

    YouthProtectorFactory(
        first_name="Yara", last_name="Yilmaz", institution="William Schrikker Stichting"
    )
    login(page, live_server, caseworker.username)
    page.goto(f"{live_server.url}/kinderen/{placement.child_id}/")
    page.get_by_role("link", name="Jeugdbeschermer wijzigen").click()
    page.get_by_label("Nieuwe jeugdbeschermer").select_option(
        label="Yara Yilmaz (William Schrikker Stichting)"
    )
    page.get_by_label("Overdrachtsnotitie").fill("Zitting bij de rechter in maart.")
    assert_accessible(page)
    page.get_by_role("button", name="Nieuwe jeugdbeschermer opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("Yara Yilmaz")
    expect(page.locator("#pleegzorgwerkers")).to_contain_text("Zitting bij de rechter in maart.")
    assert_accessible(page)
