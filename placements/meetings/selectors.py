"""Reads for the meeting pages."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.db.models import Case, Count, QuerySet, Value, When
from django.db.models.functions import Now
from django.utils import timezone

from placements import permissions
from placements.meetings.models import (
    Agreement,
    JointMeetingRequest,
    Meeting,
    RoleAuthority,
    StartMeetingAnswer,
)
from placements.models import Child, ChildContact, Placement
from pleegzorg import compiled
from pleegzorg.models import User
from pleegzorg.permissions import granted_id_list, remember_granted_ids


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
    """Upcoming and overdue meetings of the visible placements, in a fixed number of queries.

    Building these four querysets (the visibility rule and the overdue rules) took longer than
    PostgreSQL took to run them, so each is compiled once per process
    (:func:`pleegzorg.compiled.instances`) for every user of the same shape, and run with the
    user's id as a parameter. The shape is everything else the SQL holds: the role, the team a
    caseworker is in (their ended placements stay visible only in that team), the files the
    user opened with a reason (usually none) and today. "Now" is the database's (``Now()``),
    so that the SQL does not change from one request to the next."""
    today = timezone.localdate()
    granted = tuple(granted_id_list(user, Child))
    key = (__name__, "my meetings", user.role, user.team_id, granted, today)
    return {
        name: compiled.instances(
            (*key, name), partial(_my_meetings, name, user, granted, today), user_id=user.pk
        )
        for name in MY_MEETINGS
    }


MY_MEETINGS = ("upcoming", "without_report", "start_overdue", "joint_overdue")


def _my_meetings(
    name: str, user: User, granted: tuple[int, ...], today: dt.date, *, user_id: int
) -> QuerySet:
    # The rule is built for a user of the same shape with the id asked for: compiled.instances
    # builds it twice with different ids to find where the id goes among the parameters.
    shaped = User(pk=user_id, role=user.role, team_id=user.team_id)
    remember_granted_ids(shaped, Child, list(granted))
    visible = permissions.placements_policy.visible_to(shaped)
    if name in ("upcoming", "without_report"):
        planned = Meeting.objects.filter(
            placement__in=visible.active(today), status=Meeting.Status.PLANNED
        )
        meetings = planned.select_related("placement__child", "placement__family").order_by(
            "planned_at"
        )
        if name == "upcoming":
            return meetings.filter(planned_at__gte=Now())[:100]
        return meetings.filter(planned_at__lt=Now())[:100]
    with_names = visible.select_related("child", "family")
    if name == "start_overdue":
        return with_names.start_meeting_overdue(today).order_by("start_date")[:100]
    overdue = with_names.joint_meeting_overdue(today)
    return overdue.order_by("next_joint_meeting_on", "start_date")[:100]


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


def meetings_of(placement: Placement) -> dict:
    """The meetings section of the child file for the current placement (its
    :func:`meeting_flags` read from it when it carries them, else in one more query).

    Building these five querysets took longer than PostgreSQL took to run them: each is
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
    today = timezone.localdate()
    names = meeting_flags(today)
    if all(hasattr(placement, name) for name in names):
        flags = {name: getattr(placement, name) for name in names}
    else:
        flags = Placement.objects.filter(pk=placement.pk).annotate(**names).values(*names).get()
    held_start = any(m.kind == "start" and m.status == "held" for m in meetings)
    planned_start = any(m.kind == "start" and m.status == "planned" for m in meetings)
    return {
        "meetings": meetings,
        "agreements": lists["agreements"],
        "authorities": lists["authorities"],
        "requests": lists["requests"],
        "contacts": lists["contacts"],
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
    "contacts": lambda placement: ChildContact.objects.filter(placement=placement).order_by(
        "-contact_on"
    )[:10],
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
