"""Reminders: each rule fires on its day and not before, once, for the right person.

The clock is frozen with time-machine at 09:00 in Amsterdam; "day 0" is the day a placement
starts or a meeting takes place. The scan runs inside the test's transaction, so emails go only
when a test runs the on-commit callbacks (``django_capture_on_commit_callbacks``).
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from contextlib import contextmanager
from email import message_from_bytes
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from config.celery import app as celery_app
from placements.factories import PlacementFactory
from placements.meetings import ics
from placements.models import Agreement, Meeting, MeetingParticipant, Party, Placement
from pleegzorg import reminders
from pleegzorg.models import Notification, Reminder, User

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DAY0 = dt.date(2026, 3, 2)
Status = Reminder.EmailStatus


@contextmanager
def on_day(days: int, hour: int = 9, minute: int = 0, *, tick: bool = False):
    """Freeze the clock at ``hour:minute`` on day 0 + ``days`` (Amsterdam time)."""
    moment = dt.datetime.combine(DAY0 + dt.timedelta(days=days), dt.time(hour, minute), AMSTERDAM)
    with time_machine.travel(moment, tick=tick):
        yield


def scan_on(days: int, hour: int = 9) -> reminders.ScanResult:
    with on_day(days, hour):
        return reminders.reminders_scan()


def keys(kind: str | None = None) -> set[str]:
    rows = Reminder.objects.all() if kind is None else Reminder.objects.filter(kind=kind)
    return set(rows.values_list("key", flat=True))


def notified(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user).order_by("id"))


@pytest.fixture
def eager_celery():
    """Tasks queued with .delay() run at once, in the test's thread."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def started_placement(caseworker):
    """A placement that starts on day 0, without any meeting yet."""
    return PlacementFactory(
        caseworker=caseworker, start_date=DAY0, child__first_name="Sanne", child__last_name="Bos"
    )


@pytest.fixture
def settled_placement(caseworker):
    """A placement running for a year with a next joint meeting date: no reminders of its own."""
    placement = PlacementFactory(
        caseworker=caseworker,
        start_date=DAY0 - dt.timedelta(days=365),
        next_joint_meeting_on=DAY0 + dt.timedelta(days=60),
        child__first_name="Daan",
    )
    _meeting(placement, Meeting.Kind.START, -350, status=Meeting.Status.HELD)
    return placement


def _meeting(placement, kind, days, *, status=Meeting.Status.PLANNED, hour=10, **fields):
    planned_at = dt.datetime.combine(DAY0 + dt.timedelta(days=days), dt.time(hour), AMSTERDAM)
    if status == Meeting.Status.HELD:
        fields.setdefault("held_on", planned_at.date())
    return Meeting.objects.create(
        placement=placement,
        kind=kind,
        status=status,
        planned_at=planned_at,
        place="Kantoor Utrecht, Oudegracht 1",
        **fields,
    )


@pytest.fixture
def joint_meeting(settled_placement):
    """A joint meeting on day 0 at 10:00 with three participants, two of them with email."""
    meeting = _meeting(settled_placement, Meeting.Kind.JOINT, 0)
    MeetingParticipant.objects.bulk_create(
        [
            MeetingParticipant(
                meeting=meeting, party=Party.FOSTER_PARENTS, name="Petra", email="petra@example.com"
            ),
            MeetingParticipant(
                meeting=meeting,
                party=Party.YOUTH_PROTECTOR,
                name="Joost",
                email="joost@example.org",
            ),
            MeetingParticipant(meeting=meeting, party=Party.PARENTS, name="Mirjam", email=""),
        ]
    )
    return meeting


# -- start meeting not planned ---------------------------------------------------------------------


def test_start_meeting_reminder_comes_on_the_third_day_not_before(started_placement, caseworker):
    assert scan_on(2).total == 0
    assert notified(caseworker) == []

    scan_on(3)

    assert keys() == {f"start_unplanned:{started_placement.pk}"}
    (notice,) = notified(caseworker)
    assert "Sanne Bos" in notice.text
    assert notice.url == (
        reverse("placements:meeting_plan", args=[started_placement.pk]) + "?soort=start"
    )
    assert notice.read_at is None
    assert Reminder.objects.get().notification == notice


