"""Celery tasks: thin wrappers that take ids and call a service (beat schedule in settings).

The reminder tasks are defined beside their engine in ``pleegzorg.reminders`` (so that the scan
can queue them without importing this module); they are imported here for Celery's
autodiscovery, under the names they always had.
"""

from celery import shared_task
from django.core.management import call_command

from pleegzorg import generations, sessions
from pleegzorg.reminders import scan_reminders, send_reminder_emails
from pleegzorg.retention import access_log_purge

__all__ = [
    "clear_expired_sessions",
    "prune_table_writes",
    "purge_access_log",
    "scan_reminders",
    "send_reminder_emails",
]


@shared_task
def clear_expired_sessions() -> None:
    """Remove expired sessions (idle timeout) from the database, nightly via beat, and the index
    rows of sessions past their absolute lifetime (``SESSION_MAX_HOURS``)."""
    call_command("clearsessions")
    sessions.forget_ended_sessions()


@shared_task
def purge_access_log() -> int:
    """Delete the access-log entries past their retention period, nightly via beat (see
    ``pleegzorg.retention``). Safe to run twice: the second finds nothing left to delete."""
    return access_log_purge()


@shared_task
def prune_table_writes() -> int:
    """Fold the tracked tables' old write rows into their counts (``pleegzorg.generations``),
    every quarter of an hour via beat; safe to run twice at once."""
    return generations.prune()
