"""Switching the interface between Dutch and English."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, login

pytestmark = pytest.mark.browser


def switch_language(page, label: str, language: str, button: str) -> None:
    page.get_by_label(label).select_option(label=language)
    page.get_by_role("button", name=button).click()


def test_the_login_page_switches_to_english_and_back(page, live_server):
    page.goto(f"{live_server.url}/inloggen/")

    switch_language(page, "Taal", "English", "Wissel")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(page)

    switch_language(page, "Language", "Nederlands", "Switch")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    assert_accessible(page)


def test_a_logged_in_caseworker_switches_to_english_and_back(page, live_server, caseworker):
    login(page, live_server, "werker")

    switch_language(page, "Taal", "English", "Wissel")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Wendy")
    assert_accessible(page)

    switch_language(page, "Language", "Nederlands", "Switch")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Wendy")
    assert_accessible(page)
