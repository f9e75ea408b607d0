"""A team lead filters the team dashboard, follows a number to its list, and exports a table."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from placements.factories import PlacementFactory
from pleegzorg.factories import UserFactory
from tests.e2e.conftest import assert_accessible, login

pytestmark = pytest.mark.browser


def test_team_lead_filters_follows_a_number_and_exports(
    page, live_server, team_lead, caseworker, other_team
):
    for name in ("Sanne", "Daan"):  # no start meeting held: both overdue
        PlacementFactory(
            caseworker=caseworker,
            child__first_name=name,
            start_date=timezone.localdate() - dt.timedelta(days=40),
        )
    other_team.lead = team_lead
    other_team.save(update_fields=["lead"])
    login(page, live_server, team_lead.username)
    page.get_by_role("link", name="Dashboard").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Teamdashboard")
    assert_accessible(page)

    page.get_by_label("Team").select_option(label=caseworker.team.name)
    expect(page).to_have_url(f"{live_server.url}/dashboard/?team={caseworker.team_id}&region=&op=")
    expect(page.locator("#table-caseload")).to_contain_text(str(caseworker))
    assert_accessible(page)

    cell = page.locator("#table-attention td[data-rule='start_meeting_overdue'] a.number").first
    expect(cell).to_have_text("2")
    cell.click()
    expect(page.locator(".count")).to_contain_text("2 plaatsingen")
    expect(page.locator("#caseload-results")).to_contain_text("startgesprek te laat")
    assert_accessible(page)

    page.go_back()
    with page.expect_download() as download:
        page.locator("a[href*='tabel=caseload']").click()
    assert download.value.suggested_filename.startswith("dashboard-caseload-")


def test_caseworker_follows_a_number_from_my_work_to_their_list(page, live_server, caseworker):
    PlacementFactory(
        caseworker=caseworker,
        child__first_name="Sanne",
        start_date=timezone.localdate() - dt.timedelta(days=40),
    )
    login(page, live_server, caseworker.username)
    work = page.locator("#mijn-werk")
    expect(work.get_by_role("heading", name="Mijn werk")).to_be_visible()
    assert_accessible(page)
    work.locator("tr[data-rule='start_meeting_overdue'] a.number").first.click()
    expect(page.locator(".count")).to_contain_text("1 plaatsing")
    expect(page.locator("#caseload-results")).to_contain_text("Sanne")
    assert_accessible(page)


def test_team_lead_pages_through_the_caseworkers_with_and_without_htmx(
    page, live_server, team_lead, team, settings
):
    # One caseworker more than a page: the table shows 50, page 2 the rest.
    for number in range(settings.PAGE_SIZE + 1):
        UserFactory(username=f"pzw-{number:03d}", first_name=f"Werker{number:03d}", team=team)
    login(page, live_server, team_lead.username)
    page.get_by_role("link", name="Dashboard").first.click()
    rows = page.locator("#table-caseload tbody tr")
    expect(rows).to_have_count(settings.PAGE_SIZE)
    expect(rows.first).to_contain_text("Werker000")
    pages = page.get_by_role("navigation", name="Pagina’s").first
    expect(pages).to_contain_text("Pagina 1 van 2")
    assert_accessible(page)

    page.evaluate("window.notReloaded = true")
    pages.get_by_role("link", name="Volgende").click()
    expect(page).to_have_url(re.compile(r"pagina=2"))
    expect(rows).to_have_count(1)
    assert page.evaluate("window.notReloaded"), "htmx swaps the figures in place"
    expect(rows.first).to_contain_text("Werker050")
    # The totals above the table still count every caseworker of the team.
    expect(page.locator("#table-bands")).to_be_visible()
    assert_accessible(page)

    # Without htmx the same link is a plain page: its address alone gives page 1 back.
    previous = page.get_by_role("navigation", name="Pagina’s").first.get_by_role(
        "link", name="Vorige"
    )
    page.goto(f"{live_server.url}/dashboard/{previous.get_attribute('href')}")
    expect(rows).to_have_count(settings.PAGE_SIZE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Teamdashboard")
