"""Reminders: what has fallen due, told once to the right person.

One periodic task (``pleegzorg.tasks.scan_reminders``, every 15 minutes by beat) calls
:func:`reminders_scan`. The scan asks the database, one query per kind of reminder, what is due
*and not yet stored*, and stores each due reminder as a :class:`~pleegzorg.models.Reminder` row
with a unique ``key``. In-app reminders get their :class:`~pleegzorg.models.Notification` (the bell)
in the same transaction; email reminders (meeting invitations with an ICS file) are sent after
commit by ``pleegzorg.tasks.send_reminder_emails``, which takes reminder ids.

The rules (only active placements; only the placement's current caseworker; days from settings):

==========================  ===============================================  =====================
key                         falls due                                        told
==========================  ===============================================  =====================
start_unplanned:P           no start meeting planned (cancelled ones do not  caseworker
                            count) START_MEETING_PLAN_REMINDER_DAYS after
                            the placement started
meeting_soon:M:T            a planned meeting starts within                  caseworker
                            MEETING_INVITATION_DAYS (T: its time, UTC ISO)
invite:M:PP:T               the same, for each participant PP with an        email with ICS
                            email address
report_missing:M            the meeting day is over and the meeting is       caseworker
                            still "planned" (no report), or a joint meeting
                            was held without a next date
report_escalated:M          the same, MEETING_ESCALATION_DAYS after the      team lead
                            meeting day
no_next_joint:P:S           no next joint meeting date, nothing planned and  caseworker
                            no report open; S: the day of the last held
                            meeting, or "start" (then it falls due
                            START_MEETING_DUE_DAYS after the start)
no_next_joint_escalated:P:S the same, MEETING_ESCALATION_DAYS later          team lead
agreement_overdue:A:D       an agreement still open after its date D         caseworker
no_gathering:C:M            an open constellation that existed all of month  its liaison
                            M (the last calendar month) had no gathering
==========================  ===============================================  =====================

A moved meeting gets a new time T, so it is invited again; a postponed agreement gets a new D.
The team lead is the lead of the caseworker's team; without one there is no escalation.

Exactly once, and what is left of "at least once"
-------------------------------------------------
* Storing: every query excludes the keys already stored, and the insert ignores conflicts on the
  unique key. Two scans at once (two workers, beat firing twice) compute the same reminders; on
  PostgreSQL the second insert waits for the first transaction and then skips those keys, and the
  second scan deletes the notifications it had made for them. Rows are inserted in key order, so
  two scans cannot deadlock on each other. On SQLite writes are serialised (IMMEDIATE).
* In-app notices are rows written in the scan's transaction: they exist exactly once or not at all.
* Email: a row starts "pending". The send task claims rows (pending → sending, with
  ``email_claimed_at``; ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL), sends, and marks them
  "sent". A task lost before it ran (broker restart, failed enqueue) leaves rows "pending"; a worker
  killed while sending leaves them "sending". Each scan re-queues pending rows older than
  ``STUCK_AFTER`` and sending rows claimed longer ago than that, and the task claims those again.
  "Sent" rows are never sent again.
  The window that remains: a worker killed *after* the mail server accepted a message but *before*
  the row was marked "sent" (milliseconds per message) sends that one message again about
  ``STUCK_AFTER`` later. No mail protocol can close that gap; a duplicate invitation is harmless,
  because the calendar matches it on UID and SEQUENCE and updates the same event.
* Nothing is scheduled ahead with countdown or ETA: a reminder becomes due when a scan sees it.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import smtplib
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from placements.models import Agreement, Meeting, MeetingParticipant, Placement
from pleegzorg import ics
from pleegzorg.models import Notification, Reminder

logger = logging.getLogger(__name__)

START_UNPLANNED = "start_unplanned"
MEETING_SOON = "meeting_soon"
INVITE = "invite"
REPORT_MISSING = "report_missing"
REPORT_ESCALATED = "report_escalated"
NO_NEXT_JOINT = "no_next_joint"
NO_NEXT_JOINT_ESCALATED = "no_next_joint_escalated"
AGREEMENT_OVERDUE = "agreement_overdue"
NO_GATHERING = "no_gathering"

# A row "sending" for longer than this belongs to a worker that died; "pending" for longer than
# this lost its task. Longer than any send of one batch takes, shorter than anyone would wait.
STUCK_AFTER = dt.timedelta(minutes=15)
# Rows per kind and scan. A backlog (the first scan after going live, days of downtime) is worked
# off by scans that follow each other at once, each a few seconds long, instead of one long one.
SCAN_BATCH = 2000
# Reminder ids per send task: a killed worker delays at most this many emails.
EMAIL_BATCH_SIZE = 100
TEXT_LENGTH = 300  # Notification.text and Reminder.text

Status = Meeting.Status
EmailStatus = Reminder.EmailStatus


@dataclass(frozen=True)
class DueReminder:
    key: str
    kind: str
    due_on: dt.date
    text: str
    url: str = ""
    recipient_id: int | None = None
    email_to: str = ""
    meeting_id: int | None = None


@dataclass
class ScanResult:
    """What one scan did (for the log and the management command)."""

    created: Counter = field(default_factory=Counter)
    notifications: int = 0
    emails_queued: int = 0
    more: bool = False  # a kind had more due than SCAN_BATCH: another scan follows

    @property
    def total(self) -> int:
        return sum(self.created.values())


# -- the scan ------------------------------------------------------------------------------------


def reminders_scan(*, now: dt.datetime | None = None, follow_up: bool = True) -> ScanResult:
    """Store every reminder that has fallen due and is not stored yet; queue its email.

    A fixed number of queries whatever the amount of data: one per kind of reminder (two for
    invitations), and for what is new one insert of notifications, one of reminders, one check
    for notifications another scan made first, and one query for the emails to queue. Each kind
    takes at most ``SCAN_BATCH`` rows, oldest first; when one had more, another scan is queued
    after commit (``follow_up``) and continues where this one stopped.
    Texts are written in the site language (``LANGUAGE_CODE``): a notice is stored, not rendered
    later.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = ScanResult()
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        if connection.vendor == "postgresql":
            # The correlated subqueries make the planner's cost estimates high enough to switch on
            # JIT compilation, which then takes a second for queries that run in milliseconds.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        due = [
            *_start_unplanned(today, result),
            *_meetings_soon(now, today),
            *_open_reports(today, result),
            *_no_next_joint(today, result),
            *_agreements_overdue(today, result),
            *_no_gathering(today, result),
        ]
        result.notifications = _store(due, now, result)
        email_ids = _emails_to_queue(now, result)
        if email_ids:
            transaction.on_commit(partial(_queue_emails, email_ids), robust=True)
        if result.more and follow_up:
            transaction.on_commit(_queue_scan, robust=True)
    result.emails_queued = len(email_ids)
    if result.total or result.emails_queued:
        logger.info(
            "Reminder scan: %s new (%s), %s emails queued",
            result.total,
            dict(result.created),
            result.emails_queued,
        )
    return result


