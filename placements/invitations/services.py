"""Inviting a foster parent, the link's use, revoking the account, and the accounts of families
that stopped. The rules of a foster parent's account live here and in
``FosterParentInvitation.state``; the pages only call them."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from placements import permissions
from placements.invitations.models import FosterParentInvitation
from placements.models import FosterFamily, FosterParent
from pleegzorg.actions import log_change, require_change
from pleegzorg.audit import Action, Purpose, access_log_write
from pleegzorg.models import User

State = FosterParentInvitation.State


class InvitationNotUsable(Exception):
    """The link is used, expired or revoked, or its family stopped: it opens nothing."""

    def __init__(self, state: str):
        super().__init__(state)
        self.state = state


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def family_stopped(family: FosterFamily, on: dt.date | None = None) -> bool:
    """A family that stopped on or before ``on`` (today): its foster parents' accounts end then."""
    on = on or timezone.localdate()
    return (
        family.status == FosterFamily.Status.STOPPED
        and family.stop_date is not None
        and family.stop_date <= on
    )


def has_account(foster_parent: FosterParent) -> bool:
    """Whether the foster parent set up an account that they can use now."""
    account = foster_parent.account
    return account is not None and account.is_active and account.has_usable_password()


@transaction.atomic
def invite(
    *, actor: User, foster_parent: FosterParent, link_for, request=None
) -> FosterParentInvitation:
    """Make an invitation and send its link by email (``link_for(token)`` writes the link).

    The caseworker may change the family; the foster parent has an email address, no account in
    use yet, and a family that has not stopped. The account is made now, without a password: the
    foster parent sets one with the link, then a second login step. Invitations still open for
    the same foster parent are revoked."""
    family = foster_parent.family
    require_change(actor, permissions.families, family, person=family)
    foster_parent = FosterParent.objects.select_for_update().get(pk=foster_parent.pk)
    email = foster_parent.email.strip().lower()
    if not email:
        raise ValidationError(
            _("Add the foster parent's email address first: the invitation is sent there.")
        )
    if family_stopped(family):
        raise ValidationError(
            _("This family has stopped: its foster parents can no longer get an account.")
        )
    if has_account(foster_parent):
        raise ValidationError(
            _("%(name)s already has an account.") % {"name": foster_parent.first_name}
        )
    account = foster_parent.account
    others = User.objects.filter(username__iexact=email) | User.objects.filter(email__iexact=email)
    if account is not None:
        others = others.exclude(pk=account.pk)
    if others.exists():
        raise ValidationError(_("Another account already uses this email address."))
    if account is None:
        account = User(username=email, role=User.Role.FOSTER_PARENT)
        account.set_unusable_password()
    account.username = account.email = email
    account.first_name, account.last_name = foster_parent.first_name, foster_parent.last_name
    account.is_active = True
    account.save()
    foster_parent.account = account
    foster_parent.save(update_fields=["account"])
    now = timezone.now()
    foster_parent.invitations.filter(used_at=None, revoked_at=None).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = FosterParentInvitation.objects.create(
        foster_parent=foster_parent,
        token_hash=token_hash(token),
        invited_by=actor,
        created_at=now,
        expires_at=now + dt.timedelta(days=settings.FOSTER_PARENT_INVITATION_DAYS),
    )
    log_change(
        actor=actor,
        request=request,
        person=family,
        obj=foster_parent,
        action=Action.CREATE,
        detail="uitnodiging Mijn pleeggezin",
    )
    # Sent inside the transaction: when the mail server refuses it, no invitation is kept.
    _invitation_email(invitation, link_for(token), actor).send()
    return invitation


def _invitation_email(
    invitation: FosterParentInvitation, link: str, actor: User
) -> mail.EmailMessage:
    context = {
        "foster_parent": invitation.foster_parent,
        "link": link,
        "expires_at": invitation.expires_at,
        "caseworker": actor,
    }
    return mail.EmailMessage(
        subject=_("Your account for Mijn pleeggezin"),
        body=render_to_string("placements/invitations/email.txt", context),
        to=[invitation.foster_parent.email],
    )


def find(token: str) -> FosterParentInvitation | None:
    """The invitation of a link, whatever its state; None for a link that is none."""
    return (
        FosterParentInvitation.objects.select_related(
            "foster_parent__family", "foster_parent__account"
        )
        .filter(token_hash=token_hash(token))
        .first()
    )


def usable_state(invitation: FosterParentInvitation | None) -> str:
    """The invitation's state, with a family that stopped, an account ended since, and a link
    that is no invitation at all counting as revoked."""
    if invitation is None:
        return State.REVOKED
    state = invitation.state()
    account = invitation.foster_parent.account
    if state == State.OPEN and (
        family_stopped(invitation.foster_parent.family) or account is None or not account.is_active
    ):
        return State.REVOKED
    return state


@transaction.atomic
def accept(*, invitation: FosterParentInvitation, password: str, request=None) -> User:
    """Use the link: the account gets its password and the invitation is used up. Refused
    (:class:`InvitationNotUsable`) when it was used, expired or revoked in the meantime."""
    invitation = (
        FosterParentInvitation.objects.select_for_update(of=("self",))
        .select_related("foster_parent__family", "foster_parent__account")
        .get(pk=invitation.pk)
    )
    state = usable_state(invitation)
    account = invitation.foster_parent.account
    if state != State.OPEN:
        raise InvitationNotUsable(state)
    account.set_password(password)
    account.save()
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    access_log_write(
        user=account,
        action=Action.CHANGE,
        purpose=Purpose.CARE,
        request=request,
        obj=invitation.foster_parent,
        detail="uitnodiging gebruikt: wachtwoord ingesteld",
    )
    return account


@transaction.atomic
def revoke(*, actor: User, foster_parent: FosterParent, request=None) -> None:
    """End the foster parent's access: open invitations revoked, the account deactivated (its
    sessions end at once, ``User.save``). The record and its history stay."""
    family = foster_parent.family
    require_change(actor, permissions.families, family, person=family)
    _close(foster_parent)
    log_change(
        actor=actor,
        request=request,
        person=family,
        obj=foster_parent,
        detail="toegang Mijn pleeggezin ingetrokken",
    )


def _close(foster_parent: FosterParent) -> bool:
    now = timezone.now()
    foster_parent.invitations.filter(used_at=None, revoked_at=None).update(revoked_at=now)
    account = foster_parent.account
    if account is None or not account.is_active:
        return False
    account.is_active = False
    account.save()
    return True


def close_accounts_of_stopped_families(
    on: dt.date | None = None, *, family: FosterFamily | None = None
) -> int:
    """Deactivate the accounts of foster parents whose family stopped on or before ``on``
    (today), of every family (the daily task) or of one (its stop itself). Answers how many it
    closed."""
    on = on or timezone.localdate()
    closed = 0
    stopped = FosterParent.objects.filter(
        family__status=FosterFamily.Status.STOPPED,
        family__stop_date__lte=on,
        account__is_active=True,
    ).select_related("account", "family")
    if family is not None:
        stopped = stopped.filter(family=family)
    for foster_parent in stopped:
        with transaction.atomic():
            if _close(foster_parent):
                closed += 1
                access_log_write(
                    user=None,
                    system="pleeggezin gestopt",
                    action=Action.CHANGE,
                    purpose=Purpose.CARE,
                    obj=foster_parent,
                    person=foster_parent.family,
                    detail="toegang Mijn pleeggezin beëindigd: gezin gestopt",
                )
    return closed
