"""Retention of the access log: kept at least 5 years, then purged by a nightly task; the
database lets nothing younger go, and nothing but the purge."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from config.celery import app as celery_app
from pleegzorg.audit import Action, Purpose
from pleegzorg.models import AccessLogEntry
from pleegzorg.retention import access_log_purge, years_before
from pleegzorg.tasks import purge_access_log

TABLE = AccessLogEntry._meta.db_table


def entry_at(moment: dt.datetime, **fields) -> AccessLogEntry:
    values = {"user_label": "Wendy (werker)", "action": Action.VIEW, "purpose": Purpose.CARE}
    return AccessLogEntry.objects.create(at=moment, **(values | fields))


def ago(*, years: int = 0, days: int = 0) -> dt.datetime:
    return years_before(timezone.now(), years) - dt.timedelta(days=days)


def remaining() -> set[int]:
    return set(AccessLogEntry.objects.values_list("pk", flat=True))


def test_the_purge_deletes_entries_older_than_five_years_and_keeps_the_rest(db):
    six_years = entry_at(ago(years=6))
    just_over = entry_at(ago(years=5, days=1))
    just_under = entry_at(ago(years=5) + dt.timedelta(days=1))
    yesterday = entry_at(ago(days=1))

    assert access_log_purge() == 2

    assert {six_years.pk, just_over.pk}.isdisjoint(remaining())
    assert {just_under.pk, yesterday.pk} <= remaining()


def test_the_purge_writes_how_many_went_and_that_entry_names_no_one(db):
    entry_at(ago(years=7), person_label="Sanne Visser")
    entry_at(ago(years=6), person_label="Sanne Visser")

    access_log_purge()

    purge = AccessLogEntry.objects.get(action=Action.DELETE)
    assert purge.user is None and purge.user_label == "bewaartermijn (automatisch)"
    assert purge.purpose == Purpose.ADMINISTRATION
    assert purge.detail.startswith("inzagelog opgeschoond: 2 regels van vóór ")
    assert "(bewaartermijn 5 jaar)" in purge.detail
    assert purge.person_label == purge.object_label == ""


def test_a_purge_with_nothing_to_do_writes_nothing(db):
    entry_at(ago(days=3))
    assert access_log_purge() == 0
    assert not AccessLogEntry.objects.filter(action=Action.DELETE).exists()


def test_proofs_of_destruction_are_kept_whatever_their_age(db):
    proof = entry_at(
        ago(years=12),
        action=Action.DELETE,
        purpose=Purpose.ADMINISTRATION,
        object_label="pleegkind 7",
    )
    access_log_purge()
    assert proof.pk in remaining()


def test_a_longer_period_from_the_setting_keeps_more(db, settings):
    settings.ACCESS_LOG_RETENTION_YEARS = 7
    six_years = entry_at(ago(years=6))
    eight_years = entry_at(ago(years=8))

    assert access_log_purge() == 1
    assert six_years.pk in remaining() and eight_years.pk not in remaining()


def test_the_purge_works_in_batches(db):
    old = [entry_at(ago(years=6, days=n)) for n in range(5)]
    assert access_log_purge(batch_size=2) == 5
    assert not {e.pk for e in old} & remaining()


def test_a_period_below_five_years_fails_the_system_check_and_the_purge(db, settings):
    settings.ACCESS_LOG_RETENTION_YEARS = 4
    entry = entry_at(ago(years=4, days=30))

    assert "pleegzorg.E001" in {message.id for message in run_checks()}
    with pytest.raises(ImproperlyConfigured, match="at least 5 years"):
        access_log_purge()
    assert entry.pk in remaining()


def test_a_case_file_period_below_twenty_years_fails_the_system_check(settings):
    settings.CASE_FILE_RETENTION_YEARS = 15
    assert "pleegzorg.E002" in {message.id for message in run_checks()}


def test_the_settings_as_shipped_pass_the_checks():
    ids = {message.id for message in run_checks()}
    assert not {"pleegzorg.E001", "pleegzorg.E002"} & ids


def test_beat_runs_the_purge_every_night():
    entry = settings.CELERY_BEAT_SCHEDULE["purge-access-log"]
    assert entry["task"] == "pleegzorg.tasks.purge_access_log"
    assert entry["schedule"].hour == {3}
    assert "pleegzorg.tasks.purge_access_log" in celery_app.tasks


def test_the_task_runs_the_purge(db):
    old = entry_at(ago(years=9))
    assert purge_access_log() == 1
    assert old.pk not in remaining()


def test_years_before_counts_calendar_years_and_a_leap_day():
    moment = dt.datetime(2028, 2, 29, 12, tzinfo=dt.UTC)
    assert years_before(moment, 5) == dt.datetime(2023, 2, 28, 12, tzinfo=dt.UTC)
    assert years_before(dt.datetime(2030, 6, 1, tzinfo=dt.UTC), 5).year == 2025


# -- the database's own guard (PostgreSQL) --------------------------------------------------------


def raw(sql: str, *params) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def purge_mode(on: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL pleegzorg.access_log_purge = '{'on' if on else 'off'}'")


def test_postgresql_refuses_a_delete_of_an_old_entry_outside_the_purge(requires_postgresql):
    old = entry_at(ago(years=8))
    with pytest.raises(DatabaseError, match="append-only"):
        raw(f"DELETE FROM {TABLE} WHERE id = %s", old.pk)
    assert old.pk in remaining()


def test_postgresql_refuses_the_purge_an_entry_younger_than_five_years(requires_postgresql):
    young = entry_at(ago(years=4, days=300))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        purge_mode(True)
        raw(f"DELETE FROM {TABLE} WHERE id = %s", young.pk)
    assert young.pk in remaining()


def test_postgresql_refuses_every_update_even_in_purge_mode(requires_postgresql):
    old = entry_at(ago(years=8))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        purge_mode(True)
        raw(f"UPDATE {TABLE} SET detail = 'x' WHERE id = %s", old.pk)


def test_postgresql_lets_the_purge_delete_an_entry_older_than_five_years(requires_postgresql):
    old = entry_at(ago(years=5, days=2))
    with transaction.atomic():
        purge_mode(True)
        raw(f"DELETE FROM {TABLE} WHERE id = %s", old.pk)
    assert old.pk not in remaining()


def test_postgresql_holds_five_years_when_the_clock_or_the_setting_says_less(
    requires_postgresql, settings
):
    """A purge computed from a clock two years ahead asks to delete entries of four years:
    the database refuses, and the batch deletes nothing."""
    old, young = entry_at(ago(years=9)), entry_at(ago(years=4))
    with pytest.raises(DatabaseError, match="append-only"):
        access_log_purge(now=timezone.now() + dt.timedelta(days=2 * 366))
    assert {old.pk, young.pk} <= remaining()


def test_postgresql_purge_mode_ends_with_the_purge(requires_postgresql):
    """Even inside a caller's longer transaction (here: the test's), deletes are refused again
    once the purge is done."""
    entry_at(ago(years=6))
    later = entry_at(ago(years=7))
    access_log_purge(batch_size=1)
    assert later.pk not in remaining()
    another = entry_at(ago(years=8))
    with pytest.raises(DatabaseError, match="append-only"):
        raw(f"DELETE FROM {TABLE} WHERE id = %s", another.pk)
