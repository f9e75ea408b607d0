"""Celery tasks: thin wrappers that take ids and call a service (beat schedule in settings)."""

from celery import shared_task
from django.core.management import call_command

from pleegzorg import reminders


@shared_task
def clear_expired_sessions() -> None:
    """Remove expired sessions (idle timeout) from the database, nightly via beat."""
    call_command("clearsessions")


@shared_task
def scan_reminders() -> int:
    """Store the reminders that have fallen due and queue their emails (every 15 min via beat).

    Safe to run twice or in two workers at once: see ``pleegzorg.reminders``.
    """
    return reminders.reminders_scan().total


@shared_task
def send_reminder_emails(reminder_ids: list[int]) -> int:
    """Send the emails of these reminders, each once (queued on commit by the scan)."""
    return reminders.reminder_emails_send(reminder_ids=reminder_ids)
