"""Beheer (Django admin), as the demo's application manager uses it: every page accessible."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, login
from tests.test_admin import admin_pages, one_record_of_each_model

pytestmark = pytest.mark.browser


def test_every_page_of_beheer_has_no_serious_axe_finding(page, live_server, app_manager):
    """The index, and for every model its list, its add page and a change page with rows in its
    inlines. One login; every page is checked, and all findings are reported at once."""
    app_manager.is_superuser = True  # like the demo's "beheer": the login lockouts too
    app_manager.save()
    pages = admin_pages(one_record_of_each_model(app_manager), app_manager)
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
