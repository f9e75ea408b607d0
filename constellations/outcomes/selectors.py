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
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import reduce

from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, Lead, Least, Mod

from constellations.models import Membership, RespiteStay
from constellations.outcomes.sql import FAR_FUTURE, DaysBetween, day, overlap_days
from placements.models import CareKind, FosterFamily, FosterFamilyStatusChange, Placement
from pleegzorg import compiled
from pleegzorg.models import Region, User

Windows = Mapping[str, tuple[dt.date, dt.date]]
SIDES = ("in", "out")
TREND_MONTHS = 24
# The latest placement as one number: days since EPOCH x ID_SPAN + id (ids stay below 2**31).
EPOCH = dt.date(1900, 1, 1)
ID_SPAN = 2**31
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


def membership_on(on, path: str = "family__memberships") -> FilteredRelation:
    """A join to the family's membership on a day (a field's name, an expression or a date):
    at most one row, since a family's memberships never overlap. A join, not a lookup per row:
    the measures below attribute tens of thousands of rows at once."""
    if isinstance(on, str):
        on = F(on)
    elif isinstance(on, dt.date):
        on = day(on)
    return FilteredRelation(
        path,
        condition=Membership.during_condition(on, on, prefix=f"{path}__"),
    )


def joined(alias: str) -> Q:
    """The row found a membership through the :func:`membership_on` join named ``alias``."""
    return Q(**{f"{alias}__id__isnull": False})


def _placements(regions: Iterable[int]) -> QuerySet[Placement]:
    # The region's caseworkers as a set PostgreSQL hashes once (some thousand users), not a
    # join of every placement to its caseworker and their team.
    return Placement.objects.filter(caseworker__in=_caseworkers(regions)).order_by()


def _caseworkers(regions: Iterable[int]) -> QuerySet[User]:
    return User.objects.filter(team__region__in=list(regions)).values("pk")


def _span(windows: Windows) -> tuple[dt.date, dt.date]:
    return min(a for a, _ in windows.values()), max(b for _, b in windows.values())


def _sides(row: dict, name: str, key: str) -> dict[str, int]:
    return {side: row[f"{name}_{side}_{key}"] or 0 for side in SIDES}


def _per_side(inside: Q) -> dict[str, Q]:
    return {"in": inside, "out": ~inside}


def _next(field: str) -> Window:
    """``field`` of the child's next placement in order of start (respite in a sequence of its
    own, so that a respite stay is never the placement before or after another)."""
    respite = Case(When(kind=CareKind.RESPITE, then=Value(1)), default=Value(0))
    return Window(
        Lead(field),
        partition_by=[F("child"), respite],
        order_by=[F("start_date").asc(), F("pk").asc()],
    )


# -- the measures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """A measure over placements: its conditional aggregates and how to read the aggregated row.
    :func:`placement_measures` runs several of them in one query; ``needs_next`` when the
    aggregates read the child's next placement."""

    name: str  # with every argument the aggregates depend on besides the windows and regions
    # Builds the aggregates: only when the query is compiled (pleegzorg.compiled), since
    # building some hundred conditional aggregates costs more than running the query kept.
    aggregates: Callable[[], dict]
    read: Callable[[dict], dict]
    needs_next: bool = False
    # The first day the aggregates look at, when before the windows (None: their first day).
    since: dt.date | None = None
    # Grouped (see placement_measures): the columns the rows are grouped by, and the aggregates
    # per group; ``aggregates`` then aggregate the groups. None: ``aggregates`` read the rows.
    keys: Callable[[], dict] | None = None
    per_group: Callable[[], dict] | None = None
    # Only the rows where this holds can count (a condition that may read the next placement):
    # the aggregates then read those rows alone. None: every row.
    counts_only: Callable[[], Q] | None = None


