"""pleegzorg.db.RelatedRows: related rows as one JSON column of the outer query, read back with
their Python types, on PostgreSQL and SQLite alike."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Q

from placements.factories import PlacementFactory
from placements.models import CaseworkerAssignment, Child
from pleegzorg import db as db_module
from pleegzorg.db import RelatedRows

ASSIGNMENTS = RelatedRows(
    CaseworkerAssignment,
    link="placement__child",
    fields=(
        "id",
        "caseworker__username",
        "start_date",
        "end_date",
        "family_informed",
        "created_at",
    ),
)


def rows_of(child, rows=ASSIGNMENTS):
    column = Child.objects.filter(pk=child.pk).annotate(rows=rows.subquery()).values("rows").get()
    return rows.parse(column["rows"])


def test_the_rows_of_one_child_come_back_with_their_types(db, django_assert_num_queries):
    placement = PlacementFactory(caseworker__username="wendy")
    PlacementFactory(child=placement.child, kind="part_time", caseworker__username="wim")
    PlacementFactory(caseworker__username="someone_else")  # another child's: not in the column
    rows_of(placement.child)  # SQLite asks its version once per connection
    with django_assert_num_queries(1):
        rows = sorted(rows_of(placement.child), key=lambda row: row["id"])
    assert [row["caseworker__username"] for row in rows] == ["wendy", "wim"]
    first = rows[0]
    assert first["start_date"] == placement.start_date and first["end_date"] is None
    assert first["family_informed"] is False
    assert isinstance(first["created_at"], dt.datetime) and first["created_at"].tzinfo is not None
    assert abs(
        first["created_at"] - CaseworkerAssignment.objects.get(pk=first["id"]).created_at
    ) < (dt.timedelta(seconds=1))


def test_no_rows_is_an_empty_list_and_a_condition_narrows_them(db):
    placement = PlacementFactory(caseworker__username="wendy")
    nobody = RelatedRows(
        CaseworkerAssignment,
        link="placement__child",
        fields=("id",),
        condition=Q(caseworker__username="wim"),
    )
    assert rows_of(placement.child, nobody) == []
    assert len(rows_of(placement.child)) == 1


@pytest.mark.parametrize("in_sql", [True, False])
def test_rows_come_in_their_order_where_the_database_orders_aggregates_and_where_not(
    db, monkeypatch, in_sql
):
    """PostgreSQL orders STRING_AGG; SQLite before 3.44 cannot, and the rows carry their order
    keys for parse() to sort by: the same order either way (NULL last ascending)."""
    if in_sql and not connection.features.supports_aggregate_order_by_clause:
        pytest.skip("this database cannot order an aggregate")
    monkeypatch.setattr(db_module, "_orders_aggregates", lambda: in_sql)
    first = PlacementFactory(caseworker__username="wendy")
    child = first.child
    for name in ("anna", "zoe", "bram"):
        PlacementFactory(child=child, kind="part_time", caseworker__username=name)
    CaseworkerAssignment.objects.filter(placement__child=child).update(end_date=None)
    CaseworkerAssignment.objects.filter(caseworker__username="bram").update(
        end_date=dt.date(2026, 1, 1)
    )
    ordered = RelatedRows(
        CaseworkerAssignment,
        link="placement__child",
        fields=("caseworker__username", "end_date"),
        order_by=("end_date", "-caseworker__username"),
    )
    rows = rows_of(child, ordered)
    assert [row["caseworker__username"] for row in rows] == ["bram", "zoe", "wendy", "anna"]
    assert set(rows[0]) == {"caseworker__username", "end_date"}  # no order keys left
