"""Constellation fidelity: the figures per month against a small data set computed by hand, the
words for what falls short, the period filter's bad input, who sees what, the CSV exports and the
query budgets."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from constellations.factories import (
    BedFactory,
    ConstellationFactory,
    GatheringFactory,
    HubHomeFactory,
    MembershipFactory,
    RespiteStayFactory,
)
from constellations.fidelity import selectors
from constellations.fidelity.views import period_from
from constellations.models import Attendance, Constellation, RespiteStay, SupportContact
from placements.factories import FosterFamilyFactory, FosterParentFactory
from pleegzorg.models import AccessLogEntry
from tests.matrix import PERSONAS

TODAY = dt.date(2026, 3, 15)
DEC, JAN, FEB, MAR = (
    dt.date(2025, 12, 1),
    dt.date(2026, 1, 1),
    dt.date(2026, 2, 1),
    dt.date(2026, 3, 1),
)


def months():
    return selectors.month_list(DEC, MAR, TODAY)


@pytest.fixture
def small_world(constellation, hub, beds, other_constellation):
    """Ours, with four families over December 2025 to March 2026 (today: 15 March):

    * A, E: members all along; B left on 10 February; D joined on 20 February.
    * Gatherings: none in December; 10 January (A with both parents, B, and the hub home's
      parent, who is no member); 5 and 25 February (A; D; and B's parent, after B left).
    * Stays: A 30 Jan - 2 Feb planned (two months); B 5 - 7 Feb unplanned; D 24 - 26 Feb
      cancelled; E 14 - 18 Mar planned (two nights up to tonight); A 20 - 22 Mar (to come).
    * Support contacts: two in January, one in February. A third bed is not in use.
    """
    family = {}
    for name, joined, left in (
        ("A", dt.date(2025, 6, 1), None),
        ("B", dt.date(2025, 6, 1), dt.date(2026, 2, 10)),
        ("D", dt.date(2026, 2, 20), None),
        ("E", dt.date(2025, 6, 1), None),
    ):
        family[name] = FosterFamilyFactory(name=f"Familie {name}")
        MembershipFactory(
            constellation=constellation, family=family[name], joined_on=joined, left_on=left
        )
    parents = {name: FosterParentFactory(family=f) for name, f in family.items()}
    second_of_a = FosterParentFactory(family=family["A"])
    hub_parent = FosterParentFactory(family=hub.family)
    BedFactory(hub=hub, name="Bed 3", active=False)

    def gathering(day, *present):
        g = GatheringFactory(constellation=constellation, date=day)
        for fp in present:
            Attendance.objects.create(gathering=g, who="foster_parent", foster_parent=fp)

    gathering(dt.date(2026, 1, 10), parents["A"], second_of_a, parents["B"], hub_parent)
    gathering(dt.date(2026, 2, 5), parents["A"])
    gathering(dt.date(2026, 2, 25), parents["D"], parents["B"])
    GatheringFactory(constellation=other_constellation, date=dt.date(2025, 12, 5))

    def stay(name, arrival, departure, bed=beds[0], **fields):
        RespiteStayFactory(
            bed=bed, family=family[name], arrival=arrival, departure=departure, **fields
        )

    stay("A", dt.date(2026, 1, 30), dt.date(2026, 2, 2))
    stay("B", dt.date(2026, 2, 5), dt.date(2026, 2, 7), planned=False)
    stay("D", dt.date(2026, 2, 24), dt.date(2026, 2, 26), bed=beds[1],
         status=RespiteStay.Status.CANCELLED)  # fmt: skip
    stay("E", dt.date(2026, 3, 14), dt.date(2026, 3, 18), bed=beds[1])
    stay("A", dt.date(2026, 3, 20), dt.date(2026, 3, 22))
    for day, name in ((dt.date(2026, 1, 3), "A"), (dt.date(2026, 1, 20), "B"),
                      (dt.date(2026, 2, 14), "E")):  # fmt: skip
        SupportContact.objects.create(
            constellation=constellation, family=family[name], date=day, kind="phone"
        )
    return constellation


def figures_of(constellation):
    (item,) = selectors.fidelity([constellation], months())
    return item


def test_the_figures_per_month_are_the_hand_computed_ones(small_world):
    item = figures_of(small_world)
    table = {
        m.month.first: (
            m.members, m.gatherings, m.households, m.planned, m.unplanned, m.beds, m.capacity,
            m.quarter_sleepovers, m.quarter_members, m.contacts,
        )
        for m in item.months
    }  # fmt: skip
    assert table == {
        # December: no data at all; the quarter October-December had no stays.
        DEC: (3, 0, 0, 0, 0, 2, 62, 0, 3, 0),
        # January: A's stay counts its two January nights; the hub home's parent is no member.
        JAN: (3, 1, 2, 2, 0, 2, 62, 1, 3, 2),
        # February: B (left on the 10th) and D (joined on the 20th) both count; B's parent at the
        # gathering after B left does not; the cancelled stay does not.
        FEB: (4, 2, 2, 1, 2, 2, 56, 2, 4, 1),
        # March so far: E's two nights up to tonight, the capacity of 15 nights; A's stay to come.
        MAR: (3, 0, 0, 2, 0, 2, 30, 3, 4, 0),
    }
    assert item.last_gathering == dt.date(2026, 2, 25)
    assert item.days_since_gathering == 18
    assert (item.planned, item.unplanned) == (5, 2)


def test_proportions_go_through_the_honest_figures(small_world):
    feb = figures_of(small_world).months[2]
    assert (feb.presence.numerator, feb.presence.denominator) == (2, 4)
    assert feb.presence.percent_text() == "te weinig"  # under 5
    assert (feb.occupancy.numerator, feb.occupancy.denominator) == (3, 56)


def test_what_falls_short_is_said_in_words(small_world):
    assert figures_of(small_world).shortfalls == [
        "In december 2025 geen bijeenkomst",  # March is not over yet: no word about it
        "Maar 3 gezinnen: onder de 6 van het model",
        "Geen logeerpartijen dit kwartaal bij 1 van 4 gezinnen",
    ]


def test_a_closed_constellation_is_not_told_what_it_lacks(small_world):
    small_world.status = Constellation.Status.CLOSED
    small_world.save()
    assert figures_of(small_world).shortfalls == []


def test_a_constellation_without_any_data_has_zero_figures(db, team):
    empty = ConstellationFactory(region=team.region, start_date=dt.date(2026, 1, 1))
    item = figures_of(empty)
    assert [m.members + m.nights + m.gatherings + m.capacity for m in item.months] == [0] * 4
    assert item.last_gathering is None and item.days_since_gathering is None
    assert item.months[0].presence.percent_text() == "—"
    # Before its start a missed month is no shortfall; January and February were missed.
    assert item.shortfalls[:2] == [
        "In januari 2026 geen bijeenkomst",
        "In februari 2026 geen bijeenkomst",
    ]


@pytest.mark.parametrize(
    ("params", "first", "last", "error"),
    [
        ({}, dt.date(2025, 4, 1), MAR, ""),
        ({"van": "2025-12", "tot": "2026-02"}, DEC, FEB, ""),
        ({"tot": "2030-01"}, dt.date(2025, 4, 1), MAR, ""),  # never past this month
        ({"van": "2026-02", "tot": "2025-12"}, dt.date(2025, 4, 1), MAR, "De beginmaand ligt na"),
        ({"van": "maart"}, dt.date(2025, 4, 1), MAR, "Typ een maand als jjjj-mm"),
        ({"van": "2020-01"}, dt.date(2024, 4, 1), MAR, "Hoogstens 24 maanden"),
    ],
)
def test_the_period_filter_explains_bad_input(params, first, last, error):
    period = period_from(params, TODAY)
    assert (period.first, period.last) == (first, last)
    assert period.error.startswith(error) if error else period.error == ""


# -- pages ---------------------------------------------------------------------------------------


def urls(c):
    return [
        "/constellaties/modeltrouw/",
        "/constellaties/modeltrouw/export/",
        f"/constellaties/{c.pk}/modeltrouw/",
        f"/constellaties/{c.pk}/modeltrouw/export/",
    ]


# Own: the liaison's, the hub home's, in the team lead's region. Caseworkers (who see a
# constellation for their caseload's families) and application managers do not supervise: 403.
OWN = {"caseworker": 403, "team_lead": 200, "hub_home_parent": 200, "liaison": 200,
       "app_manager": 403, "foster_parent": 403, "anonymous": 302}  # fmt: skip


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_fidelity_url_answers_every_role(
    persona, matrix, constellation, hub, other_constellation
):
    own, theirs = urls(constellation), urls(other_constellation)
    other = OWN[persona] if OWN[persona] != 200 else 404
    matrix.check(
        [(persona, url, OWN[persona]) for url in own]
        + [(persona, url, other) for url in theirs[2:]]
    )


def test_another_constellation_is_404_and_logged(
    client, liaison, constellation, other_constellation
):
    client.force_login(liaison)
    assert client.get(f"/constellaties/{other_constellation.pk}/modeltrouw/").status_code == 404
    entry = AccessLogEntry.objects.get(user=liaison, outcome=AccessLogEntry.Outcome.DENIED)
    assert entry.object_type == ContentType.objects.get_for_model(Constellation)
    assert entry.object_id == other_constellation.pk


def test_a_caseworker_is_refused_and_logged(client, caseworker, constellation):
    client.force_login(caseworker)
    assert client.get(f"/constellaties/{constellation.pk}/modeltrouw/").status_code == 403
    assert AccessLogEntry.objects.filter(user=caseworker, outcome="denied").exists()


def test_the_liaison_reads_the_fidelity_of_their_constellation(client, liaison, small_world):
    client.force_login(liaison)
    body = client.get(
        f"/constellaties/{small_world.pk}/modeltrouw/?van=2025-12&tot=2026-03"
    ).content.decode()
    assert "Maar 3 gezinnen: onder de 6 van het model" in body
    assert "In december 2025 geen bijeenkomst" in body
    assert "dec 2025" in body and "Dec 2025" not in body  # lowercase month abbreviations
    assert 'alt="Staafdiagram van de logeernachten per maand' in body


def test_the_period_filter_answers_in_place(client, liaison, small_world):
    client.force_login(liaison)
    url = f"/constellaties/{small_world.pk}/modeltrouw/?van=2026-01&tot=2026-02"
    response = client.get(url, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="fidelity-table"') and "<html" not in body
    assert "HX-Request" in response["Vary"]
    assert "jan 2026" in body and "dec 2025" not in body


def test_the_month_table_exports_as_dutch_csv_and_is_logged(client, liaison, small_world):
    client.force_login(liaison)
    url = f"/constellaties/{small_world.pk}/modeltrouw/export/?van=2025-12&tot=2026-02"
    response = client.get(url)
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffMaand;Gezinnen;Bijeenkomsten;")
    lines = text.strip().split("\r\n")
    assert len(lines) == 4
    assert lines[3].startswith("feb 2026;4;2;2;te weinig;1;2;3;56;te weinig;2;4;1")
    assert AccessLogEntry.objects.filter(user=liaison, action=AccessLogEntry.Action.EXPORT).exists()


def test_an_empty_list_exports_its_headers_only(client, other_liaison):
    client.force_login(other_liaison)
    text = client.get("/constellaties/modeltrouw/export/").content.decode("utf-8")
    assert text.strip().split("\r\n") == [text.strip()]
    assert text.startswith("\ufeffConstellatie;Regio;Gezinnen;")


def test_the_list_shows_this_months_figures_and_the_words(client, team_lead, small_world):
    client.force_login(team_lead)
    body = client.get("/constellaties/modeltrouw/?maand=2026-02").content.decode()
    assert "Sterrenbeeld Utrecht" in body and "Sterrenbeeld Zwolle" not in body
    assert "februari 2026" in body
    assert "Maar 4 gezinnen: onder de 6 van het model" in body


def test_the_constellation_page_shows_the_nights_as_a_chart_with_its_table(
    client, liaison, small_world
):
    client.force_login(liaison)
    response = client.get(f"/constellaties/{small_world.pk}/")
    body = response.content.decode()
    assert 'alt="Staafdiagram van de logeernachten per maand' in body
    assert '<th scope="col">Totaal</th>' in body
    assert response.context["figures"].chart.src.startswith("data:image/svg+xml;base64,")
    assert f'href="/constellaties/{small_world.pk}/modeltrouw/"' in body


def test_the_list_runs_a_fixed_number_of_queries(
    client, liaison, team, django_assert_max_num_queries
):
    for n in range(30):  # more than one page of 25
        c = ConstellationFactory(name=f"Sterrenbeeld {n:02}", region=team.region, liaison=liaison)
        hub = HubHomeFactory(constellation=c)
        bed = BedFactory(hub=hub)
        for _ in range(3):
            MembershipFactory(constellation=c)
        GatheringFactory(constellation=c)
        RespiteStayFactory(bed=bed, family=c.memberships.first().family,
                           arrival=timezone.localdate() - dt.timedelta(days=3))  # fmt: skip
    client.force_login(liaison)
    # Session, user, count, page, six figures, notifications, the session's save: whatever the
    # number of constellations.
    with django_assert_max_num_queries(15):
        response = client.get("/constellaties/modeltrouw/")
    assert len(response.context["items"]) == 25
    with django_assert_max_num_queries(15):
        client.get("/constellaties/modeltrouw/?pagina=2")
    with django_assert_max_num_queries(15):
        client.get("/constellaties/modeltrouw/export/")


def test_the_page_runs_a_fixed_number_of_queries(
    client, liaison, small_world, django_assert_max_num_queries
):
    client.force_login(liaison)
    with django_assert_max_num_queries(15):
        response = client.get(
            f"/constellaties/{small_world.pk}/modeltrouw/?van=2024-04&tot=2026-03"
        )
    assert len(response.context["fidelity"].months) == 24


def test_the_list_answers_the_month_filter_in_place(client, hub_home_parent, small_world):
    client.force_login(hub_home_parent)
    response = client.get(
        "/constellaties/modeltrouw/?maand=2026-01", headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="fidelity-results"') and "<html" not in body
    assert "HX-Request" in response["Vary"] and "januari 2026" in body


def test_a_bad_month_on_the_list_says_so(client, liaison, small_world):
    client.force_login(liaison)
    body = client.get("/constellaties/modeltrouw/?maand=januari").content.decode()
    assert "Typ een maand als jjjj-mm" in body


def test_only_who_may_read_the_fidelity_gets_the_link(client, caseworker, liaison, world_for_link):
    url = f"/constellaties/{world_for_link.pk}/"
    client.force_login(caseworker)
    assert "modeltrouw" not in client.get(url).content.decode()
    client.force_login(liaison)
    assert f"/constellaties/{world_for_link.pk}/modeltrouw/" in client.get(url).content.decode()


@pytest.fixture
def world_for_link(constellation, hub, placed_child):
    """Werker's Sanne is placed in a member family: werker sees the constellation."""
    return constellation


def test_every_figure_of_any_number_of_constellations_is_one_query(
    small_world, other_constellation, django_assert_num_queries
):
    with django_assert_num_queries(1):
        items = selectors.fidelity([small_world, other_constellation], months())
    # The rows of the figures are told apart by constellation: each as when asked alone.
    for item in items:
        alone = figures_of(item.constellation)
        assert (item.months, item.last_gathering) == (alone.months, alone.last_gathering)
    with django_assert_num_queries(0):
        assert selectors.fidelity([], months()) == []


def test_a_card_says_this_months_figures_in_words(small_world):
    (card,) = selectors.cards([figures_of(small_world)])
    assert card.facts == [
        ("Gezinnen", "3"),
        ("Bijeenkomsten", "0"),
        ("Huishoudens aanwezig", "0 / 3 · te weinig"),
        ("Logeernachten", "2 / 30 (te weinig)"),
        ("Gepland / ongepland", "2 / 0"),
        ("Gelogeerd dit kwartaal", "3 / 4 gezinnen"),
        ("Steuncontacten", "0"),
        ("Laatste bijeenkomst", "18 dagen geleden (25-02-2026)"),
    ]


def test_the_month_table_says_each_months_figures_in_words(small_world):
    table = {row.month: row.cells for row in selectors.month_table(figures_of(small_world))}
    assert table["feb 2026"] == [
        ("Gezinnen", "4"),
        ("Bijeenkomsten", "2"),
        ("Huishoudens aanwezig", "2 / 4 · te weinig"),
        ("Logeernachten", "3 (1 gepland, 2 ongepland)"),
        ("Bezetting", "3 / 56 · te weinig"),
        ("Gelogeerd dit kwartaal", "2 / 4 · te weinig"),
        ("Steuncontacten", "1"),
    ]
    assert list(table) == ["dec 2025", "jan 2026", "feb 2026", "mrt 2026"]


def test_without_a_gathering_the_last_one_is_not_known_yet(db, team):
    empty = ConstellationFactory(region=team.region, start_date=dt.date(2026, 1, 1))
    assert selectors.last_gathering_text(figures_of(empty)) == "nog niet bekend"


def test_the_list_counts_the_month_before_for_its_gatherings_only(
    small_world, django_assert_num_queries
):
    """January on the list: its figures as on the constellation's own page, and December
    (over, without a gathering) falls short; of December only its gatherings are read."""
    (full,) = selectors.fidelity([small_world], selectors.month_list(DEC, JAN, TODAY))
    with django_assert_num_queries(1):
        (item,) = selectors.fidelity_list([small_world], JAN, TODAY)
    assert item.months == [full.current]
    assert [(b.month.first, b.gatherings) for b in item.before] == [(DEC, 0)]
    assert (item.last_gathering, item.shortfalls) == (full.last_gathering, full.shortfalls)
    assert item.shortfalls[0] == "In december 2025 geen bijeenkomst"
    before, months = (selectors.Month(DEC, TODAY),), [selectors.Month(JAN, TODAY)]
    row = selectors.figure_rows([small_world.pk], months, item.as_of, before)[small_world.pk]
    # The gatherings of both months (g0, g1); every other figure of January alone (x0).
    assert {name for name in row if name.endswith("1")} == {"g1"}


@pytest.mark.parametrize(
    "pairs",
    [
        [("Gezinnen <b>", "a \"b\" & 'c'")],
        [(mark_safe("<i>al veilig</i>"), 3), ("x", "")],
        [],
    ],
)
def test_the_texts_are_escaped_as_django_escapes_them(pairs):
    template = '<td data-label="{}">{}</td>'
    assert selectors.html_pairs(template, pairs) == format_html_join("", template, pairs)


def test_a_card_links_its_page_and_says_what_falls_short(small_world):
    item = figures_of(small_world)
    item.shortfalls = ["Maar 3 <gezinnen> & meer"]
    (card,) = selectors.cards([item])
    assert card.url == f"/constellaties/{small_world.pk}/modeltrouw/"
    assert card.name == small_world.name
    assert card.shortfalls_html == "<li>Maar 3 &lt;gezinnen&gt; &amp; meer</li>"
    assert not card.follows_the_model
    item.shortfalls = []
    assert card.follows_the_model
    small_world.status = Constellation.Status.CLOSED
    assert not card.follows_the_model  # a closed one is told nothing


def test_the_list_says_which_constellation_follows_the_model(client, team_lead, small_world):
    """A card that lacks nothing says so; a closed one says nothing at all."""
    client.force_login(team_lead)
    small_world.status = Constellation.Status.CLOSED
    small_world.save()
    body = client.get("/constellaties/modeltrouw/?maand=2026-02").content.decode()
    assert f'<a href="/constellaties/{small_world.pk}/modeltrouw/">{small_world.name}</a>' in body
    assert "Volgt het model." not in body and 'class="shortfalls"' not in body


def test_dates_are_written_in_the_language_of_the_request():
    """The texts of dates are kept per day, format and language: never another language's."""
    from django.utils import translation

    with translation.override("nl"):
        assert selectors.month_name(MAR) == "maart 2026"
        assert selectors.month_abbr(JAN) == "jan 2026"
    with translation.override("en"):
        assert selectors.month_name(MAR) == "march 2026"
    with translation.override("nl"):
        assert selectors.month_name(MAR) == "maart 2026"
        assert selectors.date_text(dt.date(2026, 2, 25), "SHORT_DATE_FORMAT") == "25-02-2026"
