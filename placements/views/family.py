"""A foster family: its page and its details."""

from __future__ import annotations

from functools import partial

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from placements import permissions, selectors, services
from placements.forms import FamilyForm
from pleegzorg.actions import log_view, require_change
from pleegzorg.audit import Purpose
from pleegzorg.permissions import get_visible_or_404, offers_break_glass
from pleegzorg.views.forms import submit_changes


def _family_or_404(request, pk, *, may=None, break_glass: bool = False):
    """The family if the user sees it (404 otherwise, or the page asking for a reason with
    ``break_glass``); with ``may`` (a policy) refused (403) unless it allows the change."""
    family = get_visible_or_404(
        permissions.families, request, purpose=Purpose.CARE, break_glass=break_glass, pk=pk
    )
    if may is not None:
        require_change(request.user, may, family, person=family)
    return family


@login_required
@offers_break_glass
def family_detail(request, pk):
    family = _family_or_404(request, pk, break_glass=True)
    page = selectors.family_page(request.user, family)
    log_view(request, person=family, detail=page["access_detail"])
    return render(request, "placements/family_detail.html", page)


@login_required
@require_http_methods(["GET", "POST"])
def family_edit(request, pk):
    family = _family_or_404(request, pk, may=permissions.families)
    form = FamilyForm(request.POST or None, instance=family)
    done = submit_changes(
        request,
        form,
        partial(services.family_update, family=family),
        success=lambda saved: _("%(family)s saved.") % {"family": saved},
        redirect_to=lambda saved: reverse("placements:family", args=[saved.pk]),
    )
    context = {"family": family, "form": form}
    return done or render(request, "placements/family_edit.html", context)
