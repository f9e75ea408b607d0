"""A caseworker finds a child in the caseload, opens the file and changes the care facts."""

import pytest
from playwright.sync_api import expect

from placements.factories import PlacementFactory
from tests.e2e.conftest import assert_accessible, login

pytestmark = pytest.mark.browser


@pytest.fixture
def caseload(caseworker):
    PlacementFactory(
        caseworker=caseworker,
        child__first_name="Sanne",
        child__last_name="Visser",
        family__surname="De Boer",
    )
    # Fixed names: random ones could also contain "sanne" (Rosanne, Susanne).
    for first_name in ("Daan", "Mila", "Noah"):
        PlacementFactory(
            caseworker=caseworker,
            child__first_name=first_name,
            child__last_name="Jansen",
            family__surname="Smit",
        )


def test_caseworker_finds_a_child_opens_the_file_and_edits_the_care_facts(
    page, live_server, caseworker, caseload
):
    login(page, live_server, caseworker.username)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Caseload").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn caseload")
    expect(page.get_by_text("4 plaatsingen")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Zoeken").fill("Sanne")
    expect(page.get_by_text("1 plaatsing", exact=True)).to_be_visible()
    page.get_by_role("link", name="Sanne Visser").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sanne Visser")
    assert_accessible(page)

    page.get_by_role("link", name="Wijzigen: Zorg bij logeren").click()
    page.get_by_label("Allergieën").fill("pinda's en noten")
    assert_accessible(page)
    page.get_by_role("button", name="Zorggegevens opslaan").click()
    section = page.locator("#zorg")
    expect(section).to_contain_text("pinda's en noten")
    expect(section.get_by_role("status")).to_have_text("Zorg bij logeren opgeslagen.")
    assert_accessible(page)

    page.get_by_role("link", name="Wie heeft dit dossier bekeken").click()
    expect(page.get_by_role("table")).to_contain_text("wijzigen")
    assert_accessible(page)


LABELS_DO_NOT_OVERLAP = """() => [...document.querySelectorAll('.facts div')].filter((row) => {
    const [label, value] = [row.querySelector('dt'), row.querySelector('dd')];
    if (!label || !value) return false;
    const [l, v] = [label.getBoundingClientRect(), value.getBoundingClientRect()];
    const sideBySide = v.top < l.bottom && l.top < v.bottom;
    return (sideBySide && l.right > v.left + 0.5) || label.scrollWidth > label.clientWidth + 1;
}).map((row) => row.querySelector('dt').textContent.trim())"""


def test_long_dutch_labels_never_run_into_their_values(page, live_server, caseworker, caseload):
    login(page, live_server, caseworker.username)
    page.goto(f"{live_server.url}/caseload/?q=Sanne")
    page.get_by_role("link", name="Sanne Visser").click()
    expect(page.get_by_text("Vertrouwenspersoon").first).to_be_visible()
    assert page.evaluate(LABELS_DO_NOT_OVERLAP) == []