def test_a_planned_start_meeting_needs_no_reminder_but_a_cancelled_one_does(started_placement):
    meeting = _meeting(started_placement, Meeting.Kind.START, 20)
    scan_on(3)
    assert keys("start_unplanned") == set()

    meeting.status = Meeting.Status.CANCELLED
    meeting.save()
    scan_on(4)
    assert keys("start_unplanned") == {f"start_unplanned:{started_placement.pk}"}


def test_ended_placements_are_not_reminded(caseworker):
    PlacementFactory(
        caseworker=caseworker,
        start_date=DAY0 - dt.timedelta(days=100),
        end_date=DAY0 - dt.timedelta(days=1),
        end_reason=Placement.EndReason.RETURN_HOME,
    )
    assert scan_on(3).total == 0


def test_only_the_current_caseworker_is_reminded(started_placement, caseworker, other_caseworker):
    Placement.objects.filter(pk=started_placement.pk).update(caseworker=other_caseworker)
    scan_on(3)
    assert notified(caseworker) == []
    assert len(notified(other_caseworker)) == 1


# -- meeting invitations ---------------------------------------------------------------------------


def test_invitations_go_out_seven_days_before_the_meeting(
    joint_meeting, caseworker, django_capture_on_commit_callbacks, eager_celery
):
    with on_day(-8), django_capture_on_commit_callbacks(execute=True):
        assert reminders.reminders_scan().total == 0
    assert mail.outbox == []

    with on_day(-7), django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_scan()

    assert sorted(message.to[0] for message in mail.outbox) == [
        "joost@example.org",
        "petra@example.com",
    ]
    assert set(Reminder.objects.filter(kind="invite").values_list("email_status", flat=True)) == {
        Status.SENT
    }
    (notice,) = notified(caseworker)
    assert notice.url == reverse("placements:meeting_hold", args=[joint_meeting.pk])
    assert "Daan" in notice.text


def test_a_meeting_planned_closer_than_seven_days_is_invited_at_once(
    settled_placement, django_capture_on_commit_callbacks, eager_celery
):
    meeting = _meeting(settled_placement, Meeting.Kind.JOINT, 2)
    MeetingParticipant.objects.create(
        meeting=meeting, party=Party.PARENTS, name="Mo", email="mo@example.com"
    )
    with on_day(0), django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_scan()
    assert [message.to for message in mail.outbox] == [["mo@example.com"]]


def test_no_email_is_sent_before_the_scan_commits(
    joint_meeting, django_capture_on_commit_callbacks, eager_celery
):
    with on_day(-7), django_capture_on_commit_callbacks(execute=False) as callbacks:
        reminders.reminders_scan()
        assert mail.outbox == []
    assert mail.outbox == []
    assert len(callbacks) == 1

    with on_day(-7, 9, 1):  # the transaction commits
        for callback in callbacks:
            callback()
    assert len(mail.outbox) == 2


def test_a_moved_meeting_is_invited_again(
    joint_meeting, django_capture_on_commit_callbacks, eager_celery
):
    with on_day(-7), django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_scan()
    assert len(mail.outbox) == 2

    joint_meeting.planned_at += dt.timedelta(days=1, hours=3)
    joint_meeting.version += 1
    joint_meeting.save()
    with on_day(-6), django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_scan()

    assert len(mail.outbox) == 4
    assert len(keys("invite")) == 4
    assert len(keys("meeting_soon")) == 2
    moved = Calendar.from_ical(_ics_of(mail.outbox[-1]))
    (event,) = moved.walk("VEVENT")
    assert event.decoded("dtstart") == joint_meeting.planned_at
    assert event["uid"] == ics.meeting_uid(joint_meeting)
    assert int(event["sequence"]) == joint_meeting.version


