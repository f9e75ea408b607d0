"""Beheer (Django admin), as the demo's application manager uses it: every page accessible."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, login
from tests.test_admin import admin_pages, one_record_of_each_model

pytestmark = pytest.mark.browser


def phone_pages(pages: list[str]) -> list[str]:
    """At phone width: the index, every change page (each model's own form and inlines), and
    one list and one add page (the lists share one layout; an add page is its change form
    without values)."""
    lists = [path for path in pages if path.count("/") == 4 and path.endswith("/")]
    adds = [path for path in pages if path.endswith("/add/")]
    return [path for path in pages if path.endswith("/change/") or path.count("/") == 2] + [
        *lists[:1],
        *adds[:1],
    ]


def test_every_page_of_beheer_has_no_serious_axe_finding(page, live_server, app_manager, viewport):
    """The index, and for every model its list, its add page and a change page with rows in its
    inlines (at phone width: see ``phone_pages``). One login; every page is checked, and all
    findings are reported at once."""
    app_manager.is_superuser = True  # like the demo's "beheer": the login lockouts too
    app_manager.save()
    pages = admin_pages(one_record_of_each_model(app_manager), app_manager)
    if viewport["width"] < 500:
        pages = phone_pages(pages)
    login(page, live_server, app_manager.username)
    findings = []
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("#content h1")).to_be_visible()
        try:
            assert_accessible(page)
        except AssertionError as finding:
            findings.append(str(finding).split("\nassert ")[0])
    assert not findings, "\n\n".join(findings)