def _start_unplanned(today: dt.date, result: ScanResult) -> Iterator[DueReminder]:
    days = settings.START_MEETING_PLAN_REMINDER_DAYS
    start_meeting = Meeting.objects.filter(
        placement=OuterRef("pk"), kind=Meeting.Kind.START
    ).exclude(status=Status.CANCELLED)
    rows = (
        Placement.objects.active(today)
        .filter(start_date__lte=today - dt.timedelta(days=days))
        .filter(~Exists(start_meeting))
        .annotate(reminder_key=_key(START_UNPLANNED, "pk"))
        .filter(~_stored("reminder_key"))
        .values("pk", "reminder_key", "start_date", "caseworker_id", **_CHILD)
        .order_by("start_date", "pk")
    )
    for row in _batch(rows, result):
        yield DueReminder(
            key=row["reminder_key"],
            kind=START_UNPLANNED,
            due_on=row["start_date"] + dt.timedelta(days=days),
            recipient_id=row["caseworker_id"],
            url=_url("placements:meeting_plan", row["pk"]) + "?soort=start",
            text=_("No start meeting has been planned yet for %(child)s, placed on %(day)s.")
            % {"child": _child(row), "day": _day(row["start_date"])},
        )


def _meetings_soon(now: dt.datetime, today: dt.date) -> Iterator[DueReminder]:
    """Invitations by email to each participant with an address, and a notice to the
    caseworker, for planned meetings from now up to and including the invitation day."""
    days = settings.MEETING_INVITATION_DAYS
    meetings = Meeting.objects.filter(
        _active_placement("placement__", today),
        status=Status.PLANNED,
        planned_at__gt=now,
        planned_at__lt=_start_of(today + dt.timedelta(days=days + 1)),
    )
    rows = meetings.values(
        "pk",
        "kind",
        "planned_at",
        "place",
        "placement__caseworker_id",
        "participants__pk",
        "participants__name",
        "participants__email",
        **_PLACEMENT_CHILD,
    ).order_by("pk", "participants__pk")
    by_meeting: dict[int, list[dict]] = {}
    for row in rows:
        by_meeting.setdefault(row["pk"], []).append(row)
    if not by_meeting:
        return
    stored = set(
        Reminder.objects.filter(meeting__in=meetings.values("pk"), kind__in=[INVITE, MEETING_SOON])
        .order_by()
        .values_list("key", flat=True)
    )
    for meeting_id, participants in by_meeting.items():
        first = participants[0]
        planned_at = first["planned_at"]
        moment = planned_at.astimezone(dt.UTC).isoformat()
        due_on = timezone.localdate(planned_at) - dt.timedelta(days=days)
        names = {
            "meeting": Meeting.Kind(first["kind"]).label,
            "child": _child(first),
            "day": _day(timezone.localdate(planned_at)),
            "time": timezone.localtime(planned_at).strftime("%H:%M"),
        }
        with_email = [p for p in participants if p["participants__email"]]
        without_email = [
            p for p in participants if p["participants__pk"] and not p["participants__email"]
        ]
        for p in with_email:
            key = f"{INVITE}:{meeting_id}:{p['participants__pk']}:{moment}"
            if key not in stored:
                yield DueReminder(
                    key=key,
                    kind=INVITE,
                    due_on=due_on,
                    email_to=p["participants__email"],
                    meeting_id=meeting_id,
                    text=_("Invitation for %(name)s to the %(meeting)s for %(child)s on %(day)s.")
                    % {**names, "name": p["participants__name"]},
                )
        key = f"{MEETING_SOON}:{meeting_id}:{moment}"
        if key not in stored:
            text = _("The %(meeting)s for %(child)s is on %(day)s at %(time)s.") % names
            if with_email:
                text += " " + ngettext(
                    "The invitation is sent by email to %(count)d participant.",
                    "The invitation is sent by email to %(count)d participants.",
                    len(with_email),
                ) % {"count": len(with_email)}
            if without_email:
                text += " " + ngettext(
                    "%(count)d participant has no email address: invite them yourself.",
                    "%(count)d participants have no email address: invite them yourself.",
                    len(without_email),
                ) % {"count": len(without_email)}
            yield DueReminder(
                key=key,
                kind=MEETING_SOON,
                due_on=due_on,
                recipient_id=first["placement__caseworker_id"],
                meeting_id=meeting_id,
                url=_url("placements:meeting_hold", meeting_id),
                text=text,
            )


