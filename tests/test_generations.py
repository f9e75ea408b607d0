"""pleegzorg.generations: a result is kept only for as long as the tables it read stay as they
were. Every write to a tracked table is counted (a trigger inserts a row, in the writing
transaction), and the outcome monitor's figures come fresh after any such write."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from constellations.factories import ConstellationFactory
from constellations.models import Membership
from constellations.outcomes import selectors
from constellations.outcomes.report import outcome_report
from constellations.outcomes.selectors import Period
from placements.factories import FosterFamilyFactory, PlacementFactory
from placements.models import FosterFamilyStatusChange, Placement
from pleegzorg import generations
from pleegzorg.factories import TeamFactory
from pleegzorg.models import TableWrite, User
from pleegzorg.tasks import prune_table_writes

pytestmark = pytest.mark.usefixtures("requires_postgresql")

D = dt.date
YEAR = Period(D(2025, 1, 1), D(2025, 12, 31))
# The tables the outcome monitor reads, each with a trigger from its app's migration.
TRACKED = {
    "pleegzorg_user",
    "pleegzorg_team",
    "placements_placement",
    "placements_fosterfamily",
    "placements_fosterfamilystatuschange",
    "constellations_constellation",
    "constellations_membership",
    "constellations_respitestay",
}


def generation(table: str) -> tuple[int, int]:
    return generations.read()[table]


def test_the_outcome_monitors_tables_are_tracked(db):
    assert set(generations.read()) == TRACKED


def test_every_kind_of_write_gives_a_new_generation(caseworker):
    before = generation("placements_placement")
    placement = PlacementFactory(caseworker=caseworker)
    created = generation("placements_placement")
    Placement.objects.filter(pk=placement.pk).update(end_note="x")
    updated = generation("placements_placement")
    placement.delete()
    deleted = generation("placements_placement")
    assert before < created < updated < deleted


def test_a_user_counts_only_when_their_team_changes(caseworker):
    before = generation("pleegzorg_user")
    User.objects.filter(pk=caseworker.pk).update(last_login=dt.datetime.now(dt.UTC))
    assert generation("pleegzorg_user") == before  # logging in changes no figure
    User.objects.filter(pk=caseworker.pk).update(team=TeamFactory(name="Elders"))
    assert generation("pleegzorg_user") > before


def test_what_a_rolled_back_write_showed_is_never_shown_again(caseworker):
    with pytest.raises(RuntimeError), transaction.atomic():
        PlacementFactory(caseworker=caseworker)
        undone = generation("placements_placement")
        raise RuntimeError
    assert generation("placements_placement") != undone
    PlacementFactory(caseworker=caseworker)  # the same number of writes again
    assert generation("placements_placement") != undone


def test_pruning_keeps_every_count(caseworker):
    for _ in range(3):
        PlacementFactory(caseworker=caseworker)
    before = generations.read()
    assert prune_table_writes() > 0
    assert generations.read() == before
    assert TableWrite.objects.filter(table_name="placements_placement").count() == 1
    assert prune_table_writes() == 0  # nothing left to fold


@pytest.mark.django_db(transaction=True)
def test_writers_of_a_table_do_not_wait_for_each_other(caseworker):
    """The trigger only inserts: a transaction that wrote placements and is still open does
    not hold up another that writes placements (an update of a shared row would)."""
    written, release = threading.Event(), threading.Event()

    def open_writer():
        try:
            with transaction.atomic():
                PlacementFactory(caseworker=caseworker)
                written.set()
                release.wait(10)
        finally:
            connections.close_all()

    writer = threading.Thread(target=open_writer)
    writer.start()
    try:
        assert written.wait(10)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
            PlacementFactory(caseworker=caseworker)  # would time out behind a lock
    finally:
        release.set()
        writer.join(10)


def test_a_result_has_a_name_only_in_a_snapshot_and_only_over_tracked_tables(db):
    sql = 'SELECT COUNT(*) FROM "placements_placement"'
    assert generations.result_key(sql, ()) is None  # no snapshot
    with generations.snapshot():
        first = generations.result_key(sql, ())
        assert first is not None
        assert generations.result_key('SELECT 1 FROM "pleegzorg_accesslogentry"', ()) is None
        assert generations.result_key(sql, (1,)) != first
    PlacementFactory()
    with generations.snapshot():
        assert generations.result_key(sql, ()) != first


@pytest.fixture
def figures(caseworker, team):
    family = FosterFamilyFactory()
    FosterFamilyStatusChange.objects.create(
        family=family, status="active", changed_on=D(2024, 1, 1)
    )
    PlacementFactory(
        caseworker=caseworker,
        family=family,
        start_date=D(2024, 6, 1),
        end_date=D(2025, 3, 31),
        end_reason=Placement.EndReason.PREMATURE,
    )
    return [team.region_id], family


def ended(regions) -> dict:
    """The endings in 2025 ({"ended": {"in", "out"}, "premature": ...}), through the kept
    results as the report reads them."""
    with generations.snapshot():
        return selectors.endings(regions, {"p": (YEAR.start, YEAR.end)})["p"]


def test_the_outcome_monitor_asks_again_only_after_a_write(figures):
    regions, _ = figures
    outcome_report(regions, YEAR)
    with CaptureQueriesContext(connection) as unchanged:
        outcome_report(regions, YEAR)
    assert len(unchanged) == 1  # the generations; every figure was kept
    PlacementFactory()  # any write to a table the figures read: asked again, harmless or not
    with CaptureQueriesContext(connection) as changed:
        outcome_report(regions, YEAR)
    assert len(changed) > 1


def test_kept_figures_follow_each_table_they_read(figures, caseworker):
    regions, family = figures
    assert ended(regions) == {"ended": {"in": 0, "out": 1}, "premature": {"in": 0, "out": 1}}
    with CaptureQueriesContext(connection) as kept:
        ended(regions)
    assert len(kept) == 1  # the generations only
    PlacementFactory(
        caseworker=caseworker,
        family=family,
        start_date=D(2025, 4, 1),
        end_date=D(2025, 5, 1),
        end_reason=Placement.EndReason.RETURN_HOME,
    )
    assert ended(regions)["ended"] == {"in": 0, "out": 2}
    # A membership from before: the family's endings count inside.
    Membership.objects.create(
        constellation=ConstellationFactory(start_date=D(2020, 1, 1)),
        family=family,
        joined_on=D(2020, 1, 1),
    )
    assert ended(regions)["ended"] == {"in": 2, "out": 0}
    # The caseworker moves to a team of another region: the placements leave this one.
    User.objects.filter(pk=caseworker.pk).update(team=TeamFactory(name="Elders"))
    assert ended(regions)["ended"] == {"in": 0, "out": 0}