def test_an_invitation_for_a_meeting_moved_before_sending_is_not_sent(joint_meeting):
    with on_day(-7):
        reminders.reminders_scan()
    joint_meeting.planned_at += dt.timedelta(hours=2)
    joint_meeting.save()
    ids = list(Reminder.objects.filter(kind="invite").values_list("pk", flat=True))

    with on_day(-7, hour=10):
        assert reminders.reminder_emails_send(reminder_ids=ids) == 0
    assert mail.outbox == []
    assert set(Reminder.objects.filter(pk__in=ids).values_list("email_status", flat=True)) == {
        Status.NONE
    }


def test_the_invitation_carries_an_ics_request(joint_meeting, caseworker):
    with on_day(-7):
        reminders.reminders_scan()
        ids = list(Reminder.objects.filter(kind="invite").values_list("pk", flat=True))
        reminders.reminder_emails_send(reminder_ids=ids)

    message = next(m for m in mail.outbox if m.to == ["petra@example.com"])
    parsed = message_from_bytes(message.message().as_bytes())
    (part,) = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "uitnodiging.ics"

    calendar = Calendar.from_ical(part.get_payload(decode=True))
    assert str(calendar["method"]) == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert str(event["uid"]) == ics.meeting_uid(joint_meeting)
    start = event.decoded("dtstart")
    assert start == dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # 10:00 in Amsterdam
    assert start.utcoffset() == dt.timedelta(0)
    assert event.decoded("dtend") - start == ics.MEETING_DURATION
    assert "Daan" in str(event["summary"])
    assert str(event["location"]) == "Kantoor Utrecht, Oudegracht 1"
    assert str(event["attendee"]) == "mailto:petra@example.com"
    assert str(event["organizer"]) == f"mailto:{caseworker.email}"


def test_the_ics_summary_is_in_the_site_language_whatever_is_active(joint_meeting):
    with on_day(-7), translation.override("en"):
        reminders.reminders_scan()
        ids = list(Reminder.objects.filter(kind="invite").values_list("pk", flat=True))
        reminders.reminder_emails_send(reminder_ids=ids)
        english = ics.meeting_summary(joint_meeting)
    with translation.override("nl"):
        dutch = ics.meeting_summary(joint_meeting)
    event = Calendar.from_ical(_ics_of(mail.outbox[0])).walk("VEVENT")[0]
    assert str(event["summary"]) == dutch != english


# -- meetings without a report ---------------------------------------------------------------------


def test_a_meeting_without_report_reminds_the_next_day_and_escalates_after_14_days(
    joint_meeting, caseworker, team_lead
):
    scan_on(0, hour=23)
    assert keys("report_missing") == set()

    scan_on(1)
    assert keys("report_missing") == {f"report_missing:{joint_meeting.pk}"}
    assert notified(caseworker)[-1].url == reverse(
        "placements:meeting_hold", args=[joint_meeting.pk]
    )

    scan_on(13)
    assert notified(team_lead) == []

    scan_on(14)
    assert keys("report_escalated") == {f"report_escalated:{joint_meeting.pk}"}
    (escalation,) = notified(team_lead)
    assert "Daan" in escalation.text
    assert caseworker.get_full_name() in escalation.text


def test_a_reported_meeting_is_not_reminded(joint_meeting):
    Meeting.objects.filter(pk=joint_meeting.pk).update(
        status=Meeting.Status.HELD, held_on=DAY0, next_date=DAY0 + dt.timedelta(weeks=13)
    )
    scan_on(20)
    assert keys("report_missing") == set()
    assert keys("report_escalated") == set()


def test_a_joint_meeting_held_without_a_next_date_is_reminded(settled_placement, caseworker):
    meeting = _meeting(settled_placement, Meeting.Kind.JOINT, 0, status=Meeting.Status.HELD)
    scan_on(0, hour=23)
    assert keys("report_missing") == set()

    scan_on(1)
    assert keys("report_missing") == {f"report_missing:{meeting.pk}"}


