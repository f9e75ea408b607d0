"""Start a placement: a guided flow in four steps that works without JavaScript
(``placements.forms.PlacementStartFlow``); the last step starts it in one transaction."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from placements import selectors, services
from placements.forms import PlacementStartFlow
from pleegzorg.audit import Purpose
from pleegzorg.models import User
from pleegzorg.permissions import require_role


@login_required
@vary_on_headers("HX-Request")  # a family search with htmx answers only the choices
@require_http_methods(["GET", "POST"])
def placement_new(request):
    require_role(request, User.Role.CASEWORKER, User.Role.TEAM_LEAD, purpose=Purpose.CARE)
    flow = PlacementStartFlow(request.user, request.POST if request.method == "POST" else None)
    if flow.ready:
        try:
            placement = services.placement_start_for_child(
                actor=request.user, request=request, **flow.start_fields()
            )
        except ValidationError as error:
            flow.show_refusal(error)
        else:
            messages.success(request, _started(placement))
            return redirect("placements:child", placement.child_id)
    chosen = flow.chosen_family
    families = selectors.families_for_matching(
        flow.family_search, include=int(chosen) if chosen.isdecimal() else None
    )
    template = "placements/placement_new.html"
    if request.htmx and flow.action == "search":
        template += "#family-choices"
    return render(request, template, {**flow.context(), "families": families})


def _started(placement) -> str:
    return _("The placement of %(child)s with %(family)s starts on %(day)s.") % {
        "child": placement.child,
        "family": placement.family,
        "day": date_format(placement.start_date, "SHORT_DATE_FORMAT"),
    }