def _open_reports(today: dt.date, result: ScanResult) -> Iterator[DueReminder]:
    """Meetings whose day is over without a report, and joint meetings held without a next
    date: the caseworker the day after, the team lead MEETING_ESCALATION_DAYS after the day."""
    escalation_days = settings.MEETING_ESCALATION_DAYS
    escalate_up_to = today - dt.timedelta(days=escalation_days)  # meeting days up to this one
    unreported = Q(status=Status.PLANNED, planned_at__lt=_start_of(today))
    without_next_date = Q(
        kind=Meeting.Kind.JOINT, status=Status.HELD, next_date__isnull=True, held_on__lt=today
    )
    escalation_due = Q(has_escalation=False, placement__caseworker__team__lead__isnull=False) & (
        Q(status=Status.PLANNED, planned_at__lt=_start_of(escalate_up_to + dt.timedelta(days=1)))
        | Q(status=Status.HELD, held_on__lte=escalate_up_to)
    )
    rows = (
        Meeting.objects.filter(_active_placement("placement__", today))
        .filter(unreported | without_next_date)
        .alias(
            missing_key=_key(REPORT_MISSING, "pk"),
            escalation_key=_key(REPORT_ESCALATED, "pk"),
        )
        .annotate(has_notice=_stored("missing_key"), has_escalation=_stored("escalation_key"))
        .filter(Q(has_notice=False) | escalation_due)
        .values(
            "pk",
            "kind",
            "status",
            "planned_at",
            "held_on",
            "has_notice",
            "has_escalation",
            "placement__caseworker_id",
            "placement__caseworker__team__lead_id",
            **_PLACEMENT_CHILD,
            **_PLACEMENT_CASEWORKER,
        )
        .order_by("planned_at", "pk")
    )
    for row in _batch(rows, result):
        held = row["status"] == Status.HELD
        day = row["held_on"] if held else timezone.localdate(row["planned_at"])
        url = _url("placements:meeting_hold", row["pk"])
        names = {
            "meeting": Meeting.Kind(row["kind"]).label,
            "child": _child(row),
            "day": _day(day),
            "caseworker": _caseworker(row),
            "days": escalation_days,
        }
        if not row["has_notice"]:
            text = (
                _("The joint meeting for %(child)s on %(day)s has no date for the next one.")
                if held
                else _("The %(meeting)s for %(child)s on %(day)s has no report yet.")
            )
            yield DueReminder(
                key=f"{REPORT_MISSING}:{row['pk']}",
                kind=REPORT_MISSING,
                due_on=day + dt.timedelta(days=1),
                recipient_id=row["placement__caseworker_id"],
                meeting_id=row["pk"],
                url=url,
                text=text % names,
            )
        lead_id = row["placement__caseworker__team__lead_id"]
        if not row["has_escalation"] and lead_id and day <= escalate_up_to:
            text = (
                _(
                    "Still no next date %(days)d days after the joint meeting for %(child)s on "
                    "%(day)s (caseworker: %(caseworker)s)."
                )
                if held
                else _(
                    "Still no report %(days)d days after the %(meeting)s for %(child)s on "
                    "%(day)s (caseworker: %(caseworker)s)."
                )
            )
            yield DueReminder(
                key=f"{REPORT_ESCALATED}:{row['pk']}",
                kind=REPORT_ESCALATED,
                due_on=day + dt.timedelta(days=escalation_days),
                recipient_id=lead_id,
                meeting_id=row["pk"],
                url=url,
                text=text % names,
            )


