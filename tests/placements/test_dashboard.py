"""The team dashboard and "Mijn werk": figures against a small data set computed by hand, who
sees what, every number equal to the length of the list it links to, bad input, exports and the
query budget."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from placements.dashboard import selectors as dashboard
from placements.factories import PlacementFactory
from placements.models import (
    Agreement,
    CareKind,
    CaseworkerAssignment,
    ChildContact,
    Meeting,
    Placement,
)
from pleegzorg import compiled
from pleegzorg.audit import Action
from pleegzorg.factories import RegionFactory, TeamFactory, UserFactory
from pleegzorg.models import AccessLogEntry, User
from pleegzorg.services import break_glass_open

D = timezone.localdate()
URL = reverse("placements:team_dashboard")


def days(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


def moment(n: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(days(n), dt.time(10)))


def meeting(placement, kind, status, n, **extra) -> Meeting:
    return Meeting.objects.create(
        placement=placement,
        kind=kind,
        status=status,
        planned_at=moment(n),
        place="kantoor",
        **extra,
    )


def held_start_meeting(placement, n) -> Meeting:
    return meeting(placement, Meeting.Kind.START, Meeting.Status.HELD, n, held_on=days(n))


def contacts(placement, *offsets) -> None:
    for n in offsets:
        ChildContact.objects.create(
            placement=placement, contact_on=days(n), caseworker=placement.caseworker
        )


@pytest.fixture
def data(caseworker, other_caseworker, team):
    """Wendy (0.5 FTE) with four active placements and three ended ones, Olga (0.1 FTE) over
    the norm, Karel without placements, and one early ending in another team."""
    caseworker.fte = Decimal("0.5")
    caseworker.save(update_fields=["fte"])
    earlier, between = UserFactory(team=team), UserFactory(team=team)
    # p1: crisis, started before the period, OTS without a youth protector, nothing held, never
    # spoken with, handed over on the first day of the period and again 10 days ago (calm for
    # another 30 days): two changes.
    p1 = PlacementFactory(
        caseworker=caseworker, kind=CareKind.CRISIS, start_date=days(-400), youth_protector=None
    )
    CaseworkerAssignment.objects.filter(placement=p1).update(
        caseworker=earlier, end_date=days(-365)
    )
    CaseworkerAssignment.objects.create(
        placement=p1, caseworker=between, start_date=days(-364), end_date=days(-11)
    )
    CaseworkerAssignment.objects.create(
        placement=p1,
        caseworker=caseworker,
        start_date=days(-10),
        no_change_of_course_until=days(30),
    )
    # p2: respite, 5 days old, voluntary, its start meeting planned in 3 days.
    p2 = PlacementFactory(
        caseworker=caseworker,
        kind=CareKind.RESPITE,
        start_date=days(-5),
        legal_basis=Placement.LegalBasis.VOLUNTARY,
        youth_protector=None,
    )
    meeting(p2, Meeting.Kind.START, Meeting.Status.PLANNED, 3)
    # p3: full-time since before the period, next joint meeting in 7 days, an agreement 3 days
    # late, 3 conversations of which the oldest leaves the 12 months within 14 days, one
    # handover just outside the window and one inside it: one change.
    p3 = PlacementFactory(
        caseworker=caseworker,
        start_date=days(-380),
        next_joint_meeting_on=days(7),
    )
    held_start_meeting(p3, -370)
    Agreement.objects.create(placement=p3, what="Zwemles", owner="caseworker", due_on=days(-3))
    contacts(p3, -360, -200, -30)
    CaseworkerAssignment.objects.filter(placement=p3).update(end_date=days(-366))
    CaseworkerAssignment.objects.create(
        placement=p3, caseworker=between, start_date=days(-365), end_date=days(-51)
    )
    CaseworkerAssignment.objects.create(placement=p3, caseworker=caseworker, start_date=days(-50))
    # p4: part-time, a joint meeting two days ago still without a report, an agreement due in 5.
    p4 = PlacementFactory(
        caseworker=caseworker,
        kind=CareKind.PART_TIME,
        start_date=days(-60),
        legal_basis=Placement.LegalBasis.VOLUNTARY,
    )
    held_start_meeting(p4, -50)
    meeting(p4, Meeting.Kind.JOINT, Meeting.Status.PLANNED, -2)
    Agreement.objects.create(placement=p4, what="Schoolgesprek", owner="caseworker", due_on=days(5))
    contacts(p4, -50, -40, -10)
    # Ended: early in the period (counted), early before it, and planned.
    ended = {"caseworker": caseworker, "start_date": days(-500)}
    p5 = PlacementFactory(
        **ended,
        end_date=days(-30),
        end_reason=Placement.EndReason.PREMATURE,
        ended_by=Placement.EndedBy.FOSTER_FAMILY,
        end_note="Te zwaar voor het gezin",
    )
    PlacementFactory(**ended, end_date=days(-400), end_reason="premature", ended_by="child")
    PlacementFactory(**ended, end_date=days(-10), end_reason=Placement.EndReason.RETURN_HOME)
    olga = UserFactory(username="olga", first_name="Olga", team=team, fte=Decimal("0.1"))
    for _ in range(3):
        PlacementFactory(caseworker=olga)
    karel = UserFactory(username="karel", first_name="Karel", team=team)
    PlacementFactory(
        caseworker=other_caseworker,
        start_date=days(-100),
        end_date=days(-1),
        end_reason="premature",
        ended_by="parents",
    )
    return {"p1": p1, "p2": p2, "p3": p3, "p4": p4, "p5": p5, "olga": olga, "karel": karel}


def rows_by_name(board) -> dict:
    return {row.caseworker.username: row for row in board.rows}


def board_for(user, rf, **filters):
    request = rf.get(URL)
    request.user = user
    scope = dashboard.dashboard_scope(request, {"team": None, "region": None, "on": D, **filters})
    return dashboard.team_dashboard(user, scope)


def test_figures_per_caseworker_match_the_hand_computed_ones(data, team_lead, caseworker, rf):
    board = board_for(team_lead, rf)
    rows = rows_by_name(board)
    # Also the two earlier caseworkers of p1 and p3, now without placements.
    assert len(rows) == 5 and {"werker", "olga", "karel"} <= set(rows)
    wendy = rows["werker"]
    assert wendy.active == 4
    assert wendy.weighted == Decimal("3.25")  # crisis 1.5 + respite 0.25 + full 1 + part 0.5
    assert wendy.norm == Decimal("10.0") and not wendy.over_norm
    assert wendy.counts == {
        "start_meeting_overdue": 1,  # p1; p2 due within 14 days
        "start_meeting_overdue_due": 1,
        "joint_meeting_overdue": 1,  # p1; p3 (next on D+7) due
        "joint_meeting_overdue_due": 1,
        "report_missing": 1,  # p4; p2's start meeting planned in 3 days is due
        "report_missing_due": 1,
        "agreement_past_date": 1,  # p3; p4's agreement due in 5 days
        "agreement_past_date_due": 1,
        "too_few_child_contacts": 2,  # p1, p2; p3 drops to 2 within 14 days
        "too_few_child_contacts_due": 1,
        "no_youth_protector": 1,  # p1 (OTS); p2 is voluntary
        "in_no_change_period": 1,  # p1
        "unstable": 1,  # p1: handovers on the first day of the period and 10 days ago
    }
    assert wendy.days_since_contact == 400  # p1 never spoken with: since its start
    assert wendy.days_without_youth_protector == 400
    olga, karel = rows["olga"], rows["karel"]
    assert (olga.active, olga.weighted, olga.norm, olga.over_norm) == (
        3, Decimal("3"), Decimal("2.0"), True,
    )  # fmt: skip
    assert karel.active == 0 and karel.counts["start_meeting_overdue"] == 0


def test_bands_stability_and_early_endings(data, team_lead, rf):
    board = board_for(team_lead, rf)
    # werker 4, olga 3, karel 0, and the two earlier caseworkers of p1 and p3 with none.
    assert dict(board.bands) == {
        "0\u20139": len(board.rows),
        "10\u201319": 0,
        "20\u201329": 0,
        "30+": 0,
    }
    assert [p.pk for p in board.unstable] == [data["p1"].pk]
    assert board.unstable[0].caseworker_changes == 2
    assert [p.pk for p in board.ended_early] == [data["p5"].pk]  # not the other team's
    assert board.ended_early_count == 1


def test_app_manager_counts_every_team_without_names_or_links(data, app_manager, rf):
    board = board_for(app_manager, rf)
    assert board.ended_early_count == 2
    assert not board.scope.linked
    assert all(cell.today_url is None for row in board.rows for cell in row.cells)


def test_an_empty_team_shows_zeros_and_headers_only(db, rf):
    lead = UserFactory(username="leeg", role="team_lead")
    empty = TeamFactory(name="Leeg", lead=lead)
    board = board_for(lead, rf, team=empty.pk)
    assert board.rows == [] and board.unstable == [] and board.ended_early_count == 0
    assert dict(board.bands) == {"0\u20139": 0, "10\u201319": 0, "20\u201329": 0, "30+": 0}


def test_as_of_date_in_the_past_reads_the_rules_on_that_day(data, team_lead, rf):
    board = board_for(team_lead, rf, on=days(-20))
    wendy = rows_by_name(board)["werker"]
    # 20 days ago p2 had not started and the return home 10 days ago had not happened; p1
    # still had its second caseworker, no calm period yet.
    assert wendy.active == 4
    assert wendy.counts["in_no_change_period"] == 0
    assert wendy.counts["report_missing"] == 0  # p4's meeting was still ahead


def caseload_count(client, url) -> int:
    response = client.get(url)
    assert response.status_code == 200
    return response.context["page"].paginator.count


def test_every_number_equals_the_length_of_the_list_it_links_to(data, team_lead, client):
    client.force_login(team_lead)
    response = client.get(URL)
    board = response.context["dashboard"]
    checked = 0
    for row in board.rows:
        assert caseload_count(client, row.active_url) == row.active
        for cell in row.cells:
            assert caseload_count(client, cell.today_url) == cell.today, cell
            checked += 1
            if cell.due_url:
                assert caseload_count(client, cell.due_url) == cell.due, cell
    assert checked >= 8 * 3


def test_my_work_numbers_link_to_the_caseworkers_own_lists(data, caseworker, client):
    client.force_login(caseworker)
    response = client.get(reverse("pleegzorg:start"))
    (panel,) = [p for p in response.context["panels"] if p.name == "my_work"]
    row = panel.context["row"]
    assert row.active == 4 and row.counts["too_few_child_contacts"] == 2
    for cell in row.cells:
        assert caseload_count(client, cell.today_url) == cell.today
        if cell.due_url:
            assert caseload_count(client, cell.due_url) == cell.due
    assert "Mijn werk" in response.content.decode()


def test_my_work_is_not_on_other_start_pages(data, team_lead, client):
    client.force_login(team_lead)
    response = client.get(reverse("pleegzorg:start"))
    assert [p.name for p in response.context["panels"]] == []


def test_a_caseworker_asking_for_another_caseworkers_list_sees_nothing(data, caseworker, client):
    client.force_login(caseworker)
    olga = data["olga"]
    assert caseload_count(client, f"{reverse('placements:caseload')}?medewerker={olga.pk}") == 0


def test_the_caseload_names_the_reasons_for_attention(data, team_lead, client):
    client.force_login(team_lead)
    query = {"medewerker": data["p1"].caseworker_id, "reden": "unstable"}
    response = client.get(reverse("placements:caseload"), query)
    (placement,) = response.context["page"].object_list
    labels = [str(label) for label in placement.attention_labels]
    assert {"geen jeugdbeschermer", "startgesprek te laat", "gezamenlijk overleg te laat"} <= set(
        labels
    )
    body = response.content.decode()
    assert "startgesprek te laat" in body
    assert reverse("placements:placement_hand_over", args=[data["p1"].pk]) in body


def test_permissions(data, matrix, team, other_team):
    elsewhere = TeamFactory(name="Zwolle", region=RegionFactory(name="Overijssel"))
    rows = [
        ("team_lead", URL, 200),
        ("team_lead", f"{URL}?team={team.pk}", 200),
        ("team_lead", f"{URL}?team={other_team.pk}", 404),
        ("team_lead", f"{URL}?region={elsewhere.region_id}", 404),
        ("team_lead", f"{URL}?team={team.pk}&formaat=csv&tabel=caseload", 200),
        ("app_manager", URL, 200),
        ("app_manager", f"{URL}?team={other_team.pk}", 200),
        ("caseworker", URL, 403),
        ("hub_home_parent", URL, 403),
        ("liaison", URL, 403),
        ("foster_parent", URL, 403),
        ("anonymous", URL, 302),
    ]
    matrix.check(rows)


def test_a_team_that_is_not_theirs_is_logged_as_refused(data, team_lead, other_team, client):
    client.force_login(team_lead)
    assert client.get(URL, {"team": other_team.pk}).status_code == 404
    assert AccessLogEntry.objects.filter(user=team_lead, outcome="denied").exists()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"team": 999999}, "Dit team bestaat niet"),
        ({"region": 999999}, "Deze regio bestaat niet"),
        ({"op": "2099-01-01"}, "hoogstens een jaar"),
        ({"op": "morgen"}, "geldige datum"),
        ({"team": "abc"}, "geheel getal"),
    ],
)
def test_bad_input_gets_a_dutch_message_not_an_error(data, team_lead, client, query, message):
    client.force_login(team_lead)
    response = client.get(URL, query)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["dashboard"] is None


def test_htmx_answers_the_figures_only(data, team_lead, client):
    client.force_login(team_lead)
    response = client.get(URL, {"op": D.isoformat()}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert 'id="dashboard-figures"' in body and "<form" not in body
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(
    "table", ["caseload", "aandacht", "verdeling", "wisselingen", "voortijdig"]
)
def test_every_table_exports_as_csv(data, team_lead, client, table):
    client.force_login(team_lead)
    response = client.get(URL, {"formaat": "csv", "tabel": table})
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff") and ";" in text.splitlines()[0]
    assert AccessLogEntry.objects.filter(user=team_lead, action=Action.EXPORT).exists()


def test_an_empty_table_exports_its_headers_only(db, client):
    lead = UserFactory(username="leeg", role="team_lead")
    TeamFactory(name="Leeg", lead=lead)
    client.force_login(lead)
    response = client.get(URL, {"formaat": "csv", "tabel": "voortijdig"})
    lines = response.content.decode("utf-8").splitlines()
    assert len(lines) == 1 and "Wie beëindigde" in lines[0]


def test_an_unknown_table_is_not_found(data, team_lead, client):
    client.force_login(team_lead)
    assert client.get(URL, {"formaat": "csv", "tabel": "geheim"}).status_code == 404


def test_query_budget_on_more_than_a_page_of_data(
    team, team_lead, client, django_assert_max_num_queries, settings
):
    settings.PAGE_SIZE = 20
    for n in range(25):
        worker = UserFactory(username=f"w{n:02}", first_name=f"W{n:02}", team=team)
        PlacementFactory(caseworker=worker)
        PlacementFactory(
            caseworker=worker, end_date=days(-3), end_reason="premature", ended_by="child"
        )
    client.force_login(team_lead)
    # Session and user, the log entry, the teams and regions of the form, the caseworkers,
    # their caseload, the rules of this page's caseworkers, and the two stability tables (each
    # with its count).
    for page in ("1", "2"):
        with django_assert_max_num_queries(15):
            response = client.get(URL, {"pagina": page})
        board = response.context["dashboard"]
        assert len(board.rows) == 25 and board.ended_early_count == 25
        assert len(board.page) == (20 if page == "1" else 5)
        # The rules are counted for the caseworkers on the page, their caseload for all.
        assert all(row.cells for row in board.page)
        assert board.page[0].caseworker.username == ("w00" if page == "1" else "w20")
    assert dict(board.bands)["0\u20139"] == 25
    # The pages link to each other keeping the filters, in place with htmx and as plain links.
    html = client.get(URL, {"pagina": "2", "op": D.isoformat()}).content.decode()
    assert "Pagina 2 van 2" in html and f"?op={D.isoformat()}&amp;pagina=1" in html
    partial = client.get(URL, {"pagina": "2"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and 'hx-target="#dashboard-figures"' in partial
    assert "W24" in client.get(URL, {"formaat": "csv", "tabel": "aandacht"}).content.decode()


def test_a_team_lead_asking_for_another_teams_caseworker_sees_nothing(
    data, team_lead, other_caseworker, client
):
    client.force_login(team_lead)
    url = f"{reverse('placements:caseload')}?medewerker={other_caseworker.pk}"
    assert caseload_count(client, url) == 0


def test_the_demo_shows_caseworkers_over_the_norm_and_overdue_meetings(seeded, client):
    from pleegzorg.models import User

    lead = User.objects.get(username="teamleider")
    client.force_login(lead)
    board = client.get(URL).context["dashboard"]
    assert any(row.over_norm for row in board.rows)
    overdue = ("start_meeting_overdue", "joint_meeting_overdue")
    assert sum(row.counts[rule] for row in board.page for rule in overdue) > 0
    app_manager = User.objects.filter(role=User.Role.APP_MANAGER).first()
    client.force_login(app_manager)
    board = client.get(URL).context["dashboard"]
    assert sum(1 for row in board.rows if row.over_norm) >= 2


def test_the_caseload_refuses_an_as_of_date_far_ahead_in_words(data, team_lead, client):
    client.force_login(team_lead)
    response = client.get(reverse("placements:caseload"), {"op": "2099-01-01"})
    assert response.status_code == 200
    assert "hoogstens een jaar" in response.content.decode()


def test_an_application_managers_export_names_no_child(data, app_manager, client):
    client.force_login(app_manager)
    response = client.get(URL, {"formaat": "csv", "tabel": "voortijdig"})
    text = response.content.decode("utf-8")
    assert len(text.splitlines()) == 3  # the headers and the two early endings
    assert str(data["p5"].child) not in text


def test_reports_missing_and_agreements_past_date_are_the_reminders_rules(data, caseworker):
    """The dashboard's two meeting rules name the placements the reminder scan reminds about."""
    from pleegzorg import reminders
    from pleegzorg.models import Reminder

    reminders.reminders_scan(follow_up=False)
    meetings = Reminder.objects.filter(kind="report_missing").values_list("key", flat=True)
    unreported = Meeting.objects.filter(pk__in=[int(k.split(":")[1]) for k in meetings])
    reminded = set(unreported.values_list("placement", flat=True))
    agreements = Reminder.objects.filter(kind="agreement_overdue").values_list("key", flat=True)
    late = Agreement.objects.filter(pk__in=[int(k.split(":")[1]) for k in agreements])
    mine = Placement.objects.filter(caseworker=caseworker)
    assert set(mine.report_missing(D).values_list("pk", flat=True)) == reminded & set(
        mine.values_list("pk", flat=True)
    )
    assert set(mine.agreement_past_date(D).values_list("pk", flat=True)) == set(
        late.filter(placement__in=mine).values_list("placement", flat=True)
    )


