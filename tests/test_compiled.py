"""Compiled aggregates: compiled once, always run against the data as it is now."""

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from pleegzorg import compiled
from pleegzorg.factories import UserFactory
from pleegzorg.models import User


def _counts(username_start: str) -> dict:
    def build():
        aggregates = {
            "all": Count("pk"),
            "matching": Count("pk", filter=Q(username__startswith=username_start)),
        }
        return User.objects.all(), aggregates

    return compiled.aggregate(("test users", username_start), build)


def test_the_second_run_reuses_the_sql_and_sees_new_rows(db, django_assert_num_queries):
    compiled.clear()
    UserFactory(username="anna")
    first = _counts("an")
    assert first["matching"] == 1
    UserFactory(username="anton")
    with django_assert_num_queries(1):
        second = _counts("an")
    assert second == {"all": first["all"] + 1, "matching": 2}
    assert all(type(value) is int for value in second.values())


def test_other_arguments_are_another_query(db):
    compiled.clear()
    UserFactory(username="bert")
    assert _counts("an")["matching"] == 0
    assert _counts("be")["matching"] == 1


def test_the_keep_is_bounded(db, monkeypatch):
    compiled.clear()
    monkeypatch.setattr(compiled, "MAX_QUERIES", 2)
    for prefix in ("a", "b", "c"):
        _counts(prefix)
    assert compiled.size() == 2


def _per_role(username_start: str) -> list[dict]:
    def build():
        users = User.objects.filter(username__startswith=username_start)
        return users.values("role").annotate(n=Count("pk")).order_by()

    return compiled.rows(("test users per role", username_start), build)


def test_grouped_rows_are_compiled_once_and_read_fresh(db, django_assert_num_queries):
    compiled.clear()
    UserFactory(username="carla", role=User.Role.LIAISON)
    assert _per_role("ca") == [{"role": "liaison", "n": 1}]
    UserFactory(username="casper", role=User.Role.LIAISON)
    with django_assert_num_queries(1):
        assert _per_role("ca") == [{"role": "liaison", "n": 2}]
    assert compiled.rows(("none"), lambda: User.objects.filter(pk__in=[]).values("role")) == []


# -- model instances: compiled once, their ids as parameters --------------------------------


def _placements_of(*, child: int):
    from django.db.models import F

    from placements.models import Placement

    return (
        Placement.objects.filter(child_id=child)
        .select_related("family", "caseworker__team")
        .annotate(family_places=F("family__places"), kind_upper=Count("pk"))
        .order_by("-start_date", "-id")
    )


def _described(placements) -> list[tuple]:
    return [
        (
            p.pk,
            p.start_date,
            p.end_date,
            p.kind,
            p.family.name,
            p.family_places,
            p.kind_upper,
            p.caseworker.username if p.caseworker else None,
            p.caseworker.team.name if p.caseworker and p.caseworker.team else None,
            p._state.adding,
            p._state.db,
        )
        for p in placements
    ]


def test_instances_are_the_orm_s_with_related_rows_and_annotations(db):
    import datetime as dt

    from placements.factories import PlacementFactory

    compiled.clear()
    from pleegzorg.factories import TeamFactory

    first = PlacementFactory()
    first.caseworker.team = TeamFactory(name="Team Noord")
    first.caseworker.save(update_fields=["team"])
    PlacementFactory(
        child=first.child, kind="part_time", start_date=first.start_date - dt.timedelta(days=400)
    )
    kept = compiled.instances("test placements", _placements_of, child=first.child_id)
    assert len(kept) == 2
    assert _described(kept) == _described(_placements_of(child=first.child_id))


def test_instances_of_another_id_reuse_the_sql_and_see_changes_at_once(
    db, django_assert_num_queries
):
    from placements.factories import PlacementFactory

    compiled.clear()
    one, other = PlacementFactory(), PlacementFactory()
    compiled.instances("test placements", _placements_of, child=one.child_id)
    with django_assert_num_queries(1):
        kept = compiled.instances("test placements", _placements_of, child=other.child_id)
    assert [p.pk for p in kept] == [other.pk]
    assert compiled.size() == 1
    other.family.name = "Familie Nieuw"
    other.family.save(update_fields=["name"])
    PlacementFactory(child=other.child, kind="part_time")
    kept = compiled.instances("test placements", _placements_of, child=other.child_id)
    assert len(kept) == 2
    assert next(p for p in kept if p.pk == other.pk).family.name == "Familie Nieuw"
    assert _described(kept) == _described(_placements_of(child=other.child_id))


def test_an_id_that_is_more_than_a_parameter_is_refused(db):
    import pytest

    compiled.clear()

    def doubled(*, user: int):
        return User.objects.filter(pk__lte=user * 2)

    with pytest.raises(compiled.NotCompilable):
        compiled.instances("test doubled", doubled, user=3)
    assert compiled.size() == 0


