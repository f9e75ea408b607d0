"""A team lead makes an access overview (inzage) for a child of 13, and sees it listed on the
file; a child under 12 is refused with the reason."""

import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from placements.factories import OwnChildFactory, ParentChildFactory, PlacementFactory
from tests.e2e.conftest import assert_accessible, login

pytestmark = pytest.mark.browser


def born_years_ago(years: int) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - dt.timedelta(days=30)


@pytest.fixture
def placement(caseworker):
    placement = PlacementFactory(
        caseworker=caseworker,
        child__first_name="Sanne",
        child__last_name="Visser",
        child__date_of_birth=born_years_ago(13),
        family__surname="De Boer",
        family__street="Dorpsstraat 12",
    )
    OwnChildFactory(family=placement.family, first_name="Ootje")
    ParentChildFactory(
        child=placement.child, parent__first_name="Marieke", parent__last_name="Visser"
    )
    return placement


def test_team_lead_makes_an_overview_for_a_child_and_sees_it_listed(
    page, live_server, team_lead, placement
):
    login(page, live_server, team_lead.username)
    page.goto(f"{live_server.url}/kinderen/{placement.child_id}/")
    requests = page.locator("#inzageverzoeken")
    expect(requests).to_contain_text("Er is nog geen overzicht van dit dossier gemaakt.")
    requests.get_by_role("link", name="Inzage-overzicht maken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inzageverzoek: Sanne Visser")
    assert_accessible(page)

    page.get_by_role("link", name="Overzicht maken voor Sanne Visser").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wat wij bewaren over Sanne Visser")
    expect(page.locator("#deel-placements")).to_contain_text("Familie De Boer")
    expect(page.locator("#deel-access_log")).to_contain_text("inzageverzoek (AVG)")
    expect(page.locator("#niet-opgenomen")).to_contain_text("eigen kinderen van het pleeggezin")
    body = page.locator("main").inner_text()
    assert "Dorpsstraat" not in body and "Ootje" not in body
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Downloaden als JSON").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["recipient"]["name"] == "Sanne Visser"

    page.get_by_role("link", name="Terug naar het dossier").click()
    expect(requests).to_contain_text("maakte een overzicht voor Sanne Visser (pleegkind), als HTML")
    expect(requests).to_contain_text("als JSON")
    assert_accessible(page)


def test_a_child_under_12_is_refused_with_the_reason(page, live_server, team_lead, placement):
    child = placement.child
    child.date_of_birth = born_years_ago(10)
    child.save(update_fields=["date_of_birth"])
    login(page, live_server, team_lead.username)
    page.goto(f"{live_server.url}/kinderen/{child.pk}/inzageverzoek/")
    card = page.locator(".card", has_text="pleegkind")
    expect(card).to_contain_text("Sanne Visser is 10 jaar.")
    expect(card.get_by_role("link")).to_have_count(0)
    page.get_by_role("link", name="Overzicht maken voor Marieke Visser").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wat wij bewaren over Sanne Visser")
    expect(page.locator("#deel-parent")).to_contain_text("Marieke")
    assert_accessible(page)
