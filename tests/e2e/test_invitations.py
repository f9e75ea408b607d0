"""A caseworker invites a foster parent to Mijn pleeggezin; the foster parent opens the link on
their phone, chooses a password and is sent on to set up the second login step (issue 13)."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from placements.factories import FosterParentFactory, PlacementFactory
from tests.e2e.conftest import assert_accessible, login

pytestmark = pytest.mark.browser


@pytest.fixture
def petra(caseworker):
    placement = PlacementFactory(caseworker=caseworker, family__name="Familie De Boer")
    return FosterParentFactory(
        family=placement.family, first_name="Petra", last_name="de Boer", email="petra@example.nl"
    )


def test_a_foster_parent_is_invited_and_chooses_a_password(page, live_server, caseworker, petra):
    login(page, live_server, caseworker.username)
    page.goto(f"{live_server.url}/pleeggezinnen/{petra.family_id}/")
    expect(page.get_by_text("Geen account voor Mijn pleeggezin.")).to_be_visible()
    page.get_by_role("button", name="Uitnodigen voor Mijn pleeggezin").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Uitnodiging verstuurd naar petra@example.nl"
    )
    expect(page.get_by_text(re.compile(r"Uitgenodigd op .*; de link werkt tot"))).to_be_visible()
    assert_accessible(page)

    (link,) = re.findall(r"https?://\S+/uitnodiging/\S+/", mail.outbox[-1].body)
    page.context.clear_cookies()  # the foster parent, on their own phone
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Je account voor Mijn pleeggezin")
    expect(page.get_by_text("Welkom, Petra.")).to_be_visible()
    expect(page.locator("label[for=id_new_password1]")).to_contain_text("Nieuw wachtwoord")
    assert_accessible(page)

    page.locator("#id_new_password1").fill("Zon-en-zee-2026")
    page.locator("#id_new_password2").fill("Zon-en-zee-2027")
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(page.locator(".error-summary")).to_contain_text("komen niet overeen")
    assert_accessible(page)

    page.locator("#id_new_password1").fill("Zon-en-zee-2026")
    page.locator("#id_new_password2").fill("Zon-en-zee-2026")
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    # Logged in with the password; before anything else, the second step.
    expect(page).to_have_url(f"{live_server.url}/inloggen-in-twee-stappen/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen in twee stappen")
    assert_accessible(page)

    page.context.clear_cookies()
    page.goto(link)  # a second time, on another phone: the link is used up
    expect(page.get_by_text("Deze link is al gebruikt.")).to_be_visible()
    assert_accessible(page)
