"""Reads of the case file: every one starts from what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from placements import permissions
from placements.models import (
    CareKind,
    CaseworkerAssignment,
    Child,
    FosterFamily,
    FosterParent,
    OwnChild,
    ParentChild,
    Placement,
)
from pleegzorg.models import User

PLANNED_END_WARNING_DAYS = 30

SORTS = {
    "naam": (Lower("child__last_name"), Lower("child__first_name")),
    "-naam": (Lower("child__last_name").desc(), Lower("child__first_name").desc()),
    "start": ("start_date", "id"),
    "-start": ("-start_date", "-id"),
    "einde": ("planned_end_date", "id"),
    "-einde": ("-planned_end_date", "-id"),
}


def attention_condition() -> Q:
    """What makes a placement need attention now (more reasons arrive with meetings, issue 4)."""
    soon = timezone.localdate() + timedelta(days=PLANNED_END_WARNING_DAYS)
    return (
        Q(planned_end_date__lte=soon)
        | Q(youth_protector__isnull=True, legal_basis__in=["ots", "guardianship"])
        | Q(child__trusted_person_name="")
    )


def caseload(
    user: User,
    *,
    search: str = "",
    kind: str = "",
    legal_basis: str = "",
    attention: bool = False,
    sort: str = "naam",
) -> QuerySet[Placement]:
    """Active placements the user may see, with child, family and caseworker in one query."""
    placements = (
        permissions.placements_policy.visible_to(user)
        .active()
        .select_related("child", "family", "caseworker", "youth_protector")
        .annotate(
            needs_attention=Case(
                When(attention_condition(), then=Value(True)), default=Value(False)
            )
        )
    )
    for word in search.split():
        placements = placements.filter(
            Q(child__first_name__icontains=word)
            | Q(child__last_name__icontains=word)
            | Q(family__name__icontains=word)
        )
    if kind:
        placements = placements.filter(kind=kind)
    if legal_basis:
        placements = placements.filter(legal_basis=legal_basis)
    if attention:
        placements = placements.filter(attention_condition())
    return placements.order_by(*SORTS.get(sort, SORTS["naam"]))


@dataclass
class ChildFile:
    child: Child
    placements: list[Placement]
    current: Placement | None
    parent_links: list[ParentChild]


def child_file(user: User, child: Child) -> ChildFile:
    """Everything the child file shows, in a fixed number of queries."""
    placements = list(
        child.placements.select_related("family", "caseworker", "youth_protector")
        .prefetch_related(
            Prefetch("family__foster_parents", queryset=FosterParent.objects.order_by("id")),
            Prefetch("family__own_children", queryset=OwnChild.objects.order_by("date_of_birth")),
            Prefetch(
                "caseworker_assignments",
                queryset=CaseworkerAssignment.objects.select_related("caseworker", "assigned_by"),
            ),
            "youth_protector_assignments__youth_protector",
            "decisions",
        )
        .order_by("-start_date", "-id")
    )
    today = timezone.localdate()
    current = next(
        (
            p
            for p in placements
            if p.start_date <= today and (p.end_date is None or p.end_date >= today)
        ),
        placements[0] if placements else None,
    )
    parent_links = list(child.parent_links.select_related("parent").order_by("parent__last_name"))
    return ChildFile(child=child, placements=placements, current=current, parent_links=parent_links)


def visible_children(user: User) -> QuerySet[Child]:
    return permissions.children.visible_to(user)


def families_for_matching(
    search: str = "", *, on: date | None = None, include: int | None = None, limit: int = 20
) -> list:
    """Active families to place a child with: name, town, care kinds and free places only (no
    case data), the places taken on ``on`` counted in the same query. ``include`` keeps an
    already chosen family in the list."""
    on = on or timezone.localdate()
    taken = (
        Placement.objects.active(on)
        .exclude(kind=CareKind.RESPITE)
        .filter(family=OuterRef("pk"))
        .order_by()
        .values("family")
        .annotate(n=Count("pk"))
        .values("n")
    )
    families = FosterFamily.objects.filter(status=FosterFamily.Status.ACTIVE).annotate(
        taken=Coalesce(Subquery(taken, output_field=IntegerField()), 0),
        free=F("places") - F("taken"),
    )
    matching = families
    for word in search.split():
        matching = matching.filter(
            Q(name__icontains=word) | Q(city__icontains=word) | Q(postcode__istartswith=word)
        )
    found = list(matching.order_by("-free", "name")[:limit])
    if include and all(family.pk != include for family in found):
        found = [*families.filter(pk=include), *found]
    return found


def family_page(user: User, family: FosterFamily) -> dict:
    """A family with its people, placements and status history, in a fixed number of queries."""
    placements = list(
        family.placements.select_related("child", "caseworker").order_by("-start_date", "-id")
    )
    today = timezone.localdate()
    current = [
        p
        for p in placements
        if p.start_date <= today and (p.end_date is None or p.end_date >= today)
    ]
    return {
        "family": family,
        "foster_parents": list(family.foster_parents.all()),
        "own_children": list(family.own_children.all()),
        "current": current,
        "past": [p for p in placements if p not in current],
        "status_changes": list(family.status_changes.select_related("changed_by")),
        "taken": sum(1 for p in current if p.kind != CareKind.RESPITE),
        # Other children in the family show by first name only, unless the user may open their file.
        "openable": set(
            permissions.children.visible_to(user)
            .filter(placements__family=family)
            .values_list("pk", flat=True)
        ),
    }
