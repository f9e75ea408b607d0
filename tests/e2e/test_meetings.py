"""A caseworker holds a start meeting with agreements, then a joint meeting that sets the next."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from placements.factories import FosterParentFactory, PlacementFactory
from tests.e2e.conftest import assert_accessible, login

pytestmark = pytest.mark.browser


def test_caseworker_holds_a_start_meeting_and_a_joint_meeting(page, live_server, caseworker):
    placement = PlacementFactory(
        caseworker=caseworker,
        child__first_name="Sanne",
        child__last_name="Visser",
        start_date=timezone.localdate() - dt.timedelta(days=20),
    )
    FosterParentFactory(family=placement.family, first_name="Petra", last_name="de Boer")
    login(page, live_server, caseworker.username)
    page.goto(f"{live_server.url}/kinderen/{placement.child_id}/")
    expect(page.locator("#overleggen")).to_contain_text("Er is nog geen startgesprek gehouden")
    page.get_by_role("link", name="Startgesprek plannen").click()
    page.get_by_label("Plaats").fill("Bij het pleeggezin")
    assert_accessible(page)
    page.get_by_role("button", name="Overleg plannen").click()
    expect(page.get_by_role("status")).to_contain_text("Startgesprek voor Sanne Visser gepland op")

    page.locator("#overleggen ul.history").get_by_role("link", name="Startgesprek").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Startgesprek")
    page.get_by_label("Petra de Boer").check()
    page.locator("textarea[name='q-foster_parents-needs_from_me']").fill("Snel antwoord op vragen")
    page.locator("input[name='a-0-what']").fill("Omgangsregeling op papier")
    page.locator("input[name='a-0-due_on']").fill(
        (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    )
    page.get_by_role("button", name="Startgesprek opslaan").click()
    expect(page.locator(".error-summary")).to_contain_text(
        "Elke afspraak heeft een eigenaar nodig."
    )
    assert_accessible(page)
    page.locator("select[name='a-0-owner']").select_option(label="jeugdbeschermer")
    page.get_by_role("button", name="Startgesprek opslaan").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Het startgesprek van Sanne Visser is vastgelegd."
    )
    expect(page.locator("#overleggen")).to_contain_text("Omgangsregeling op papier")

    page.get_by_role("link", name="Gezamenlijk overleg plannen").click()
    page.get_by_label("Datum").fill(timezone.localdate().isoformat())
    page.get_by_label("Plaats").fill("Op kantoor")
    page.get_by_role("button", name="Overleg plannen").click()
    page.locator("#overleggen ul.history").get_by_role("link", name="Gezamenlijk overleg").click()
    page.get_by_label("Wat gaat goed?").fill("School gaat goed")
    page.get_by_role("button", name="Verslag afsluiten").click()
    expect(page.locator(".error-summary")).to_contain_text("Vul in wanneer u weer evalueert")
    assert_accessible(page)
    next_date = timezone.localdate() + dt.timedelta(weeks=13)
    page.get_by_label("Wanneer evalueren we weer?").fill(next_date.isoformat())
    page.get_by_role("button", name="Verslag afsluiten").click()
    expect(page.get_by_role("status")).to_contain_text(next_date.strftime("%d-%m-%Y"))
    expect(page.locator("#overleggen")).to_contain_text(next_date.strftime("%d-%m-%Y"))
    assert_accessible(page)


def test_caseworker_sets_the_cadence_and_moves_the_planned_meeting(page, live_server, caseworker):
    placement = PlacementFactory(
        caseworker=caseworker,
        child__first_name="Daan",
        child__last_name="Mulder",
        start_date=timezone.localdate() - dt.timedelta(days=200),
    )
    login(page, live_server, caseworker.username)
    page.goto(f"{live_server.url}/kinderen/{placement.child_id}/")
    page.locator("#overleggen").get_by_role("link", name="Wijzigen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Gezamenlijk overleg voor Daan Mulder"
    )
    page.get_by_label("Hoe vaak").select_option(label="elke 6 maanden")
    page.get_by_label("Volgend gezamenlijk overleg").fill("2020-01-01")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".error-summary")).to_contain_text("kan niet in het verleden liggen")
    expect(page.get_by_label("Hoe vaak")).to_have_value("26")
    assert_accessible(page)
    day = timezone.localdate() + dt.timedelta(days=40)
    page.get_by_label("Volgend gezamenlijk overleg").fill(day.isoformat())
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("is ingesteld")
    expect(page.locator("#overleggen")).to_contain_text("elke 26 weken")

    page.get_by_role("link", name="Gezamenlijk overleg plannen").click()
    page.get_by_label("Plaats").fill("Op kantoor")
    page.get_by_role("button", name="Overleg plannen").click()
    page.locator("#overleggen ul.history").get_by_role("link", name="Gezamenlijk overleg").click()
    page.get_by_role("link", name="Verplaatsen of afzeggen").click()
    later = day + dt.timedelta(days=7)
    page.get_by_label("Datum").fill(later.isoformat())
    assert_accessible(page)
    page.get_by_role("button", name="Overleg verplaatsen").click()
    expect(page.get_by_role("status")).to_contain_text("Het overleg is verplaatst naar")
    expect(page.locator("#overleggen")).to_contain_text(later.strftime("%d-%m-%Y"))
