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
from pleegzorg.actions import log_view
from pleegzorg.audit import Purpose
from pleegzorg.permissions import get_visible_or_404
from pleegzorg.views.forms import submit_changes


def _family_or_404(request, pk):
    return get_visible_or_404(permissions.families, request, purpose=Purpose.CARE, pk=pk)


@login_required
def family_detail(request, pk):
    family = _family_or_404(request, pk)
    log_view(request, person=family)
    return render(
        request, "placements/family_detail.html", selectors.family_page(request.user, family)
    )


@login_required
@require_http_methods(["GET", "POST"])
def family_edit(request, pk):
    family = _family_or_404(request, pk)
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
