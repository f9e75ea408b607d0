"""A liaison reads the fidelity of their constellation, changes the period in place and finds the
constellation page's nights per month as a chart with its table, at desktop and phone width."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from constellations.factories import (
    BedFactory,
    ConstellationFactory,
    GatheringFactory,
    HubHomeFactory,
    RespiteStayFactory,
)
from constellations.fidelity.selectors import month_name
from constellations.models import Membership
from placements.factories import FosterFamilyFactory, PlacementFactory
from tests.e2e.conftest import assert_accessible, login

pytestmark = pytest.mark.browser


@pytest.fixture
def constellation(team, liaison, caseworker):
    """Five member families (one short of the model), a gathering two months ago and none last
    month, and stays of two of the families over the last months."""
    today = timezone.localdate()
    constellation = ConstellationFactory(
        name="Sterrenbeeld Utrecht",
        region=team.region,
        liaison=liaison,
        start_date=today - dt.timedelta(days=400),
    )
    hub = HubHomeFactory(constellation=constellation, family__name="Familie Hubers")
    beds = [BedFactory(hub=hub, name="Logeerbed 1"), BedFactory(hub=hub, name="Logeerbed 2")]
    children = []
    for n, name in enumerate(("De Boer", "Jansen", "Smit", "Visser", "Bakker")):
        family = FosterFamilyFactory(name=f"Familie {name}")
        Membership.objects.create(
            constellation=constellation, family=family, joined_on=today - dt.timedelta(days=300)
        )
        children.append(PlacementFactory(family=family, caseworker=caseworker).child)
        if n < 2:
            RespiteStayFactory(
                bed=beds[n], child=children[-1], family=family,
                arrival=today - dt.timedelta(days=40 + n), departure=today - dt.timedelta(days=37),
                planned=n == 0,
            )  # fmt: skip
    this_month = today.replace(day=1)
    two_months_ago = (this_month - dt.timedelta(days=40)).replace(day=10)
    GatheringFactory(constellation=constellation, date=two_months_ago)
    return constellation


def test_a_liaison_reads_the_fidelity_of_their_constellation(
    page, live_server, liaison, constellation
):
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    login(page, live_server, liaison.username)
    page.goto(f"{live_server.url}/constellaties/{constellation.pk}/")
    chart = page.get_by_role("img", name="Staafdiagram van de logeernachten per maand")
    expect(chart).to_be_visible()
    total = page.get_by_role("columnheader", name="Totaal").first
    expect(total).to_be_visible()
    wrap = page.locator(".chart-with-table .table-wrap").first.bounding_box()
    box = total.bounding_box()
    assert box["x"] + box["width"] <= wrap["x"] + wrap["width"] + 1  # not cut off by its card
    assert_accessible(page)

    page.get_by_role("link", name="Modeltrouw").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Modeltrouw: Sterrenbeeld Utrecht")
    shortfalls = page.locator(".shortfalls")
    expect(shortfalls).to_contain_text("Maar 5 gezinnen: onder de 6 van het model")
    expect(shortfalls).to_contain_text(f"In {month_name(last_month)} geen bijeenkomst")
    expect(
        page.get_by_role("img", name="Staafdiagram van de logeernachten per maand")
    ).to_be_visible()
    assert_accessible(page)

    # A shorter period, in place: the table shows three months and the address can be shared.
    first = (last_month - dt.timedelta(days=1)).replace(day=1)
    page.get_by_label("Van (maand)").fill(first.strftime("%Y-%m"))
    page.get_by_role("button", name="Tonen").click()
    expect(page.locator("[aria-labelledby=months-heading] tbody tr")).to_have_count(3)
    assert f"van={first:%Y-%m}" in page.url
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Exporteren als CSV").click()
    assert download.value.suggested_filename.startswith(f"modeltrouw-{constellation.pk}-")

    page.get_by_role("link", name="Alle constellaties").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Modeltrouw")
    expect(page.locator(".card")).to_contain_text("Maar 5 gezinnen")
    assert_accessible(page)
