"""A hub-home parent logs a planned and an unplanned stay from a phone and sees the bed taken; a
liaison records a monthly meeting with attendance."""

import datetime as dt
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from constellations.factories import BedFactory, ConstellationFactory, HubHomeFactory
from constellations.models import Membership, RespiteStay
from placements.factories import FosterFamilyFactory, FosterParentFactory, PlacementFactory
from tests.e2e.conftest import assert_accessible, login

pytestmark = pytest.mark.browser


@pytest.fixture
def constellation(team, liaison, hub_home_parent, caseworker):
    today = timezone.localdate()
    constellation = ConstellationFactory(
        name="Sterrenbeeld Utrecht",
        region=team.region,
        liaison=liaison,
        start_date=today - dt.timedelta(days=400),
    )
    hub = HubHomeFactory(
        constellation=constellation, family__name="Familie Hubers", parents=[hub_home_parent]
    )
    BedFactory(hub=hub, name="Logeerbed 1")
    BedFactory(hub=hub, name="Logeerbed 2")
    for name, child in (("Familie De Boer", "Sanne"), ("Familie Jansen", "Daan")):
        family = FosterFamilyFactory(name=name)
        Membership.objects.create(
            constellation=constellation, family=family, joined_on=today - dt.timedelta(days=300)
        )
        PlacementFactory(
            family=family, caseworker=caseworker, child__first_name=child, child__last_name="Visser"
        )
        FosterParentFactory(family=family, first_name=f"Ouder{child}", last_name="Visser")
    return constellation


