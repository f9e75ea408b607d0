"""A team lead searches the access log by period and by who did it."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pleegzorg.audit import Action, Purpose, access_log_write
from pleegzorg.factories import UserFactory
from tests.e2e.conftest import assert_accessible, login

pytestmark = pytest.mark.browser

END_BEFORE_START = "De einddatum ligt vóór de begindatum."
CORRECT_THE_FILTERS = "Verbeter de filters om resultaten te zien."


def open_access_log(page, live_server, user):
    login(page, live_server, user.username)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Inzagelog").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inzagelog")
    assert_accessible(page)


@contextmanager
def searching(page):
    """Waits until the search that the next step sets off has been swapped into the page.

    Waiting for the response alone is not enough: htmx swaps a moment later, and a field
    filled in between belongs to the form that the swap removes.
    """
    with page.expect_response(lambda response: "/inzagelog/?" in response.url):
        yield
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def fill_date(page, label, day):
    with searching(page):
        page.get_by_label(label, exact=True).fill(day.isoformat())


def click_search(page):
    with searching(page):
        page.get_by_role("button", name="Zoeken").click()


def test_team_lead_sees_an_end_before_the_start_on_the_form_then_rows(page, live_server, team_lead):
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    open_access_log(page, live_server, team_lead)

    fill_date(page, "Van", today)
    fill_date(page, "Tot en met", yesterday)
    click_search(page)
    expect(page.locator(".field-error", has_text=END_BEFORE_START)).to_be_visible()
    expect(page.get_by_label("Van", exact=True)).to_have_value(today.isoformat())
    expect(page.get_by_label("Tot en met", exact=True)).to_have_value(yesterday.isoformat())
    assert_accessible(page)

    fill_date(page, "Tot en met", today)
    click_search(page)
    expect(page.get_by_text(CORRECT_THE_FILTERS)).to_have_count(0)
    expect(page.locator("#log-results tbody tr").first).to_contain_text(f"({team_lead.username})")
    assert_accessible(page)


def test_correcting_the_period_clears_the_message(page, live_server, team_lead):
    today = timezone.localdate()
    open_access_log(page, live_server, team_lead)
    fill_date(page, "Van", today)
    fill_date(page, "Tot en met", today - timedelta(days=1))
    expect(page.locator(".field-error", has_text=END_BEFORE_START)).to_be_visible()

    fill_date(page, "Tot en met", today)
    expect(page.get_by_text(CORRECT_THE_FILTERS)).to_have_count(0)

    expect(page.get_by_text(END_BEFORE_START)).to_have_count(0, timeout=500)


def test_team_lead_finds_what_one_colleague_did_by_part_of_their_name(
    page, live_server, team_lead, caseworker
):
    colleague = UserFactory(first_name="Quirijn", last_name="Zandbergen", team=caseworker.team)
    access_log_write(user=colleague, action=Action.CHANGE, purpose=Purpose.CARE, detail="x")
    access_log_write(user=caseworker, action=Action.VIEW, purpose=Purpose.CARE, detail="y")
    open_access_log(page, live_server, team_lead)
    results = page.locator("#log-results tbody tr")
    expect(results.filter(has_text="Zandbergen")).to_have_count(1)
    expect(results.filter(has_text=str(caseworker.first_name))).not_to_have_count(0)

    with searching(page):
        page.get_by_label("Gebruiker", exact=True).fill("zandb")
    click_search(page)
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Quirijn Zandbergen")
    expect(page.get_by_label("Gebruiker", exact=True)).to_have_value("zandb")
    assert_accessible(page)
