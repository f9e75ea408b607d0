"""An invitation: the one-time link with which a foster parent sets up their account."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from placements.models import FosterParent


class FosterParentInvitation(models.Model):
    """Made by a caseworker, sent by email, used once. Only the token's SHA-256 is stored: the
    link itself is in the foster parent's mailbox alone, so a copy of the database opens no
    account. A new invitation for the same foster parent revokes the ones still open."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        USED = "used", _("used")
        EXPIRED = "expired", _("expired")
        REVOKED = "revoked", _("revoked")

    foster_parent = models.ForeignKey(
        FosterParent,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("foster parent"),
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("valid until"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.foster_parent} ({self.created_at:%Y-%m-%d})"

    def state(self, now: dt.datetime | None = None) -> State:
        """What the link does now: the one home of when an invitation may still be used."""
        now = now or timezone.now()
        if self.used_at is not None:
            return self.State.USED
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires_at <= now:
            return self.State.EXPIRED
        return self.State.OPEN
