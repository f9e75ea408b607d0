"""pleegzorg.db.tally_rows: aggregates over a queryset's rows, each row's columns computed once."""

from datetime import date, datetime

import pytest
from django.db.models import BooleanField, DateField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from pleegzorg.db import Tally, tally_rows
from pleegzorg.factories import TeamFactory, UserFactory
from pleegzorg.models import User

pytestmark = pytest.mark.django_db


def flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def noon(*day: int) -> datetime:
    return datetime(*day, 12, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def rows():
    north, south = TeamFactory(name="Noord"), TeamFactory(name="Zuid")
    joined = {"a": date(2026, 1, 5), "b": date(2026, 3, 1), "c": date(2025, 7, 9)}
    UserFactory(username="a", team=north, role="caseworker", date_joined=noon(2026, 1, 5))
    UserFactory(username="b", team=north, role="team_lead", date_joined=noon(2026, 3, 1))
    UserFactory(username="c", team=north, role="caseworker", is_active=False)
    UserFactory(username="d", team=south, role="caseworker", date_joined=noon(2025, 7, 9))
    columns = {
        "group": F("team__name"),
        "works": flag(Q(role="caseworker")),
        "active": flag(Q(is_active=True)),
        "joined": TruncDate("date_joined"),
    }
    queryset = User.objects.filter(team__isnull=False).annotate(**columns).values(*columns)
    return queryset, joined


def test_counts_with_where_and_unless_and_dates_as_python(rows):
    queryset, joined = rows
    result = {
        row["group"]: row
        for row in tally_rows(
            queryset,
            "group",
            {
                "people": Tally(),
                "working": Tally(where=("works", "active")),
                "not_working": Tally(where=("active",), unless=("works",)),
                "first": Tally("MIN", "joined", where=("active",), field=DateField()),
            },
        )
    }
    assert result["Noord"] == {
        "group": "Noord",
        "people": 3,
        "working": 1,
        "not_working": 1,
        "first": joined["a"],
    }
    assert result["Zuid"]["people"] == 1 and result["Zuid"]["first"] == joined["c"]


def test_refuses_a_column_the_rows_do_not_have_and_an_unknown_function(rows):
    queryset, _ = rows
    with pytest.raises(ValueError, match="no column"):
        tally_rows(queryset, "group", {"x": Tally(where=("password",))})
    with pytest.raises(ValueError, match="unknown aggregate"):
        tally_rows(queryset, "group", {"x": Tally("STRING_AGG", "joined")})


def test_unless_keeps_the_rows_whose_column_is_null(rows):
    """A rule's column is NULL where a comparison meets an empty value (never logged in): the
    rule is not met, so the row counts as "not that" (the dashboard's "due within 14 days" is
    "meets it then, unless it does today")."""
    queryset, _ = rows
    with_null = queryset.annotate(long_ago=flag(Q(last_login__lt=noon(2000, 1, 1)))).values(
        "group", "long_ago"
    )
    assert all(row["long_ago"] is None for row in with_null)
    result = {
        row["group"]: row["not_long_ago"]
        for row in tally_rows(with_null, "group", {"not_long_ago": Tally(unless=("long_ago",))})
    }
    assert result == {"Noord": 3, "Zuid": 1}
