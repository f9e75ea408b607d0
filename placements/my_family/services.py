"""What a foster parent changes on 'Mijn pleeggezin' (issue 13)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from placements import permissions
from placements.models import Agreement
from pleegzorg.actions import log_change, require_change
from pleegzorg.models import User


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
