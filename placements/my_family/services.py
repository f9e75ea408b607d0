"""What a foster parent changes on 'Mijn pleeggezin' (issue 13)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from placements import permissions
from placements.models import Agreement, JointMeetingRequest, Party, Placement
from pleegzorg.actions import log_change, require_change
from pleegzorg.audit import Action
from pleegzorg.models import User
from pleegzorg.services import notify


@transaction.atomic
def agreement_done(*, actor: User, agreement: Agreement, request=None) -> Agreement:
    """A foster parent marks one of their own open agreements done (today); refused (403,
    logged) for anyone else's, or one that is no longer open."""
    agreement = (
        Agreement.objects.select_for_update()
        .select_related("placement__child")
        .get(pk=agreement.pk)
    )
    child = agreement.placement.child
    require_change(actor, permissions.foster_parent_agreements, agreement, person=child)
    agreement.status, agreement.closed_on = Agreement.Status.DONE, timezone.localdate()
    agreement.save(update_fields=["status", "closed_on"])
    log_change(actor=actor, request=request, person=child, obj=agreement, detail="afspraak gedaan")
    return agreement


@transaction.atomic
def joint_meeting_request(
    *, actor: User, placement: Placement, reason: str, request=None
) -> JointMeetingRequest:
    """A foster parent asks for a joint meeting (Advies 8: one party asking is enough): with a
    reason, for one of their own placements. The caseworker is told at once, behind the bell;
    planning the next joint meeting answers the request, as for one the caseworker records."""
    child = placement.child
    require_change(actor, permissions.foster_parent_requests, placement, person=child)
    if not reason.strip():
        raise ValidationError({"reason": _("Write down why you would like a meeting.")})
    item = JointMeetingRequest(
        placement=placement,
        requested_by=Party.FOSTER_PARENTS,
        requester_name=actor.get_full_name(),
        reason=reason.strip(),
        requested_on=timezone.localdate(),
        recorded_by=actor,
    )
    item.full_clean()
    item.save(force_insert=True)
    log_change(
        actor=actor,
        request=request,
        person=child,
        obj=item,
        action=Action.CREATE,
        detail="overleg aangevraagd door pleegouder",
    )
    with translation.override(settings.LANGUAGE_CODE):
        text = _(
            "%(name)s (foster parent) asks for a joint meeting about %(child)s: %(reason)s"
        ) % {
            "name": actor.get_full_name() or actor.username,
            "child": child.first_name,
            "reason": item.reason,
        }
    notify(user=placement.caseworker, text=text, url=reverse("placements:child", args=[child.pk]))
    return item