def _no_next_joint(today: dt.date, result: ScanResult) -> Iterator[DueReminder]:
    """Active placements without a next joint meeting date, where no planned meeting or open
    report explains it (those have their own reminders)."""
    due_days = settings.START_MEETING_DUE_DAYS
    escalation_days = settings.MEETING_ESCALATION_DAYS
    meetings = Meeting.objects.filter(placement=OuterRef("pk"))
    last_held = Subquery(
        meetings.filter(status=Status.HELD).order_by("-held_on").values("held_on")[:1]
    )
    since = Coalesce(Cast("last_held", CharField()), Value("start"))
    since_start = today - dt.timedelta(days=due_days)  # started on or before: due
    notice_due = Q(last_held__lt=today) | Q(last_held__isnull=True, start_date__lte=since_start)
    escalation_due = Q(has_escalation=False, caseworker__team__lead__isnull=False) & (
        Q(last_held__lte=today - dt.timedelta(days=escalation_days))
        | Q(
            last_held__isnull=True,
            start_date__lte=since_start - dt.timedelta(days=escalation_days),
        )
    )
    rows = (
        Placement.objects.active(today)
        .filter(next_joint_meeting_on__isnull=True, start_date__lte=since_start)
        .filter(~Exists(meetings.filter(status=Status.PLANNED)))
        .filter(
            ~Exists(
                meetings.filter(kind=Meeting.Kind.JOINT, status=Status.HELD, next_date__isnull=True)
            )
        )
        .annotate(
            last_held=last_held,
            notice_key=_key(NO_NEXT_JOINT, "pk", since),
            escalation_key=_key(NO_NEXT_JOINT_ESCALATED, "pk", since),
        )
        .filter(notice_due)
        .annotate(has_notice=_stored("notice_key"), has_escalation=_stored("escalation_key"))
        .filter(Q(has_notice=False) | escalation_due)
        .values(
            "pk",
            "notice_key",
            "escalation_key",
            "last_held",
            "start_date",
            "has_notice",
            "has_escalation",
            "caseworker_id",
            "caseworker__team__lead_id",
            **_CHILD,
            **_CASEWORKER,
        )
        .order_by("start_date", "pk")
    )
    for row in _batch(rows, result):
        last_held_on = _as_date(row["last_held"])
        since_day = last_held_on or row["start_date"] + dt.timedelta(days=due_days)
        url = _url("placements:meeting_plan", row["pk"])
        if not row["has_notice"]:
            yield DueReminder(
                key=row["notice_key"],
                kind=NO_NEXT_JOINT,
                due_on=since_day,
                recipient_id=row["caseworker_id"],
                url=url,
                text=_("%(child)s has no date for the next joint meeting. Plan one.")
                % {"child": _child(row)},
            )
        lead_id = row["caseworker__team__lead_id"]
        escalate_on = since_day + dt.timedelta(days=escalation_days)
        if not row["has_escalation"] and lead_id and escalate_on <= today:
            yield DueReminder(
                key=row["escalation_key"],
                kind=NO_NEXT_JOINT_ESCALATED,
                due_on=escalate_on,
                recipient_id=lead_id,
                url=url,
                text=_(
                    "%(child)s has had no date for the next joint meeting for %(days)d days "
                    "(caseworker: %(caseworker)s)."
                )
                % {
                    "child": _child(row),
                    "days": (today - since_day).days,
                    "caseworker": _caseworker(row),
                },
            )


