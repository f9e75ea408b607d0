"""Compiled aggregates: compiled once, always run against the data as it is now."""

import pytest
from django.db import connection
from django.db.models import Count, Q

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
    for _ in range(10):  # Django's own queries stay unprepared, however often they run
        list(User.objects.filter(username="anna"))
    prepared = _prepared_statements()
    assert len(prepared) == 1
    assert "LIKE 'an%'" in prepared[0]  # its values written in: one plan, made knowing them


def _prepared_per_role(username_start: str) -> list[dict]:
    def build():
        users = User.objects.filter(username__startswith=username_start)
        return users.values("role").annotate(n=Count("pk")).order_by()

    return compiled.rows(("test prepared users per role", username_start), build, prepare=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared on PostgreSQL only")
def test_rows_asked_to_be_prepared_are_prepared_and_read_fresh(db, django_assert_num_queries):
    compiled.clear()
    UserFactory(username="dora", role=User.Role.LIAISON)
    assert _prepared_per_role("do") == [{"role": "liaison", "n": 1}]
    UserFactory(username="doortje", role=User.Role.LIAISON)
    with django_assert_num_queries(1):  # prepared and run: still one query, counted
        assert _prepared_per_role("do") == [{"role": "liaison", "n": 2}]
    (prepared,) = _prepared_statements()
    assert "LIKE 'do%'" in prepared  # its values written in
    assert _per_role("do") == [{"role": "liaison", "n": 2}]  # not asked: not prepared
    assert len(_prepared_statements()) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared on PostgreSQL only")
def test_a_connection_keeps_a_bounded_number_of_prepared_statements(db, monkeypatch):
    compiled.clear()
    monkeypatch.setattr(compiled, "PREPARED_MAX", 2)
    connection.ensure_connection()
    raw = connection.connection  # as a new connection: the first prepared cursor sets the bound
    monkeypatch.setattr(raw, "prepared_max", raw.prepared_max)  # restored afterwards
    monkeypatch.setattr(raw, "prepare_threshold", None)
    UserFactory(username="emma", role=User.Role.LIAISON)
    for prefix in ("a", "b", "c", "d", "e"):
        _prepared_per_role(prefix)
    assert _prepared_per_role("e") == [{"role": "liaison", "n": 1}]
    assert len(_prepared_statements()) == 2  # the ones used longest ago are deallocated
