"""Read-side queries for constellation pages: each a fixed number of queries whatever the size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone

from constellations.fidelity import selectors as fidelity
from constellations.models import (
    MIN_MEMBERS,
    Attendance,
    Bed,
    Constellation,
    Gathering,
    Membership,
    ParentParticipation,
    RespiteStay,
)
from constellations.permissions import constellations, member_children
from constellations.permissions import stays as stay_policy
from placements.models import Child, FosterFamily, FosterParent, OwnChild, Parent, Placement
from pleegzorg.charts import Chart
from pleegzorg.db import RelatedRows
from pleegzorg.models import User

# The hub-home parents' names, read with the constellation itself (constellations.views).
HUB_PARENTS = RelatedRows(User, link="hub_homes__constellation", fields=("first_name", "last_name"))


def last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the calendar month before ``today``'s."""
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def without_gathering_last_month(today: dt.date) -> Q:
    """Open constellations that existed all last month and had no gathering in it."""
    first, last = last_month(today)
    gathered = Gathering.objects.filter(
        constellation=OuterRef("pk"), date__gte=first, date__lte=last
    )
    return Q(start_date__lte=first) & ~Q(status=Constellation.Status.CLOSED) & ~Exists(gathered)


def with_flags(queryset: QuerySet[Constellation], today: dt.date) -> QuerySet[Constellation]:
    current = Q(memberships__joined_on__lte=today) & (
        Q(memberships__left_on__isnull=True) | Q(memberships__left_on__gte=today)
    )
    return queryset.annotate(
        member_count=Count("memberships", filter=current, distinct=True),
        no_gathering=Q(without_gathering_last_month(today)),
    ).annotate(
        in_formation=ExpressionWrapper(
            Q(member_count__lt=MIN_MEMBERS) | Q(status=Constellation.Status.FORMING),
            output_field=BooleanField(),
        )
    )


def constellation_list(user: User, *, search: str = "") -> QuerySet[Constellation]:
    today = timezone.localdate()
    queryset = constellations.visible_to(user).select_related("region", "liaison", "hub__family")
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search) | Q(hub__family__name__icontains=search)
        )
    return with_flags(queryset, today).order_by("name", "pk")


@dataclass
class Figures:
    """Nights used at the hub home: per month (the last 12) and per member family, and the
    months as a bar chart (shown with the table beside it)."""

    months: list[dict] = field(default_factory=list)
    families: list[dict] = field(default_factory=list)
    total: int = 0
    planned: int = 0
    unplanned: int = 0
    chart: Chart | None = None


def figures(constellation: Constellation, today: dt.date, memberships: list) -> Figures:
    """Two queries, both aggregates in the database: the nights per month (a stay over a month's
    end counts its nights in each month) and per family, up to tonight."""
    this_month = fidelity.first_of_month(today)
    months = fidelity.month_list(fidelity.add_months(this_month, -11), this_month, today)
    per_month = fidelity.night_counts([constellation.pk], months).get(constellation.pk, {})
    rows = [
        (m.first, _days(per_month.get(f"p{i}")), _days(per_month.get(f"u{i}")))
        for i, m in enumerate(months)
    ]
    first, until = months[0].first, today + dt.timedelta(days=1)
    nights = fidelity.nights_between(first, until)
    inside = Q(arrival__lt=until, departure__gt=first)
    per_family = {
        row.pop("family"): row
        for row in RespiteStay.objects.filter(
            RespiteStay.HOLDS_BED, inside, constellation=constellation
        )
        .values("family")
        .annotate(
            stays=Count("pk"),
            planned_nights=Sum(nights, filter=Q(planned=True)),
            unplanned_nights=Sum(nights, filter=Q(planned=False)),
        )
        .order_by()
    }
    result = Figures(months=fidelity.nights_table(rows))
    for membership in memberships:
        counts = per_family.get(membership.family_id, {})
        planned = _days(counts.get("planned_nights"))
        unplanned = _days(counts.get("unplanned_nights"))
        result.families.append(
            {
                "membership": membership,
                "family": membership.family,
                "stays": counts.get("stays", 0),
                "planned": planned,
                "unplanned": unplanned,
                "total": planned + unplanned,
            }
        )
    result.planned = sum(m["planned"] for m in result.months)
    result.unplanned = sum(m["unplanned"] for m in result.months)
    result.total = result.planned + result.unplanned
    result.chart = fidelity.nights_chart(str(constellation), rows)
    return result