def _agreements_overdue(today: dt.date, result: ScanResult) -> Iterator[DueReminder]:
    rows = (
        Agreement.objects.filter(
            _active_placement("placement__", today),
            status=Agreement.Status.OPEN,
            due_on__lt=today,
        )
        .annotate(reminder_key=_key(AGREEMENT_OVERDUE, "pk", Cast("due_on", CharField())))
        .filter(~_stored("reminder_key"))
        .values(
            "pk",
            "reminder_key",
            "what",
            "due_on",
            "placement__caseworker_id",
            "placement__child_id",
            **_PLACEMENT_CHILD,
        )
        .order_by("due_on", "pk")
    )
    for row in _batch(rows, result):
        what = row["what"] if len(row["what"]) <= 80 else row["what"][:79] + "…"
        yield DueReminder(
            key=row["reminder_key"],
            kind=AGREEMENT_OVERDUE,
            due_on=row["due_on"] + dt.timedelta(days=1),
            recipient_id=row["placement__caseworker_id"],
            url=_url("placements:child", row["placement__child_id"]) + "#overleggen",
            text=_("The agreement “%(what)s” for %(child)s was due on %(day)s and is still open.")
            % {"what": what, "child": _child(row), "day": _day(row["due_on"])},
        )


def _no_gathering(today: dt.date, result: ScanResult) -> Iterator[DueReminder]:
    """Open constellations that existed all last month without a gathering in it: their liaison,
    once per month (the key carries the month)."""
    from constellations.models import Constellation
    from constellations.selectors import last_month, without_gathering_last_month

    first, _last = last_month(today)
    month = first.strftime("%Y-%m")
    rows = (
        Constellation.objects.filter(without_gathering_last_month(today), liaison__isnull=False)
        .annotate(reminder_key=_key(NO_GATHERING, "pk", Value(month)))
        .filter(~_stored("reminder_key"))
        .values("pk", "reminder_key", "name", "liaison_id")
        .order_by("pk")
    )
    for row in _batch(rows, result):
        yield DueReminder(
            key=row["reminder_key"],
            kind=NO_GATHERING,
            due_on=today.replace(day=1),
            recipient_id=row["liaison_id"],
            url=_url("constellations:detail", row["pk"]),
            text=_("%(name)s had no gathering in %(month)s. Plan one, or record the one you held.")
            % {"name": row["name"], "month": _month(first)},
        )