@pytest.mark.parametrize(
    "reason", ["too_few_child_contacts", "no_youth_protector", "unstable", "report_missing"]
)
def test_the_caseloads_lists_behind_the_numbers_keep_the_query_budget(
    team_lead, caseworker, client, django_assert_max_num_queries, reason
):
    for _ in range(30):  # more than one page (25)
        PlacementFactory(caseworker=caseworker, youth_protector=None)
    client.force_login(team_lead)
    query = {"medewerker": caseworker.pk, "reden": reason, "op": D.isoformat(), "pagina": 2}
    with django_assert_max_num_queries(15):
        response = client.get(reverse("placements:caseload"), query)
    assert response.status_code == 200


# -- compiled once per process, read afresh every time (pleegzorg.compiled) ----------------------


def orm_table(placements) -> list[tuple]:
    """What the stability tables show of each placement, read through the ORM's instances."""
    return [
        (
            p.pk,
            p.child_id,
            str(p.child),
            p.child.first_name,
            str(p.caseworker),
            p.start_date,
            p.end_date,
            p.get_ended_by_display(),
            p.end_note,
            getattr(p, "caseworker_changes", None),
        )
        for p in placements[: dashboard.TABLE_LIMIT]
    ]


def shown_table(rows) -> list[tuple]:
    return [
        (
            r.pk,
            r.child_id,
            r.child_name,
            r.child_first_name,
            r.caseworker_name,
            r.start_date,
            r.end_date,
            r.get_ended_by_display(),
            r.end_note,
            r.caseworker_changes,
        )
        for r in rows
    ]


