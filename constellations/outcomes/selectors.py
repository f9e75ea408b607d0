"""The outcome monitor's figures: one function per measure, each one query for the chosen period
and the 24 months of its trend together (conditional aggregates per month), whatever the size.

**Inside or outside.** A care-day is *inside* when the placement's family was a member of a
constellation (any constellation) on that day, by the membership's join and leave dates
(``constellations.Membership``, both days included). An ending, a move, a start or a stop counts
on the day it happened: inside when the family was a member that day.

**Which placements.** Those of the region(s): the placement's caseworker works in a team of the
region. A foster family belongs to the region when it had a placement there, or a membership of
one of the region's constellations.

Every function takes ``regions`` (region ids) and ``windows``: named ``(first, last)`` date pairs,
both days included (the period, and each month of the trend), and answers per window a pair of
figures ``{"in": ..., "out": ...}``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least

from constellations.models import Membership, RespiteStay
from constellations.outcomes.sql import DaysBetween, day, overlap_days
from placements.models import CareKind, Child, FosterFamily, FosterFamilyStatusChange, Placement
from pleegzorg.models import Region, User

Windows = Mapping[str, tuple[dt.date, dt.date]]
SIDES = ("in", "out")
TREND_MONTHS = 24
NO_LIMIT = 2**62
END = Placement.EndReason
PART_TIME_KINDS = (CareKind.PART_TIME, CareKind.RESPITE)
MOVE_REASONS = [END.OTHER_FAMILY, END.PREMATURE]
USED_STAYS = Q(status__in=[RespiteStay.Status.CONFIRMED, RespiteStay.Status.COMPLETED])


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @classmethod
    def last_year_until(cls, end: dt.date) -> Period:
        """The 12 months up to and including ``end``."""
        return cls(_years_before(end, 1) + dt.timedelta(days=1), end)


def regions_visible_to(user: User) -> QuerySet[Region]:
    """A team lead: the regions of the teams they lead; an application manager: all."""
    if user.is_app_manager:
        return Region.objects.all()
    if user.is_team_lead:
        return Region.objects.filter(teams__lead=user).distinct()
    return Region.objects.none()


def trend_months(end: dt.date, count: int = TREND_MONTHS) -> list[tuple[dt.date, dt.date]]:
    """The ``count`` calendar months up to the one holding ``end`` (that one until ``end``)."""
    index = end.year * 12 + end.month - 1
    months = []
    for back in range(count - 1, -1, -1):
        year, month = divmod(index - back, 12)
        first = dt.date(year, month + 1, 1)
        next_year, next_month = divmod(index - back + 1, 12)
        last = dt.date(next_year, next_month + 1, 1) - dt.timedelta(days=1)
        months.append((first, min(last, end)))
    return months


def member_on(when: str | dt.date, family: str = "family") -> Exists:
    """The family (an outer field) was a member of a constellation on ``when`` (an outer date
    field's name, or a date)."""
    on = OuterRef(when) if isinstance(when, str) else day(when)
    return Exists(
        Membership.objects.filter(family=OuterRef(family), joined_on__lte=on).filter(
            Q(left_on__isnull=True) | Q(left_on__gte=on)
        )
    )


def only_if(condition: Q, inside: Exists) -> Case:
    """``inside`` where ``condition`` holds, else false: PostgreSQL evaluates a CASE lazily, so
    the membership is looked up only for the rows a measure counts."""
    return Case(When(condition, then=inside), default=Value(False), output_field=BooleanField())


def _placements(regions: Iterable[int]) -> QuerySet[Placement]:
    return Placement.objects.filter(caseworker__team__region__in=list(regions)).order_by()


def _once(rows: QuerySet) -> QuerySet:
    """The rows as a subquery that PostgreSQL computes once: a LIMIT keeps it from pulling the
    subquery up into the aggregate, where every FILTER that names an annotation (``inside``)
    would run its EXISTS again (hundreds of times per row for 24 months x 2 groups)."""
    return rows[:NO_LIMIT]


def _span(windows: Windows) -> tuple[dt.date, dt.date]:
    return min(a for a, _ in windows.values()), max(b for _, b in windows.values())


def _sides(row: dict, name: str, key: str) -> dict[str, int]:
    return {side: row[f"{name}_{side}_{key}"] or 0 for side in SIDES}


def _per_side(inside: Q | str) -> dict[str, Q]:
    condition = Q(**{inside: True}) if isinstance(inside, str) else inside
    return {"in": condition, "out": ~condition}


# -- the measures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """A measure over placements: its annotations, its conditional aggregates, and how to read
    the aggregated row. :func:`placement_measures` runs several of them in one query."""

    annotations: dict
    aggregates: dict
    read: Callable[[dict], dict]


def _overlapping(regions: Iterable[int], first: dt.date, last: dt.date) -> QuerySet[Placement]:
    """The region's placements that ran on some day of [first, last]."""
    return _placements(regions).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=first), start_date__lte=last
    )


