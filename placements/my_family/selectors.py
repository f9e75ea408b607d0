"""Reads for 'Mijn pleeggezin', in a fixed number of queries whatever the family's size."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone

from placements import permissions
from placements.models import (
    Agreement,
    CaseworkerAssignment,
    JointMeetingRequest,
    Meeting,
    ParentChild,
    Party,
    Placement,
    YouthProtectorAssignment,
)
from pleegzorg.models import User


@dataclass
class Responsible:
    """Who holds a role for the placement now, since when, and after a change: who did before
    and until when the course stays as it is (Advies 6 and 7)."""

    person: object  # a User (the caseworker) or a YouthProtector
    since: dt.date
    before: object | None = None
    steady_until: dt.date | None = None


@dataclass
class FosterChild:
    placement: Placement
    age: int
    in_aftercare: bool
    caseworker: Responsible | None
    youth_protector: Responsible | None
    meetings: list[Meeting] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    requests: list[JointMeetingRequest] = field(default_factory=list)


def _responsible(placement: Placement, attribute: str, today: dt.date) -> Responsible | None:
    """The placement's caseworker or youth protector (``attribute``) now, from its assignments
    (newest first): since when, who did before, and the steady course's end while it is still
    to come. A placement without assignments has its own, since its start."""
    person = getattr(placement, attribute)
    if person is None:
        return None
    assignments = getattr(placement, f"{attribute}_history")
    current = next(
        (
            a
            for a in assignments
            if a.end_date is None and getattr(a, f"{attribute}_id") == person.pk
        ),
        None,
    )
    if current is None:
        return Responsible(person=person, since=placement.start_date)
    earlier = [a for a in assignments if a is not current]
    steady = current.no_change_of_course_until
    return Responsible(
        person=person,
        since=current.start_date,
        before=getattr(earlier[0], attribute) if earlier else None,
        steady_until=steady if steady is not None and steady >= today else None,
    )


POSTCODE = re.compile(r"\b(\d{4})\s?([a-z]{2})\b", re.IGNORECASE)


def gives_away_an_address(place: str, parents) -> bool:
    """Whether a meeting's place names where one of the child's parents lives (their address, or
    its postcode with or without the space): a foster parent never sees that."""
    text = " ".join(place.lower().split())
    compact = text.replace(" ", "")
    for parent in parents:
        address = " ".join(parent.address.lower().split())
        if address and address in text:
            return True
        if any("".join(code).lower() in compact for code in POSTCODE.findall(address)):
            return True
    return False


def _with_places(meetings: list[Meeting], parents) -> list[Meeting]:
    """Each meeting with ``place_shown``: its place, or "" where it gives away a parent's."""
    for meeting in meetings:
        meeting.place_shown = "" if gives_away_an_address(meeting.place, parents) else meeting.place
    return meetings


# Agreements marked done this long ago still show, so that "done" is seen to have landed.
RECENTLY_DONE = dt.timedelta(days=30)


def with_labels(agreements: list[Agreement], today: dt.date | None = None) -> list[Agreement]:
    """Each agreement with whose it is as words (``owner_label``), whether the foster parents
    may mark it done (``theirs``: their own and open) and whether its date has passed."""
    today = today or timezone.localdate()
    owners = dict(Party.choices)
    for agreement in agreements:
        agreement.owner_label = owners.get(agreement.owner, agreement.owner)
        agreement.theirs = (
            agreement.owner == Party.FOSTER_PARENTS and agreement.status == Agreement.Status.OPEN
        )
        agreement.late = agreement.status == Agreement.Status.OPEN and agreement.due_on < today
    return agreements


def my_family(user: User) -> dict:
    """The foster parent's family and, per foster child (placements not ended or in aftercare),
    the child's first name and age, the caseworker and youth protector, and the planned
    meetings to come. Nothing else of the case file, and nothing of the birth parents."""
    record = permissions.foster_parent_of(user)
    today, now = timezone.localdate(), timezone.now()
    placements = list(
        permissions.foster_parent_placements(user, today)
        .select_related("child", "family", "caseworker", "youth_protector")
        .prefetch_related(
            Prefetch(
                "caseworker_assignments",
                queryset=CaseworkerAssignment.objects.select_related("caseworker").order_by(
                    "-start_date", "-id"
                ),
                to_attr="caseworker_history",
            ),
            Prefetch(
                "youth_protector_assignments",
                queryset=YouthProtectorAssignment.objects.select_related(
                    "youth_protector"
                ).order_by("-start_date", "-id"),
                to_attr="youth_protector_history",
            ),
            Prefetch(
                "child__parent_links",
                queryset=ParentChild.objects.select_related("parent"),
                to_attr="parent_link_list",
            ),
            Prefetch(
                "agreements",
                queryset=Agreement.objects.filter(
                    Q(status=Agreement.Status.OPEN)
                    | Q(status=Agreement.Status.DONE, closed_on__gte=today - RECENTLY_DONE)
                ).order_by("-status", "due_on", "id"),
                to_attr="agreement_list",
            ),
            Prefetch(
                "meeting_requests",
                queryset=JointMeetingRequest.objects.filter(meeting__isnull=True).order_by(
                    "requested_on", "id"
                ),
                to_attr="open_requests",
            ),
            Prefetch(
                "meetings",
                queryset=Meeting.objects.filter(
                    status=Meeting.Status.PLANNED, planned_at__gte=now
                ).order_by("planned_at"),
                to_attr="coming_meetings",
            ),
        )
        .order_by("start_date", "id")
    )
    children = [
        FosterChild(
            placement=placement,
            age=placement.child.age(today),
            in_aftercare=placement.end_date is not None and placement.end_date < today,
            caseworker=_responsible(placement, "caseworker", today),
            youth_protector=_responsible(placement, "youth_protector", today),
            agreements=with_labels(placement.agreement_list, today),
            requests=placement.open_requests,
            meetings=_with_places(
                placement.coming_meetings,
                [link.parent for link in placement.child.parent_link_list],
            ),
        )
        for placement in placements
    ]
    return {"family": record.family if record else None, "children": children}
