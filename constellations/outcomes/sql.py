"""Date arithmetic for the outcome monitor's aggregates: overlaps of periods in days."""

from __future__ import annotations

import datetime as dt

from django.db.models import DateField, F, Func, IntegerField, Value
from django.db.models.functions import Coalesce, Greatest, Least

FAR_FUTURE = dt.date(9999, 12, 31)


class DaysBetween(Func):
    """``end - start`` in days (an integer) for two dates."""

    output_field = IntegerField()
    arg_joiner = " - "
    template = "(%(expressions)s)"

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


def day(value: dt.date) -> Value:
    return Value(value, output_field=DateField())


def overlap_days(start: dt.date, end: dt.date, *periods: tuple) -> Greatest:
    """Days in common (ends included) of [start, end] and each (first, last) pair of fields;
    a last of None (still running) counts as open-ended; never negative."""
    firsts = [day(start)] + [
        Coalesce(F(first), day(FAR_FUTURE)) if isinstance(first, str) else first
        for first, _ in periods
    ]
    lasts = [day(end)] + [
        Coalesce(F(last), day(FAR_FUTURE)) if isinstance(last, str) else last for _, last in periods
    ]
    return Greatest(
        Value(0),
        DaysBetween(Least(*lasts), Greatest(*firsts)) + Value(1),
        output_field=IntegerField(),
    )
