"""Changes the core makes itself: notices read, files opened with a reason. (Every app's changes
are in its own services.)"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pleegzorg import permissions
from pleegzorg.audit import Action, Purpose, access_log_write
from pleegzorg.models import BreakGlassGrant, Notification, User
from pleegzorg.permissions import Refused

if TYPE_CHECKING:
    from django.db.models import Model

# A reason someone else can understand later needs a few words: "nodig" is not one.
BREAK_GLASS_REASON_MIN_LENGTH = 20


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


@transaction.atomic
def break_glass_open(*, actor: User, record: Model, reason: str, request=None) -> BreakGlassGrant:
    """Open ``record`` (a kind registered with ``permissions.register_break_glass``) for
    ``actor`` with a stated reason: a grant to read it for BREAK_GLASS_HOURS, and the reason in
    the access log. Listed for review (``permissions.break_glass_grants``).

    Refuses (403, logged) a user whom the record's policy does not let open it with a reason,
    and a reason shorter than BREAK_GLASS_REASON_MIN_LENGTH characters (on ``reason``)."""
    kind = permissions.break_glass_kind_of(type(record))
    if kind is None or not kind.policy.can_break_glass(actor, record):
        raise Refused(obj=record, purpose=Purpose.CARE, detail="openen met reden")
    reason = reason.strip()
    if len(reason) < BREAK_GLASS_REASON_MIN_LENGTH:
        raise ValidationError(
            {
                "reason": _(
                    "Write a little more: at least %(limit_value)d characters, so that someone "
                    "else can understand later why you opened this file."
                )
                % {"limit_value": BREAK_GLASS_REASON_MIN_LENGTH}
            }
        )
    now = timezone.now()
    grant = BreakGlassGrant(
        user=actor,
        record_type=ContentType.objects.get_for_model(record),
        record_id=record.pk,
        record_label=str(record)[:200],
        team=kind.policy.break_glass_team(actor, record),
        reason=reason,
        granted_at=now,
        valid_until=now + timedelta(hours=settings.BREAK_GLASS_HOURS),
    )
    # The user, kind and team are rows in hand: validate the rest without looking them up again.
    grant.full_clean(exclude=["user", "record_type", "team"])
    grant.save(force_insert=True)
    permissions.forget_granted_ids(actor)  # what the actor may see changed with it
    access_log_write(
        user=actor,
        request=request,
        action=Action.VIEW,
        purpose=Purpose.CARE,
        obj=record,
        person=permissions.as_person(record),
        detail=f"geopend met reden: {reason}",
    )
    return grant


@transaction.atomic
def break_glass_review(*, actor: User, grant: BreakGlassGrant, request=None) -> BreakGlassGrant:
    """Mark a file opened with a reason as reviewed by ``actor`` (once: a grant reviewed before
    keeps its reviewer). Refuses (403, logged) who may not review it, and the user who opened
    it."""
    if not permissions.break_glass_grants.can_change(actor, grant):
        raise Refused(obj=grant, purpose=Purpose.AUDIT, action=Action.CHANGE)
    grant = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.reviewed_at is None:
        grant.reviewed_by, grant.reviewed_at = actor, timezone.now()
        grant.save(update_fields=["reviewed_by", "reviewed_at"])
        access_log_write(
            user=actor,
            request=request,
            action=Action.CHANGE,
            purpose=Purpose.AUDIT,
            obj=grant,
            detail=f"beoordeeld: {grant.record_label}",
        )
    return grant


def notify(*, user: User, text: str, url: str = "") -> Notification:
    """A notice behind ``user``'s bell, for something that happened now (the reminders make
    theirs in the scan). ``text`` is written in the organisation's language."""
    return Notification.objects.create(user=user, text=text[:300], url=url[:300])