def test_compiled_tables_and_caseloads_equal_the_orms(data, team_lead, app_manager, rf):
    for user in (team_lead, app_manager):
        board = board_for(user, rf)
        assert shown_table(board.unstable) == orm_table(board.unstable_all)
        assert shown_table(board.ended_early) == orm_table(board.ended_early_all)
        assert board.unstable_count == board.unstable_all.count()
        assert board.ended_early_count == board.ended_early_all.count()
        load = list(dashboard.caseworker_load(user, board.scope))
        assert dashboard.caseworker_load_rows(user, board.scope) == load


def test_compiled_tables_show_a_change_at_once(data, team_lead, rf):
    compiled.clear()
    before = board_for(team_lead, rf)
    assert [p.pk for p in before.ended_early] == [data["p5"].pk]
    size = compiled.size()
    data["p4"].end_date, data["p4"].end_reason = days(-1), Placement.EndReason.PREMATURE
    data["p4"].ended_by = Placement.EndedBy.CHILD
    data["p4"].save(update_fields=["end_date", "end_reason", "ended_by"])
    CaseworkerAssignment.objects.filter(placement=data["p3"], end_date=None).update(
        end_date=days(-6)
    )
    CaseworkerAssignment.objects.create(
        placement=data["p3"], caseworker=data["olga"], start_date=days(-5)
    )
    after = board_for(team_lead, rf)
    assert compiled.size() == size  # the same SQL, run again
    assert [p.pk for p in after.ended_early] == [data["p4"].pk, data["p5"].pk]
    assert after.ended_early[0].get_ended_by_display() == str(Placement.EndedBy.CHILD.label)
    assert {p.pk for p in after.unstable} == {data["p1"].pk, data["p3"].pk}
    # p4 no longer active: Wendy's caseload is one less.
    assert rows_by_name(after)["werker"].active == rows_by_name(before)["werker"].active - 1


