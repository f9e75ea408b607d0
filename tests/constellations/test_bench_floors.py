"""The floors of the constellation pages (constellations.bench) fetch what the pages show: run
on the small demo, each floor's rows and figures are the page's own, for the page's user."""

from __future__ import annotations

import pytest
from django.db import connection

from constellations import bench as constellation_bench
from constellations.models import Constellation
from pleegzorg import bench
from pleegzorg.timing import signed_in_client


def _page(label: str):
    return next(page for page in bench.pages() if page.label == label)


def _run(statements) -> list[list[dict]]:
    """Each statement's rows as dicts, by column name."""
    results = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            names = [column.name for column in cursor.description]
            results.append([dict(zip(names, row, strict=True)) for row in cursor.fetchall()])
    return results


def _floor_and_page(label: str):
    """The page's floor run (its own statements, after the signed-in ones) and the page's
    response, as the page's user."""
    page = _page(label)
    client, user = signed_in_client(page.username)
    response = client.get(page.path(user))
    assert response.status_code == 200
    return _run(page.floor(user)), response, user


@pytest.fixture(autouse=True)
def _without_second_step(settings):
    settings.REQUIRE_2FA = False  # as make bench runs it (config.settings.local)


def test_every_constellation_page_but_the_outcomes_has_a_floor():
    labels = ("Constellation", "Calendar", "Log a stay", "Fidelity")
    pages = [page for page in bench.pages() if page.label.startswith(labels)]
    assert len(pages) == 9
    assert all(page.floor is not None for page in pages)


def test_the_list_floor_is_the_first_page_of_the_constellations_the_user_sees(seeded):
    (rows,), response, _user = _floor_and_page("Constellations (liaison)")
    shown = list(response.context["page"].object_list)
    assert rows and [row["name"] for row in rows] == [c.name for c in shown]
    assert rows[0]["total"] == response.context["page"].paginator.count
    for row, c in zip(rows, shown, strict=True):
        assert row["members"] == c.member_count
        assert row["no_gathering"] == c.no_gathering
        assert row["region"] == c.region.name
        assert row["hub_family"] == c.hub.family.name
        assert f"{row['liaison_first_name']} {row['liaison_last_name']}" in response.text


@pytest.mark.parametrize(
    "label", ["Constellation page (liaison)", "Constellation page (hub-home parent)"]
)
def test_the_constellation_page_floor_reads_what_the_page_shows(seeded, label):
    ((header,), members, months, (panels,)), response, _user = _floor_and_page(label)
    context = response.context
    constellation = context["constellation"]
    assert header["name"] == constellation.name
    assert header["hub_family"] == context["hub"].family.name
    assert header["beds"] == [bed["name"] for bed in context["beds"]]
    shown_parents = {f"{p['first_name']} {p['last_name']}" for p in context["hub_parents"]}
    assert set(header["hub_parents"]) == shown_parents
    assert header["no_gathering"] == context["no_gathering"]
    current = [row for row in members if row["current"]]
    assert [row["family"] for row in current] == [m.family.name for m in context["members"]]
    assert [row["family"] for row in members if not row["current"]] == [
        m.family.name for m in context["history"]
    ]
    for row in current:
        assert row["family"] in response.text
        for foster_parent in row["foster_parents"] or []:
            assert foster_parent["name"] in response.text
    families = context["figures"].families
    assert [(r["stays"] or 0, r["planned"], r["unplanned"]) for r in current] == [
        (f["stays"], f["planned"], f["unplanned"]) for f in families
    ]
    assert [(m["first"], m["planned"], m["unplanned"]) for m in months] == [
        (m["month"], m["planned"], m["unplanned"]) for m in context["figures"].months
    ]
    assert sum(m["planned"] + m["unplanned"] for m in months) == context["figures"].total > 0
    gatherings = panels["gatherings"] or []
    # The page orders gatherings by date alone: two on one day may come either way round.
    assert sorted((g["date"], g["present"]) for g in gatherings) == sorted(
        (g.date.isoformat(), g.present) for g in context["gatherings"]
    )
    assert [c["family"] for c in panels["contacts"] or []] == [
        c.family.name for c in context["contacts"]
    ]
    assert [p["name"] for p in panels["parents"] or []] == [
        str(p.parent) for p in context["parents"]
    ]
    assert [c["id"] for c in panels["children"] or []] == [c.pk for c in context["children"]]
    assert context["children"], "the liaison and the hub home see the children who can stay"


@pytest.mark.parametrize("label", ["Calendar, week", "Calendar, month"])
def test_the_calendar_floor_is_its_beds_and_the_stays_of_its_nights(seeded, label):
    ((header,), stays), response, _user = _floor_and_page(label)
    context = response.context
    assert header["name"] == context["constellation"].name
    assert [bed["id"] for bed in header["beds"]] == [bed.pk for bed in context["beds"]]
    assert sorted(stay["id"] for stay in stays) == sorted(stay.pk for stay in context["stays"])
    for stay in stays:
        assert stay["first_name"] in response.text


