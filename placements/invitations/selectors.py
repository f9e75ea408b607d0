"""What the family page shows of its foster parents' accounts."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from placements.invitations.models import FosterParentInvitation
from placements.invitations.services import has_account
from placements.models import FosterFamily, FosterParent

State = FosterParentInvitation.State
LATEST = ("created_at", "expires_at", "used_at", "revoked_at")


def foster_parents_with_accounts(family: FosterFamily) -> QuerySet[FosterParent]:
    """The family's foster parents with their account and the dates of their latest invitation
    (``invitation_<field>``), in one query."""
    latest = FosterParentInvitation.objects.filter(foster_parent=OuterRef("pk")).order_by(
        "-created_at", "-id"
    )
    return (
        family.foster_parents.select_related("account")
        .annotate(**{f"invitation_{name}": Subquery(latest.values(name)[:1]) for name in LATEST})
        .order_by("id")
    )


def account_state(foster_parent: FosterParent) -> str:
    """ "active" (an account in use), "invited" (a link still open), "closed" (access revoked or
    ended), "expired" (the last link was not used in time) or "none"; from the annotations of
    :func:`foster_parents_with_accounts`, by the rule of ``FosterParentInvitation.state``."""
    account = foster_parent.account
    if has_account(foster_parent):
        return "active"
    if foster_parent.invitation_created_at is None:
        return "closed" if account is not None else "none"
    latest = FosterParentInvitation(
        **{name: getattr(foster_parent, f"invitation_{name}") for name in LATEST}
    )
    state = latest.state()
    if state == State.OPEN and account is not None and account.is_active:
        return "invited"
    if state == State.EXPIRED:
        return "expired"
    return "closed"