def _days(duration: dt.timedelta | None) -> int:
    return duration.days if duration is not None else 0


def for_page(constellations_: QuerySet[Constellation], on) -> QuerySet[Constellation]:
    """The constellations as :func:`constellation_page` reads them: :func:`with_flags`, and
    the hub-home parents' names in the same query."""
    return with_flags(constellations_, on).annotate(hub_parent_rows=HUB_PARENTS.subquery())


def constellation_page(constellation: Constellation, user: User) -> dict:
    """Everything the constellation page shows; ``constellation`` comes :func:`for_page`."""
    today = timezone.localdate()
    memberships = list(
        constellation.memberships.select_related("family")
        .prefetch_related("family__foster_parents")
        .order_by("left_on", "family__name")
    )
    current = [m for m in memberships if m.is_current(today)]
    history = [m for m in memberships if m not in current]
    hub = getattr(constellation, "hub", None)
    sees_care_facts = constellations.sees_care_facts(user, constellation)
    beds = list(Bed.objects.in_use(constellation)) if hub else []
    gatherings = list(
        constellation.gatherings.annotate(present=Count("attendance")).order_by("-date")[:6]
    )
    contacts = list(constellation.support_contacts.select_related("family")[:8])
    parents = list(
        ParentParticipation.objects.filter(constellation=constellation)
        .filter(Q(until__isnull=True) | Q(until__gte=today))
        .select_related("parent")
    )
    return {
        "constellation": constellation,
        "hub": hub,
        "hub_parents": HUB_PARENTS.parse(constellation.hub_parent_rows) if hub else [],
        "beds": beds,
        "members": current,
        "history": history,
        "in_formation": Constellation.in_formation(len(current))
        or constellation.status == Constellation.Status.FORMING,
        "parents": parents,
        "gatherings": gatherings,
        "contacts": contacts,
        "no_gathering": constellation.no_gathering,
        "last_month": last_month(today)[0],
        "figures": figures(constellation, today, current),
        "children": (
            list(member_children(constellation, today).order_by("first_name", "last_name"))
            if sees_care_facts
            else []
        ),
        "can_change": constellations.can_change(user, constellation),
        "can_book": constellations.can_book(user, constellation),
        "sees_care_facts": sees_care_facts,
    }


@dataclass
class Cell:
    night: dt.date
    bed: Bed
    stay: RespiteStay | None = None
    starts: bool = False
    name: str = ""


def calendar(constellation: Constellation, user: User, start: dt.date, days: int) -> dict:
    """Beds x nights from ``start``: one row per night, one column per bed. Three queries."""
    beds = list(Bed.objects.in_use(constellation))
    end = start + dt.timedelta(days=days)
    stays = list(
        RespiteStay.objects.filter(
            RespiteStay.HOLDS_BED, bed__in=beds, arrival__lt=end, departure__gt=start
        )
        .select_related("child")
        .order_by("arrival")
    )
    readable = stay_policy.readable_child_ids(user, stays)
    by_bed_night = {}
    for stay in stays:
        night = max(stay.arrival, start)
        while night < min(stay.departure, end):
            by_bed_night[(stay.bed_id, night)] = stay
            night += dt.timedelta(days=1)
    rows = []
    for offset in range(days):
        night = start + dt.timedelta(days=offset)
        cells = []
        for bed in beds:
            stay = by_bed_night.get((bed.pk, night))
            name = ""
            if stay is not None:
                name = stay.child.first_name if stay.child_id in readable else ""
            cells.append(
                Cell(
                    night=night,
                    bed=bed,
                    stay=stay,
                    starts=bool(stay and (stay.arrival == night or night == start)),
                    name=name,
                )
            )
        rows.append({"night": night, "cells": cells, "free": sum(1 for c in cells if not c.stay)})
    return {"beds": beds, "rows": rows, "stays": stays, "readable": readable}


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class Period:
    """The nights the calendar shows, and where "previous" and "next" go."""

    start: dt.date
    days: int
    previous: dt.date
    following: dt.date

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=self.days - 1)


