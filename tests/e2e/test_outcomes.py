"""A team lead opens Uitkomsten, changes the period, and reads the trend: chart and table."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from constellations.factories import ConstellationFactory, MembershipFactory
from placements.factories import PlacementFactory
from placements.models import Placement
from tests.e2e.conftest import assert_accessible, login

pytestmark = pytest.mark.browser


def test_team_lead_reads_the_outcomes_and_changes_the_period(
    page, live_server, team_lead, caseworker, team
):
    today = timezone.localdate()
    constellation = ConstellationFactory(
        region=team.region, start_date=today.replace(year=today.year - 2)
    )
    inside = MembershipFactory(
        constellation=constellation, joined_on=constellation.start_date
    ).family
    PlacementFactory(
        family=inside,
        caseworker=caseworker,
        start_date=today - dt.timedelta(days=500),
        end_date=today - dt.timedelta(days=40),
        end_reason=Placement.EndReason.PREMATURE,
    )
    PlacementFactory(caseworker=caseworker, start_date=today - dt.timedelta(days=300))
    login(page, live_server, team_lead.username)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Uitkomsten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uitkomsten")
    expect(
        page.get_by_text("De vergelijking laat een verschil zien, niet de oorzaak")
    ).to_be_visible()
    assert_accessible(page)

    start = today - dt.timedelta(days=90)
    page.get_by_label("Van", exact=True).fill(start.isoformat())
    page.get_by_label("Van", exact=True).dispatch_event("change")
    expect(page).to_have_url(re.compile(rf"/uitkomsten/\?.*start={start.isoformat()}"))
    expect(page.locator("#outcome-results h2").first).to_contain_text(f"Van {start.day} ")
    chart = page.get_by_role("img", name="Lijngrafiek: voortijdige beëindigingen per maand")
    expect(chart).to_have_count(1)
    table = page.get_by_role("region", name="Voortijdige beëindigingen per maand")
    expect(table.get_by_role("row")).to_have_count(25)  # a header and 24 months
    assert_accessible(page)

    page.get_by_label("Tot en met", exact=True).fill(start.isoformat())
    page.get_by_label("Van", exact=True).fill(today.isoformat())
    page.get_by_role("button", name="Uitkomsten tonen").click()
    expect(page.locator(".error-summary")).to_contain_text("De einddatum ligt vóór de begindatum.")
    assert_accessible(page)