def placement_measures(
    regions: Iterable[int], windows: Windows, measures: Sequence[Measure], *, first=None, last=None
) -> list[dict]:
    """Run ``measures`` together: one query over the placements that ran in the windows."""
    span_first, span_last = _span(windows)
    rows = _overlapping(
        regions, min(first or span_first, span_first), max(last or span_last, span_last)
    )
    for measure in measures:
        rows = rows.annotate(**measure.annotations)
    row = _once(rows).aggregate(**{k: v for m in measures for k, v in m.aggregates.items()})
    return [measure.read(row) for measure in measures]


def endings_measure(windows: Windows) -> Measure:
    """Placements that ended in each window (end date in it), and those among them that ended
    early (end reason *premature*), attributed by membership on the end date."""
    aggregates = {}
    for name, (a, b) in windows.items():
        ended = Q(end_date__gte=a, end_date__lte=b)
        for side, condition in _per_side("ended_inside").items():
            aggregates[f"{name}_{side}_ended"] = Count("pk", filter=ended & condition)
            aggregates[f"{name}_{side}_premature"] = Count(
                "pk", filter=ended & condition & Q(end_reason=END.PREMATURE)
            )

    def read(row):
        return {
            name: {"ended": _sides(row, name, "ended"), "premature": _sides(row, name, "premature")}
            for name in windows
        }

    return Measure(
        {"ended_inside": only_if(Q(end_date__isnull=False), member_on("end_date"))},
        aggregates,
        read,
    )


def endings(regions: Iterable[int], windows: Windows) -> dict[str, dict]:
    return placement_measures(regions, windows, [endings_measure(windows)])[0]


def care_days_measure(windows: Windows) -> Measure:
    """All care-days in each window: the overlap of each placement's [start, end] with it."""
    placement = ("start_date", "end_date")
    aggregates = {
        f"{name}_days": Sum(overlap_days(a, b, placement)) for name, (a, b) in windows.items()
    }
    return Measure({}, aggregates, lambda row: {name: row[f"{name}_days"] or 0 for name in windows})


def care_days(
    regions: Iterable[int], windows: Windows, total: dict[str, int] | None = None
) -> dict[str, dict[str, int]]:
    """Care-days in each window, inside and outside: *inside* the part of each placement's days
    that also overlaps a membership of its family, summed over placements x memberships (the
    memberships of one family never overlap, so their overlaps add up); outside = all - inside.
    ``total`` (from :func:`care_days_measure`) saves its query."""
    first, last = _span(windows)
    if total is None:
        total = placement_measures(regions, windows, [care_days_measure(windows)])[0]
    placement = ("start_date", "end_date")
    membership = ("family__memberships__joined_on", "family__memberships__left_on")
    inside = _overlapping(regions, first, last).aggregate(
        **{name: Sum(overlap_days(a, b, placement, membership)) for name, (a, b) in windows.items()}
    )
    return {
        name: {"in": inside[name] or 0, "out": total[name] - (inside[name] or 0)}
        for name in windows
    }


def moves_measure(windows: Windows) -> Measure:
    """Moves that happened in each window.

    A move is a placement P of a child, of any kind but respite, that starts in the window and
    whose child's latest earlier non-respite placement Q (the one started most recently before P)
    ended with reason *to another foster family* or *premature*. So the child's first placement
    is no move (there is no Q), a respite placement is none (neither as P nor as Q), and neither
    is a placement after a return home (Q ended with *return home*) or after any other reason.
    The move is attributed to the family the child left: inside when Q's family was a member of
    a constellation on Q's end date.
    """
    earlier = (
        Placement.objects.filter(child=OuterRef("child"), start_date__lt=OuterRef("start_date"))
        .exclude(kind=CareKind.RESPITE)
        .order_by("-start_date", "-pk")
    )
    annotations = {
        "left_reason": Subquery(earlier.values("end_reason")[:1]),
        "left_family": Subquery(earlier.values("family")[:1]),
        "left_on": Subquery(earlier.values("end_date")[:1]),
        "moved_inside": only_if(
            Q(left_reason__in=MOVE_REASONS), member_on("left_on", family="left_family")
        ),
    }
    move = ~Q(kind=CareKind.RESPITE) & Q(left_reason__in=MOVE_REASONS)
    aggregates = {
        f"{name}_{side}_moves": Count(
            "pk", filter=move & Q(start_date__gte=a, start_date__lte=b) & condition
        )
        for name, (a, b) in windows.items()
        for side, condition in _per_side("moved_inside").items()
    }
    return Measure(
        annotations, aggregates, lambda row: {n: _sides(row, n, "moves") for n in windows}
    )