def test_another_viewer_scope_or_day_never_gets_anothers_compiled_tables(
    data, team_lead, other_team, app_manager, rf
):
    compiled.clear()
    mine = board_for(team_lead, rf)
    assert [p.pk for p in mine.ended_early] == [data["p5"].pk]
    size = compiled.size()
    # The other team's lead: their own early ending only, from their own compiled query.
    theirs = board_for(other_team.lead, rf)
    assert [p.child_id for p in theirs.ended_early] == list(
        Placement.objects.filter(caseworker__team=other_team, end_reason="premature").values_list(
            "child_id", flat=True
        )
    )
    assert data["p5"].pk not in [p.pk for p in theirs.ended_early]
    assert compiled.size() > size
    # An application manager: every team's.
    assert board_for(app_manager, rf).ended_early_count == 2
    # Another day: a year on, nothing ended early in the 12 months up to it is p5.
    later = board_for(team_lead, rf, on=days(400))
    assert data["p5"].pk not in [p.pk for p in later.ended_early]
    assert board_for(team_lead, rf).ended_early_count == 1  # and the first key still holds
    # One team of the lead's (a scope of its own): the same rows as the ORM's for it.
    team = board_for(team_lead, rf, team=data["olga"].team_id)
    assert shown_table(team.ended_early) == orm_table(team.ended_early_all)


