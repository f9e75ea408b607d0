"""Reads for the meeting pages."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import partial

from django.db.models import Case, Q, QuerySet, Value, When
from django.db.models.functions import Now
from django.utils import timezone

from placements import permissions
from placements.meetings.models import (
    Agreement,
    JointMeetingRequest,
    Meeting,
    MeetingParticipant,
    RoleAuthority,
    StartMeetingAnswer,
)
from placements.models import Child, Placement
from pleegzorg import compiled
from pleegzorg.db import RelatedRows
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


# The names of meeting_flags(), known without building its expressions (tests hold them equal).
MEETING_FLAGS = ("contacts_last_year", "too_few_contacts", "start_meeting_overdue")


def meetings_of(placement: Placement) -> dict:
    """The meetings section of the child file for the current placement: its meetings (but the
    cancelled ones, each with its ``participant_count``), agreements, authorities and open
    requests for a joint meeting as dicts (:data:`SECTION_ROWS`), and its :func:`meeting_flags`.

    All are read from the placement when it carries them (the child file's placements query
    annotates them), else in one query each (the rows compiled once per process, run with the
    placement's id; the flags)."""
    if all(hasattr(placement, name) for name in SECTION_ROWS):
        carried = placement
    else:
        (carried,) = compiled.instances(
            ("meetings section",), _section_rows, placement=placement.pk
        )
    lists = {name: rows.parse(getattr(carried, name)) for name, rows in SECTION_ROWS.items()}
    participants = Counter(row["meeting"] for row in lists["participant_rows"])
    meetings = lists["meeting_rows"]
    for meeting in meetings:
        meeting["participant_count"] = participants[meeting["id"]]
    if all(hasattr(placement, name) for name in MEETING_FLAGS):
        flags = {name: getattr(placement, name) for name in MEETING_FLAGS}
    else:
        expressions = meeting_flags(timezone.localdate())
        flags = Placement.objects.filter(pk=placement.pk).annotate(**expressions)
        flags = flags.values(*MEETING_FLAGS).get()
    held_start = any(m["kind"] == "start" and m["status"] == "held" for m in meetings)
    planned_start = any(m["kind"] == "start" and m["status"] == "planned" for m in meetings)
    return {
        "meetings": meetings,
        "agreements": lists["agreement_rows"],
        "authorities": lists["authority_rows"],
        "requests": lists["request_rows"],
        "contacts_last_year": flags["contacts_last_year"],
        "too_few_contacts": flags["too_few_contacts"],
        "start_meeting_held": held_start,
        "start_meeting_planned": planned_start,
        "start_meeting_overdue": flags["start_meeting_overdue"],
    }


NOT_CANCELLED = ~Q(status=Meeting.Status.CANCELLED)

# What the meetings section lists of a placement, as JSON columns of one query
# (pleegzorg.db.RelatedRows): of the child file's placements (placements.selectors), or of
# meetings_of's own. The participants are counted per meeting from their meeting ids.
SECTION_ROWS = {
    "meeting_rows": RelatedRows(
        Meeting,
        link="placement",
        fields=("id", "kind", "status", "planned_at", "next_date"),
        condition=NOT_CANCELLED,
        order_by=("-planned_at", "-id"),
    ),
    "participant_rows": RelatedRows(
        MeetingParticipant,
        link="meeting__placement",
        fields=("meeting",),
        condition=~Q(meeting__status=Meeting.Status.CANCELLED),
    ),
    "agreement_rows": RelatedRows(
        Agreement,
        link="placement",
        fields=("what", "owner", "due_on", "status"),
        order_by=("status", "due_on", "id"),
    ),
    "authority_rows": RelatedRows(
        RoleAuthority,
        link="placement",
        fields=("subject", "decides", "note"),
        order_by=("subject", "id"),
    ),
    "request_rows": RelatedRows(
        JointMeetingRequest,
        link="placement",
        fields=("requested_by", "reason"),
        condition=Q(meeting__isnull=True),
        order_by=("-requested_on", "-id"),
    ),
}


def section_rows() -> dict:
    """:data:`SECTION_ROWS` as annotations of a placements query."""
    return {name: rows.subquery() for name, rows in SECTION_ROWS.items()}


def _section_rows(*, placement: int):
    return Placement.objects.filter(pk=placement).annotate(**section_rows()).order_by()


def meeting_agenda(meeting: Meeting) -> dict:
    """What the printable agenda shows: who takes part, the questions, the open agreements."""
    return {
        "meeting": meeting,
        "placement": meeting.placement,
        "participants": list(meeting.participants.all()),
        "questions": [label for _name, label in StartMeetingAnswer.QUESTIONS],
        "open_agreements": list(meeting.placement.agreements.filter(status="open")),
    }
