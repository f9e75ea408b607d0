"""Actions on a placement: end it, hand it over."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from placements import permissions, services
from placements.forms import HandoverForm, PlacementEndForm, YouthProtectorChangeForm
from placements.models import Placement
from pleegzorg.audit import Purpose
from pleegzorg.models import User
from pleegzorg.permissions import get_visible_or_404
from pleegzorg.views.forms import add_errors


def _placement_or_404(request, pk) -> Placement:
    return get_visible_or_404(
        permissions.placements_policy,
        request,
        queryset=permissions.placements_policy.visible_to(request.user).select_related(
            "child", "family", "caseworker__team"
        ),
        purpose=Purpose.CARE,
        person_of=lambda placement: placement.child,
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def placement_end(request, pk):
    placement = _placement_or_404(request, pk)
    initial = {"version": placement.version, "end_date": timezone.localdate()}
    form = PlacementEndForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.placement_end(
                actor=request.user, placement=placement, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("The placement of %(child)s with %(family)s has ended.")
                % {"child": placement.child, "family": placement.family},
            )
            return redirect("placements:child", placement.child_id)
    return render(request, "placements/placement_end.html", {"placement": placement, "form": form})


def handover_candidates(user: User, placement: Placement):
    """Active caseworkers the placement can go to: the team of its current caseworker (a team
    lead may also choose from the other teams they lead)."""
    teams = Q(team=placement.caseworker.team_id)
    if user.is_team_lead:
        teams |= Q(team__lead=user)
    return (
        User.objects.filter(teams, role=User.Role.CASEWORKER, is_active=True)
        .exclude(pk=placement.caseworker_id)
        .order_by("first_name", "last_name")
    )


@login_required
@require_http_methods(["GET", "POST"])
def placement_hand_over(request, pk):
    placement = _placement_or_404(request, pk)
    initial = {
        "version": placement.version,
        "no_change_of_course_until": timezone.localdate() + timedelta(days=90),
    }
    form = HandoverForm(
        request.POST or None,
        initial=initial,
        caseworkers=handover_candidates(request.user, placement),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.placement_hand_over(
                actor=request.user, placement=placement, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("The placement of %(child)s has been handed over to %(caseworker)s.")
                % {"child": placement.child, "caseworker": form.cleaned_data["new_caseworker"]},
            )
            # The former caseworker may no longer see the file: back to the caseload.
            return redirect("placements:caseload")
    return render(
        request, "placements/placement_hand_over.html", {"placement": placement, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def youth_protector_change(request, pk):
    placement = _placement_or_404(request, pk)
    initial = {
        "version": placement.version,
        "no_change_of_course_until": timezone.localdate() + timedelta(days=90),
    }
    form = YouthProtectorChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.youth_protector_change(
                actor=request.user, placement=placement, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(youth_protector)s is now the youth protector of %(child)s.")
                % {
                    "youth_protector": form.cleaned_data["new_youth_protector"],
                    "child": placement.child,
                },
            )
            return redirect(
                reverse("placements:child", args=[placement.child_id]) + "#pleegzorgwerkers"
            )
    return render(
        request, "placements/youth_protector_change.html", {"placement": placement, "form": form}
    )