def moves(regions: Iterable[int], windows: Windows) -> dict[str, dict[str, int]]:
    return placement_measures(regions, windows, [moves_measure(windows)])[0]


def children_with_many_placements(regions: Iterable[int], end: dt.date) -> dict[str, dict]:
    """Children with 3 or more placements (respite not counted) in the 12 months up to ``end``,
    of the children with at least one placement of the region in those months.

    A placement counts when it overlaps the 12 months (one that started before them counts too).
    A child is *inside* when the family of its latest such placement was a member of a
    constellation on that placement's last day within the 12 months."""
    start = Period.last_year_until(end).start
    of_child = (
        Placement.objects.filter(child=OuterRef("pk"), start_date__lte=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .exclude(kind=CareKind.RESPITE)
    )
    latest = of_child.order_by("-start_date", "-pk")
    last_day = Least(Coalesce("end_date", day(end)), day(end))
    number = of_child.order_by().values("child").annotate(n=Count("pk")).values("n")
    rows = (
        Child.objects.filter(Exists(of_child.filter(caseworker__team__region__in=list(regions))))
        .order_by()
        .annotate(
            placements_had=Subquery(number, output_field=IntegerField()),
            latest_family=Subquery(latest.values("family")[:1]),
            latest_day=Subquery(latest.annotate(d=last_day).values("d")[:1]),
        )
        .annotate(inside=member_on("latest_day", family="latest_family"))
    )
    aggregates = {}
    for side, condition in _per_side("inside").items():
        aggregates[f"p_{side}_children"] = Count("pk", filter=condition)
        aggregates[f"p_{side}_many"] = Count("pk", filter=condition & Q(placements_had__gte=3))
    row = _once(rows).aggregate(**aggregates)
    return {"children": _sides(row, "p", "children"), "many": _sides(row, "p", "many")}


def _families(regions: Iterable[int]) -> QuerySet[FosterFamily]:
    regions = list(regions)
    placed = Placement.objects.filter(family=OuterRef("pk"), caseworker__team__region__in=regions)
    joined = Membership.objects.filter(family=OuterRef("pk"), constellation__region__in=regions)
    return FosterFamily.objects.filter(Exists(placed) | Exists(joined)).order_by()


def family_stops(regions: Iterable[int], period: Period) -> dict[str, dict]:
    """Foster families active at the period's start (their latest status change on or before
    it says *active*), and those of them that stopped in the period (a status change to
    *stopped* in it), with their stop reasons.

    The active families are attributed by membership on the period's start; a stop on the day
    of the (first) stop in the period."""
    changes = FosterFamilyStatusChange.objects.filter(family=OuterRef("pk"))
    stopped = changes.filter(
        status=FosterFamily.Status.STOPPED,
        changed_on__gte=period.start,
        changed_on__lte=period.end,
    ).order_by("changed_on")
    rows = _families(regions).annotate(
        status_at_start=Subquery(
            changes.filter(changed_on__lte=period.start)
            .order_by("-changed_on", "-pk")
            .values("status")[:1]
        ),
        stopped_on=Subquery(stopped.values("changed_on")[:1]),
        inside_at_start=member_on(period.start, family="pk"),
        inside_at_stop=member_on("stopped_on", family="pk"),
    )
    active = Q(status_at_start=FosterFamily.Status.ACTIVE)
    stop = active & Q(stopped_on__isnull=False)
    aggregates = {}
    for side in SIDES:
        at_start = _per_side("inside_at_start")[side]
        at_stop = _per_side("inside_at_stop")[side]
        aggregates[f"p_{side}_active"] = Count("pk", filter=active & at_start)
        aggregates[f"p_{side}_stopped"] = Count("pk", filter=stop & at_stop)
        for reason in FosterFamily.StopReason.values:
            aggregates[f"p_{side}_{reason}"] = Count(
                "pk", filter=stop & at_stop & Q(stop_reason=reason)
            )
    row = _once(rows).aggregate(**aggregates)
    return {
        "active": _sides(row, "p", "active"),
        "stopped": _sides(row, "p", "stopped"),
        "reasons": {reason: _sides(row, "p", reason) for reason in FosterFamily.StopReason.values},
    }


def stops_per_window(regions: Iterable[int], windows: Windows) -> dict[str, dict[str, int]]:
    """Status changes to *stopped* in each window, attributed by membership on their day."""
    first, last = _span(windows)
    rows = (
        FosterFamilyStatusChange.objects.filter(
            status=FosterFamily.Status.STOPPED, changed_on__gte=first, changed_on__lte=last
        )
        .filter(family__in=_families(regions).values("pk"))
        .order_by()
        .annotate(inside=member_on("changed_on"))
    )
    aggregates = {
        f"{name}_{side}_stops": Count("pk", filter=Q(changed_on__gte=a, changed_on__lte=b) & cond)
        for name, (a, b) in windows.items()
        for side, cond in _per_side("inside").items()
    }
    row = _once(rows).aggregate(**aggregates)
    return {name: _sides(row, name, "stops") for name in windows}


def respite_nights(regions: Iterable[int], windows: Windows) -> dict[str, int]:
    """Nights of respite stays (confirmed or completed) at the hub homes of the region's
    constellations that fall in each window (a stay's nights run from arrival to the night before
    departure)."""
    first, last = _span(windows)
    rows = RespiteStay.objects.filter(
        USED_STAYS,
        constellation__region__in=list(regions),
        arrival__lte=last,
        departure__gt=first,
    ).order_by()

    def nights(a: dt.date, b: dt.date) -> Greatest:
        until = Least(F("departure"), day(b + dt.timedelta(days=1)))
        return Greatest(
            Value(0),
            DaysBetween(until, Greatest(F("arrival"), day(a))),
            output_field=IntegerField(),
        )

    row = rows.aggregate(**{name: Sum(nights(a, b)) for name, (a, b) in windows.items()})
    return {name: row[name] or 0 for name in windows}


def member_families(regions: Iterable[int], windows: Windows) -> dict[str, int]:
    """Families that were a member of one of the region's constellations on some day of each
    window."""
    first, last = _span(windows)
    rows = (
        Membership.objects.filter(constellation__region__in=list(regions), joined_on__lte=last)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=first))
        .order_by()
    )
    row = rows.aggregate(
        **{
            name: Count(
                "family",
                distinct=True,
                filter=Q(joined_on__lte=b) & (Q(left_on__isnull=True) | Q(left_on__gte=a)),
            )
            for name, (a, b) in windows.items()
        }
    )
    return {name: row[name] or 0 for name in windows}


