"""The access log (NEN 7513): written by one service, append-only, searchable, itself logged."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pleegzorg import selectors
from pleegzorg.audit import Action, Outcome, Purpose, access_log_write
from pleegzorg.factories import UserFactory
from pleegzorg.models import AccessLogEntry

URL = "/inzagelog/"


def test_an_entry_records_who_role_when_what_and_about_whom(caseworker, team_lead, rf):
    request = rf.get("/", REMOTE_ADDR="192.0.2.7")
    entry = access_log_write(
        user=caseworker,
        on_behalf_of=team_lead,
        request=request,
        action=Action.VIEW,
        purpose=Purpose.CARE,
        person=team_lead,
        detail="dossier",
    )
    entry.refresh_from_db()
    assert entry.user == caseworker
    assert entry.user_label == "Wendy " + caseworker.last_name + " (werker)"
    assert entry.role == "caseworker"
    assert entry.on_behalf_of == team_lead
    assert entry.at.tzinfo is not None and abs(timezone.now() - entry.at) < dt.timedelta(seconds=5)
    assert entry.person_id == team_lead.pk and entry.person_label == str(team_lead)
    assert entry.object_id == team_lead.pk
    assert entry.outcome == Outcome.ALLOWED
    assert entry.ip_address == "192.0.2.7"


def test_entries_cannot_be_changed_or_deleted_through_the_application(caseworker):
    entry = access_log_write(user=caseworker, action=Action.VIEW, purpose=Purpose.CARE)
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AccessLogEntry.objects.filter(pk=entry.pk).update(detail="weg")
    with pytest.raises(PermissionError):
        AccessLogEntry.objects.all().delete()


def test_postgresql_refuses_update_and_delete_on_the_log(requires_postgresql, caseworker):
    entry = access_log_write(user=caseworker, action=Action.VIEW, purpose=Purpose.CARE)
    table = AccessLogEntry._meta.db_table
    for sql in (
        f"UPDATE {table} SET detail = 'x' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    assert AccessLogEntry.objects.filter(pk=entry.pk, detail="").exists()


def test_viewing_the_log_is_itself_logged(team_lead, client):
    client.force_login(team_lead)
    client.get(URL, {"person": "Sanne"})
    entry = AccessLogEntry.objects.get(user=team_lead)
    assert entry.action == Action.SEARCH
    assert entry.purpose == Purpose.AUDIT
    assert "person=Sanne" in entry.detail


@pytest.mark.parametrize("persona", ["caseworker", "hub_home_parent", "liaison"])
def test_other_roles_are_refused_and_the_attempt_is_logged(persona, matrix, request):
    matrix.check([(persona, URL, 403)])
    user = request.getfixturevalue(persona)
    assert AccessLogEntry.objects.filter(user=user, outcome=Outcome.DENIED).count() == 1


def test_a_team_lead_sees_what_their_team_did_but_not_other_teams(
    team_lead, caseworker, other_caseworker, client
):
    access_log_write(user=caseworker, action=Action.VIEW, purpose=Purpose.CARE, detail="eigen team")
    access_log_write(
        user=other_caseworker, action=Action.VIEW, purpose=Purpose.CARE, detail="ander team"
    )
    client.force_login(team_lead)
    body = client.get(URL).content.decode()
    assert "eigen team" in body
    assert "ander team" not in body


def test_the_application_manager_sees_everything(app_manager, caseworker, other_caseworker, client):
    access_log_write(user=caseworker, action=Action.VIEW, purpose=Purpose.CARE, detail="eigen team")
    access_log_write(
        user=other_caseworker, action=Action.VIEW, purpose=Purpose.CARE, detail="ander team"
    )
    client.force_login(app_manager)
    body = client.get(URL).content.decode()
    assert "eigen team" in body and "ander team" in body


def test_search_by_person_user_action_and_period(app_manager, caseworker, other_caseworker, client):
    about_sanne = access_log_write(
        user=caseworker, action=Action.VIEW, purpose=Purpose.CARE, person=other_caseworker
    )
    access_log_write(user=other_caseworker, action=Action.CHANGE, purpose=Purpose.CARE)
    client.force_login(app_manager)
    page = client.get(URL, {"person": other_caseworker.last_name}).context["page"]
    assert list(page.object_list) == [about_sanne]
    name = f"{other_caseworker.first_name} {other_caseworker.last_name}"
    page = client.get(URL, {"user": name}).context["page"]
    assert {e.user_id for e in page.object_list} == {other_caseworker.pk}
    page = client.get(URL, {"action": "change"}).context["page"]
    assert [e.action for e in page.object_list] == ["change"]
    today = timezone.localdate()
    in_period = client.get(URL, {"period_start": today, "period_end": today}).context["page"]
    assert about_sanne in in_period.object_list
    before = today - dt.timedelta(days=30)
    past = client.get(URL, {"period_start": before, "period_end": before}).context["page"]
    assert past.paginator.count == 0


def test_end_before_start_gives_a_dutch_message_and_keeps_the_input(app_manager, client):
    client.force_login(app_manager)
    response = client.get(
        URL, {"period_start": "2026-03-10", "period_end": "2026-03-01", "person": "Sanne"}
    )
    body = response.content.decode()
    assert "De einddatum ligt vóór de begindatum." in body
    assert 'value="2026-03-10"' in body and 'value="Sanne"' in body


def test_with_htmx_only_the_search_block_is_sent(app_manager, client):
    client.force_login(app_manager)
    response = client.get(URL, {"person": "x"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="access-log-search"')
    assert "<html" not in body


def test_invalid_filters_show_the_message_and_no_unfiltered_rows(app_manager, caseworker, client):
    access_log_write(user=caseworker, action=Action.VIEW, purpose=Purpose.CARE, detail="geheim")
    client.force_login(app_manager)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(
            URL, {"period_start": "2026-03-10", "period_end": "2026-03-01"}, headers=headers
        )
        body = response.content.decode()
        assert "De einddatum ligt vóór de begindatum." in body
        assert "geheim" not in body


def test_the_log_page_runs_a_fixed_number_of_queries(
    app_manager, team_lead, caseworker, client, django_assert_max_num_queries, settings
):
    others = UserFactory.create_batch(3, team=caseworker.team)
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(
            user=user,
            user_label=str(user),
            role=user.role,
            on_behalf_of=team_lead,
            action=Action.VIEW,
            purpose=Purpose.CARE,
            person_label=f"Kind {i}",
        )
        for i in range(settings.PAGE_SIZE * 2 + 5)
        for user in [caseworker, *others][i % 4 : i % 4 + 1]
    )
    for viewer in (app_manager, team_lead):
        client.force_login(viewer)
        # session, user, count, page of entries (+ on_behalf_of joined), user choices, log write
        with django_assert_max_num_queries(10):
            response = client.get(URL)
        assert len(response.context["page"].object_list) == settings.PAGE_SIZE
        with django_assert_max_num_queries(10):
            client.get(URL, {"pagina": 2, "person": "Kind"})


def _entries_by(user, count):
    """``count`` entries by ``user``, a minute apart, the newest last; returned newest first."""
    start = timezone.now() - dt.timedelta(hours=1)
    entries = AccessLogEntry.objects.bulk_create(
        AccessLogEntry(
            at=start + dt.timedelta(minutes=i),
            user=user,
            user_label=str(user),
            role=user.role,
            action=Action.VIEW,
            purpose=Purpose.CARE,
            detail=f"dossier {i}",
        )
        for i in range(count)
    )
    return entries[::-1]


def test_past_the_most_counted_the_page_says_more_and_pages_through_the_newest(
    app_manager, caseworker, client, monkeypatch, settings
):
    monkeypatch.setattr(selectors, "ACCESS_LOG_MOST_COUNTED", 4)
    settings.PAGE_SIZE = 2
    newest_first = _entries_by(caseworker, 6)
    client.force_login(app_manager)
    response = client.get(URL, {"user": caseworker.last_name})
    body = response.content.decode()
    assert "Meer dan 4 regels" in body and "nieuwste 4" in body
    page = response.context["page"]
    assert (page.paginator.count, page.paginator.num_pages) == (4, 2)
    assert list(page.object_list) == newest_first[:2]
    # Past the last page of the newest four: that last page, as Django's paginator does.
    page = client.get(URL, {"user": caseworker.last_name, "pagina": 3}).context["page"]
    assert (page.number, list(page.object_list)) == (2, newest_first[2:4])


def test_up_to_the_most_counted_the_page_gives_the_exact_number(
    app_manager, caseworker, client, monkeypatch
):
    monkeypatch.setattr(selectors, "ACCESS_LOG_MOST_COUNTED", 4)
    _entries_by(caseworker, 4)
    client.force_login(app_manager)
    body = client.get(URL, {"user": caseworker.last_name}).content.decode()
    assert "4 regels" in body and "Meer dan" not in body


@pytest.mark.parametrize(
    ("search", "index"),
    [
        ({"user": "Jansen"}, "accesslog_user_label_trgm"),
        ({"user": "Wendy Jansen"}, "accesslog_user_label_trgm"),
        ({"person": "Sanne"}, "accesslog_person_label_trgm"),
    ],
)
def test_postgresql_can_search_names_through_the_trigram_indexes(
    requires_postgresql, app_manager, client, search, index
):
    """Every query the page runs on the log for a search by part of a name (the count and the
    page of rows) has a plan through the name's trigram index: with sequential scans and walks
    along another index ruled out, PostgreSQL must still find one. On a real log the planner
    then picks it for rare names and walks the log newest first for common ones."""
    AccessLogEntry.objects.create(
        user_label="Wendy Jansen (werker)",
        action=Action.VIEW,
        purpose=Purpose.CARE,
        person_label="Sanne de Vries",
    )
    client.force_login(app_manager)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, search).context["page"].paginator.count == 1
    table = AccessLogEntry._meta.db_table
    searches = [
        q["sql"]
        for q in captured
        if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"]
    ]
    assert len(searches) == 2  # the count and the page
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        for sql in searches:
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert f"Bitmap Index Scan on {index}" in plan, plan


@pytest.mark.parametrize("field", ["role", "action", "outcome", "purpose"])
def test_an_entry_labels_its_choices_as_django_displays_them(field):
    entry = AccessLogEntry()
    choices = AccessLogEntry._meta.get_field(field).flatchoices
    for value in [*(value for value, _label in choices), "", "onbekend"]:
        setattr(entry, field, value)
        shown = getattr(entry, f"get_{field}_display")()
        assert str(getattr(entry, f"{field}_label")) == str(shown)