def placement_measures(
    regions: Iterable[int],
    windows: Windows,
    measures: Sequence[Measure],
    *,
    last=None,
    children: QuerySet | None = None,
) -> list[dict]:
    """Run ``measures`` together: one query over the placements up to the windows' end, with
    their family's membership on their start and on their end (joins). Each measure counts the
    region's placements itself (:data:`IN_REGION`).

    When a measure needs the child's next placement (a window function: ``next_start``,
    ``next_region``), the query runs over every placement of the region's children, since a move
    needs the placement before whatever its region. Keep those measures apart from the others:
    aggregating over a window function makes Django wrap the query and rewrite every aggregate,
    which costs more than the query it saves. ``children`` narrows those children (the ids of
    the only ones the measures can count).

    Grouped measures (``keys``) count events by their day: the rows are grouped by the day and
    side of each event (an ending, a crisis start: a few thousand groups of some 30,000
    placements), and the conditional aggregates per window read the groups. Each window's
    condition is then tested once per group instead of once per placement: of the hundreds of
    aggregates only those that read a placement's own dates (care-days, active on a day) stay
    per row (``per_group``)."""
    regions = list(regions)
    last = max(last or _span(windows)[1], _span(windows)[1])
    needs_next = any(measure.needs_next for measure in measures)
    grouped = [measure.keys is not None for measure in measures]
    if any(grouped) and not all(grouped):
        raise ValueError("grouped measures run apart from the others")
    key = ("placements", tuple(m.name for m in measures), last)

    def build():
        rows = _measured_placements(regions, windows, measures, last, needs_next, children)
        aggregates = {k: v for m in measures for k, v in m.aggregates().items()}
        if all(grouped):
            if needs_next:
                raise ValueError("a measure over the next placement cannot be grouped")
            keys, per_group = {}, {}
            for measure in measures:
                for into, more in ((keys, measure.keys()), (per_group, measure.per_group())):
                    for name, expression in more.items():
                        if into.setdefault(name, expression) != expression:
                            raise ValueError(f"two measures group by another {name!r}")
            rows = rows.annotate(**keys).values(*keys).annotate(**per_group)
        elif all(measure.counts_only is not None for measure in measures):
            # As a column, so that a condition on the next placement applies after the window
            # function (PostgreSQL's rows of the window, then the filter: Django's "qualify").
            can_count = reduce(operator.or_, (measure.counts_only() for measure in measures))
            rows = rows.annotate(can_count=_flag(can_count)).filter(can_count=True)
        return rows, aggregates

    row = _aggregate(key, regions, windows, build)
    return [measure.read(row) for measure in measures]