def _month(day: dt.date) -> str:
    return formats.date_format(day, "F Y")


def _store(due: list[DueReminder], now: dt.datetime, result: ScanResult) -> int:
    """Insert the reminders, with a notification for each in-app one. Returns the number of
    notifications that stay (those of reminders another scan stored first are removed)."""
    if not due:
        return 0
    unique = {item.key: item for item in due}
    # One order for every scan: concurrent inserts then wait for each other instead of deadlocking.
    items = [unique[key] for key in sorted(unique)]
    in_app = [item for item in items if item.recipient_id]
    notifications = Notification.objects.bulk_create(
        Notification(
            user_id=item.recipient_id, text=item.text[:TEXT_LENGTH], url=item.url, created_at=now
        )
        for item in in_app
    )
    notification_for = {item.key: n for item, n in zip(in_app, notifications, strict=True)}
    Reminder.objects.bulk_create(
        (
            Reminder(
                key=item.key,
                kind=item.kind,
                recipient_id=item.recipient_id,
                email_to=item.email_to,
                due_on=item.due_on,
                text=item.text[:TEXT_LENGTH],
                url=item.url,
                meeting_id=item.meeting_id,
                notification=notification_for.get(item.key),
                email_status=EmailStatus.PENDING if item.email_to else EmailStatus.NONE,
                created_at=now,
            )
            for item in items
        ),
        ignore_conflicts=True,
    )
    kept = len(notifications)
    if notifications:
        ids = [n.pk for n in notifications]
        # A notification whose reminder was not inserted belongs to a key another scan stored
        # first (a race that the queries before could not see). Only this scan made rows with
        # this id range and moment.
        orphans = set(
            Notification.objects.filter(
                pk__range=(min(ids), max(ids)), created_at=now, reminder__isnull=True
            )
            .order_by()
            .values_list("pk", flat=True)
        )
        if orphans:
            Notification.objects.filter(pk__in=orphans).delete()
            kept -= len(orphans)
        for item in in_app:
            if notification_for[item.key].pk not in orphans:
                result.created[item.kind] += 1
    return kept


def _emails_to_queue(now: dt.datetime, result: ScanResult) -> list[int]:
    """This scan's new email reminders, and older ones that lost their task or their worker."""
    stale = now - STUCK_AFTER
    rows = (
        Reminder.objects.filter(
            Q(email_status=EmailStatus.PENDING) & (Q(created_at=now) | Q(created_at__lt=stale))
            | Q(email_status=EmailStatus.SENDING, email_claimed_at__lt=stale)
        )
        .order_by("pk")
        .values_list("pk", "kind", "created_at")
    )
    ids = []
    for pk, kind, created_at in rows:
        ids.append(pk)
        if created_at == now:
            result.created[kind] += 1
    return ids


def _queue_scan() -> None:
    from pleegzorg.tasks import scan_reminders

    scan_reminders.delay()


def _queue_emails(ids: list[int]) -> None:
    from pleegzorg.tasks import send_reminder_emails

    for start in range(0, len(ids), EMAIL_BATCH_SIZE):
        send_reminder_emails.delay(ids[start : start + EMAIL_BATCH_SIZE])


# -- sending -------------------------------------------------------------------------------------


