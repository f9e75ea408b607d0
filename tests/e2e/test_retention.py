"""The application manager reviews a case file unchanged for 20 years and deletes it by
confirming; no page breaks the Content Security Policy on the way."""

import pytest
from playwright.sync_api import expect

from placements.factories import ParentChildFactory, PlacementFactory
from placements.models import Child
from tests.e2e.conftest import assert_accessible, login
from tests.placements.test_retention import age_file

pytestmark = pytest.mark.browser


def test_application_manager_reviews_and_deletes_an_old_file(
    page, live_server, app_manager, caseworker
):
    placement = PlacementFactory(
        caseworker=caseworker, child__first_name="Sanne", child__last_name="Oudhof"
    )
    ParentChildFactory(child=placement.child, parent__first_name="Ria", parent__last_name="Oudhof")
    child = age_file(placement.child)
    blocked = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and blocked.append(message.text),
    )

    login(page, live_server, app_manager.username)
    page.get_by_role("link", name="Bewaartermijn").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Bewaartermijn: dossiers om te beoordelen"
    )
    expect(page.locator(".count")).to_have_text("1 dossier om te beoordelen")
    assert_accessible(page)

    page.get_by_role("link", name="Sanne Oudhof").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dossier van Sanne Oudhof beoordelen")
    expect(page.locator(".facts")).to_contain_text("Ria Oudhof")
    assert_accessible(page)

    page.get_by_role("button", name="Dossier vernietigen").click()
    expect(page.locator(".error-summary")).to_contain_text("Vink het vakje aan")
    assert Child.objects.filter(pk=child.pk).exists()
    assert_accessible(page)

    page.get_by_label("Ik heb dit dossier beoordeeld: het mag worden vernietigd").check()
    page.get_by_role("button", name="Dossier vernietigen").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"In de inzagelog staat dit als ‘pleegkind {child.pk}’"
    )
    expect(page.locator(".empty")).to_contain_text("Er zijn geen dossiers om te beoordelen")
    assert_accessible(page)
    assert not Child.objects.filter(pk=child.pk).exists()
    assert blocked == []