def calendar_period(day: dt.date, *, month: bool) -> Period:
    """The week (from Monday) or the calendar month that holds ``day``."""
    if month:
        start = day.replace(day=1)
        days = ((start + dt.timedelta(days=32)).replace(day=1) - start).days
        previous = (start - dt.timedelta(days=1)).replace(day=1)
        return Period(start, days, previous, start + dt.timedelta(days=days))
    start = week_start(day)
    return Period(start, 7, start - dt.timedelta(days=7), start + dt.timedelta(days=7))


def calendar_page(
    constellation: Constellation, user: User, *, day: dt.date, month: bool, today: dt.date
) -> dict:
    """The calendar page for the week or month of ``day``: the grid, the way to the periods
    around it and how many beds are free tonight (when tonight is shown)."""
    period = calendar_period(day, month=month)
    grid = calendar(constellation, user, period.start, period.days)
    tonight = next((row for row in grid["rows"] if row["night"] == today), None)
    return {
        "constellation": constellation,
        "start": period.start,
        "end": period.end,
        "previous": period.previous,
        "following": period.following,
        "today": today,
        "can_book": constellations.can_book(user, constellation),
        **grid,
        "free_tonight": tonight["free"] if tonight else None,
    }


def child_stays(child) -> list[RespiteStay]:
    """The child's stays at hub homes, newest first, for the child file. One query."""
    return list(
        RespiteStay.objects.filter(child=child)
        .select_related("constellation", "bed")
        .order_by("-arrival")[:20]
    )


def care_facts_stays(constellation: Constellation, child: Child) -> list[RespiteStay]:
    """The child's last ten stays at this hub home (cancelled ones left out), for the care facts
    page. One query."""
    return list(
        RespiteStay.objects.filter(RespiteStay.HOLDS_BED, constellation=constellation, child=child)
        .select_related("bed")
        .order_by("-arrival")[:10]
    )


# -- booking a stay ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BedNight:
    bed: Bed
    free: bool
    stay: RespiteStay | None = None


def bed_availability(
    constellation: Constellation, arrival: dt.date, departure: dt.date, *, exclude=None
) -> list[BedNight]:
    """Each bed of the hub home, free or not for the nights [arrival, departure). Two queries."""
    beds = list(Bed.objects.in_use(constellation))
    stays = (
        RespiteStay.objects.filter(
            RespiteStay.HOLDS_BED,
            bed__in=beds,
            arrival__lt=departure,
            departure__gt=arrival,
        )
        .select_related("child")
        .order_by("arrival")
    )
    if exclude is not None:
        stays = stays.exclude(pk=exclude.pk)
    taken = {}
    for stay in stays:
        taken.setdefault(stay.bed_id, stay)
    return [BedNight(bed, bed.pk not in taken, taken.get(bed.pk)) for bed in beds]


def bed_choices(constellation: Constellation, arrival: dt.date, departure: dt.date) -> dict:
    """The beds to offer on the stay form for these nights, and how many nights they are; none
    while the departure is not after the arrival."""
    if departure <= arrival:
        return {"availability": [], "nights": 0}
    beds = bed_availability(constellation, arrival, departure)
    return {"availability": beds, "nights": (departure - arrival).days}