def test_the_numbers_link_exactly_where_caseload_url_says(data, team_lead, rf):
    board = board_for(team_lead, rf)
    for row in board.page.object_list:
        assert row.active_url == dashboard.caseload_url(row.caseworker, D)
        for cell, (name, has_due) in zip(row.cells, dashboard.DASHBOARD_RULES, strict=True):
            assert cell.today_url == dashboard.caseload_url(row.caseworker, D, name)
            due = dashboard.caseload_url(row.caseworker, D, name, due=True) if has_due else None
            assert cell.due_url == due


def test_a_closed_file_opened_with_a_reason_counts_as_of_a_day_it_ran(
    data, team_lead, caseworker, rf
):
    # Ended 300 days ago, past its aftercare: the team lead sees it only once they open the
    # child's file with a reason. As of 400 days ago it ran, so from then on it counts there;
    # the compiled queries are keyed by the files opened (never the key from before).
    closed = PlacementFactory(
        caseworker=caseworker, start_date=days(-500), end_date=days(-300), end_reason="return_home"
    )
    before = rows_by_name(board_for(team_lead, rf, on=days(-400)))["werker"].active
    break_glass_open(actor=team_lead, record=closed.child, reason="Vraag van de rechtbank, 2025.")
    lead = User.objects.get(pk=team_lead.pk)  # a new request: the grants read afresh
    assert rows_by_name(board_for(lead, rf, on=days(-400)))["werker"].active == before + 1