def quarter_of(end: dt.date) -> tuple[Period, Period]:
    """The quarter holding ``end`` up to ``end``, and the same days a year earlier."""
    this = Period(dt.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end)
    return this, Period(_years_before(this.start, 1), _years_before(end, 1))


def crisis_and_part_time_measure(end: dt.date, windows: Windows) -> Measure:
    """Crisis placements started this quarter (the quarter holding ``end``, up to it) and in the
    same days a year earlier, and per window; attributed by membership on their start. And the
    placements active on ``end`` (``Placement.active_condition``), with those of part-time care
    (deeltijd/weekend and respite) among them, attributed by membership on ``end``."""
    this, last_year = quarter_of(end)
    crisis = Q(kind=CareKind.CRISIS)
    active = Placement.active_condition(end)
    started = _per_side("started_inside")
    at_end = _per_side("inside_at_end")
    quarters = {"this": (this.start, this.end), "last": (last_year.start, last_year.end)}
    aggregates = {}
    for side in SIDES:
        for name, (a, b) in {**windows, **quarters}.items():
            aggregates[f"{name}_{side}_crisis"] = Count(
                "pk", filter=crisis & Q(start_date__gte=a, start_date__lte=b) & started[side]
            )
        aggregates[f"p_{side}_active"] = Count("pk", filter=active & at_end[side])
        aggregates[f"p_{side}_part_time"] = Count(
            "pk", filter=active & at_end[side] & Q(kind__in=PART_TIME_KINDS)
        )

    def read(row):
        return {
            "quarter": this,
            "quarter_last_year": last_year,
            "crisis_this": _sides(row, "this", "crisis"),
            "crisis_last": _sides(row, "last", "crisis"),
            "crisis": {name: _sides(row, name, "crisis") for name in windows},
            "active": _sides(row, "p", "active"),
            "part_time": _sides(row, "p", "part_time"),
        }

    annotations = {
        "started_inside": only_if(crisis, member_on("start_date")),
        "inside_at_end": only_if(active, member_on(end)),
    }
    return Measure(annotations, aggregates, read)


def crisis_and_part_time(regions: Iterable[int], end: dt.date, windows: Windows) -> dict:
    last_year = quarter_of(end)[1]
    measure = crisis_and_part_time_measure(end, windows)
    return placement_measures(regions, windows, [measure], first=last_year.start, last=end)[0]


def _years_before(day_: dt.date, years: int) -> dt.date:
    try:
        return day_.replace(year=day_.year - years)
    except ValueError:  # 29 February
        return day_.replace(year=day_.year - years, day=28)