def reminder_emails_send(*, reminder_ids: Iterable[int], now: dt.datetime | None = None) -> int:
    """Send the emails of these reminders that are still to be sent; return how many went.

    Claims the rows first (pending, or sending with a claim older than ``STUCK_AFTER``), so that
    two tasks given the same ids send each email once; rows another task holds are skipped.
    A refused address marks the row "failed"; any other error puts it back to "pending", and
    a later scan queues it again. An invitation whose meeting was cancelled, moved (it has a new
    invitation) or whose placement ended is not sent ("no email").
    """
    claimed_at = now or timezone.now()
    claimed = _claim(list(reminder_ids), claimed_at)
    if not claimed:
        return 0
    reminders = list(
        Reminder.objects.filter(pk__in=claimed).select_related(
            "meeting__placement__child", "meeting__placement__caseworker"
        )
    )
    participant_names = _participant_names(reminders)
    sent = 0
    with translation.override(settings.LANGUAGE_CODE), mail.mailers.default as mailer:
        for reminder in reminders:
            name = participant_names.get(reminder.pk, "")
            message = _invitation_email(reminder, name, claimed_at)
            if message is None:
                _mark(reminder, EmailStatus.NONE)
                continue
            try:
                mailer.send_messages([message])
            except smtplib.SMTPRecipientsRefused:
                logger.warning("Reminder %s: address %s refused", reminder.pk, reminder.email_to)
                _mark(reminder, EmailStatus.FAILED)
            except Exception:
                logger.exception("Reminder %s: sending failed, will retry", reminder.pk)
                _mark(reminder, EmailStatus.PENDING)
            else:
                _mark(reminder, EmailStatus.SENT, email_sent_at=timezone.now())
                sent += 1
    return sent


def _claim(ids: list[int], claimed_at: dt.datetime) -> list[int]:
    claimable = Q(email_status=EmailStatus.PENDING) | Q(
        email_status=EmailStatus.SENDING, email_claimed_at__lt=claimed_at - STUCK_AFTER
    )
    with transaction.atomic():
        rows = Reminder.objects.filter(claimable, pk__in=ids)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        claimed = list(rows.values_list("pk", flat=True))
        Reminder.objects.filter(pk__in=claimed).update(
            email_status=EmailStatus.SENDING, email_claimed_at=claimed_at
        )
    return claimed


def _mark(reminder: Reminder, status: str, **fields: Any) -> None:
    Reminder.objects.filter(pk=reminder.pk, email_status=EmailStatus.SENDING).update(
        email_status=status, **fields
    )


def _invitation_email(reminder: Reminder, name: str, now: dt.datetime) -> mail.EmailMessage | None:
    meeting = reminder.meeting
    if reminder.kind != INVITE or meeting is None or not reminder.email_to:
        return None
    moment = meeting.planned_at.astimezone(dt.UTC).isoformat()
    if (
        meeting.status != Status.PLANNED
        or not reminder.key.endswith(f":{moment}")
        or meeting.planned_at <= now
        or not meeting.placement.is_active
    ):
        return None
    planned_at = timezone.localtime(meeting.planned_at)
    caseworker = meeting.placement.caseworker
    names = {
        "meeting": meeting.get_kind_display(),
        "child": meeting.placement.child.first_name,
        "day": _day(planned_at.date()),
        "time": planned_at.strftime("%H:%M"),
        "place": meeting.place,
        "caseworker": caseworker.get_full_name() or caseworker.username,
    }
    greeting = _("Dear %(name)s,") % {"name": name} if name else _("Hello,")
    body = "\n\n".join(
        [
            greeting,
            _(
                "You are invited to the %(meeting)s for %(child)s on %(day)s at %(time)s, "
                "at %(place)s."
            )
            % names,
            _("The invitation is attached: open it to add the meeting to your calendar."),
            _("Questions? Contact %(caseworker)s, foster-care worker.") % names,
        ]
    )
    message = mail.EmailMessage(
        subject=_("Invitation: %(summary)s, %(day)s %(time)s")
        % {"summary": ics.meeting_summary(meeting), **names},
        body=body,
        to=[reminder.email_to],
        reply_to=[caseworker.email] if caseworker.email else None,
    )
    message.attach(
        ics.invitation_attachment(
            ics.meeting_invitation(
                meeting, attendee_email=reminder.email_to, attendee_name=name, now=now
            )
        )
    )
    return message


