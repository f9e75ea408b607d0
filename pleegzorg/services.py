"""Changes the core makes itself: notices read. (Every app's changes are in its own services.)"""

from __future__ import annotations

from django.utils import timezone

from pleegzorg.models import Notification, User


def notification_mark_read(*, notification: Notification) -> Notification:
    """Mark one notice as read (once: a notice read before keeps its moment)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notice of ``user`` as read; return how many."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    return unread.update(read_at=timezone.now())
