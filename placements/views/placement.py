"""Actions on a placement: end it (and add to the ending in aftercare), hand it over, change its
youth protector."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from placements import permissions, selectors, services
from placements.forms import (
    HandoverForm,
    PlacementEndForm,
    PlacementEndingForm,
    YouthProtectorChangeForm,
)
from placements.models import Placement
from pleegzorg.actions import require_change
from pleegzorg.audit import Purpose
from pleegzorg.permissions import get_visible_or_404
from pleegzorg.views.forms import submit

# Advies 6: keep the course steady in the first months after a handover.
STEADY_COURSE_DAYS = 90


def placement_or_404(request, pk, *, may=permissions.placements_policy, queryset=None):
    """The placement if the user sees it (404 otherwise), refused (403) unless the policy
    ``may`` allows the change (``placements_in_aftercare``: one of the aftercare tasks)."""
    placement = get_visible_or_404(
        permissions.placements_policy,
        request,
        queryset=queryset
        if queryset is not None
        else selectors.placements_for_actions(request.user),
        purpose=Purpose.CARE,
        person_of=lambda placement: placement.child,
        pk=pk,
    )
    require_change(request.user, may, placement, person=placement.child)
    return placement


def _handover_initial(placement: Placement) -> dict:
    return {
        "version": placement.version,
        "no_change_of_course_until": timezone.localdate() + timedelta(days=STEADY_COURSE_DAYS),
    }


@login_required
@require_http_methods(["GET", "POST"])
def placement_end(request, pk):
    placement = placement_or_404(request, pk)
    initial = {"version": placement.version, "end_date": timezone.localdate()}
    form = PlacementEndForm(request.POST or None, initial=initial)
    done = submit(
        request,
        form,
        partial(services.placement_end, placement=placement),
        success=lambda ended: (
            _("The placement of %(child)s with %(family)s has ended.")
            % {"child": placement.child, "family": placement.family}
        ),
        redirect_to=lambda ended: reverse("placements:child", args=[placement.child_id]),
    )
    context = {"placement": placement, "form": form}
    return done or render(request, "placements/placement_end.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def placement_ending(request, pk):
    """Add to the details of an ending (reason, who ended it, the note): also in aftercare."""
    placement = placement_or_404(
        request,
        pk,
        may=permissions.placements_in_aftercare,
        queryset=selectors.placements_for_actions(request.user).filter(end_date__isnull=False),
    )
    form = PlacementEndingForm(
        request.POST or None, initial=PlacementEndingForm.initial_for(placement)
    )
    done = submit(
        request,
        form,
        partial(services.placement_ending_update, placement=placement),
        success=lambda ended: (
            _("The ending of the placement of %(child)s is saved.") % {"child": placement.child}
        ),
        redirect_to=lambda ended: (
            reverse("placements:child", args=[placement.child_id]) + "#plaatsingen"
        ),
    )
    context = {"placement": placement, "form": form}
    return done or render(request, "placements/placement_ending.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def placement_hand_over(request, pk):
    placement = placement_or_404(request, pk)
    form = HandoverForm(
        request.POST or None,
        initial=_handover_initial(placement),
        user=request.user,
        placement=placement,
    )
    done = submit(
        request,
        form,
        partial(services.placement_hand_over, placement=placement),
        success=lambda assignment: (
            _("The placement of %(child)s has been handed over to %(caseworker)s.")
            % {"child": placement.child, "caseworker": assignment.caseworker}
        ),
        # The former caseworker may no longer see the file: back to the caseload.
        redirect_to=lambda assignment: reverse("placements:caseload"),
    )
    context = {"placement": placement, "form": form}
    return done or render(request, "placements/placement_hand_over.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def youth_protector_change(request, pk):
    placement = placement_or_404(request, pk)
    form = YouthProtectorChangeForm(request.POST or None, initial=_handover_initial(placement))
    done = submit(
        request,
        form,
        partial(services.youth_protector_change, placement=placement),
        success=lambda assignment: (
            _("%(youth_protector)s is now the youth protector of %(child)s.")
            % {"youth_protector": assignment.youth_protector, "child": placement.child}
        ),
        redirect_to=lambda assignment: (
            reverse("placements:child", args=[placement.child_id]) + "#pleegzorgwerkers"
        ),
    )
    context = {"placement": placement, "form": form}
    return done or render(request, "placements/youth_protector_change.html", context)
