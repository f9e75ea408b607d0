"""pleegzorg.db.RelatedRows: related rows as one JSON column of the outer query, read back with
their Python types, on PostgreSQL and SQLite alike."""

import datetime as dt

from django.db.models import Q

from placements.factories import PlacementFactory
from placements.models import CaseworkerAssignment, Child
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
