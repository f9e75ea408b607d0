"""Read-side queries for constellation pages: each a fixed number of queries whatever the size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial

from django.db.models import (
    BooleanField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.urls import reverse
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
    SupportContact,
)
from constellations.permissions import constellations, member_children
from constellations.permissions import stays as stay_policy
from placements.models import Child, FosterFamily, FosterParent, OwnChild, Parent, Placement
from pleegzorg import compiled
from pleegzorg.charts import Chart
from pleegzorg.db import RelatedRows
from pleegzorg.models import User

# Read with the constellation itself for its page (:func:`for_page`): the hub-home parents'
# names and the beds in use (Bed.objects.in_use), as JSON text.
HUB_PARENTS = RelatedRows(User, link="hub_homes__constellation", fields=("first_name", "last_name"))
BEDS_IN_USE = RelatedRows(
    Bed,
    link="hub__constellation",
    fields=("id", "name"),
    condition=Q(active=True),
    order_by=("name", "id"),
)
# Read with each membership of the page: the family's foster parents, as JSON text.
FOSTER_PARENTS = RelatedRows(
    FosterParent,
    link="family__memberships",
    fields=("first_name", "last_name", "phone"),
    order_by=("id",),
)


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


def figures_period(today: dt.date) -> tuple[list[fidelity.Month], dt.date, dt.date]:
    """The twelve months of :func:`figures` up to ``today``'s, their first day and the day
    after tonight."""
    this_month = fidelity.first_of_month(today)
    months = fidelity.month_list(fidelity.add_months(this_month, -11), this_month, today)
    return months, months[0].first, today + dt.timedelta(days=1)


def figures(constellation: Constellation, today: dt.date, memberships: list) -> Figures:
    """The nights per month (one query, an aggregate in the database: a stay over a month's end
    counts its nights in each month) and per member family (``memberships`` come from
    :func:`page_memberships`, which counts them), up to tonight."""
    months, _first, _until = figures_period(today)
    per_month = fidelity.night_counts([constellation.pk], months).get(constellation.pk, {})
    rows = [
        (m.first, _days(per_month.get(f"p{i}")), _days(per_month.get(f"u{i}")))
        for i, m in enumerate(months)
    ]
    result = Figures(months=fidelity.nights_table(rows))
    for membership in memberships:
        planned = _days(membership.planned_nights)
        unplanned = _days(membership.unplanned_nights)
        result.families.append(
            {
                "membership": membership,
                "family": membership.family,
                "stays": membership.stay_count or 0,
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
    """The constellations as :func:`constellation_page` reads them: whether last month had no
    gathering, the hub-home parents' names and the beds in use, in the same query."""
    return constellations_.annotate(
        no_gathering=Q(without_gathering_last_month(on)),
        hub_parent_rows=HUB_PARENTS.subquery(),
        bed_rows=BEDS_IN_USE.subquery(),
    )


def visible_constellation(
    user: User, pk: int, *, on: dt.date, page: bool = False, only: tuple[str, ...] = ()
) -> Constellation | None:
    """The constellation ``pk``, with its region, liaison and hub home, if ``user`` sees it on
    ``on``; None when it is not there or not theirs. With ``page``, as the constellation page
    reads it (:func:`for_page`); with ``only``, just these fields of it (no related rows).

    Building this query (the visibility rule, the flag and the related rows) took longer than
    PostgreSQL took to run it, so it is compiled once per process (``pleegzorg.compiled``) for
    every user of the same ``ConstellationPolicy.compiled_key`` on the same day, and run every
    time with the constellation's id, and the user's where the rule holds it, as parameters."""
    shape = constellations.compiled_key(user, on)
    if shape is None:
        return None
    key, by_user = shape

    def build(*, pk: int, user_id: int | None = None) -> QuerySet[Constellation]:
        # Without the user's id among the parameters the rule is built with an id no user
        # has: a rule that read it after all would find nothing, never keep one user's
        # answer for another.
        condition = constellations.condition(user, user_id=user_id if by_user else -1, on=on)
        queryset = Constellation.objects.filter(condition, pk=pk).order_by()
        if only:
            return queryset.only(*only)
        queryset = queryset.select_related("region", "liaison", "hub__family")
        return for_page(queryset, on) if page else queryset

    ids = {"pk": pk, "user_id": user.pk} if by_user else {"pk": pk}
    found = compiled.instances((__name__, "constellation", page, only, on, *key), build, **ids)
    return found[0] if found else None


