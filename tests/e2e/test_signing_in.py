"""Logging in and out, and the lockout after repeated wrong passwords."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, login_through_the_form

pytestmark = pytest.mark.browser


def app_of(user) -> TOTPDevice:
    """An authenticator app (tests/e2e/test_two_step_login.py sets one up in the browser)."""
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def pass_the_second_step(page, device: TOTPDevice) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen: tweede stap")
    page.get_by_role("textbox", name=re.compile("^Code uit je app")).fill(
        f"{totp(device.bin_key):06d}"
    )
    page.get_by_role("button", name="Inloggen").click()


def test_right_password_and_code_land_on_the_start_page(page, live_server, caseworker):
    app = app_of(caseworker)
    page.goto(f"{live_server.url}/inloggen/")
    assert_accessible(page)

    login_through_the_form(page, live_server, "werker")
    pass_the_second_step(page, app)

    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Wendy")
    assert_accessible(page)


def test_wrong_password_shows_a_dutch_error_and_keeps_the_username(page, live_server, caseworker):
    login_through_the_form(page, live_server, "werker", password="verkeerd-wachtwoord")

    expect(page.get_by_role("alert")).to_contain_text("horen niet bij elkaar")
    expect(page.get_by_label("Gebruikersnaam")).to_have_value("werker")
    assert_accessible(page)


def test_logout_returns_to_the_login_page_and_closes_the_start_page(page, live_server, caseworker):
    app = app_of(caseworker)
    login_through_the_form(page, live_server, "werker")
    pass_the_second_step(page, app)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Wendy")
    assert_accessible(page)

    page.get_by_role("button", name="Uitloggen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen")
    assert_accessible(page)

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/inloggen/\?next=/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen")


def test_five_wrong_passwords_lock_the_username_even_for_the_right_one(
    page, live_server, caseworker
):
    for _ in range(4):
        login_through_the_form(page, live_server, "werker", password="verkeerd-wachtwoord")
        expect(page.get_by_role("alert")).to_contain_text("horen niet bij elkaar")
    login_through_the_form(page, live_server, "werker", password="verkeerd-wachtwoord")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tijdelijk geblokkeerd")

    login_through_the_form(page, live_server, "werker")

    expect(page.get_by_role("heading", level=1)).to_have_text("Tijdelijk geblokkeerd")
    expect(page.get_by_role("alert")).to_contain_text(
        re.compile(r"over 15 minuten opnieuw proberen, om \d\d:\d\d\.")
    )
    assert_accessible(page)