def test_the_calendar_month_floor_has_the_stays_of_the_whole_month(seeded):
    (_, week), _response, _user = _floor_and_page("Calendar, week")
    (_, month), _response, _user = _floor_and_page("Calendar, month")
    assert month, "the demo has stays this month"
    assert {stay["id"] for stay in week} <= {stay["id"] for stay in month}


def test_the_log_a_stay_floor_is_its_beds_tonight_and_the_children_to_choose(seeded):
    ((header,), children), response, _user = _floor_and_page("Log a stay")
    context = response.context
    assert [(bed["id"], bed["arrival"] is None) for bed in header["beds"]] == [
        (choice.bed.pk, choice.free) for choice in context["availability"]
    ]
    offered = [value for value, _label in context["form"].fields["child"].choices if value]
    assert children and [child["id"] for child in children] == offered
    for child in children:
        assert f"{child['first_name']} {child['last_name']}" in response.text


FIGURES = [
    "members",
    "gatherings",
    "households",
    "planned",
    "unplanned",
    "beds",
    "contacts",
    "quarter_members",
    "quarter_sleepovers",
]


def _figures(month) -> dict:
    return {name: getattr(month, name) for name in FIGURES}


@pytest.mark.parametrize("label", ["Fidelity (liaison)", "Fidelity (team lead)"])
def test_the_fidelity_list_floor_has_the_figures_of_the_page(seeded, label):
    (rows,), response, _user = _floor_and_page(label)
    items = response.context["items"]
    assert rows and [row["id"] for row in rows] == [item.constellation.pk for item in items]
    assert rows[0]["total"] == response.context["page"].paginator.count
    for row, item in zip(rows, items, strict=True):
        assert {name: row[name] for name in FIGURES} == _figures(item.current)
        assert row["gatherings_before"] == item.before[0].gatherings
        assert row["last_gathering"] == item.last_gathering
    # Not only zeros: the demo has members and beds whatever the day (nights this month may
    # still be none on its first day; the test of one constellation's months counts them).
    assert sum(row["members"] for row in rows) and sum(row["beds"] for row in rows)


def test_the_fidelity_floor_of_one_constellation_has_each_months_figures(seeded):
    ((header,), months), response, _user = _floor_and_page("Fidelity, one constellation")
    item = response.context["fidelity"]
    assert header["id"] == item.constellation.pk
    assert header["last_gathering"] == item.last_gathering
    assert [row["first"] for row in months] == [m.month.first for m in item.months]
    for row, month in zip(months, item.months, strict=True):
        assert {name: row[name] for name in FIGURES} == _figures(month), month.month.first
    assert sum(row["households"] for row in months) and sum(row["contacts"] for row in months)


def test_a_floor_sees_no_constellation_the_user_may_not_see(seeded):
    """The visibility rule is in the floor: another liaison's constellation is not read."""
    page = _page("Constellation page (liaison)")
    _client, user = signed_in_client(page.username)
    sql, params = page.floor(user)[0]
    own = constellation_bench.first_constellation(user)
    assert params[3] == own.pk and _run([(sql, params)])[0][0]["name"] == own.name
    other = Constellation.objects.exclude(liaison=user).order_by("pk").first()
    params[3] = other.pk
    assert _run([(sql, params)]) == [[]]


def test_the_fidelity_floor_follows_the_definitions_at_their_edges(seeded):
    """What the demo lacks: a family that was a member only at the quarter's start, a bed no
    longer in use that held a stay last month, a foster parent of that family at a gathering of
    last month (no member any more, unless last month is before the quarter). Floor and page
    still agree."""
    import datetime as dt

    from django.utils import timezone

    from constellations.factories import (
        BedFactory,
        GatheringFactory,
        MembershipFactory,
        RespiteStayFactory,
    )
    from constellations.fidelity import selectors as fidelity
    from constellations.models import Attendance
    from placements.factories import ChildFactory, FosterFamilyFactory, FosterParentFactory

    page = _page("Fidelity, one constellation")
    _client, user = signed_in_client(page.username)
    constellation = constellation_bench.first_constellation(user)
    today = timezone.localdate()
    last_month = fidelity.add_months(fidelity.first_of_month(today), -1)
    quarter = fidelity.quarter_start(fidelity.first_of_month(today))
    left = FosterFamilyFactory()
    MembershipFactory(
        constellation=constellation,
        family=left,
        joined_on=quarter - dt.timedelta(days=40),
        left_on=quarter,
    )
    old_bed = BedFactory(hub=constellation.hub, active=False)
    RespiteStayFactory(
        bed=old_bed,
        child=ChildFactory(),
        family=FosterFamilyFactory(),
        arrival=last_month,
        departure=last_month + dt.timedelta(days=2),
    )
    gathering = GatheringFactory(constellation=constellation, date=last_month)
    Attendance.objects.create(
        gathering=gathering,
        who=Attendance.Who.FOSTER_PARENT,
        foster_parent=FosterParentFactory(family=left),
    )
    test_the_fidelity_floor_of_one_constellation_has_each_months_figures(seeded)
    test_the_fidelity_list_floor_has_the_figures_of_the_page(seeded, "Fidelity (liaison)")