def stay_choices(constellation: Constellation) -> dict[str, QuerySet]:
    """What the stay form offers: the member families' foster children and the beds in use."""
    return {
        "children": member_children(constellation).order_by("first_name", "last_name"),
        "beds": Bed.objects.in_use(constellation),
    }


def stay_placement(
    constellation: Constellation, child: Child, arrival: dt.date
) -> Placement | None:
    """The placement that lets ``child`` stay: in a member family on the day of arrival."""
    members = Membership.objects.current(arrival).filter(constellation=constellation)
    return (
        Placement.objects.active(arrival)
        .filter(child=child, family__in=members.values("family"))
        .first()
    )


# -- members, parents, gatherings, support contacts --------------------------------------------


def member_candidates(constellation: Constellation) -> QuerySet[FosterFamily]:
    """Active foster families with a child placed by a caseworker of the constellation's region,
    with the constellation each is in now (if any), and not a hub home."""
    today = timezone.localdate()
    placed_here = Placement.objects.active(today).filter(
        family=OuterRef("pk"), caseworker__team__region=constellation.region_id
    )
    now_in = Membership.objects.current(today).filter(family=OuterRef("pk"))
    return (
        FosterFamily.objects.filter(Exists(placed_here), status=FosterFamily.Status.ACTIVE)
        .exclude(hub_home__isnull=False)
        .annotate(now_in=Subquery(now_in.values("constellation__name")[:1]))
        .order_by("name", "pk")
    )


def member_candidates_shown(
    candidates: QuerySet[FosterFamily], *, search: str, chosen: str | None = None
) -> list[FosterFamily]:
    """The candidates a search finds (by name, postcode or town; twenty at most), with the family
    that was chosen on the page first, so that it stays chosen after an error."""
    shown = []
    if search:
        shown = list(
            candidates.filter(
                Q(name__icontains=search)
                | Q(postcode__iexact=search.replace(" ", "").upper())
                | Q(city__icontains=search)
            )[:20]
        )
    if chosen and chosen.isdecimal():
        pk = int(chosen)
        shown = list(candidates.filter(pk=pk)) + [f for f in shown if f.pk != pk]
    return shown


def member_families(constellation: Constellation, on: dt.date | None = None):
    """The families that are members on ``on`` (today), by name."""
    members = Membership.objects.current(on).filter(constellation=constellation)
    return FosterFamily.objects.filter(pk__in=members.values("family")).order_by("name")


def parents_who_may_take_part(constellation: Constellation) -> QuerySet[Parent]:
    """The parents of the foster children placed in the member families today."""
    return (
        Parent.objects.filter(child_links__child__in=member_children(constellation))
        .distinct()
        .order_by("last_name", "first_name")
    )


def attendance_choices(constellation: Constellation, on: dt.date) -> dict[str, list]:
    """Who can be at a gathering on ``on``: the people of the families that are members then
    (and the hub home), their foster children, their own children and the parents taking part.
    Four queries."""
    members = Membership.objects.current(on).filter(constellation=constellation)
    families = Q(family__in=members.values("family"))
    if hasattr(constellation, "hub"):
        families |= Q(family=constellation.hub.family_id)
    children = member_children(constellation, on).order_by("first_name", "last_name")
    parents = Parent.objects.filter(
        Q(participations__until__isnull=True) | Q(participations__until__gte=on),
        participations__constellation=constellation,
        participations__since__lte=on,
    ).distinct()
    return {
        Attendance.Who.FOSTER_PARENT: [
            (p.pk, str(p))
            for p in FosterParent.objects.filter(families).order_by("last_name", "first_name")
        ],
        Attendance.Who.FOSTER_CHILD: [(c.pk, str(c)) for c in children],
        Attendance.Who.OWN_CHILD: [
            (c.pk, str(c)) for c in OwnChild.objects.filter(families).order_by("first_name")
        ],
        Attendance.Who.PARENT: [(p.pk, str(p)) for p in parents.order_by("last_name")],
    }