def test_hub_home_parent_logs_a_planned_and_an_unplanned_stay(
    page, live_server, hub_home_parent, constellation
):
    today = timezone.localdate()
    login(page, live_server, hub_home_parent.username)
    page.get_by_role("link", name="Logeerafspraak maken").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Logeerafspraak maken")
    assert_accessible(page)
    started = time.monotonic()
    page.locator("select[name=child]").select_option(index=2)  # Sanne, after Daan
    page.get_by_label("Vertrek").fill((today + dt.timedelta(days=2)).isoformat())
    page.get_by_label("Vertrek").dispatch_event("change")
    expect(page.locator("#bed-choices")).to_contain_text("2 nachten")
    # Typing the date and the change event each reload the beds: tick one after the last.
    page.wait_for_load_state("networkidle")
    page.get_by_label("Logeerbed 1").check()
    page.get_by_role("button", name="Logeerafspraak opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("Logeerafspraak van Sanne opgeslagen voor")
    assert time.monotonic() - started < 30
    expect(page.locator("#calendar-grid")).to_contain_text("Sanne")
    assert_accessible(page)

    # Unplanned: Daan tonight; the live availability shows Logeerbed 1 taken.
    page.get_by_role("link", name="Logeerafspraak maken", exact=True).click()
    page.locator("select[name=child]").select_option(index=1)
    page.get_by_label("Aankomst").fill(today.isoformat())
    page.get_by_label("Aankomst").dispatch_event("change")
    expect(page.locator("#bed-choices")).to_contain_text("bezet")
    page.wait_for_load_state("networkidle")
    page.get_by_label("ongepland").check()
    page.get_by_label("Reden").select_option(label="noodsituatie")
    # Try the taken bed first: a clear message, the input kept.
    page.locator("#bed-choices input[type=radio]").first.check()
    page.get_by_role("button", name="Logeerafspraak opslaan").click()
    expect(page.locator(".error-summary")).to_contain_text("is al bezet van")
    expect(page.get_by_label("ongepland")).to_be_checked()
    assert_accessible(page)
    page.get_by_label("Logeerbed 2").check()
    page.get_by_role("button", name="Logeerafspraak opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("Logeerafspraak van Daan opgeslagen")
    expect(page.locator("#calendar-grid")).to_contain_text("Vannacht: 0 van 2 logeerbedden vrij")
    expect(page.locator("#calendar-grid")).to_contain_text("ongepland")
    assert RespiteStay.objects.filter(planned=False, child__first_name="Daan").exists()

    page.get_by_role("link", name="Volgende week").click()
    page.wait_for_url("**weergave=week&van=**")
    page.get_by_role("link", name="Maand").click()
    expect(page.locator("#calendar-grid .calendar__views strong")).to_have_text("Maand")
    assert page.locator("#calendar-grid tbody tr").count() >= 28
    assert_accessible(page)


def test_liaison_records_a_monthly_meeting_with_attendance(
    page, live_server, liaison, constellation
):
    login(page, live_server, liaison.username)
    page.get_by_role("link", name="Mijn constellaties").click()
    page.get_by_role("link", name="Sterrenbeeld Utrecht").click()
    expect(page.locator(".flag").first).to_contain_text("geen bijeenkomst vastgelegd")
    expect(page.locator(".flag").nth(1)).to_contain_text("In oprichting: 2 lidgezinnen")
    assert_accessible(page)
    page.get_by_role("link", name="Bijeenkomst vastleggen").click()
    page.get_by_label("Plaats").fill("")
    page.get_by_label("OuderSanne Visser").check()
    page.get_by_label("Sanne Visser", exact=True).check()
    page.get_by_role("button", name="Bijeenkomst opslaan").click()
    expect(page.locator(".error-summary")).to_contain_text("Plaats")
    expect(page.get_by_label("OuderSanne Visser")).to_be_checked()
    assert_accessible(page)
    page.get_by_label("Plaats").fill("Bij het hubhome")
    page.get_by_label("Notities").fill("Pannenkoeken gebakken")
    page.get_by_role("button", name="Bijeenkomst opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("vastgelegd, 2 aanwezig")
    expect(page.locator("section:has(#gatherings-heading)")).to_contain_text(
        "Maandelijkse bijeenkomst"
    )
    assert_accessible(page)


def test_liaison_adds_a_family_and_a_parent_and_the_hub_logs_a_contact(
    page, live_server, liaison, hub_home_parent, constellation, team
):
    from placements.factories import ParentChildFactory

    newcomer = FosterFamilyFactory(name="Familie Nieuwkomer")
    PlacementFactory(family=newcomer, caseworker__team=team)
    sanne = constellation.memberships.first().family.placements.get().child
    ParentChildFactory(child=sanne, parent__first_name="Mirjam", parent__last_name="Visser")

    login(page, live_server, liaison.username)
    page.goto(f"{live_server.url}/constellaties/{constellation.pk}/")
    page.get_by_role("link", name="Pleeggezin toevoegen").click()
    page.get_by_label("Zoek op gezinsnaam, postcode of plaats").fill("Nieuwkomer")
    expect(page.locator("#family-results")).to_contain_text("Familie Nieuwkomer")
    assert_accessible(page)
    page.locator("#family-results").get_by_label("Familie Nieuwkomer", exact=False).check()
    page.get_by_role("button", name="Pleeggezin toevoegen").click()
    expect(page.get_by_role("status")).to_contain_text("Familie Nieuwkomer is nu lid van")
    expect(page.locator("section:has(#members-heading)")).to_contain_text("3 lidgezinnen")

    page.get_by_role("link", name="Ouder toevoegen").click()
    page.locator("select[name=parent]").select_option(label="Mirjam Visser")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("section:has(#parents-heading)")).to_contain_text("Mirjam Visser")
    page.get_by_role("button", name="Uitloggen").click()

    login(page, live_server, hub_home_parent.username)
    page.goto(f"{live_server.url}/constellaties/{constellation.pk}/")
    page.get_by_role("link", name="Contact vastleggen").click()
    page.get_by_label("Pleeggezin").select_option(label="Familie Jansen")
    page.get_by_label("telefoongesprek").check()
    page.get_by_label("Notitie").fill("Even bijgepraat over de nachten")
    assert_accessible(page)
    page.get_by_role("button", name="Contact opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("Contact met Familie Jansen vastgelegd.")
    expect(page.locator("section:has(#contacts-heading)")).to_contain_text("Even bijgepraat")
