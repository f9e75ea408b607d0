"""One definition per rule: on one fixed data set, the caseload's flag and filter, "Mijn
overleggen", the child file and the reminder scan name exactly the same placements."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from placements import selectors, services
from placements.factories import ChildFactory, FosterFamilyFactory, PlacementFactory
from placements.meetings import selectors as meeting_selectors
from placements.models import ChildContact, Meeting, Placement
from pleegzorg import reminders
from pleegzorg.models import Reminder

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TODAY = dt.date(2026, 6, 15)


def day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


def meeting(placement, kind, offset, status=Meeting.Status.PLANNED, **fields):
    planned_at = dt.datetime.combine(day(offset), dt.time(10), AMSTERDAM)
    if status == Meeting.Status.HELD:
        fields.setdefault("held_on", planned_at.date())
    return Meeting.objects.create(
        placement=placement,
        kind=kind,
        status=status,
        planned_at=planned_at,
        place="Kantoor",
        **fields,
    )


@pytest.fixture
def situations(caseworker):
    """Placements in every situation the meeting rules tell apart, by name."""

    def placement(start, **fields):
        return PlacementFactory(caseworker=caseworker, start_date=day(start), **fields)

    settled = {"next_joint_meeting_on": day(10)}
    made = {
        "new": placement(-5),
        "no_meetings": placement(-20),
        "start_planned": placement(-20, next_joint_meeting_on=day(2)),
        "settled": placement(-300, **settled),
        "date_passed": placement(-300, next_joint_meeting_on=day(-3)),
        "unreported": placement(-300, next_joint_meeting_on=day(-2)),
        "held_without_next": placement(-300),
        "ended": placement(-300, end_date=day(-10), end_reason="return_home"),
    }
    meeting(made["start_planned"], Meeting.Kind.START, 2)
    for name in ("settled", "date_passed", "unreported", "held_without_next", "ended"):
        meeting(made[name], Meeting.Kind.START, -290, Meeting.Status.HELD)
    meeting(made["unreported"], Meeting.Kind.JOINT, -2)
    meeting(made["held_without_next"], Meeting.Kind.JOINT, -5, Meeting.Status.HELD)
    for offset in (-300, -200, -100):
        ChildContact.objects.create(
            placement=made["settled"], contact_on=day(offset + 1), caseworker=caseworker
        )
    return made


def names(situations, placements) -> set[str]:
    by_pk = {p.pk: name for name, p in situations.items()}
    return {by_pk[p.pk] for p in placements}


def scanned(situations, *kinds) -> set[str]:
    """The placements the scan reminded about, for reminder keys KIND:P[:...]."""
    by_pk = {p.pk: name for name, p in situations.items()}
    found = set()
    for key in Reminder.objects.filter(kind__in=kinds).values_list("key", flat=True):
        found.add(by_pk[int(key.split(":")[1])])
    return found


@pytest.fixture
def on_today():
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(9), AMSTERDAM), tick=False):
        yield


def test_start_meeting_overdue_is_one_rule(situations, caseworker, on_today):
    expected = {"no_meetings", "start_planned"}
    assert names(situations, Placement.objects.start_meeting_overdue()) == expected
    caseload = selectors.caseload(caseworker, reason="start_meeting_overdue")
    assert names(situations, caseload) == expected
    assert names(situations, meeting_selectors.my_meetings(caseworker)["start_overdue"]) == expected
    flagged = {
        name
        for name, p in situations.items()
        if meeting_selectors.meetings_of(p)["start_meeting_overdue"]
    }
    assert flagged == expected
    reminders.reminders_scan(follow_up=False)
    assert scanned(situations, "start_overdue") == expected


def test_joint_meeting_overdue_is_one_rule(situations, caseworker, on_today):
    expected = {"no_meetings", "date_passed"}
    assert names(situations, Placement.objects.joint_meeting_overdue()) == expected
    caseload = selectors.caseload(caseworker, reason="joint_meeting_overdue")
    assert names(situations, caseload) == expected
    assert names(situations, meeting_selectors.my_meetings(caseworker)["joint_overdue"]) == expected
    reminders.reminders_scan(follow_up=False)
    assert scanned(situations, "no_next_joint", "joint_overdue") == expected
    # What is not overdue has its own reminder: the report still to write.
    meetings = Reminder.objects.filter(kind="report_missing").values("subject_id")
    reported = Placement.objects.filter(meetings__in=meetings)
    assert names(situations, reported) == {"unreported", "held_without_next"}


def test_every_attention_reason_makes_the_caseload_flag(situations, caseworker, on_today):
    flagged = {p.pk for p in selectors.caseload(caseworker) if p.needs_attention}
    for reason in selectors.ATTENTION_REASONS:
        assert {p.pk for p in selectors.caseload(caseworker, reason=reason)} <= flagged
    assert {p.pk for p in selectors.caseload(caseworker, attention=True)} == flagged


def test_too_few_conversations_with_the_child_is_one_rule(situations, on_today):
    too_few = names(situations, Placement.objects.too_few_child_contacts())
    assert "settled" not in too_few  # 3 conversations in the last 12 months
    assert "ended" not in too_few  # only active placements count
    active = {name for name in situations if name != "ended"}
    assert too_few == active - {"settled"}
    for name, placement in situations.items():
        if name != "ended":
            assert meeting_selectors.meetings_of(placement)["too_few_contacts"] == (name in too_few)
    counted = Placement.objects.with_child_contacts().get(pk=situations["settled"].pk)
    assert counted.child_contacts_last_year == 3


def test_a_child_under_3_gets_joint_meetings_every_6_weeks_from_every_path(caseworker, on_today):
    toddler = ChildFactory(date_of_birth=day(-365))
    older = ChildFactory(date_of_birth=day(-365 * 8))
    assert Placement.default_joint_meeting_interval_weeks(toddler, TODAY) == 6
    assert Placement.default_joint_meeting_interval_weeks(older, TODAY) == 13
    family = FosterFamilyFactory()
    placement = services.placement_start(
        actor=caseworker,
        child=toddler,
        family=family,
        kind="full_time",
        legal_basis="voluntary",
        start_date=TODAY,
        planned_end_date=None,
        caseworker=caseworker,
    )
    assert placement.joint_meeting_interval_weeks == 6
