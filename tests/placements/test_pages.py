"""The caseload and the child file, for every role, with htmx and without."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from placements.factories import PlacementFactory
from placements.models import Child
from pleegzorg.models import AccessLogEntry
from tests.matrix import CASE_FILE, CASEWORK


@pytest.mark.parametrize(("persona", "status"), CASEWORK)
def test_the_caseload_answers_every_role(persona, status, matrix, placement):
    matrix.check([(persona, "/caseload/", status)])


@pytest.mark.parametrize(("persona", "own", "other"), CASE_FILE)
@pytest.mark.parametrize("suffix", ["", "inzage/", "zorg/", "zorg/wijzigen/"])
def test_child_file_urls_answer_every_role(
    persona, own, other, suffix, matrix, placement, other_placement
):
    matrix.check(
        [
            (persona, f"/kinderen/{placement.child.pk}/{suffix}", own),
            (persona, f"/kinderen/{other_placement.child.pk}/{suffix}", other),
        ]
    )


def test_a_refused_child_file_is_logged_as_denied(other_caseworker, client, placement):
    client.force_login(other_caseworker)
    client.get(f"/kinderen/{placement.child.pk}/")
    entry = AccessLogEntry.objects.get(outcome="denied")
    assert entry.user == other_caseworker and entry.person_id == placement.child.pk


def test_opening_the_file_is_logged_and_shows_on_the_who_viewed_tab(
    caseworker, team_lead, client, placement
):
    client.force_login(caseworker)
    body = client.get(f"/kinderen/{placement.child.pk}/").content.decode()
    assert "Sanne Visser" in body and "Familie De Boer" in body
    client.force_login(team_lead)
    body = client.get(f"/kinderen/{placement.child.pk}/inzage/").content.decode()
    assert "(werker)" in body and "pleegzorgwerker" in body


def test_the_caseload_shows_only_own_placements_and_finds_by_name(
    caseworker, client, placement, other_placement
):
    client.force_login(caseworker)
    response = client.get("/caseload/")
    assert list(response.context["page"].object_list) == [placement]
    assert client.get("/caseload/", {"q": "sanne"}).context["page"].paginator.count == 1
    assert client.get("/caseload/", {"q": "Daan"}).context["page"].paginator.count == 0
    assert AccessLogEntry.objects.filter(action="search", detail__contains="Daan").exists()


def test_a_caseload_row_writes_the_age_kind_and_legal_basis_in_the_users_language(
    caseworker, client
):
    """Translated once per page (selectors.with_row_labels), in Dutch and in English alike."""
    today = timezone.localdate()
    born = today.replace(year=today.year - 12) - dt.timedelta(days=1)
    PlacementFactory(caseworker=caseworker, child__date_of_birth=born, legal_basis="voluntary")
    PlacementFactory(
        caseworker=caseworker,
        child__date_of_birth=today.replace(year=today.year - 1) - dt.timedelta(days=1),
    )
    client.force_login(caseworker)
    body = client.get("/caseload/").content.decode()
    assert "(12 jaar)" in body and "(1 jaar)" in body
    assert ">voltijd<" in body and ">vrijwillig<" in body
    client.cookies["django_language"] = "en"
    body = client.get("/caseload/").content.decode()
    assert "(12 years)" in body and "(1 year)" in body
    assert ">full-time<" in body and ">voluntary<" in body


def test_with_htmx_the_caseload_sends_only_the_results(caseworker, client, placement):
    client.force_login(caseworker)
    body = client.get("/caseload/", {"q": "Sanne"}, headers={"HX-Request": "true"}).content.decode()
    assert body.lstrip().startswith('<div id="caseload-results"')


def test_a_team_lead_sees_the_caseload_of_the_team(team_lead, client, placement, other_placement):
    client.force_login(team_lead)
    body = client.get("/caseload/").content.decode()
    assert "Sanne Visser" in body and "Daan" not in body


def test_caseload_runs_a_fixed_number_of_queries(
    caseworker, team_lead, client, django_assert_max_num_queries
):
    PlacementFactory.create_batch(60, caseworker=caseworker)
    for viewer in (caseworker, team_lead):
        client.force_login(viewer)
        # session, user, the files opened with a reason (a list), count, rows (with child,
        # family, caseworker), session renewal
        with django_assert_max_num_queries(9):
            response = client.get("/caseload/", {"sort": "-start"})
        assert len(response.context["page"].object_list) == 25
        with django_assert_max_num_queries(10):
            client.get("/caseload/", {"pagina": 2, "q": "a", "attention": "on"})


def test_child_file_runs_a_fixed_number_of_queries(
    caseworker, client, placement, django_assert_max_num_queries
):
    from constellations.factories import RespiteStayFactory
    from placements.factories import OwnChildFactory, ParentChildFactory

    for n in range(5):
        PlacementFactory(child=placement.child, caseworker=caseworker, kind="part_time")
        ParentChildFactory(child=placement.child)
        OwnChildFactory(family=placement.family)
        RespiteStayFactory(
            child=placement.child, arrival=placement.start_date + dt.timedelta(n * 3)
        )
    client.force_login(caseworker)
    # 24: the list of access requests (Inzageverzoeken) is one query of its own.
    with django_assert_max_num_queries(24):
        client.get(f"/kinderen/{placement.child.pk}/")


def test_editing_care_facts_without_htmx_redirects_to_the_file(caseworker, client, placement):
    client.force_login(caseworker)
    child = placement.child
    response = client.post(
        f"/kinderen/{child.pk}/zorg/wijzigen/",
        {
            "allergies": "pinda's",
            "medication": "",
            "diet": "halal",
            "emergency_contacts": "Oma 0612345678",
            "version": child.version,
        },
    )
    assert response["Location"] == reverse("placements:child", args=[child.pk]) + "#zorg"
    child.refresh_from_db()
    assert child.allergies == "pinda's" and child.version == 2


def test_editing_with_htmx_returns_the_section(caseworker, client, placement):
    client.force_login(caseworker)
    child = placement.child
    response = client.post(
        f"/kinderen/{child.pk}/zorg/wijzigen/",
        {
            "allergies": "noten",
            "medication": "",
            "diet": "",
            "emergency_contacts": "",
            "version": 1,
        },
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert (
        body.lstrip().startswith('<section id="zorg"') and "noten" in body and "opgeslagen" in body
    )


def test_a_malformed_bsn_keeps_the_input_and_saves_nothing(caseworker, client, placement):
    client.force_login(caseworker)
    child = placement.child
    response = client.post(
        f"/kinderen/{child.pk}/kind/wijzigen/",
        {
            "first_name": "Sanne",
            "last_name": "Visser",
            "date_of_birth": child.date_of_birth.isoformat(),
            "gender": "girl",
            "bsn": "123456789",
            "school": "De Regenboog",
            "version": child.version,
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "elfproef" in body and 'value="De Regenboog"' in body
    child.refresh_from_db()
    assert child.bsn == "" and child.version == 1


def test_a_stale_form_is_told_and_keeps_the_input(caseworker, team_lead, client, placement):
    child = placement.child
    data = {
        "allergies": "gluten",
        "medication": "",
        "diet": "",
        "emergency_contacts": "",
        "version": 1,
    }
    client.force_login(team_lead)
    client.post(f"/kinderen/{child.pk}/zorg/wijzigen/", {**data, "allergies": "lactose"})
    client.force_login(caseworker)
    response = client.post(f"/kinderen/{child.pk}/zorg/wijzigen/", data)
    body = response.content.decode()
    assert "Iemand anders heeft dit intussen gewijzigd" in body
    assert "gluten" in body and "lactose" in body  # the user's input and what is saved now
    assert Child.objects.get(pk=child.pk).allergies == "lactose"


@pytest.mark.parametrize(
    "url",
    ["/caseload/", "/kinderen/{child}/zorg/wijzigen/", "/plaatsingen/nieuw/"],
)
def test_pages_that_answer_a_partial_to_htmx_vary_on_it(url, caseworker, client, placement):
    """Full page or partial at the same URL: a cache must keep the two apart."""
    client.force_login(caseworker)
    url = url.format(child=placement.child_id)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        assert "HX-Request" in response["Vary"]


def test_the_child_file_shows_the_respite_stays_panel_of_constellations(
    caseworker, client, placement
):
    from constellations.factories import RespiteStayFactory

    stay = RespiteStayFactory(child=placement.child, arrival=placement.start_date)
    client.force_login(caseworker)
    response = client.get(f"/kinderen/{placement.child_id}/")
    body = response.content.decode()
    assert [panel.name for panel in response.context["panels"]] == ["stays", "access_requests"]
    assert 'id="logeren"' in body and str(stay.constellation) in body


def test_the_child_file_s_placements_are_those_of_the_orm_and_fresh(caseworker, placement):
    """The child file's placements come from SQL compiled once (pleegzorg.compiled.instances):
    each placement and what the file shows of it equal the ORM's, and a change shows at once."""
    from django.utils import timezone

    from placements import selectors
    from placements.models import Decision
    from pleegzorg import compiled

    compiled.clear()
    PlacementFactory(child=placement.child, caseworker=caseworker, kind="part_time")
    today = timezone.localdate()

    def shown(placements):
        names = [*selectors.PLACEMENT_ROWS, "contacts_last_year", "too_few_contacts"]
        return [
            (
                p.pk,
                p.child_id,
                p.family.name,
                p.caseworker_id,
                p.team_id,
                p.start_meeting_overdue,
                *(str(getattr(p, name)) for name in names),
            )
            for p in placements
        ]

    def orm():
        rows = list(selectors.child_file_placements(child=placement.child_id, on=today))
        for p in rows:
            for name, related in selectors.PLACEMENT_ROWS.items():
                setattr(p, name, related.parse(getattr(p, name)))
        return rows

    file = selectors.child_file(caseworker, placement.child)
    assert shown(file.placements) == shown(orm())
    assert file.placements[0].child is placement.child
    Decision.objects.create(
        placement=placement,
        decided_on=today,
        subject="Omgangsregeling",
        reason="Overleg",
        recorded_by=caseworker,
    )
    again = selectors.child_file(caseworker, placement.child)
    decided = next(p for p in again.placements if p.pk == placement.pk)
    assert [row["subject"] for row in decided.decision_rows] == ["Omgangsregeling"]
    assert shown(again.placements) == shown(orm())


