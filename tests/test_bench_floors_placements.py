"""The floors of the start pages, the access log and the case-file pages (``floor`` in
pleegzorg/bench.py and placements/bench.py, the parts in constellations/bench.py): run on the
small demo, each fetches what its page shows, the same rows in the same order and the same
figures as the page's own context."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from placements.bench import first_placement
from placements.dashboard.selectors import DASHBOARD_RULES
from placements.factories import PlacementFactory
from placements.models import CaseworkerAssignment, Placement
from placements.selectors import ATTENTION_REASONS
from pleegzorg import bench
from pleegzorg.models import Team, User
from pleegzorg.timing import signed_in_client

YEAR = dt.timedelta(days=365)
WRITTEN = [
    "Start page (caseworker)",
    "Start page (team lead)",
    "Start page (hub-home parent)",
    "Start page (liaison)",
    "Start page (application manager)",
    "Access log, searched",
    "Caseload (caseworker)",
    "Caseload (team lead), searched",
    "Caseload (team lead), page 2",
    "Child file",
    "Foster family",
    "My meetings",
    "Mijn pleeggezin",
    "Dashboard (team lead)",
    "Dashboard (all teams)",
]


def page_and_floor(label: str):
    """The page's response and the rows of its floor's own statements (after the session and
    the user), each a list of dicts."""
    page = next(page for page in bench.pages() if page.label == label)
    client, user = signed_in_client(page.username)
    statements = page.floor_statements(user, client.session.session_key)
    assert statements is not None, f"{label} has no floor"
    results = []
    with connection.cursor() as cursor:
        for sql, params in statements[2:]:
            cursor.execute(sql, params)
            names = [column.name for column in cursor.description]
            results.append([dict(zip(names, row, strict=True)) for row in cursor.fetchall()])
    response = client.get(page.path(user))
    assert response.status_code == 200
    return response, results, user


def jsonish(value):
    """A JSON column as psycopg hands it over (parsed) or as text."""
    return json.loads(value) if isinstance(value, str) else (value or [])


def full_name(row, prefix=""):
    return f"{row[prefix + 'first_name']} {row[prefix + 'last_name']}"


@pytest.fixture
def no_second_step(settings):
    settings.REQUIRE_2FA = False  # as make bench runs it (config.settings.local)


def test_every_page_of_this_part_has_a_floor_and_every_part_a_page():
    floors = {page.label: page.floor for page in bench.pages()}
    assert all(floors[label] is not None for label in WRITTEN)
    for label in bench._floor_parts:
        assert label in floors, f"a floor part for {label!r}, which is no page"


@pytest.mark.usefixtures("requires_postgresql")  # the floors are PostgreSQL's SQL
def test_the_start_pages_floor_is_the_teams_and_my_work(seeded, no_second_step):
    response, (teams, my_work), user = page_and_floor("Start page (caseworker)")
    shown = list(response.context["teams"])
    assert [t["name"] for t in teams] == [t.name for t in shown] == [user.team.name]
    members = [f"{m['first_name']} {m['last_name']}" for m in jsonish(teams[0]["members"])]
    assert members == [m.get_full_name() for m in shown[0].members.all()]
    assert teams[0]["region"] == str(shown[0].region)
    # "Mijn werk": the dashboard's row for the caseworker's own placements.
    (row,) = my_work
    panel = next(p for p in response.context["panels"] if p.name == "my_work").context["row"]
    assert panel.active > 0
    assert (row["active"], Decimal(row["weighted"])) == (panel.active, panel.weighted)
    assert Decimal(row["norm"]) == panel.norm
    assert {name: row[name] or 0 for name in panel.counts} == panel.counts
    assert any(panel.counts.values())


@pytest.mark.usefixtures("requires_postgresql")  # the floors are PostgreSQL's SQL
def test_a_team_leads_start_page_floor_is_their_teams(seeded, no_second_step):
    response, (teams,), _user = page_and_floor("Start page (team lead)")
    shown = list(response.context["teams"])
    assert [t["name"] for t in teams] == [t.name for t in shown]
    for team, page_team in zip(teams, shown, strict=True):
        assert len(jsonish(team["members"])) == len(page_team.members.all())


@pytest.mark.usefixtures("requires_postgresql")  # the floors are PostgreSQL's SQL
def test_a_hub_home_parents_start_page_floor_is_their_constellations(seeded, no_second_step):
    response, (constellations,), _user = page_and_floor("Start page (hub-home parent)")
    assert constellations
    html = response.content.decode()
    for constellation in constellations:
        assert f"/constellaties/{constellation['id']}/logeren/nieuw/" in html


@pytest.mark.parametrize("label", ["Start page (liaison)", "Start page (application manager)"])
def test_the_other_start_pages_read_nothing_else(seeded, no_second_step, label):
    _response, results, _user = page_and_floor(label)
    assert results == []


@pytest.mark.usefixtures("requires_postgresql")  # the floors are PostgreSQL's SQL
@pytest.mark.parametrize("most_counted", [None, 1])
def test_the_access_log_floor_is_the_page_of_matching_entries(
    seeded, no_second_step, monkeypatch, most_counted
):
    # Entries by the caseworker (Wendy Jansen): open two of her children's files.
    client, worker = signed_in_client("werker")
    from placements import permissions
    from pleegzorg import selectors

    if most_counted is not None:  # fewer than match: the page says "more than"
        monkeypatch.setattr(selectors, "ACCESS_LOG_MOST_COUNTED", most_counted)
    most = selectors.ACCESS_LOG_MOST_COUNTED
    children = list(permissions.children.visible_to(worker)[:2])
    assert len(children) == 2 and bench.ACCESS_LOG_USER in str(worker)
    for child in children:
        assert client.get(f"/kinderen/{child.pk}/").status_code == 200
    response, (entries,), _user = page_and_floor("Access log, searched")
    page = response.context["page"]
    assert [e["id"] for e in entries] == [e.pk for e in page.object_list]
    counted = entries[0]["counted"]
    assert page.paginator.count == min(counted, most) and page.paginator.more == (counted > most)
    assert counted >= len(children) and page.paginator.more == (most_counted is not None)
    assert all(bench.ACCESS_LOG_USER in e["user_label"] for e in entries)


def caseload_figures(label: str):
    response, (rows,), user = page_and_floor(label)
    page = response.context["page"]
    return rows, page, user


@pytest.mark.usefixtures("requires_postgresql")  # the floors are PostgreSQL's SQL
@pytest.mark.parametrize(
    "label",
    ["Caseload (caseworker)", "Caseload (team lead), searched", "Caseload (team lead), page 2"],
)
def test_the_caseload_floor_is_the_page_of_placements_with_their_reasons(
    seeded, no_second_step, settings, label
):
    rows, page, user = caseload_figures(label)
    placements = list(page.object_list)
    assert placements, "an empty page proves nothing"
    assert [full_name(r) for r in rows] == [str(p.child) for p in placements]
    assert rows[0]["total"] == page.paginator.count
    for row, placement in zip(rows, placements, strict=True):
        for reason in ATTENTION_REASONS:
            assert row[reason] is getattr(placement, f"attention_{reason}"), reason
        if user.is_team_lead:
            assert full_name(row, "cw_") == str(placement.caseworker)


@pytest.mark.usefixtures("requires_postgresql")  # the floors are PostgreSQL's SQL
def test_the_caseload_floors_attention_reasons_are_met(seeded, no_second_step):
    """Not every reason is false everywhere: the comparison above can tell them apart."""
    rows = []
    for label in ["Caseload (caseworker)", "Caseload (team lead), page 2"]:
        rows += caseload_figures(label)[0]
    for reason in ("planned_end", "no_trusted_person", "start_meeting_overdue"):
        assert any(row[reason] for row in rows), reason
    assert not all(row["no_trusted_person"] for row in rows)


@pytest.mark.usefixtures("requires_postgresql")  # the floors are PostgreSQL's SQL
def test_the_child_file_floor_is_the_child_its_placements_and_meetings(seeded, no_second_step):
    # The child lived with another family before: the current placement is the running one.
    worker = User.objects.get(username="werker")
    running = first_placement(worker)
    today = timezone.localdate()
    PlacementFactory(
        child=running.child,
        caseworker=worker,
        start_date=min(running.start_date, today) - dt.timedelta(days=900),
        end_date=min(running.start_date, today) - dt.timedelta(days=400),
        end_reason="other_family",
    )
    response, (children, placements, (current,), stays), user = page_and_floor("Child file")
    file, meetings = response.context["file"], response.context["meetings"]
    (child,) = children
    assert child["id"] == first_placement(user).child_id == file.child.pk
    assert (child["first_name"], child["bsn"]) == (file.child.first_name, file.child.bsn)
    # Sorted: the floor orders parents of one name as the database finds them, the file by id.
    assert sorted(f"{p['first_name']} {p['last_name']}" for p in jsonish(child["parents"])) == (
        sorted(link.name for link in file.parent_links)
    )
    assert len(jsonish(child["voice_notes"])) == len(file.voice_notes)
    assert len(file.voice_notes) == file.child.voice_notes.count()
    assert [p["id"] for p in placements] == [p.pk for p in file.placements]
    assert len(placements) >= 2
    for row, placement in zip(placements, file.placements, strict=True):
        assert [a["start_date"] for a in jsonish(row["caseworkers"])] == [
            a["start_date"].isoformat() for a in placement.caseworker_rows
        ]
        assert len(jsonish(row["decisions"])) == len(placement.decision_rows)
    assert current["id"] == file.current.pk
    assert [m["id"] for m in jsonish(current["meetings"])] == [
        m["id"] for m in meetings["meetings"]
    ]
    assert [m["participants"] for m in jsonish(current["meetings"])] == [
        m["participant_count"] for m in meetings["meetings"]
    ]
    assert len(jsonish(current["agreements"])) == len(meetings["agreements"])
    assert len(jsonish(current["authorities"])) == len(meetings["authorities"])
    assert current["contacts_last_year"] == meetings["contacts_last_year"]
    assert current["too_few_contacts"] == meetings["too_few_contacts"]
    assert current["start_meeting_overdue"] == meetings["start_meeting_overdue"]
    assert [p["first_name"] for p in jsonish(current["foster_parents"])] == [
        p["first_name"] for p in file.current.foster_parent_rows
    ]
    stays_panel = next(p for p in response.context["panels"] if p.name == "stays").context
    assert len(stays) == len(stays_panel["stays"])


@pytest.mark.usefixtures("requires_postgresql")  # the floors are PostgreSQL's SQL
def test_the_child_file_floor_reads_nothing_of_a_file_the_user_may_not_see(seeded):
    page = next(page for page in bench.pages() if page.label == "Child file")
    worker = User.objects.get(username=page.username)
    sql, params = page.floor(worker)[0]
    # The same statement for a caseworker of another team, who may not see this child.
    other = User.objects.filter(role=User.Role.CASEWORKER).exclude(team=worker.team_id).first()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        assert len(cursor.fetchall()) == 1
        cursor.execute(sql, {**params, "me": other.pk, "my_team": other.team_id})
        assert cursor.fetchall() == []


@pytest.mark.usefixtures("requires_postgresql")  # the floors are PostgreSQL's SQL
def test_the_family_floor_is_the_family_and_its_placements(seeded, no_second_step):
    response, (families, placements), user = page_and_floor("Foster family")
    context = response.context
    (family,) = families
    assert family["id"] == first_placement(user).family_id == context["family"].pk
    assert [p["first_name"] for p in jsonish(family["foster_parents"])] == [
        p.first_name for p, _account in context["foster_parents"]
    ]
    assert len(jsonish(family["status_changes"])) == len(context["status_changes"])
    shown = sorted(context["current"] + context["past"], key=lambda p: (p.start_date, p.pk))
    assert [p["id"] for p in placements] == [p.pk for p in reversed(shown)]
    openable = {p["child_id"] for p in placements if p["openable"]}
    assert openable == context["openable"]


@pytest.mark.usefixtures("requires_postgresql")  # the floors are PostgreSQL's SQL
def test_the_my_meetings_floor_is_the_four_lists(seeded, no_second_step):
    response, (meetings, placements), _user = page_and_floor("My meetings")
    context = response.context
    # The same rows in the same order; rows that tie (two meetings at nine) in either order.
    for name in ("upcoming", "without_report"):
        rows = [m for m in meetings if m["?column?"] == name]
        assert [m["planned_at"] for m in rows] == [m.planned_at for m in context[name]], name
        assert {m["id"] for m in rows} == {m.pk for m in context[name]}, name
    for name, order in [
        ("start_overdue", ("start_date",)),
        ("joint_overdue", ("next_joint_meeting_on", "start_date")),
    ]:
        rows = [p for p in placements if p["?column?"] == name]
        assert [[p[key] for key in order] for p in rows] == [
            [getattr(p, key) for key in order] for p in context[name]
        ], name
        assert {p["id"] for p in rows} == {p.pk for p in context[name]}, name
    assert context["upcoming"] and (context["start_overdue"] or context["joint_overdue"])


@pytest.mark.usefixtures("requires_postgresql")  # the floors are PostgreSQL's SQL
@pytest.mark.parametrize("label", ["Dashboard (team lead)", "Dashboard (all teams)"])
def test_the_dashboard_floor_is_every_figure_of_the_page(seeded, no_second_step, label):
    # One placement of the team lead's team ended early ten days ago (in aftercare: counted).
    today = timezone.localdate()
    lead = User.objects.get(username="teamleider")
    ending = (
        Placement.objects.active(today)
        .filter(team__lead=lead, caseworker__team__lead=lead, start_date__lt=today)
        .order_by("pk")
        .first()
    )
    ending.end_date = max(ending.start_date, today - dt.timedelta(days=10))
    ending.end_reason, ending.ended_by = "premature", "foster_family"
    ending.save(update_fields=["end_date", "end_reason", "ended_by"])
    # One placement of a caseworker of the team stays with the team it began in, another lead's
    # (as when its caseworker moved teams): not the team lead's to see, so not counted for them.
    kept = (
        Placement.objects.active(today)
        .filter(team__lead=lead, caseworker__team__lead=lead)
        .exclude(pk=ending.pk)
        .order_by("pk")
        .first()
    )
    kept.team = Team.objects.exclude(lead=lead).first()
    kept.save(update_fields=["team"])
    # And one changed caseworker twice this year, and its new caseworker may not change course.
    moved = (
        Placement.objects.active(today)
        .filter(team__lead=lead, caseworker__team__lead=lead, start_date__lt=today - YEAR)
        .exclude(pk__in=[ending.pk, kept.pk])
        .order_by("pk")
        .first()
    )
    for weeks in (20, 10):
        CaseworkerAssignment.objects.create(
            placement=moved,
            caseworker=moved.caseworker,
            start_date=today - dt.timedelta(weeks=weeks),
            end_date=today - dt.timedelta(weeks=weeks - 5),
        )
    moved.caseworker_assignments.filter(end_date=None).update(
        no_change_of_course_until=today + dt.timedelta(days=30)
    )
    response, (choices, rows, unstable, ended_early), _user = page_and_floor(label)
    dashboard = response.context["dashboard"]
    form = response.context["form"]
    assert [c["name"] for c in choices if c["choice"] == "team"] == [
        name for value, name in form.fields["team"].widget.choices if value
    ]
    assert [c["name"] for c in choices if c["choice"] == "region"] == [
        name for value, name in form.fields["region"].widget.choices if value
    ]
    shown = list(dashboard.page.object_list)
    assert [r["id"] for r in rows] == [r.caseworker.pk for r in shown]
    for row, page_row in zip(rows, shown, strict=True):
        assert (row["active"], Decimal(row["weighted"])) == (page_row.active, page_row.weighted)
        assert Decimal(row["norm"]) == page_row.norm
        counts = {name: row[name] or 0 for name in page_row.counts}
        assert counts == page_row.counts, page_row.caseworker
        oldest = row["oldest_contact"]
        assert (None if oldest is None else (dashboard.scope.on - oldest).days) == (
            page_row.days_since_contact
        )
        since = row["without_youth_protector_since"]
        assert (None if since is None else (dashboard.scope.on - since).days) == (
            page_row.days_without_youth_protector
        )
    first = rows[0]
    assert first["caseworkers"] == len(dashboard.rows)
    assert first["total_active"] == dashboard.totals["active"]
    assert first["over_norm_count"] == dashboard.totals["over_norm"]
    assert [first[f"band_{low}"] for low in (0, 10, 20, 30)] == [n for _, n in dashboard.bands]
    assert [p["id"] for p in unstable] == [p.pk for p in dashboard.unstable]
    assert (unstable[0]["total"] if unstable else 0) == dashboard.unstable_count
    assert [p["id"] for p in ended_early] == [p.pk for p in dashboard.ended_early]
    assert (ended_early[0]["total"] if ended_early else 0) == dashboard.ended_early_count
    # The figures are not all zero: the comparison can tell a wrong rule from a right one.
    met = {name for name, _ in DASHBOARD_RULES if any(r.counts[name] for r in shown)}
    due = {name for name, d in DASHBOARD_RULES if d and any(r.counts[f"{name}_due"] for r in shown)}
    assert len(met) >= 4 and len(due) >= 2, (met, due)
    assert ending.pk in [p["id"] for p in ended_early]
    assert moved.pk in [p["id"] for p in unstable]
    assert any(r.counts["in_no_change_period"] for r in shown)


@pytest.mark.usefixtures("requires_postgresql")  # the floors are PostgreSQL's SQL
def test_the_mijn_pleeggezin_floor_is_the_familys_placements_people_and_plans(
    seeded, no_second_step
):
    response, (rows,), _user = page_and_floor("Mijn pleeggezin")
    children = response.context["children"]
    assert rows and [r["id"] for r in rows] == [c.placement.pk for c in children]
    assert {r["family"] for r in rows} == {response.context["family"].name}
    for row, child in zip(rows, children, strict=True):
        assert row["first_name"] == child.placement.child.first_name
        assert full_name(row, "cw_") == child.caseworker.person.get_full_name()
        assert [m["id"] for m in jsonish(row["meetings"])] == [m.pk for m in child.meetings]
        assert [a["id"] for a in jsonish(row["agreements"])] == [a.pk for a in child.agreements]
        assert [r["id"] for r in jsonish(row["requests"])] == [r.pk for r in child.requests]
    assert any(jsonish(row["meetings"]) for row in rows)