def test_without_a_team_lead_there_is_no_escalation(joint_meeting, team):
    team.lead = None
    team.save()
    scan_on(30)
    assert keys("report_missing") == {f"report_missing:{joint_meeting.pk}"}
    assert keys("report_escalated") == set()


# -- no next joint meeting date --------------------------------------------------------------------


def test_no_next_joint_meeting_date_reminds_after_the_start_meeting_window(
    started_placement, caseworker, team_lead
):
    scan_on(13)
    assert keys("no_next_joint") == set()

    scan_on(14)
    assert keys("no_next_joint") == {f"no_next_joint:{started_placement.pk}:start"}
    notice = Reminder.objects.get(kind="no_next_joint").notification
    assert notice.user == caseworker
    assert notice.url == reverse("placements:meeting_plan", args=[started_placement.pk])

    scan_on(27)
    assert notified(team_lead) == []
    scan_on(28)
    assert keys("no_next_joint_escalated") == {
        f"no_next_joint_escalated:{started_placement.pk}:start"
    }
    assert len(notified(team_lead)) == 1


def test_a_next_date_or_a_planned_meeting_means_no_reminder(started_placement):
    Placement.objects.filter(pk=started_placement.pk).update(
        next_joint_meeting_on=DAY0 + dt.timedelta(days=90)
    )
    scan_on(40)
    assert keys("no_next_joint") == set()

    Placement.objects.filter(pk=started_placement.pk).update(next_joint_meeting_on=None)
    _meeting(started_placement, Meeting.Kind.START, 45)
    scan_on(41)
    assert keys("no_next_joint") == set()


def test_losing_the_next_date_after_a_held_meeting_reminds_again(started_placement):
    scan_on(14)
    _meeting(started_placement, Meeting.Kind.START, 20, status=Meeting.Status.HELD)
    scan_on(21)
    assert keys("no_next_joint") == {
        f"no_next_joint:{started_placement.pk}:start",
        f"no_next_joint:{started_placement.pk}:{(DAY0 + dt.timedelta(days=20)).isoformat()}",
    }


# -- agreements ------------------------------------------------------------------------------------


def test_an_open_agreement_past_its_date_reminds_the_caseworker(settled_placement, caseworker):
    agreement = Agreement.objects.create(
        placement=settled_placement, what="Zwemles regelen", owner=Party.FOSTER_PARENTS, due_on=DAY0
    )
    done = Agreement.objects.create(
        placement=settled_placement,
        what="Fiets kopen",
        owner=Party.FOSTER_PARENTS,
        due_on=DAY0,
        status=Agreement.Status.DONE,
    )
    scan_on(0)
    assert keys("agreement_overdue") == set()

    scan_on(1)
    assert keys("agreement_overdue") == {f"agreement_overdue:{agreement.pk}:{DAY0.isoformat()}"}
    (notice,) = notified(caseworker)
    assert "Zwemles regelen" in notice.text
    assert notice.url.startswith(reverse("placements:child", args=[settled_placement.child_id]))
    assert str(done.pk) not in {key.split(":")[1] for key in keys("agreement_overdue")}

    # Postponed, and overdue again: a new reminder.
    Agreement.objects.filter(pk=agreement.pk).update(due_on=DAY0 + dt.timedelta(days=10))
    scan_on(11)
    assert len(keys("agreement_overdue")) == 2


# -- once, whatever happens ------------------------------------------------------------------------