def visible_page(
    user: User, bottom: int, top: int, *, on: dt.date, only: tuple[str, ...]
) -> list[Constellation]:
    """Rows ``bottom`` to ``top`` (exclusive) of the constellations ``user`` sees on ``on``,
    by name, with just the fields ``only``, each with the number of them all (``rows_in_all``:
    a page of ``pleegzorg.pagination.OneQueryPaginator``). Compiled once per process for every
    user of the same ``ConstellationPolicy.compiled_key`` (as :func:`visible_constellation`):
    building the query of the rule, the window and the page took longer than running it."""
    shape = constellations.compiled_key(user, on)
    if shape is None:
        return []
    key, by_user = shape

    def build(*, user_id: int | None = None) -> QuerySet[Constellation]:
        condition = constellations.condition(user, user_id=user_id if by_user else -1, on=on)
        queryset = Constellation.objects.filter(condition).only(*only).order_by("name", "pk")
        return queryset.annotate(rows_in_all=Window(Count("pk")))[bottom:top]

    ids = {"user_id": user.pk} if by_user else {}
    return compiled.instances((__name__, "visible page", only, bottom, top, on, *key), build, **ids)


def page_memberships(constellation: int, today: dt.date) -> list[Membership]:
    """The constellation's memberships, ended ones last, by family, each with its family, the
    family's foster parents (``foster_parent_rows``: dicts of names and phones) and its stays
    and planned and unplanned nights in the months of :func:`figures`. One query, compiled
    once a day per process for every constellation."""
    memberships = compiled.instances(
        (__name__, "page memberships", today),
        partial(_page_memberships, today=today),
        constellation=constellation,
    )
    for membership in memberships:
        membership.foster_parent_rows = FOSTER_PARENTS.parse(membership.foster_parent_rows)
    return memberships


def _page_memberships(*, constellation: int, today: dt.date) -> QuerySet[Membership]:
    _months, first, until = figures_period(today)
    nights = fidelity.nights_between(first, until)
    stays = (
        RespiteStay.objects.filter(
            RespiteStay.HOLDS_BED,
            arrival__lt=until,
            departure__gt=first,
            constellation=OuterRef("constellation"),
            family=OuterRef("family"),
        )
        .order_by()
        .values("family")
    )

    def per_family(aggregate, output_field=None) -> Subquery:
        return Subquery(stays.annotate(n=aggregate).values("n"), output_field=output_field)

    return (
        Membership.objects.filter(constellation=constellation)
        .select_related("family")
        .annotate(
            foster_parent_rows=FOSTER_PARENTS.subquery(),
            stay_count=per_family(Count("pk")),
            planned_nights=per_family(Sum(nights, filter=Q(planned=True)), DurationField()),
            unplanned_nights=per_family(Sum(nights, filter=Q(planned=False)), DurationField()),
        )
        .order_by("left_on", "family__name")
    )


def _page_gatherings(*, constellation: int) -> QuerySet[Gathering]:
    return (
        Gathering.objects.filter(constellation=constellation)
        .annotate(present=Count("attendance"))
        .order_by("-date", "-id")[:6]
    )


def _page_contacts(*, constellation: int) -> QuerySet[SupportContact]:
    return SupportContact.objects.filter(constellation=constellation).select_related("family")[:8]


def _page_parents(*, constellation: int, today: dt.date) -> QuerySet[ParentParticipation]:
    return (
        ParentParticipation.objects.filter(constellation=constellation)
        .filter(Q(until__isnull=True) | Q(until__gte=today))
        .select_related("parent")
    )


def _children_who_can_stay(*, constellation: int, today: dt.date) -> QuerySet[Child]:
    """:func:`member_children` with what the pages show of them: the name and the age."""
    return (
        member_children(constellation, today)
        .only("id", "first_name", "last_name", "date_of_birth")
        .order_by("first_name", "last_name")
    )


def children_who_can_stay(constellation: int, today: dt.date) -> list[Child]:
    """The foster children placed today in the member families (:func:`member_children`), by
    name, with their names and dates of birth only. Compiled once a day per process."""
    return compiled.instances(
        (__name__, "children who can stay", today),
        partial(_children_who_can_stay, today=today),
        constellation=constellation,
    )


def _with_kind_labels(rows: list, kinds) -> list:
    """Each row's kind as its label (``kind_label``): ``get_kind_display`` builds the dict of
    the field's choices again on every call, once a row."""
    labels = dict(kinds.choices)
    for row in rows:
        row.kind_label = labels.get(row.kind, row.kind)
    return rows


