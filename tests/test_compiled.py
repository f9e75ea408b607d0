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