@pytest.mark.parametrize(
    "filters",
    [{}, {"search": "a", "sort": "-start"}, {"attention": True}, {"reason": "unstable"}],
)
def test_the_compiled_caseload_is_the_orm_s_and_fresh(caseworker, placement, filters):
    """The caseload's count and page come from SQL compiled once (selectors.CaseloadPlacements):
    they equal the ORM's, and a new placement shows at once."""
    from placements import selectors
    from pleegzorg import compiled

    compiled.clear()

    def shown(placements):
        return [
            (p.pk, p.child.first_name, p.family.name, p.needs_attention, p.attention_planned_end)
            for p in placements
        ]

    for _ in range(2):
        PlacementFactory(caseworker=caseworker, child__first_name="Anna")
        kept = selectors.CaseloadPlacements(caseworker, **filters)
        orm = selectors.caseload(caseworker, **filters)
        assert kept.count() == orm.count()
        assert shown(kept[0:25]) == shown(orm[0:25])
        assert shown(kept[1:2]) == shown(orm[1:2])
    if not filters:
        assert kept.count() == 3


def test_the_caseload_page_runs_no_more_queries_once_compiled(
    caseworker, client, placement, django_assert_max_num_queries
):
    client.force_login(caseworker)
    client.get("/caseload/")
    PlacementFactory(caseworker=caseworker, child__first_name="Bram")
    with django_assert_max_num_queries(9):
        response = client.get("/caseload/")
    assert [p.child.first_name for p in response.context["page"].object_list] == ["Bram", "Sanne"]