def _measured_placements(regions, windows, measures, last, needs_next, children) -> QuerySet:
    """The rows of :func:`placement_measures`."""
    if children is None:
        children = _placements(regions).values("child")
    if needs_next:
        rows = Placement.objects.filter(child__in=children)
    else:
        # Without the next placement, one that ended before the first day counts nowhere.
        first = min([_span(windows)[0], *(m.since for m in measures if m.since)])
        rows = _placements(regions).filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
    rows = (
        rows.filter(start_date__lte=last)
        .order_by()
        .alias(
            at_start=membership_on("start_date"),
            at_end=membership_on("end_date"),
            # Over the region's placements only, that is every row: no test per row needed.
            in_region=Case(
                When(caseworker__team__region__in=regions, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
            if needs_next
            else Value(True),
        )
    )
    if needs_next:
        rows = rows.annotate(
            next_start=_next("start_date"), next_region=_next("caseworker__team__region")
        )
    return rows


def _aggregate(key: tuple, regions: list[int], windows: Windows, build: Callable[[], tuple]):
    """``rows.aggregate(**aggregates)`` for the ``(rows, aggregates)`` that ``build`` returns,
    compiled once per process for these arguments (:mod:`pleegzorg.compiled`: the key names
    the query and everything it depends on); ``build`` runs only to compile it."""
    full_key = (__name__, *key, tuple(regions), tuple(windows.items()))
    return compiled.aggregate(full_key, build)


IN_REGION = Q(in_region=True)


def _flag(condition: Q) -> Case:
    """A condition as a column to group by."""
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def _placements_per_group() -> dict:
    return {"placements": Count("pk")}


def endings_measure(windows: Windows) -> Measure:
    """Placements that ended in each window (end date in it), and those among them that ended
    early (end reason *premature*), attributed by membership on the end date."""

    first, last = _span(windows)

    def keys():
        # Grouped by the day of the ending (none: not ended in the windows), its side and
        # whether it was premature.
        ended = IN_REGION & Q(end_date__gte=first, end_date__lte=last)
        return {
            "ended_on": Case(When(ended, then=F("end_date")), default=None),
            "ended_inside": _flag(joined("at_end")),
            "ended_premature": _flag(Q(end_reason=END.PREMATURE)),
        }

    def aggregates():
        counts = {}
        for name, (a, b) in windows.items():
            ended = Q(ended_on__gte=a, ended_on__lte=b)
            for side, value in (("in", True), ("out", False)):
                condition = ended & Q(ended_inside=value)
                counts[f"{name}_{side}_ended"] = Sum("placements", filter=condition)
                counts[f"{name}_{side}_premature"] = Sum(
                    "placements", filter=condition & Q(ended_premature=True)
                )
        return counts

    def read(row):
        return {
            name: {"ended": _sides(row, name, "ended"), "premature": _sides(row, name, "premature")}
            for name in windows
        }

    return Measure("endings", aggregates, read, keys=keys, per_group=_placements_per_group)


def endings(regions: Iterable[int], windows: Windows) -> dict[str, dict]:
    return placement_measures(regions, windows, [endings_measure(windows)])[0]


def _stretch_of_care(windows: Windows) -> dict:
    """A placement's days within the windows' span, as grouping columns: placements with the
    same first and last day there count the same in every window (some 4,000 pairs of
    28,000 placements over two years; every placement that ran throughout is one)."""
    first, last = _span(windows)
    return {
        "care_from": Greatest(F("start_date"), day(first)),
        "care_until": Least(Coalesce(F("end_date"), day(last)), day(last)),
    }


def care_days_measure(windows: Windows) -> Measure:
    """All care-days in each window: the overlap of each placement's [start, end] with it,
    summed over the groups of placements with the same days in the windows' span."""
    stretch = ("care_from", "care_until")

    def aggregates():
        return {
            f"{name}_days": Sum(
                overlap_days(a, b, stretch) * F("placements"), output_field=BigIntegerField()
            )
            for name, (a, b) in windows.items()
        }

    return Measure(
        "care_days",
        aggregates,
        lambda row: {name: row[f"{name}_days"] or 0 for name in windows},
        keys=lambda: _stretch_of_care(windows),
        per_group=_placements_per_group,
    )


def care_days(
    regions: Iterable[int], windows: Windows, totals: dict | None = None
) -> dict[str, dict]:
    """What counts per day, inside and outside, in one query over the placements joined to
    their families' memberships: per window the care-days *inside* (the part of each
    placement's days that also overlaps a membership, summed over placements x memberships: the
    memberships of one family never overlap, so their overlaps add up), and the placements
    active on its last day, and in part-time care, whose family was a member that day (at most
    one membership can hold that day, so no row counts twice). Outside is all minus inside;
    all comes from ``totals``: a row of :func:`care_days_measure` and
    :func:`crisis_and_part_time_measure` (run here when not given).

    Returns ``{"days": {window: {"in", "out"}}, "active": ..., "part_time": ...}``."""
    first, last = _span(windows)
    if totals is None:
        totals = placement_measures(
            regions,
            windows,
            [care_days_measure(windows), crisis_and_part_time_measure(last, windows)],
        )
        totals = {"days": totals[0], **totals[1]}
    joined_on, left_on = "family__memberships__joined_on", "family__memberships__left_on"
    stretch = ("inside_from", "inside_until")

    def build():
        # Only placements with a membership of their family that overlaps the windows count
        # inside (an inner join): most families never were a member. Grouped by the days the
        # placement and the membership have in common within the windows' span (a window's
        # care-days inside are its overlap with them; a placement active on its last day
        # whose family was a member then is one whose days in common hold that day).
        groups = (
            _placements(regions)
            .filter(
                Q(end_date__isnull=True) | Q(end_date__gte=first),
                Membership.during_condition(first, last, prefix="family__memberships__"),
                start_date__lte=last,
            )
            .annotate(
                inside_from=Greatest(F("start_date"), F(joined_on), day(first)),
                inside_until=Least(
                    Coalesce(F("end_date"), day(last)), Coalesce(F(left_on), day(last)), day(last)
                ),
                part_time=_flag(Q(kind__in=PART_TIME_KINDS)),
            )
            .values("inside_from", "inside_until", "part_time")
            .annotate(placements=Count("pk"))
        )
        aggregates = {}
        for name, (a, b) in windows.items():
            aggregates[f"{name}_days"] = Sum(
                overlap_days(a, b, stretch) * F("placements"), output_field=BigIntegerField()
            )
            active = Q(inside_from__lte=b, inside_until__gte=b)
            aggregates[f"{name}_active"] = Sum("placements", filter=active)
            aggregates[f"{name}_part_time"] = Sum("placements", filter=active & Q(part_time=True))
        return groups, aggregates

    inside = _aggregate(("inside",), list(regions), windows, build)
    figures = {}
    for key in ("days", "active", "part_time"):
        figures[key] = {
            name: {
                "in": inside[f"{name}_{key}"] or 0,
                "out": (totals[key][name] or 0) - (inside[f"{name}_{key}"] or 0),
            }
            for name in windows
        }
    return figures


def moves_measure(windows: Windows, regions: Iterable[int]) -> Measure:
    """Moves that happened in each window.

    A move is a placement P of a child, of any kind but respite, that starts in the window and
    follows (in order of start) a non-respite placement Q of the same child that ended with
    reason *to another foster family* or *premature*. So the child's first placement is no move
    (there is no Q), a respite placement is none (neither as P nor as Q), and neither is a
    placement after a return home (Q ended with *return home*) or after any other reason. A move
    counts for P's region and is attributed to the family the child left: inside when Q's
    family was a member of a constellation on Q's end date. Counted on Q's row: its next
    placement is P.
    """
    move = Q(end_reason__in=MOVE_REASONS) & ~Q(kind=CareKind.RESPITE)  # the rare one first
    move &= Q(next_region__in=list(regions))
    first, last = _span(windows)

    def aggregates():
        return {
            f"{name}_{side}_moves": Count(
                "pk", filter=move & Q(next_start__gte=a, next_start__lte=b) & condition
            )
            for name, (a, b) in windows.items()
            for side, condition in _per_side(joined("at_end")).items()
        }

    return Measure(
        "moves",
        aggregates,
        lambda row: {n: _sides(row, n, "moves") for n in windows},
        True,
        # Some 2,700 of 15,500 rows at sector scale: the 50 aggregates read only those.
        counts_only=lambda: move & Q(next_start__gte=first, next_start__lte=last),
    )


def moves(regions: Iterable[int], windows: Windows) -> dict[str, dict[str, int]]:
    """:func:`moves_measure`, over the placements of the children who could have moved in the
    windows: those with a placement of the region, not respite, that started in them (the one
    moved to); all of such a child's placements, since the one moved from can be older."""
    first, last = _span(windows)
    children = (
        _placements(regions)
        .exclude(kind=CareKind.RESPITE)
        .filter(start_date__gte=first, start_date__lte=last)
        .values("child")
    )
    measure = moves_measure(windows, regions)
    return placement_measures(regions, windows, [measure], children=children)[0]


def children_with_many_placements(regions: Iterable[int], windows: Windows) -> dict[str, dict]:
    """Per window: children with 3 or more placements (respite not counted) in the 12 months up
    to the window's last day, of the children with at least one placement of the region in
    those months.

    A placement counts when it overlaps the 12 months (one that started before them counts too).
    A child is *inside* when the family of its latest placement in the 12 months (the last to
    start, by start and then id) was a member of a constellation on that placement's last day
    within them.

    Two queries. Most children had one placement in all the months the windows span, with a
    family that was a member of a constellation at most once: that one placement decides,
    counted per placement (:func:`_children_with_one_placement`). The others are counted per
    child (:func:`_children_with_several_placements`)."""
    regions = list(regions)
    years = {name: Period.last_year_until(b) for name, (_a, b) in windows.items()}
    first = min(year.start for year in years.values())
    last = max(year.end for year in years.values())
    counted = (
        Placement.objects.exclude(kind=CareKind.RESPITE)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first), start_date__lte=last)
        .order_by()
    )
    several = counted.values("child").annotate(n=Count("pk")).filter(n__gte=2).values("child")
    rejoined = (
        Membership.objects.order_by()
        .values("family")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .values("family")
    )
    # Each of these in the WHERE: one hashed lookup per row.
    apart = Q(child__in=several) | Q(family__in=rejoined)
    # A child with one placement counts when that placement is of the region.
    one_placement = counted.exclude(apart).filter(caseworker__team__region__in=regions)
    several_placements = counted.filter(apart).filter(
        child__in=_placements(regions).values("child")
    )
    # Windows ending on the same day have the same 12 months (the period and its last month,
    # as a rule): counted once.
    first_named = {}
    for name, year in years.items():
        first_named.setdefault(year, name)
    distinct = {name: year for year, name in first_named.items()}
    one = _children_with_one_placement(regions, windows, distinct, one_placement)
    more = _children_with_several_placements(regions, windows, distinct, several_placements)
    counted_as = {name: first_named[year] for name, year in years.items()}
    return {
        name: {
            "children": {side: one[same][side] + more[same]["children"][side] for side in SIDES},
            "many": more[same]["many"],
        }
        for name, same in counted_as.items()
    }