def test_instances_of_a_query_that_matches_nothing_are_none(db, django_assert_num_queries):
    compiled.clear()
    with django_assert_num_queries(0):
        assert (
            compiled.instances("none", lambda *, user: User.objects.filter(pk__in=[]), user=1) == []
        )


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared on PostgreSQL only")
def test_an_aggregate_is_prepared_on_its_connection_and_nothing_else_is(
    db, django_assert_num_queries
):
    compiled.clear()
    UserFactory(username="anna")
    first = _counts("an")
    UserFactory(username="anton")
    with django_assert_num_queries(1):  # prepared and run: still one query
        second = _counts("an")
    with django_assert_num_queries(1):
        third = _counts("an")
    assert second == third == {"all": first["all"] + 1, "matching": 2}
    prepared = _prepared_statements()
    assert len(prepared) == 1
    assert "LIKE 'an%'" in prepared[0]  # its values written in: one plan, made knowing them


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared on PostgreSQL only")
def test_a_query_run_twice_on_a_connection_is_prepared(db, settings):
    """DJANGO_DB_PREPARE_THRESHOLD (2): psycopg prepares a statement once it has run that
    often on the connection, with its values sent apart (server-side binding)."""
    assert settings.DATABASES["default"]["OPTIONS"]["server_side_binding"] is True
    threshold = settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"]
    UserFactory(username="anna")
    for _ in range(threshold + 1):
        assert [user.username for user in User.objects.filter(username="anna")] == ["anna"]
    assert [user.username for user in User.objects.filter(username="bert")] == []
    statements = [s for s in _prepared_statements() if '"username" = $1' in s]
    assert len(statements) == 1  # one plan for every name asked


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared on PostgreSQL only")
def test_rows_asked_prepared_are_prepared_and_read_fresh_as_unprepared(
    db, django_assert_num_queries
):
    compiled.clear()
    UserFactory(username="petra", role=User.Role.LIAISON)

    def build():
        users = User.objects.filter(username__startswith="pe")
        return users.values("role").annotate(n=Count("pk")).order_by()

    assert compiled.rows("per role, prepared", build, prepared=True) == [
        {"role": "liaison", "n": 1}
    ]
    UserFactory(username="peter", role=User.Role.LIAISON)
    with django_assert_num_queries(1):  # prepared and run: still one query
        prepared = compiled.rows("per role, prepared", build, prepared=True)
    assert prepared == compiled.rows("per role", build) == [{"role": "liaison", "n": 2}]
    # prepared with its values written in; the unprepared one (run once) is not
    assert len([s for s in _prepared_statements() if "LIKE 'pe%'" in s]) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="written in on PostgreSQL only")
def test_values_but_the_ids_are_written_into_the_text(db):
    """Dates, texts and a percent sign of a value go into the text, quoted as psycopg quotes
    them; the whole numbers stay parameters, in their order; a literal %% stays as it was."""
    import datetime as dt

    sql = "SELECT 1 WHERE a IN (%s, %s) AND d <= %s AND s = %s AND t LIKE '5%%' AND n = %s"
    params = (7, 8, dt.date(2026, 1, 31), "it's 5%", 9)
    written, kept = compiled.values_written_in(connection, sql, params)
    assert kept == (7, 8, 9)
    assert "d <= '2026-01-31'::date" in written
    assert "s = 'it''s 5%%'" in written
    assert written.count("%s") == 3 and "LIKE '5%%'" in written
    # Placeholders that are not the values one for one: as it was.
    assert compiled.values_written_in(connection, sql, params[:2]) == (sql, params[:2])


def _per_role_since(usernames: list[str], since) -> list[dict]:
    def build():
        users = User.objects.filter(username__in=usernames, date_joined__date__gte=since)
        return users.values("role").annotate(n=Count("pk")).order_by()

    key = ("per role since", tuple(usernames), since)
    return compiled.rows(key, build, values_in_text=True)


def test_rows_with_their_values_in_the_text_are_the_orm_s_for_each_key(
    db, django_assert_num_queries
):
    """Each key its own answer, the same as the ORM's; read fresh, one query."""
    import datetime as dt

    compiled.clear()
    UserFactory(username="dirk", role=User.Role.LIAISON)
    UserFactory(username="dora", role=User.Role.TEAM_LEAD)
    today = timezone.localdate()
    assert _per_role_since(["dirk"], today) == [{"role": "liaison", "n": 1}]
    assert _per_role_since(["dora"], today) == [{"role": "team_lead", "n": 1}]
    assert _per_role_since(["dirk"], today + dt.timedelta(days=1)) == []
    UserFactory(username="dick", role=User.Role.LIAISON)
    with django_assert_num_queries(1):
        assert _per_role_since(["dirk", "dick"], today) == [{"role": "liaison", "n": 2}]
