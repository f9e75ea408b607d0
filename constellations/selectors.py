"""Read-side queries for constellation pages: each a fixed number of queries whatever the size."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone

from constellations.models import (
    MIN_MEMBERS,
    Bed,
    Constellation,
    Gathering,
    ParentParticipation,
    RespiteStay,
)
from constellations.permissions import constellations, member_children
from constellations.permissions import stays as stay_policy
from pleegzorg.models import User


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
    """Nights used at the hub home: per month (the last 12) and per member family."""

    months: list[dict] = field(default_factory=list)
    families: list[dict] = field(default_factory=list)
    total: int = 0
    planned: int = 0
    unplanned: int = 0


def figures(constellation: Constellation, today: dt.date, memberships: list) -> Figures:
    """One query: the stays of the last 12 months, split into nights in Python (a stay over a
    month's end counts its nights in each month)."""
    months_back = today.year * 12 + today.month - 1 - 11
    first = dt.date(months_back // 12, months_back % 12 + 1, 1)
    stays = RespiteStay.objects.filter(
        RespiteStay.HOLDS_BED,
        constellation=constellation,
        departure__gt=first,
        arrival__lte=today,
    ).values("arrival", "departure", "planned", "family_id")
    per_month: dict[dt.date, Counter] = defaultdict(Counter)
    per_family: dict[int, Counter] = defaultdict(Counter)
    result = Figures()
    for stay in stays:
        night = max(stay["arrival"], first)
        last = min(stay["departure"], today + dt.timedelta(days=1))
        kind = "planned" if stay["planned"] else "unplanned"
        per_family[stay["family_id"]]["stays"] += 1
        while night < last:
            per_month[night.replace(day=1)][kind] += 1
            per_family[stay["family_id"]][kind] += 1
            night += dt.timedelta(days=1)
    month = first
    while month <= today:
        counts = per_month[month]
        result.months.append(
            {
                "month": month,
                "planned": counts["planned"],
                "unplanned": counts["unplanned"],
                "total": counts["planned"] + counts["unplanned"],
            }
        )
        month = (month + dt.timedelta(days=32)).replace(day=1)
    for membership in memberships:
        counts = per_family.get(membership.family_id, Counter())
        result.families.append(
            {
                "membership": membership,
                "family": membership.family,
                "stays": counts["stays"],
                "planned": counts["planned"],
                "unplanned": counts["unplanned"],
                "total": counts["planned"] + counts["unplanned"],
            }
        )
    result.planned = sum(m["planned"] for m in result.months)
    result.unplanned = sum(m["unplanned"] for m in result.months)
    result.total = result.planned + result.unplanned
    return result


def constellation_page(constellation: Constellation, user: User) -> dict:
    today = timezone.localdate()
    memberships = list(
        constellation.memberships.select_related("family")
        .prefetch_related("family__foster_parents")
        .order_by("left_on", "family__name")
    )
    current = [m for m in memberships if m.is_current(today)]
    history = [m for m in memberships if m not in current]
    hub = getattr(constellation, "hub", None)
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
    flagged = Constellation.objects.filter(
        without_gathering_last_month(today), pk=constellation.pk
    ).exists()
    return {
        "constellation": constellation,
        "hub": hub,
        "hub_parents": list(hub.parents.all()) if hub else [],
        "beds": beds,
        "members": current,
        "history": history,
        "in_formation": Constellation.in_formation(len(current))
        or constellation.status == Constellation.Status.FORMING,
        "parents": parents,
        "gatherings": gatherings,
        "contacts": contacts,
        "no_gathering": flagged,
        "last_month": last_month(today)[0],
        "figures": figures(constellation, today, current),
        "children": (
            list(member_children(constellation, today).order_by("first_name", "last_name"))
            if constellations.sees_care_facts(user, constellation)
            else []
        ),
        "can_change": constellations.can_change(user, constellation),
        "can_book": constellations.can_book(user, constellation),
        "sees_care_facts": constellations.sees_care_facts(user, constellation),
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


def child_stays(child) -> list[RespiteStay]:
    """The child's stays at hub homes, newest first, for the child file. One query."""
    return list(
        RespiteStay.objects.filter(child=child)
        .select_related("constellation", "bed")
        .order_by("-arrival")[:20]
    )
