"""A caseworker sees the bell count, opens the notices and marks them as read."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pleegzorg.models import Notification
from tests.e2e.conftest import assert_accessible, login

pytestmark = pytest.mark.browser


@pytest.fixture
def notices(caseworker):
    """Three unread notices and one read one, the newest first on the page."""
    Notification.objects.create(user=caseworker, text="Al gelezen", read_at=timezone.now())
    return [
        Notification.objects.create(user=caseworker, text=f"Plan het startgesprek voor kind {i}")
        for i in range(3)
    ][::-1]


def open_notifications(page, live_server, caseworker):
    login(page, live_server, caseworker.username)
    bell = page.locator("#notification-bell")
    expect(bell.locator(".bell__count")).to_have_text("3")
    assert_accessible(page)
    bell.click()
    expect(page).to_have_url(f"{live_server.url}/meldingen/")
    expect(page.locator("#notification-bell")).to_have_attribute("aria-current", "page")
    expect(page.locator(".notification")).to_have_count(4)
    expect(page.locator(".notification--unread")).to_have_count(3)
    assert_accessible(page)


def test_caseworker_marks_one_notice_as_read(page, live_server, caseworker, notices):
    open_notifications(page, live_server, caseworker)
    first = page.locator(f"#notification-{notices[0].pk}")

    first.get_by_role("button").click()

    expect(first).not_to_have_class("notification notification--unread")
    expect(first.get_by_role("button")).to_have_count(0)
    expect(page.locator("#notification-bell .bell__count")).to_have_text("2")
    expect(page.locator("#notification-count")).to_contain_text("2")
    assert_accessible(page)
    notices[0].refresh_from_db()
    assert notices[0].read_at is not None


def test_caseworker_marks_all_notices_as_read(page, live_server, caseworker, notices):
    open_notifications(page, live_server, caseworker)

    page.locator("#notification-list form[action$='/alles-gelezen/'] button").click()

    expect(page.locator(".notification--unread")).to_have_count(0)
    expect(page.locator("#notification-bell .bell__count")).to_have_count(0)
    assert_accessible(page)
    assert not Notification.objects.filter(user=caseworker, read_at__isnull=True).exists()