def _flag_on_last_day(year: Period) -> tuple[Q, Q]:
    """Whether a placement overlaps ``year``, and whether its family was a member on the
    placement's last day within it (over the join to the family's memberships: at most one
    membership holds on a day)."""
    a, b = year.start, year.end
    overlaps = Q(start_date__lte=b) & (Q(end_date__isnull=True) | Q(end_date__gte=a))
    on = Least(Coalesce("end_date", day(b)), day(b))
    return overlaps, Membership.during_condition(on, on, prefix="family__memberships__")


def _children_with_one_placement(regions, windows, years, rows) -> dict[str, dict[str, int]]:
    """Children whose one placement in the months (``rows``: those of the region) overlaps a
    window's 12 months: inside when its family was a member on its last day in them. The
    family was a member at most once, so the join to its memberships gives the placement one
    row.

    Grouped first by the placement's days within the months the windows' years span and its
    family's membership (some 8,000 groups of 21,000 placements at sector scale): each year's
    conditions are then tested per group, not per placement."""
    first = min(year.start for year in years.values())
    last = max(year.end for year in years.values())

    def build():
        groups = (
            rows.annotate(
                care_from=Greatest(F("start_date"), day(first)),
                care_until=Least(Coalesce(F("end_date"), day(last)), day(last)),
                member_from=F("family__memberships__joined_on"),
                member_until=Coalesce(F("family__memberships__left_on"), day(FAR_FUTURE)),
            )
            .values("care_from", "care_until", "member_from", "member_until")
            .annotate(placements=Count("pk"))
        )
        aggregates = {}
        for name, year in years.items():
            overlaps = Q(care_from__lte=year.end, care_until__gte=year.start)
            # The placement's last day in the year (care_until is its last day up to `last`).
            on = Least(F("care_until"), day(year.end))
            member = Q(member_from__lte=on, member_until__gte=on)
            aggregates[f"{name}_all"] = Sum("placements", filter=overlaps)
            aggregates[f"{name}_in"] = Sum("placements", filter=overlaps & member)
        return groups, aggregates

    row = _aggregate(("children, one placement",), regions, windows, build)
    return {
        name: {
            "in": row[f"{name}_in"] or 0,
            "out": (row[f"{name}_all"] or 0) - (row[f"{name}_in"] or 0),
        }
        for name in years
    }


