"""A caseworker starts a placement for a new child through the guided flow."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from placements.factories import FosterFamilyFactory
from tests.e2e.conftest import assert_accessible, login

pytestmark = pytest.mark.browser


def test_caseworker_starts_a_placement_for_a_new_child(page, live_server, caseworker):
    FosterFamilyFactory(name="Familie De Boer", city="Utrecht", places=2)
    FosterFamilyFactory(name="Familie Smit", city="Zeist", places=1)
    login(page, live_server, caseworker.username)
    page.goto(f"{live_server.url}/caseload/")
    page.get_by_role("link", name="Plaatsing starten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plaatsing starten")
    assert_accessible(page)

    page.get_by_label("Voornaam").fill("Noor")
    page.get_by_role("button", name="Volgende stap").click()
    expect(page.locator(".error-summary")).to_contain_text("Vul dit in voor een nieuw kind.")
    expect(page.get_by_label("Voornaam")).to_have_value("Noor")
    page.get_by_label("Achternaam").fill("Bakker")
    page.get_by_label("Geboortedatum").fill("2016-04-02")
    page.get_by_role("button", name="Volgende stap").click()

    expect(page.get_by_role("heading", name="Welk pleeggezin?")).to_be_visible()
    page.get_by_label("Zoek een pleeggezin").fill("Utrecht")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.locator("#family-choices")).not_to_contain_text("Familie Smit")
    assert_accessible(page)
    page.get_by_label("Familie De Boer").check()
    page.get_by_role("button", name="Volgende stap").click()

    expect(page.get_by_role("heading", name="De plaatsing")).to_be_visible()
    page.get_by_label("Juridische basis").select_option(label="ondertoezichtstelling (OTS)")
    page.get_by_label("Startdatum").fill(timezone.localdate().isoformat())
    assert_accessible(page)
    page.get_by_role("button", name="Volgende stap").click()

    expect(page.get_by_role("heading", name="Wie begeleidt de plaatsing?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Plaatsing starten").click()
    expect(page.get_by_role("status")).to_contain_text(
        "De plaatsing van Noor Bakker bij Familie De Boer start op"
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("Noor Bakker")
    assert_accessible(page)
