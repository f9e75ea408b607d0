"""Reminders: what has fallen due, told once to the right person.

The core keeps the engine; each app declares its own kinds of reminder in its own
``reminders.py`` and registers them with :func:`register_reminder_source` when the app is ready
(``placements.meetings.reminders``: meetings, reports, agreements and the ICS invitation;
``constellations.reminders``: no gathering last month). Adding a kind touches one app only.

One periodic task (:func:`scan_reminders`, every 15 minutes by beat) calls
:func:`reminders_scan`. The scan asks every registered source, one query per kind, what is due
*and not yet stored* (:func:`key` and :func:`stored` let the query skip what is stored), and
stores each due reminder as a :class:`~pleegzorg.models.Reminder` row with a unique ``key``.
In-app reminders get their :class:`~pleegzorg.models.Notification` (the bell) in the same
transaction; email reminders are sent after commit by :func:`send_reminder_emails`, which takes
reminder ids and asks the source of each kind to write the message.

The kinds each app adds, and when they fall due, are listed in that app's module docstring.

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

The two Celery tasks live here, beside the engine they wrap (``pleegzorg.tasks`` re-exports them
for Celery's autodiscovery), so the engine can queue them without importing the tasks module.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import smtplib
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import formats, timezone, translation

from pleegzorg.models import Notification, Reminder

logger = logging.getLogger(__name__)

# A row "sending" for longer than this belongs to a worker that died; "pending" for longer than
# this lost its task. Longer than any send of one batch takes, shorter than anyone would wait.
STUCK_AFTER = dt.timedelta(minutes=15)
# Rows per kind and scan. A backlog (the first scan after going live, days of downtime) is worked
# off by scans that follow each other at once, each a few seconds long, instead of one long one.
SCAN_BATCH = 2000
# Reminder ids per send task: a killed worker delays at most this many emails.
EMAIL_BATCH_SIZE = 100
TEXT_LENGTH = 300  # Notification.text and Reminder.text

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
    # The record the reminder is about, for the kind's own use (an invitation: its meeting).
    subject_id: int | None = None


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


@dataclass(frozen=True)
class Scan:
    """What a source is given: the moment of the scan, its day in Amsterdam, and the result
    (to say, through :func:`batch`, that it had more than one batch)."""

    now: dt.datetime
    today: dt.date
    result: ScanResult


# Writes the emails of one kind: reminder id -> message, or None for "nothing to send any more".
EmailWriter = Callable[[list[Reminder], dt.datetime], dict[int, mail.EmailMessage | None]]


@dataclass(frozen=True)
class ReminderSource:
    name: str
    find: Callable[[Scan], Iterable[DueReminder]]
    kinds: tuple[str, ...]
    write_emails: EmailWriter | None = None


_sources: dict[str, ReminderSource] = {}


def register_reminder_source(
    *kinds: str, write_emails: EmailWriter | None = None
) -> Callable[[Callable[[Scan], Iterable[DueReminder]]], Callable[[Scan], Iterable[DueReminder]]]:
    """Decorate an app's function that finds the due reminders of ``kinds``.

    The function takes a :class:`Scan` and yields :class:`DueReminder` items; ``write_emails``
    writes the messages of those that carry an ``email_to``. Registering the same function
    again (a second ``ready()``) replaces it.
    """

    def register(find):
        name = f"{find.__module__}.{find.__qualname__}"
        _sources[name] = ReminderSource(name, find, kinds, write_emails)
        return find

    return register


def reminder_sources() -> list[ReminderSource]:
    return list(_sources.values())


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
    result = ScanResult()
    scan = Scan(now=now, today=timezone.localdate(now), result=result)
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        if connection.vendor == "postgresql":
            # The correlated subqueries make the planner's cost estimates high enough to switch on
            # JIT compilation, which then takes a second for queries that run in milliseconds.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        due = [item for source in _sources.values() for item in source.find(scan)]
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


def month_text(day: dt.date) -> str:
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
                subject_id=item.subject_id,
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
    scan_reminders.delay()


def _queue_emails(ids: list[int]) -> None:
    for start in range(0, len(ids), EMAIL_BATCH_SIZE):
        send_reminder_emails.delay(ids[start : start + EMAIL_BATCH_SIZE])


# -- sending -------------------------------------------------------------------------------------


def reminder_emails_send(*, reminder_ids: Iterable[int], now: dt.datetime | None = None) -> int:
    """Send the emails of these reminders that are still to be sent; return how many went.

    Claims the rows first (pending, or sending with a claim older than ``STUCK_AFTER``), so that
    two tasks given the same ids send each email once; rows another task holds are skipped.
    The source of each kind writes the messages; one it no longer wants sent (an invitation to
    a meeting that was cancelled or moved) is marked "no email". A refused address marks the row
    "failed"; any other error puts it back to "pending", and a later scan queues it again.
    """
    claimed_at = now or timezone.now()
    claimed = _claim(list(reminder_ids), claimed_at)
    if not claimed:
        return 0
    reminders = list(Reminder.objects.filter(pk__in=claimed).order_by("pk"))
    sent = 0
    with translation.override(settings.LANGUAGE_CODE), mail.mailers.default as mailer:
        messages = _write_emails(reminders, claimed_at)
        for reminder in reminders:
            message = messages.get(reminder.pk)
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


def _write_emails(reminders: list[Reminder], now: dt.datetime) -> dict[int, Any]:
    """Each kind's source writes its own messages, in one go per kind."""
    by_kind: dict[str, list[Reminder]] = {}
    for reminder in reminders:
        if reminder.email_to:
            by_kind.setdefault(reminder.kind, []).append(reminder)
    messages: dict[int, Any] = {}
    for source in _sources.values():
        if source.write_emails is None:
            continue
        mine = [r for kind in source.kinds for r in by_kind.get(kind, [])]
        if mine:
            messages.update(source.write_emails(mine, now))
    return messages


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