def _children_with_several_placements(regions, windows, years, rows) -> dict[str, dict]:
    """Children with two or more placements in the months (or one with a family that was a
    member more than once), in three levels: each placement
    joined to its family's memberships (a family can have had more than one); per child and
    window the placements counted, whether one was of the region, and the latest placement as
    one number (its start in days, its id, and last whether its family was a member: the
    greatest such number is the latest placement's, and its last bit says inside); per window
    the children."""

    def build():
        annotated = rows.annotate(
            in_region=Case(
                When(caseworker__team__region__in=regions, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            order=DaysBetween(F("start_date"), day(EPOCH))
            * Value(ID_SPAN, output_field=BigIntegerField())
            + F("pk"),
        )
        per_child = {}
        for name, year in years.items():
            overlaps, member = _flag_on_last_day(year)
            flag = Case(When(member, then=Value(1)), default=Value(0))
            per_child[f"{name}_n"] = Count("pk", distinct=True, filter=overlaps)
            per_child[f"{name}_r"] = Max("in_region", filter=overlaps)
            per_child[f"{name}_l"] = Max(
                F("order") * Value(2) + flag, filter=overlaps, output_field=BigIntegerField()
            )
        children = (
            annotated.order_by()
            .values("child")
            .annotate(**per_child)
            .annotate(
                **{f"{name}_i": Mod(F(f"{name}_l"), Value(2)) for name in years},
            )
        )
        aggregates = {}
        for name in years:
            counted = Q(**{f"{name}_n__gte": 1, f"{name}_r": 1})
            many = counted & Q(**{f"{name}_n__gte": 3})
            for side, value in (("in", 1), ("out", 0)):
                inside = Q(**{f"{name}_i": value})
                aggregates[f"{name}_{side}_children"] = Count("child", filter=counted & inside)
                aggregates[f"{name}_{side}_many"] = Count("child", filter=many & inside)
        return children, aggregates

    row = _aggregate(("children, several",), regions, windows, build)
    return {
        name: {"children": _sides(row, name, "children"), "many": _sides(row, name, "many")}
        for name in years
    }


def _families(regions: Iterable[int]) -> QuerySet[FosterFamily]:
    regions = list(regions)
    placed = Placement.objects.filter(family=OuterRef("pk"), caseworker__team__region__in=regions)
    joined_ = Membership.objects.filter(family=OuterRef("pk"), constellation__region__in=regions)
    return FosterFamily.objects.filter(Exists(placed) | Exists(joined_)).order_by()


def _of_families(regions: list[int], field: str = "family") -> Q:
    """The rows whose ``field`` is a family of :func:`_families`, as two sets PostgreSQL hashes
    once each (``_families`` itself, as a join, makes the planner look the family up per row)."""
    placed = _placements(regions).values("family")
    joined_ = Membership.objects.filter(constellation__region__in=regions).values("family")
    return Q(**{f"{field}__in": placed}) | Q(**{f"{field}__in": joined_})


def _families_active_on(on: dt.date) -> QuerySet:
    """The ids of the families active on a day: their latest status change on or before it
    (by day, then id) says *active*. A set, not a lookup per family: PostgreSQL hashes it once."""
    later = FosterFamilyStatusChange.objects.filter(
        Q(changed_on__gt=OuterRef("changed_on"))
        | Q(changed_on=OuterRef("changed_on"), pk__gt=OuterRef("pk")),
        family=OuterRef("family"),
        changed_on__lte=on,
    )
    return (
        FosterFamilyStatusChange.objects.filter(
            changed_on__lte=on, status=FosterFamily.Status.ACTIVE
        )
        .filter(~Exists(later))
        .values("family")
        .order_by()
    )


def family_stops(
    regions: Iterable[int], period: Period, windows: Windows | None = None
) -> dict[str, dict]:
    """Foster families active at the period's start (their latest status change on or before
    it says *active*), and those of them that stopped in the period (a status change to
    *stopped* in it), with their stop reasons; with ``windows``, also the
    :func:`stops_per_window` (``per_window``), from the same query.

    The active families are attributed by membership on the period's start; a stop on the day
    it happened (a family that stopped twice in the period, once inside and once outside,
    counts on both sides, once on each). Two queries: the families, and the stops."""
    active_at_start = _families_active_on(period.start)
    regions = list(regions)
    families = _families(regions)
    per_window = dict(windows or {})
    windows = {"p": (period.start, period.end)}
    members_at_start = Membership.objects.filter(
        Membership.during_condition(period.start, period.start)
    ).values("family")
    at_start = _aggregate(
        ("families at start",),
        regions,
        windows,
        # All, and inside (outside is the difference): sets PostgreSQL hashes once each. (Counted
        # over the families' latest status changes instead, it was 20 ms faster at sector scale,
        # but ten times the sector it ran for more than ten minutes: make bench-growth.)
        lambda: (
            families,
            {
                "p_all_active": Count("pk", filter=Q(pk__in=active_at_start)),
                "p_in_active": Count(
                    "pk", filter=Q(pk__in=members_at_start) & Q(pk__in=active_at_start)
                ),
            },
        ),
    )
    at_start["p_out_active"] = (at_start["p_all_active"] or 0) - (at_start["p_in_active"] or 0)

    def build():
        first, last = _span({**windows, **per_window})
        stops = (
            FosterFamilyStatusChange.objects.filter(
                status=FosterFamily.Status.STOPPED, changed_on__gte=first, changed_on__lte=last
            )
            .filter(Exists(families.filter(pk=OuterRef("family"))))
            .order_by()
            .alias(member=membership_on("changed_on"))
        )
        in_period = Q(changed_on__gte=period.start, changed_on__lte=period.end)
        aggregates = _stops_per_window_aggregates(per_window)
        for side, condition in _per_side(joined("member")).items():
            # In the aggregate, not the WHERE: PostgreSQL then plans a hash join.
            # Per stop (few rows), where the families' query above hashes the whole set.
            active = Q(Exists(active_at_start.filter(family=OuterRef("family"))))
            condition = in_period & condition & active
            aggregates[f"p_{side}_stopped"] = Count("family", distinct=True, filter=condition)
            for reason in FosterFamily.StopReason.values:
                aggregates[f"p_{side}_{reason}"] = Count(
                    "family", distinct=True, filter=condition & Q(family__stop_reason=reason)
                )
        return stops, aggregates

    key_windows = {**windows, **{f"w{name}": window for name, window in per_window.items()}}
    stopped = _aggregate(("stops",), regions, key_windows, build)
    row = {**at_start, **stopped}
    figures = {
        "active": _sides(row, "p", "active"),
        "stopped": _sides(row, "p", "stopped"),
        "reasons": {reason: _sides(row, "p", reason) for reason in FosterFamily.StopReason.values},
    }
    if per_window:
        figures["per_window"] = {name: _sides(row, f"w{name}", "stops") for name in per_window}
    return figures


def _stops_per_window_aggregates(windows: Windows, prefix: str = "w") -> dict:
    """Per window and side: the status changes to *stopped* on a day in it (the rows are
    status changes, joined to the membership on their day as ``member``)."""
    return {
        f"{prefix}{name}_{side}_stops": Count(
            "pk", filter=Q(changed_on__gte=a, changed_on__lte=b) & condition
        )
        for name, (a, b) in windows.items()
        for side, condition in _per_side(joined("member")).items()
    }


def stops_per_window(regions: Iterable[int], windows: Windows) -> dict[str, dict[str, int]]:
    """Status changes to *stopped* in each window, attributed by membership on their day (the
    report reads them with :func:`family_stops`, in one query with the period's stops)."""
    first, last = _span(windows)
    rows = (
        FosterFamilyStatusChange.objects.filter(
            status=FosterFamily.Status.STOPPED, changed_on__gte=first, changed_on__lte=last
        )
        .filter(family__in=_families(regions).values("pk"))
        .order_by()
        .alias(member=membership_on("changed_on"))
    )
    row = _aggregate(
        ("stops per window",),
        list(regions),
        windows,
        lambda: (rows, _stops_per_window_aggregates(windows, prefix="")),
    )
    return {name: _sides(row, name, "stops") for name in windows}


def respite_nights(regions: Iterable[int], windows: Windows) -> dict[str, int]:
    """Nights of respite stays (confirmed or completed) at the hub homes of the region's
    constellations that fall in each window (a stay's nights run from arrival to the night before
    departure). Counted per arrival and departure (some 1,700 pairs of 16,000 stays at sector
    scale), the windows' sums then read the pairs."""
    first, last = _span(windows)
    regions = list(regions)

    def nights(a: dt.date, b: dt.date) -> Greatest:
        until = Least(F("departure"), day(b + dt.timedelta(days=1)))
        return Greatest(
            Value(0),
            DaysBetween(until, Greatest(F("arrival"), day(a))),
            output_field=IntegerField(),
        )

    def build():
        stays = (
            RespiteStay.objects.filter(
                USED_STAYS,
                constellation__region__in=regions,
                arrival__lte=last,
                departure__gt=first,
            )
            .order_by()
            .values("arrival", "departure")
            .annotate(stays=Count("pk"))
        )
        return stays, {
            name: Sum(nights(a, b) * F("stays"), output_field=BigIntegerField())
            for name, (a, b) in windows.items()
        }

    row = _aggregate(("nights",), regions, windows, build)
    return {name: row[name] or 0 for name in windows}


def member_families(regions: Iterable[int], windows: Windows) -> dict[str, int]:
    """Families that were a member of one of the region's constellations on some day of each
    window."""
    first, last = _span(windows)
    rows = Membership.objects.filter(
        Membership.during_condition(first, last), constellation__region__in=list(regions)
    ).order_by()

    def build():
        during = {name: Membership.during_condition(a, b) for name, (a, b) in windows.items()}
        return rows, {
            name: Count("family", distinct=True, filter=condition)
            for name, condition in during.items()
        }

    row = _aggregate(("members",), list(regions), windows, build)
    return {name: row[name] or 0 for name in windows}


def quarter_of(end: dt.date) -> tuple[Period, Period]:
    """The quarter holding ``end`` up to ``end``, and the same days a year earlier."""
    this = Period(dt.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end)
    return this, Period(_years_before(this.start, 1), _years_before(end, 1))


def crisis_and_part_time_measure(end: dt.date, windows: Windows) -> Measure:
    """Crisis placements started this quarter (the quarter holding ``end``, up to it) and in the
    same days a year earlier, and per window; attributed by membership on their start. And per
    window the placements active on its last day (``Placement.active_condition``) and those of
    part-time care (deeltijd/weekend and respite) among them, all of them: :func:`care_days`
    counts those inside, the rest is outside."""
    this, last_year = quarter_of(end)
    quarters = {"this": (this.start, this.end), "last": (last_year.start, last_year.end)}
    first, last = _span({**windows, **quarters})

    def keys():
        # Grouped by the day of the crisis start (none: no crisis start in the windows) and
        # its side.
        crisis = (
            Q(kind=CareKind.CRISIS) & IN_REGION & Q(start_date__gte=first, start_date__lte=last)
        )
        # And by the days of care in the windows (active on a window's last day: those days
        # hold it) and whether it is part-time care.
        return {
            "crisis_on": Case(When(crisis, then=F("start_date")), default=None),
            "started_inside": _flag(joined("at_start")),
            "part_time": _flag(Q(kind__in=PART_TIME_KINDS)),
            **_stretch_of_care(windows),
        }

    def aggregates():
        counts = {}
        for name, (a, b) in {**windows, **quarters}.items():
            for side, value in (("in", True), ("out", False)):
                counts[f"{name}_{side}_crisis"] = Sum(
                    "placements",
                    filter=Q(crisis_on__gte=a, crisis_on__lte=b, started_inside=value),
                )
        for name, (_a, b) in windows.items():
            active = Q(care_from__lte=b, care_until__gte=b)
            counts[f"{name}_active"] = Sum("placements", filter=active)
            counts[f"{name}_part_time"] = Sum("placements", filter=active & Q(part_time=True))
        return counts

    def read(row):
        return {
            "quarter": this,
            "quarter_last_year": last_year,
            "crisis_this": _sides(row, "this", "crisis"),
            "crisis_last": _sides(row, "last", "crisis"),
            "crisis": {name: _sides(row, name, "crisis") for name in windows},
            "active": {name: row[f"{name}_active"] or 0 for name in windows},
            "part_time": {name: row[f"{name}_part_time"] or 0 for name in windows},
        }

    return Measure(
        f"crisis {end}",
        aggregates,
        read,
        since=last_year.start,
        keys=keys,
        per_group=_placements_per_group,
    )


def crisis_and_part_time(regions: Iterable[int], end: dt.date, windows: Windows) -> dict:
    """Crisis starts per :func:`crisis_and_part_time_measure`; placements active and in part-time
    care on each window's last day, inside and outside (the inside ones from
    :func:`care_days`)."""
    figures = placement_measures(regions, windows, [crisis_and_part_time_measure(end, windows)])[0]
    inside = care_days(regions, windows)
    return {**figures, "active": inside["active"], "part_time": inside["part_time"]}


def _years_before(day_: dt.date, years: int) -> dt.date:
    try:
        return day_.replace(year=day_.year - years)
    except ValueError:  # 29 February
        return day_.replace(year=day_.year - years, day=28)
