"""The start page of every role: a welcome, only its own navigation, its own team."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, login

pytestmark = pytest.mark.browser

TEAM_SECTION = "Team Utrecht Stad (Utrecht)"


def open_start_page_as(page, live_server, user):
    login(page, live_server, user.username)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")
    assert_accessible(page)


def main_navigation(page):
    return page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link")


def test_caseworker_sees_start_caseload_and_their_team(page, live_server, caseworker):
    open_start_page_as(page, live_server, caseworker)
    expect(main_navigation(page)).to_have_text(
        ["Start", "Caseload", "Mijn overleggen", "Constellaties"]
    )
    expect(page.get_by_role("heading", name=TEAM_SECTION)).to_be_visible()


def test_team_lead_sees_the_access_log_in_the_navigation_and_their_team(
    page, live_server, team_lead
):
    open_start_page_as(page, live_server, team_lead)
    expect(main_navigation(page)).to_have_text(
        [
            "Start",
            "Caseload",
            "Mijn overleggen",
            "Dashboard",
            "Constellaties",
            "Uitkomsten",
            "Inzagelog",
        ]
    )
    expect(page.get_by_role("heading", name=TEAM_SECTION)).to_be_visible()


@pytest.mark.parametrize("persona", ["hub_home_parent", "liaison"])
def test_hub_home_parent_and_liaison_see_their_constellations_and_no_team(
    page, live_server, team, persona, request
):
    open_start_page_as(page, live_server, request.getfixturevalue(persona))
    expect(main_navigation(page)).to_have_text(["Start", "Constellaties"])
    expect(page.get_by_text("Team Utrecht Stad")).to_have_count(0)


def test_app_manager_sees_the_access_log_and_administration_in_the_navigation(
    page, live_server, team, app_manager
):
    open_start_page_as(page, live_server, app_manager)
    expect(main_navigation(page)).to_have_text(
        ["Start", "Dashboard", "Uitkomsten", "Bewaartermijn", "Inzagelog", "Beheer"]
    )
    expect(page.get_by_text("Team Utrecht Stad")).to_have_count(0)