def _participant_names(reminders: Iterable[Reminder]) -> dict[int, str]:
    """Reminder id -> the invited participant's name (the key holds the participant's id)."""
    participant_of = {
        r.pk: int(r.key.split(":")[2]) for r in reminders if r.kind == INVITE and r.key
    }
    names = dict(
        MeetingParticipant.objects.filter(pk__in=participant_of.values()).values_list("pk", "name")
    )
    return {pk: names.get(participant, "") for pk, participant in participant_of.items()}


# -- demo ----------------------------------------------------------------------------------------


def seed_reminders(*, log=print) -> None:
    """The last step of ``seed_demo``: scans until nothing more is due, so that the demo opens
    with its notices behind the bell."""
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        # Fresh statistics for the rows just seeded: without them the planner guesses one row
        # per table and picks plans that take minutes instead of a second.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    results = [reminders_scan(follow_up=False)]
    while results[-1].more:
        results.append(reminders_scan(follow_up=False))
    total = sum(result.total for result in results)
    notifications = sum(result.notifications for result in results)
    seconds = time.perf_counter() - started
    log(f"Reminders: {total} ({notifications} notices) in {len(results)} scans, {seconds:.1f} s.")


# -- helpers -------------------------------------------------------------------------------------

# Names for the notice texts, the same in every query.
_CHILD = {"child_first": F("child__first_name"), "child_last": F("child__last_name")}
_PLACEMENT_CHILD = {
    "child_first": F("placement__child__first_name"),
    "child_last": F("placement__child__last_name"),
}
_CASEWORKER = {
    "caseworker_first": F("caseworker__first_name"),
    "caseworker_last": F("caseworker__last_name"),
    "caseworker_username": F("caseworker__username"),
}
_PLACEMENT_CASEWORKER = {
    "caseworker_first": F("placement__caseworker__first_name"),
    "caseworker_last": F("placement__caseworker__last_name"),
    "caseworker_username": F("placement__caseworker__username"),
}


def _batch(rows: QuerySet, result: ScanResult) -> list[dict]:
    """The first ``SCAN_BATCH`` rows, oldest first; more means the next scan follows at once."""
    batch = list(rows[:SCAN_BATCH])
    if len(batch) == SCAN_BATCH:
        result.more = True
    return batch


def _key(kind: str, *parts: Any) -> Concat:
    """The reminder key computed in SQL, so the query can skip reminders already stored.

    The scan stores the key as the database wrote it (dates as ISO text with PostgreSQL's default
    DateStyle and on SQLite), so the check and the insert always agree."""
    expressions: list[Any] = [Value(f"{kind}:")]
    for i, part in enumerate(parts):
        if i:
            expressions.append(Value(":"))
        expressions.append(Cast(part, CharField()) if isinstance(part, str) else part)
    return Concat(*expressions, output_field=CharField())


_URL_SENTINEL = 987654321


@functools.cache
def _url_pattern(name: str) -> tuple[str, str]:
    before, _sentinel, after = reverse(name, args=[_URL_SENTINEL]).partition(str(_URL_SENTINEL))
    return before, after


def _url(name: str, pk: int) -> str:
    """``reverse(name, args=[pk])`` without resolving the pattern again for every row."""
    before, after = _url_pattern(name)
    return f"{before}{pk}{after}"


def _stored(key_alias: str) -> Exists:
    return Exists(Reminder.objects.filter(key=OuterRef(key_alias)))


def _active_placement(prefix: str, today: dt.date) -> Q:
    return Q(**{f"{prefix}start_date__lte": today}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": today})
    )


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in Amsterdam, as an aware moment."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _child(row: dict) -> str:
    return f"{row['child_first']} {row['child_last']}".strip()


def _caseworker(row: dict) -> str:
    name = f"{row['caseworker_first']} {row['caseworker_last']}".strip()
    return name or row["caseworker_username"]


def _day(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


def _as_date(value: dt.date | str | None) -> dt.date | None:
    """A date from a subquery: SQLite returns it as text."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)