def test_a_rows_cells_are_its_numbers_with_their_links_escaped(data, team_lead, app_manager, rf):
    board = board_for(team_lead, rf)
    for row in board.page.object_list:
        cells = re.findall(r'<td data-label="([^"]*)" data-rule="(\w+)">(.*?)</td>', row.cells_html)
        assert [rule for _label, rule, _html in cells] == [c.rule for c in row.cells]
        for (label, _rule, html), cell in zip(cells, row.cells, strict=True):
            assert label == escape(cell.heading)
            links = re.findall(r'<a href="([^"]*)" class="number">(\d+)</a>', html)
            expected = [(escape(cell.today_url), str(cell.today))]
            if cell.due is not None:
                expected.append((escape(cell.due_url), str(cell.due)))
                assert "binnen 14 dagen" in html
            assert links == expected  # each link's & written as &amp;
            if cell.longest is not None:
                assert f"({escape(cell.longest_text)})" in html
    wendy = rows_by_name(board)["werker"]
    (contacts_cell,) = [c for c in wendy.cells if c.rule == "too_few_child_contacts"]
    assert contacts_cell.longest_text.startswith("langst ")
    # An application manager's numbers open no list: no links at all.
    unlinked = board_for(app_manager, rf)
    assert all("<a " not in row.cells_html for row in unlinked.page.object_list)
