"""The caseworker invites a foster parent or ends their access (buttons on the family page);
the foster parent opens the link and chooses a password. Thin: find, call a service, answer."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from placements import permissions
from placements.invitations import services
from placements.invitations.models import FosterParentInvitation
from pleegzorg.actions import require_change
from pleegzorg.audit import Purpose
from pleegzorg.permissions import get_visible_or_404

State = FosterParentInvitation.State
NOT_USABLE = {
    State.USED: _("This link was already used. Log in with your email address and password."),
    State.EXPIRED: _("This link has expired. Ask your caseworker for a new one."),
    State.REVOKED: _("This link no longer works. Ask your caseworker if you think it should."),
}


def _foster_parent_or_404(request, pk: int, parent: int):
    """The foster parent ``parent`` of family ``pk``, if the user sees the family (404) and may
    change it (403, logged)."""
    family = get_visible_or_404(permissions.families, request, purpose=Purpose.CARE, pk=pk)
    require_change(request.user, permissions.families, family, person=family)
    return get_object_or_404(family.foster_parents.select_related("family", "account"), pk=parent)


def _family_page(foster_parent):
    return redirect(reverse("placements:family", args=[foster_parent.family_id]) + "#mensen")


@login_required
@require_POST
def invite(request, pk: int, parent: int):
    foster_parent = _foster_parent_or_404(request, pk, parent)

    def link_for(token: str) -> str:
        return request.build_absolute_uri(reverse("placements:invitation_accept", args=[token]))

    try:
        invitation = services.invite(
            actor=request.user, foster_parent=foster_parent, link_for=link_for, request=request
        )
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(
            request,
            _("Invitation sent to %(email)s. The link works until %(day)s.")
            % {
                "email": foster_parent.email,
                "day": formats.date_format(invitation.expires_at, "j F Y"),
            },
        )
    return _family_page(foster_parent)


@login_required
@require_POST
def revoke(request, pk: int, parent: int):
    foster_parent = _foster_parent_or_404(request, pk, parent)
    services.revoke(actor=request.user, foster_parent=foster_parent, request=request)
    messages.success(
        request,
        _("%(name)s can no longer log in to Mijn pleeggezin.") % {"name": foster_parent},
    )
    return _family_page(foster_parent)


@require_http_methods(["GET", "POST"])
def accept(request, token: str):
    """Open to anyone with the link: a link that is none answers the same as a revoked one."""
    invitation = services.find(token)
    state = services.usable_state(invitation)
    if state != State.OPEN:
        context = {"message": NOT_USABLE[state]}
        return render(request, "placements/invitations/accept.html", context, status=410)
    form = SetPasswordForm(invitation.foster_parent.account, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept(
                invitation=invitation, password=form.cleaned_data["new_password1"], request=request
            )
        except services.InvitationNotUsable as gone:
            context = {"message": NOT_USABLE[gone.state]}
            return render(request, "placements/invitations/accept.html", context, status=410)
        login(request, user, backend="pleegzorg.backends.PasswordBackend")
        messages.success(request, _("Your password is saved. Now set up your second login step."))
        return redirect("pleegzorg:start")
    context = {"form": form, "foster_parent": invitation.foster_parent}
    return render(request, "placements/invitations/accept.html", context)