def all_kinds(caseworker, count: int) -> None:
    """``count`` sets of situations that each give one reminder of every kind on day 15."""
    for i in range(count):
        # Started 30 days before day 15 without any meeting: start meeting not planned and
        # overdue, no next joint meeting date (escalated after 28 days), an agreement overdue.
        started = PlacementFactory(caseworker=caseworker, start_date=DAY0 - dt.timedelta(days=15))
        Agreement.objects.create(
            placement=started, what=f"Afspraak {i}", owner=Party.PARENTS, due_on=DAY0
        )
        settled = PlacementFactory(
            caseworker=caseworker,
            start_date=DAY0 - dt.timedelta(days=300),
            next_joint_meeting_on=DAY0 + dt.timedelta(days=18),
        )
        _meeting(settled, Meeting.Kind.START, -290, status=Meeting.Status.HELD)
        # 15 days ago without a report (escalated), and one in 3 days (invited).
        for days in (0, 18):
            meeting = _meeting(settled, Meeting.Kind.JOINT, days)
            MeetingParticipant.objects.create(
                meeting=meeting, party=Party.PARENTS, name=f"Ouder {i}", email=f"o{i}@example.com"
            )


def test_running_the_scan_twice_stores_and_sends_nothing_twice(
    caseworker, team_lead, django_capture_on_commit_callbacks, eager_celery
):
    all_kinds(caseworker, 2)
    with on_day(15), django_capture_on_commit_callbacks(execute=True):
        first = reminders.reminders_scan()
    rows = set(Reminder.objects.values_list("pk", "key", "notification_id"))
    sent = len(mail.outbox)
    assert first.total == len(rows)
    assert {kind for _pk, key, _n in rows for kind in [key.split(":")[0]]} == {
        "start_unplanned",
        "start_overdue",
        "no_next_joint",
        "no_next_joint_escalated",
        "report_missing",
        "report_escalated",
        "meeting_soon",
        "invite",
        "agreement_overdue",
    }
    assert sent == 2

    with on_day(15, hour=10), django_capture_on_commit_callbacks(execute=True):
        second = reminders.reminders_scan()
    assert second.total == 0
    assert set(Reminder.objects.values_list("pk", "key", "notification_id")) == rows
    assert Notification.objects.count() == Reminder.objects.filter(recipient__isnull=False).count()
    assert len(mail.outbox) == sent


def test_the_scan_runs_a_fixed_number_of_queries(
    caseworker, team_lead, django_assert_max_num_queries
):
    all_kinds(caseworker, 3)
    with on_day(15), CaptureQueriesContext(connection) as few:
        reminders.reminders_scan()
    Reminder.objects.all().delete()
    Notification.objects.all().delete()
    all_kinds(caseworker, 27)  # 30 of each now

    # Nine reads (one per source, two for invitations; constellations without a gathering is
    # the eighth, the foster parents' unanswered requests the ninth), two inserts, the check for
    # notices another scan made first, the emails to queue, the savepoint around it all, and on
    # PostgreSQL the statement that switches off JIT compilation: one more per source, never
    # more with more data.
    with on_day(15), django_assert_max_num_queries(len(few)) as many:
        result = reminders.reminders_scan()
    assert len(many) == len(few) <= 16
    assert result.created["start_unplanned"] == 30
    assert result.created["invite"] == 30
    assert result.total == 30 * 9


