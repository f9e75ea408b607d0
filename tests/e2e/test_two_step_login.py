"""Logging in with two steps in the browser: setting up an authenticator app, logging in with
its code, and a passkey on Chromium's virtual authenticator (DevTools' WebAuthn domain)."""

import base64
import re
import time

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, login, login_through_the_form

pytestmark = pytest.mark.browser


def code_field(page):
    return page.get_by_role("textbox", name=re.compile(r"^Code uit je app"))


def code_of(key: bytes) -> str:
    return f"{totp(key):06d}"


def test_a_caseworker_sets_up_an_app_and_saves_the_recovery_codes(page, live_server, caseworker):
    login_through_the_form(page, live_server, "werker")

    # No second step yet: before anything else, set one up.
    expect(page).to_have_url(f"{live_server.url}/inloggen-in-twee-stappen/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen in twee stappen")
    expect(page.get_by_text("Voordat je verder gaat: stel een tweede stap in.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Authenticator-app instellen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Authenticator-app instellen")
    expect(
        page.get_by_role("img", name="QR-code om te scannen met je authenticator-app")
    ).to_be_visible()
    assert_accessible(page)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    device = TOTPDevice.objects.get(user=caseworker, confirmed=False)
    assert secret == base64.b32encode(device.bin_key).decode()

    code_field(page).fill("000000")
    page.get_by_role("button", name="App instellen").click()
    expect(page.get_by_role("alert")).to_contain_text("Deze code klopt niet")
    assert_accessible(page)

    time.sleep(1.1)  # django-otp waits a second after a wrong code
    code_field(page).fill(code_of(device.bin_key))
    page.get_by_role("button", name="App instellen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Herstelcodes")
    expect(page.get_by_text("Je app is ingesteld.")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("link", name="Ik heb de codes bewaard").click()

    expect(page.get_by_text("Nog 10 codes")).to_be_visible()
    page.get_by_role("link", name="Terug naar de startpagina").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Wendy")


def test_a_team_lead_logs_in_with_the_code_from_their_app(page, live_server, team_lead):
    device = TOTPDevice.objects.create(user=team_lead, name="app", confirmed=True)
    page.goto(f"{live_server.url}/caseload/")
    page.get_by_label("Gebruikersnaam").fill("teamleider")
    page.get_by_label("Wachtwoord").fill("pleegzorg-demo")
    page.get_by_role("button", name="Inloggen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen: tweede stap")
    assert_accessible(page)
    code_field(page).fill("12345")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("alert")).to_contain_text("Deze code klopt niet.")
    expect(code_field(page)).to_have_value("12345")
    assert_accessible(page)

    time.sleep(1.1)
    code_field(page).fill(code_of(device.bin_key))
    page.get_by_role("button", name="Inloggen").click()

    expect(page).to_have_url(f"{live_server.url}/caseload/")  # where they were going
    expect(page.get_by_text("Je bent ingelogd.")).to_be_visible()
    assert_accessible(page)


def test_a_hub_home_parent_adds_a_passkey_and_logs_in_with_it(page, live_server, hub_home_parent):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    login(page, live_server, "hubhome")
    page.goto(f"{live_server.url}/inloggen-in-twee-stappen/passkey/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Passkey toevoegen")
    assert_accessible(page)

    page.get_by_role("button", name="Passkey toevoegen").click()

    expect(page).to_have_url(f"{live_server.url}/inloggen-in-twee-stappen/")
    expect(page.get_by_text(re.compile(r"toegevoegd op"))).to_be_visible()
    assert_accessible(page)
    assert WebAuthnCredential.objects.filter(user=hub_home_parent, confirmed=True).count() == 1

    page.get_by_role("button", name="Uitloggen").click()
    login_through_the_form(page, live_server, "hubhome")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen: tweede stap")
    assert_accessible(page)

    page.get_by_role("button", name="Inloggen met je passkey").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Hanna")
