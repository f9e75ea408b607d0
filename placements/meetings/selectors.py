"""Reads for the meeting pages."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from placements.meetings.models import Meeting
from placements.models import Placement


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