def constellation_page(constellation: Constellation, user: User) -> dict:
    """Everything the constellation page shows; ``constellation`` comes
    :func:`visible_constellation` with ``page``. Each query is compiled once per process (a
    day), with the constellation's id as its parameter."""
    today = timezone.localdate()
    pk = constellation.pk
    memberships = page_memberships(pk, today)
    current = [m for m in memberships if m.is_current(today)]
    history = [m for m in memberships if m not in current]
    hub = getattr(constellation, "hub", None)
    sees_care_facts = constellations.sees_care_facts(user, constellation)
    parents = compiled.instances(
        (__name__, "page parents", today), partial(_page_parents, today=today), constellation=pk
    )
    return {
        "constellation": constellation,
        "hub": hub,
        "hub_parents": HUB_PARENTS.parse(constellation.hub_parent_rows) if hub else [],
        "beds": BEDS_IN_USE.parse(constellation.bed_rows) if hub else [],
        "members": current,
        "history": history,
        "in_formation": Constellation.in_formation(len(current))
        or constellation.status == Constellation.Status.FORMING,
        "parents": parents,
        "gatherings": _with_kind_labels(
            compiled.instances((__name__, "page gatherings"), _page_gatherings, constellation=pk),
            Gathering.Kind,
        ),
        "contacts": _with_kind_labels(
            compiled.instances((__name__, "page contacts"), _page_contacts, constellation=pk),
            SupportContact.Kind,
        ),
        "no_gathering": constellation.no_gathering,
        "last_month": last_month(today)[0],
        "figures": figures(constellation, today, current),
        "children": children_who_can_stay(pk, today) if sees_care_facts else [],
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
    url: str = ""  # the stay's page, where the user may read the child's name


def beds_in_use(constellation: int) -> list[Bed]:
    """``Bed.objects.in_use``: one query, compiled once per process."""
    return compiled.instances((__name__, "beds in use"), _beds_in_use, constellation=constellation)


def _beds_in_use(*, constellation: int) -> QuerySet[Bed]:
    return Bed.objects.in_use(constellation)


# What the calendar and the stay form read of a stay (the rest stays in the database).
STAY_FIELDS = ("id", "bed", "child", "constellation", "arrival", "departure", "status", "planned")


def _stays_between(*, constellation: int, start: dt.date, end: dt.date) -> QuerySet[RespiteStay]:
    """The stays that hold one of the beds in use of the constellation's hub home on a night
    of ``[start, end)``, by arrival, with the child's first name (all the calendar shows of
    the child)."""
    return (
        RespiteStay.objects.filter(
            RespiteStay.HOLDS_BED,
            bed__in=Bed.objects.in_use(constellation).values("pk"),
            arrival__lt=end,
            departure__gt=start,
        )
        .select_related("child")
        .only(*STAY_FIELDS, "child__first_name")
        .order_by("arrival")
    )


def stays_between(
    constellation: int, start: dt.date, end: dt.date, *, keep: bool = True
) -> list[RespiteStay]:
    """:func:`_stays_between`; with ``keep`` compiled once per process for these nights (the
    constellation's id is its parameter): for nights that many requests ask for (the
    calendar's weeks and months, the stay form's first night), not for nights typed once."""
    if not keep:
        return list(_stays_between(constellation=constellation, start=start, end=end))
    build = partial(_stays_between, start=start, end=end)
    return compiled.instances(
        (__name__, "stays between", start, end), build, constellation=constellation
    )


def calendar(constellation: Constellation, user: User, start: dt.date, days: int) -> dict:
    """Beds x nights from ``start``: one row per night, one column per bed. Two queries, and
    one to find which children's names the user may read when they do not read them all."""
    beds = beds_in_use(constellation.pk)
    end = start + dt.timedelta(days=days)
    stays = stays_between(constellation.pk, start, end) if beds else []
    readable = stay_policy.readable_child_ids(user, stays)
    # Each stay's page once, not once for each of its nights.
    urls = {
        stay.pk: reverse("constellations:stay", args=[stay.pk])
        for stay in stays
        if stay.child_id in readable
    }
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
            name = url = ""
            if stay is not None and stay.child_id in readable:
                name, url = stay.child.first_name, urls[stay.pk]
            cells.append(
                Cell(
                    night=night,
                    bed=bed,
                    stay=stay,
                    starts=bool(stay and (stay.arrival == night or night == start)),
                    name=name,
                    url=url,
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
    constellation: Constellation, arrival: dt.date, departure: dt.date
) -> list[BedNight]:
    """Each bed of the hub home, free or not for the nights [arrival, departure). Two queries;
    the stays' compiled once a day for tonight, the night the form starts from."""
    beds = beds_in_use(constellation.pk)
    tonight = timezone.localdate()
    keep = (arrival, departure) == (tonight, tonight + dt.timedelta(days=1))
    stays = stays_between(constellation.pk, arrival, departure, keep=keep) if beds else []
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
    """What the stay form accepts: the member families' foster children and the beds in use."""
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