# -- tasks -----------------------------------------------------------------------------------
# Named as they always were (the beat schedule and queued messages use the names).


@shared_task(name="pleegzorg.tasks.scan_reminders")
def scan_reminders() -> int:
    """Store the reminders that have fallen due and queue their emails (every 15 min via beat).

    Safe to run twice or in two workers at once: see the module docstring.
    """
    return reminders_scan().total


@shared_task(name="pleegzorg.tasks.send_reminder_emails")
def send_reminder_emails(reminder_ids: list[int]) -> int:
    """Send the emails of these reminders, each once (queued on commit by the scan)."""
    return reminder_emails_send(reminder_ids=reminder_ids)


# -- demo ----------------------------------------------------------------------------------------


def seed_reminders(*, log=print) -> None:
    """The last step of ``seed_demo``: scans until nothing more is due, so that the demo opens
    with its notices behind the bell."""
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        # Fresh statistics for the rows just seeded: without them the planner guesses one row
        # per table and picks plans that take minutes instead of a second. Only the project's
        # own tables: a bare ANALYZE also takes locks on the cluster's shared catalogs, which
        # inside a transaction (a test) it holds until the end, stalling every other database's
        # ANALYZE on the same server.
        tables = sorted({model._meta.db_table for model in apps.get_models()})
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
    results = [reminders_scan(follow_up=False)]
    while results[-1].more:
        results.append(reminders_scan(follow_up=False))
    total = sum(result.total for result in results)
    notifications = sum(result.notifications for result in results)
    seconds = time.perf_counter() - started
    log(f"Reminders: {total} ({notifications} notices) in {len(results)} scans, {seconds:.1f} s.")


# -- for the apps' sources ------------------------------------------------------------------


def batch(rows: QuerySet, scan: Scan) -> list[dict]:
    """The first ``SCAN_BATCH`` rows, oldest first; more means the next scan follows at once."""
    rows = list(rows[:SCAN_BATCH])
    if len(rows) == SCAN_BATCH:
        scan.result.more = True
    return rows


def key(kind: str, *parts: Any) -> Concat:
    """The reminder key computed in SQL, so the query can skip reminders already stored.

    The scan stores the key as the database wrote it (dates as ISO text with PostgreSQL's default
    DateStyle and on SQLite), so the check and the insert always agree."""
    expressions: list[Any] = [Value(f"{kind}:")]
    for i, part in enumerate(parts):
        if i:
            expressions.append(Value(":"))
        expressions.append(Cast(part, CharField()) if isinstance(part, str) else part)
    return Concat(*expressions, output_field=CharField())


def stored(key_alias: str) -> Exists:
    """True where the reminder with the key in ``key_alias`` is stored already."""
    return Exists(Reminder.objects.filter(key=OuterRef(key_alias)))


def stored_keys(kinds: Iterable[str], subject_ids: Any) -> set[str]:
    """The keys stored for these kinds about these subjects (ids or a values() queryset)."""
    return set(
        Reminder.objects.filter(kind__in=list(kinds), subject_id__in=subject_ids)
        .order_by()
        .values_list("key", flat=True)
    )


_URL_SENTINEL = 987654321


@functools.cache
def _url_pattern(name: str) -> tuple[str, str]:
    before, _sentinel, after = reverse(name, args=[_URL_SENTINEL]).partition(str(_URL_SENTINEL))
    return before, after


def url(name: str, pk: int) -> str:
    """``reverse(name, args=[pk])`` without resolving the pattern again for every row."""
    before, after = _url_pattern(name)
    return f"{before}{pk}{after}"


def start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in Amsterdam, as an aware moment."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def day_text(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


def full_name(row: dict, prefix: str) -> str:
    """'First Last' from the ``{prefix}_first`` and ``{prefix}_last`` of a values() row, or
    ``{prefix}_username`` when both are empty and the row has one."""
    name = f"{row[f'{prefix}_first']} {row[f'{prefix}_last']}".strip()
    return name or row.get(f"{prefix}_username", "")


def as_date(value: dt.date | str | None) -> dt.date | None:
    """A date from a subquery: SQLite returns it as text."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)
