"""'Mijn pleeggezin' for foster parents: their own family's placements only. Thin: the role,
a selector, the access log, a template."""

from __future__ import annotations

from functools import partial
from operator import attrgetter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from placements import permissions
from placements.meetings import ics
from placements.models import ParentChild
from placements.my_family import selectors, services
from placements.my_family.forms import JointMeetingRequestForm
from pleegzorg.actions import log_view, log_views, require_change
from pleegzorg.audit import Purpose
from pleegzorg.models import User
from pleegzorg.permissions import get_visible_or_404, require_role
from pleegzorg.views.forms import submit

Role = User.Role


def _own_or_404(request, policy, pk: int, *, child: str, related: tuple[str, ...] = ()):
    """A record of the foster parent's own placements through ``policy`` (404, logged, for any
    other); ``child`` is the path from it to the child the access log names."""
    require_role(request, Role.FOSTER_PARENT, purpose=Purpose.CARE)
    queryset = policy.visible_to(request.user)
    return get_visible_or_404(
        policy,
        request,
        queryset=queryset.select_related(*related) if related else queryset,
        purpose=Purpose.CARE,
        person_of=lambda hidden: attrgetter(child)(hidden),
        pk=pk,
    )


@login_required
def my_family(request):
    require_role(request, Role.FOSTER_PARENT, purpose=Purpose.CARE)
    context = selectors.my_family(request.user)
    records = [(child.placement.child, child.placement) for child in context["children"]]
    log_views(request, records, detail="Mijn pleeggezin")
    return render(request, "placements/my_family/home.html", context)


@login_required
def meeting_calendar(request, pk: int):
    """A coming meeting of the foster parent's own placements as a calendar file (ICS)."""
    meeting = _own_or_404(
        request,
        permissions.foster_parent_meetings,
        pk,
        child="placement.child",
        related=("placement__child", "placement__caseworker"),
    )
    parents = [
        link.parent
        for link in ParentChild.objects.filter(child=meeting.placement.child_id).select_related(
            "parent"
        )
    ]
    hidden = selectors.gives_away_an_address(meeting.place, parents)
    log_view(request, person=meeting.placement.child, obj=meeting, detail="Mijn pleeggezin: agenda")
    body = ics.meeting_invitation(
        meeting,
        attendee_email=request.user.email,
        attendee_name=request.user.get_full_name(),
        location=_("Ask your caseworker where") if hidden else None,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ics.FILENAME}"'
    return response


@login_required
@require_POST
def agreement_done(request, pk: int):
    """Mark one of the foster parents' own open agreements done. With htmx only the agreement
    comes back, marked; without, the page again with a message."""
    agreement = _own_or_404(
        request, permissions.foster_parent_agreements, pk, child="placement.child"
    )
    agreement = services.agreement_done(actor=request.user, agreement=agreement, request=request)
    if request.htmx:
        agreement = selectors.with_labels([agreement])[0]
        return render(request, "placements/my_family/agreement.html", {"agreement": agreement})
    messages.success(request, _("Marked done: %(agreement)s") % {"agreement": agreement.what})
    return redirect("placements:my_family")


@login_required
@require_http_methods(["GET", "POST"])
def meeting_request(request, pk: int):
    """Ask for a joint meeting about one of the foster parents' own running placements."""
    placement = _own_or_404(
        request,
        permissions.foster_parent_requests,
        pk,
        child="child",
        related=("child", "caseworker"),
    )
    # A placement in aftercare has no joint meetings any more: the form is refused too.
    require_change(request.user, permissions.foster_parent_requests, placement,
                   person=placement.child)  # fmt: skip
    form = JointMeetingRequestForm(request.POST or None)
    done = submit(
        request,
        form,
        partial(services.joint_meeting_request, placement=placement),
        success=lambda _item: (
            _("Your request is sent to %(caseworker)s, who will plan the meeting with you.")
            % {"caseworker": placement.caseworker.get_full_name()}
        ),
        redirect_to=lambda _item: reverse("placements:my_family"),
    )
    context = {"form": form, "placement": placement}
    return done or render(request, "placements/my_family/meeting_request.html", context)