def test_a_backlog_is_worked_off_by_scans_that_follow_each_other(
    caseworker, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(reminders, "SCAN_BATCH", 2)
    placements = [
        PlacementFactory(caseworker=caseworker, start_date=DAY0 - dt.timedelta(days=i))
        for i in range(3)
    ]
    queued = []
    monkeypatch.setattr("pleegzorg.tasks.scan_reminders.delay", lambda: queued.append(1))

    with on_day(3), django_capture_on_commit_callbacks(execute=True):
        first = reminders.reminders_scan()
    assert first.more
    assert first.created["start_unplanned"] == 2
    assert queued == [1]  # the next scan is queued at once, after commit
    # The oldest placements come first.
    assert keys("start_unplanned") == {f"start_unplanned:{p.pk}" for p in placements[1:]}

    with on_day(3, 9, 1), django_capture_on_commit_callbacks(execute=True):
        second = reminders.reminders_scan()
    assert not second.more
    assert second.created["start_unplanned"] == 1
    assert queued == [1]


def test_a_killed_worker_leaves_the_email_to_be_sent_again_later(
    joint_meeting, django_capture_on_commit_callbacks, eager_celery
):
    with on_day(-7):
        reminders.reminders_scan()
        petra, joost = Reminder.objects.filter(kind="invite").order_by("-email_to")
        # A worker claimed Petra's email and died; Joost's task was lost before it ran.
        assert reminders._claim([petra.pk], timezone.now()) == [petra.pk]

    # Ten minutes later the claim still holds: a second task leaves the row alone.
    with on_day(-7, 9, 10):
        assert reminders.reminder_emails_send(reminder_ids=[petra.pk]) == 0
    assert mail.outbox == []

    # After 15 minutes the next scan queues both again, and the task sends them.
    with on_day(-7, 9, 30), django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_scan()
    assert sorted(m.to[0] for m in mail.outbox) == ["joost@example.org", "petra@example.com"]
    assert set(Reminder.objects.filter(kind="invite").values_list("email_status", flat=True)) == {
        Status.SENT
    }

    # Sent is final: neither a later scan nor a repeated task sends it again.
    with on_day(-6), django_capture_on_commit_callbacks(execute=True) as callbacks:
        reminders.reminders_scan()
        assert reminders.reminder_emails_send(reminder_ids=[petra.pk, joost.pk]) == 0
    assert callbacks == []
    assert len(mail.outbox) == 2


def test_a_refused_address_fails_and_other_errors_retry(joint_meeting, monkeypatch):
    import smtplib

    with on_day(-7):
        reminders.reminders_scan()
    petra, joost = Reminder.objects.filter(kind="invite").order_by("-email_to")

    def refuse(self, messages):
        if messages[0].to == ["petra@example.com"]:
            raise smtplib.SMTPRecipientsRefused({"petra@example.com": (550, b"no such user")})
        raise ConnectionError("mail server down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    with on_day(-7):
        assert reminders.reminder_emails_send(reminder_ids=[petra.pk, joost.pk]) == 0
    petra.refresh_from_db()
    joost.refresh_from_db()
    assert petra.email_status == Status.FAILED
    assert joost.email_status == Status.PENDING


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_store_each_reminder_once(requires_postgresql, caseworker, team_lead):
    all_kinds(caseworker, 3)
    barrier = threading.Barrier(2, timeout=10)
    store = reminders._store

    def store_together(*args, **kwargs):
        # Both scans have found the same due reminders; now they insert at the same moment.
        barrier.wait()
        return store(*args, **kwargs)

    results, errors = [], []

    def scan():
        try:
            results.append(reminders.reminders_scan())
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    # The clock ticks: each scan has its own moment, as in real life.
    with on_day(15, tick=True), pytest.MonkeyPatch.context() as patch:
        patch.setattr(reminders, "_store", store_together)
        threads = [threading.Thread(target=scan) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert errors == []
    assert len(results) == 2
    expected = 3 * 9  # one of each of the nine kinds per set
    assert Reminder.objects.count() == expected
    assert len(keys()) == expected
    # Both found the same 27; the second waited for the first, then stored none of them.
    assert sorted(result.total for result in results) == [0, expected]
    in_app = Reminder.objects.filter(recipient__isnull=False)
    assert Notification.objects.count() == in_app.count()
    assert not Notification.objects.filter(reminder__isnull=True).exists()


# -- helpers ---------------------------------------------------------------------------------------


def _ics_of(message) -> bytes:
    parsed = message_from_bytes(message.message().as_bytes())
    (part,) = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    return part.get_payload(decode=True)


def test_the_demo_opens_with_notices_for_werker_and_the_team_lead(seeded):
    werker = User.objects.get(username="werker")
    teamleider = User.objects.get(username="teamleider")
    assert Notification.objects.filter(user=werker, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=teamleider).exists()
    # Seeding again adds no reminder twice.
    before = Reminder.objects.count()
    call_command("seed_demo", "--scale", "small", stdout=io.StringIO())
    assert Reminder.objects.count() == before
