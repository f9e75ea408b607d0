"""Reads for the meeting pages."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, Value, When
from django.utils import timezone

from placements import permissions
from placements.meetings.models import (
    Agreement,
    JointMeetingRequest,
    Meeting,
    RoleAuthority,
    StartMeetingAnswer,
)
from placements.models import Placement
from pleegzorg import compiled
from pleegzorg.models import User


def meeting_kind(asked: str | None) -> Meeting.Kind:
    """The kind of meeting a page was asked for; a joint meeting unless it names another."""
    return Meeting.Kind(asked) if asked in Meeting.Kind.values else Meeting.Kind.JOINT


def suggested_meeting_day(placement: Placement, kind: str) -> dt.date:
    """A start meeting a week after the start (or from today); a joint meeting on the next
    joint-meeting date, or in two weeks when there is none."""
    today = timezone.localdate()
    if kind == Meeting.Kind.START:
        return max(today, placement.start_date) + dt.timedelta(days=7)
    return placement.next_joint_meeting_on or today + dt.timedelta(weeks=2)


def my_meetings(user: User) -> dict:
    """Upcoming and overdue meetings of the visible placements, in a fixed number of queries."""
    now = timezone.now()
    visible = permissions.placements_policy.visible_to(user)
    active = visible.active()
    meetings = (
        Meeting.objects.filter(placement__in=active, status=Meeting.Status.PLANNED)
        .select_related("placement__child", "placement__family")
        .order_by("planned_at")
    )
    with_names = visible.select_related("child", "family")
    return {
        "upcoming": list(meetings.filter(planned_at__gte=now)[:100]),
        "without_report": list(meetings.filter(planned_at__lt=now)[:100]),
        "start_overdue": list(with_names.start_meeting_overdue().order_by("start_date")[:100]),
        "joint_overdue": list(
            with_names.joint_meeting_overdue().order_by("next_joint_meeting_on", "start_date")[:100]
        ),
    }


def meeting_flags(today: dt.date) -> dict:
    """What the meetings section says of a placement, as annotations: its conversations with
    the child in the last 12 months, whether that is too few, and whether its start meeting is
    overdue (``contacts_last_year``, ``too_few_contacts``, ``start_meeting_overdue``)."""
    return {
        "contacts_last_year": Placement.child_contacts_in_year(today),
        "too_few_contacts": Case(
            When(Placement.too_few_child_contacts_condition(today), then=Value(True)),
            default=Value(False),
        ),
        "start_meeting_overdue": Case(
            When(Placement.start_meeting_overdue_condition(today), then=Value(True)),
            default=Value(False),
        ),
    }


# The names of meeting_flags(), known without building its expressions (tests hold them equal).
MEETING_FLAGS = ("contacts_last_year", "too_few_contacts", "start_meeting_overdue")


def meetings_of(placement: Placement) -> dict:
    """The meetings section of the child file for the current placement (its
    :func:`meeting_flags` read from it when it carries them, else in one more query).

    Building these four querysets took longer than PostgreSQL took to run them: each is
    compiled once per process (:func:`pleegzorg.compiled.instances`) and run for every
    placement with its id as the parameter."""
    lists = {
        name: compiled.instances(("meetings of", name), build, placement=placement.pk)
        for name, build in SECTION_QUERIES.items()
    }
    for rows in lists.values():
        for row in rows:  # as the related managers would give them back
            row.placement = placement
    meetings = lists["meetings"]
    if all(hasattr(placement, name) for name in MEETING_FLAGS):
        flags = {name: getattr(placement, name) for name in MEETING_FLAGS}
    else:
        expressions = meeting_flags(timezone.localdate())
        flags = Placement.objects.filter(pk=placement.pk).annotate(**expressions)
        flags = flags.values(*MEETING_FLAGS).get()
    held_start = any(m.kind == "start" and m.status == "held" for m in meetings)
    planned_start = any(m.kind == "start" and m.status == "planned" for m in meetings)
    return {
        "meetings": meetings,
        "agreements": lists["agreements"],
        "authorities": lists["authorities"],
        "requests": lists["requests"],
        "contacts_last_year": flags["contacts_last_year"],
        "too_few_contacts": flags["too_few_contacts"],
        "start_meeting_held": held_start,
        "start_meeting_planned": planned_start,
        "start_meeting_overdue": flags["start_meeting_overdue"],
    }


# What the meetings section lists of a placement, each a queryset of the placement's id.
SECTION_QUERIES = {
    "meetings": lambda placement: (
        Meeting.objects.filter(placement=placement)
        .exclude(status=Meeting.Status.CANCELLED)
        .annotate(participant_count=Count("participants"))
        .order_by("-planned_at")
    ),
    "agreements": lambda placement: Agreement.objects.filter(placement=placement).order_by(
        "status", "due_on"
    ),
    "authorities": lambda placement: RoleAuthority.objects.filter(placement=placement),
    "requests": lambda placement: JointMeetingRequest.objects.filter(
        placement=placement, meeting__isnull=True
    ),
}


def meeting_agenda(meeting: Meeting) -> dict:
    """What the printable agenda shows: who takes part, the questions, the open agreements."""
    return {
        "meeting": meeting,
        "placement": meeting.placement,
        "participants": list(meeting.participants.all()),
        "questions": [label for _name, label in StartMeetingAnswer.QUESTIONS],
        "open_agreements": list(meeting.placement.agreements.filter(status="open")),
    }
