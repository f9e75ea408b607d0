"""A foster parent opens Mijn pleeggezin on their phone: their foster child, who works with
them and how to reach them, the coming meeting into their calendar (issue 13)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from placements.factories import FosterParentFactory, PlacementFactory
from placements.models import Agreement, Meeting
from pleegzorg.factories import UserFactory
from pleegzorg.models import User
from tests.e2e.conftest import assert_accessible, login

pytestmark = pytest.mark.browser


@pytest.fixture
def petra(caseworker):
    User.objects.filter(pk=caseworker.pk).update(phone="030 123 45 67")
    placement = PlacementFactory(
        caseworker=caseworker, child__first_name="Sanne", family__name="Familie De Boer"
    )
    account = UserFactory(username="pleegouder", first_name="Petra", role=User.Role.FOSTER_PARENT)
    FosterParentFactory(family=placement.family, first_name="Petra", account=account)
    Meeting.objects.create(
        placement=placement,
        kind="joint",
        planned_at=timezone.now() + dt.timedelta(days=4),
        place="Bij het pleeggezin",
    )
    Agreement.objects.create(
        placement=placement,
        what="Schoolrapport doorsturen",
        owner="foster_parents",
        due_on=timezone.localdate() + dt.timedelta(days=10),
    )
    return account


def test_a_foster_parent_sees_who_works_with_them_and_the_next_meeting(page, live_server, petra):
    login(page, live_server, petra.username)
    page.get_by_role("link", name="Mijn pleeggezin").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn pleeggezin")
    expect(page.get_by_role("heading", level=2)).to_contain_text("Sanne")
    expect(page.get_by_role("link", name="030 123 45 67")).to_be_visible()
    expect(page.get_by_text("Bij het pleeggezin")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="In mijn agenda zetten").click()
    assert download.value.suggested_filename == "uitnodiging.ics"


def test_the_phone_number_and_the_calendar_link_are_thumb_sized(page, live_server, petra):
    login(page, live_server, petra.username)
    page.goto(f"{live_server.url}/mijn-pleeggezin/")
    for link in (
        page.get_by_role("link", name="030 123 45 67"),
        page.get_by_role("link", name="In mijn agenda zetten"),
    ):
        assert link.bounding_box()["height"] >= 44


def test_a_foster_parent_marks_their_agreement_done(page, live_server, petra):
    login(page, live_server, petra.username)
    page.goto(f"{live_server.url}/mijn-pleeggezin/")
    agreement = page.locator(".agreement", has_text="Schoolrapport doorsturen")
    expect(agreement).to_contain_text("Pleegouders")
    agreement.get_by_role("button", name="Gedaan").click()
    expect(agreement).to_contain_text("gedaan op")
    expect(agreement.get_by_role("button", name="Gedaan")).to_have_count(0)
    assert_accessible(page)
    assert Agreement.objects.get(what="Schoolrapport doorsturen").status == "done"


def test_a_foster_parent_asks_for_a_joint_meeting_and_the_caseworker_sees_it(
    page, live_server, petra, caseworker
):
    login(page, live_server, petra.username)
    page.goto(f"{live_server.url}/mijn-pleeggezin/")
    page.get_by_role("link", name="Gezamenlijk overleg aanvragen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gezamenlijk overleg aanvragen")
    assert_accessible(page)
    page.get_by_role("button", name="Mijn aanvraag versturen").click()
    expect(page.locator(".error-summary")).to_contain_text("Schrijf op waarom je een overleg wilt")
    assert_accessible(page)
    page.get_by_label("Waarom wil je een overleg?").fill("Sanne slaapt slecht sinds de vakantie.")
    page.get_by_role("button", name="Mijn aanvraag versturen").click()
    expect(page.get_by_role("status")).to_contain_text("Je aanvraag is verstuurd naar")
    expect(page.get_by_text("aangevraagd: je pleegzorgwerker plant het")).to_be_visible()
    assert_accessible(page)

    page.context.clear_cookies()
    login(page, live_server, caseworker.username)
    child_id = petra.foster_parent_record.family.placements.get().child_id
    page.goto(f"{live_server.url}/kinderen/{child_id}/")
    expect(page.get_by_text("Sanne slaapt slecht sinds de vakantie.")).to_be_visible()
