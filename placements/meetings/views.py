"""Plan, hold and report meetings; requests, conversations with the child; 'Mijn overleggen'."""

from __future__ import annotations

from functools import partial

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from placements import permissions
from placements.meetings import forms as mf
from placements.meetings import selectors, services
from placements.models import Meeting, Placement
from placements.views.placement import placement_or_404
from pleegzorg.actions import log_view, require_change
from pleegzorg.audit import Action, Purpose
from pleegzorg.models import User
from pleegzorg.permissions import get_visible_or_404, require_role
from pleegzorg.views.forms import submit


def _meeting_or_404(request, pk, *, change: bool = True) -> Meeting:
    """The meeting if the user sees it (404 otherwise); refused (403) unless they may change it,
    for the pages that change it (``change``)."""
    meeting = get_visible_or_404(
        permissions.meetings,
        request,
        queryset=permissions.meetings.visible_to(request.user).select_related(
            "placement__child",
            "placement__family",
            "placement__caseworker",
            "placement__youth_protector",
        ),
        purpose=Purpose.CARE,
        person_of=lambda meeting: meeting.placement.child,
        pk=pk,
    )
    if change:
        require_change(request.user, permissions.meetings, meeting, person=meeting.placement.child)
    return meeting


def _file_url(placement: Placement) -> str:
    return reverse("placements:child", args=[placement.child_id]) + "#overleggen"


def _file_url_of(meeting: Meeting) -> str:
    return _file_url(meeting.placement)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_plan(request, pk):
    placement = placement_or_404(request, pk)
    if request.method == "GET":
        log_view(request, person=placement.child, obj=placement, detail="overleg plannen")
    kind = Meeting.Kind(
        selectors.meeting_kind(request.GET.get("soort") or request.POST.get("kind"))
    )
    page = mf.MeetingPlanPage(
        request.POST or None,
        kind=kind,
        initial_day=selectors.suggested_meeting_day(placement, kind),
        suggested=services.suggested_participants(placement),
    )
    done = submit(
        request,
        page,
        partial(services.meeting_plan, placement=placement),
        success=_planned_message,
        redirect_to=_file_url_of,
    )
    title = _("Plan start meeting") if kind == Meeting.Kind.START else _("Plan joint meeting")
    return done or render(
        request,
        "placements/meetings/plan.html",
        {"placement": placement, "kind": kind, "title": title, "form": page.main}
        | {"participants": page.parts["participants"]},
    )


def _planned_message(meeting: Meeting) -> str:
    return _("%(meeting)s planned for %(child)s on %(day)s.") % {
        "meeting": meeting.get_kind_display().capitalize(),
        "child": meeting.placement.child,
        "day": timezone.localtime(meeting.planned_at).strftime("%d-%m-%Y %H:%M"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def meeting_hold(request, pk):
    """Hold a start meeting (the six questions per party, who decides, agreements) or write the
    report of a joint meeting (the Advies-8 agenda and the next date)."""
    meeting = _meeting_or_404(request, pk)
    if request.method == "GET":
        log_view(request, person=meeting.placement.child, obj=meeting)
    start = meeting.kind == Meeting.Kind.START
    page = (mf.StartMeetingPage if start else mf.JointReportPage)(
        request.POST or None, meeting=meeting
    )
    done = submit(
        request,
        page,
        partial(
            services.start_meeting_hold if start else services.joint_meeting_report,
            meeting=meeting,
        ),
        success=partial(_held_message, meeting),
        redirect_to=lambda _result: _file_url(meeting.placement),
    )
    template = "start_hold.html" if start else "joint_report.html"
    return done or render(
        request,
        f"placements/meetings/{template}",
        {"meeting": meeting, "placement": meeting.placement, **page.context()},
    )


def _held_message(meeting: Meeting, result: Meeting) -> str:
    if meeting.kind == Meeting.Kind.START:
        return _("The start meeting of %(child)s is recorded.") % {"child": meeting.placement.child}
    return _("Report saved. The next joint meeting is planned on %(day)s.") % {
        "day": timezone.localtime(result.planned_at).strftime("%d-%m-%Y")
    }


@login_required
@require_http_methods(["GET", "POST"])
def meeting_change(request, pk):
    """Move a planned meeting to another moment or place, or call it off."""
    meeting = _meeting_or_404(request, pk)
    if request.method == "GET":
        log_view(request, person=meeting.placement.child, obj=meeting, detail="overleg wijzigen")
    local = timezone.localtime(meeting.planned_at)
    form = mf.MeetingChangeForm(
        request.POST or None,
        initial={"version": meeting.version, "day": local.date(), "time": local.time()}
        | {"place": meeting.place},
    )
    done = submit(
        request,
        mf.FormGroup(form),
        partial(services.meeting_change, meeting=meeting),
        success=_changed_message,
        redirect_to=_file_url_of,
    )
    return done or render(
        request,
        "placements/meetings/change.html",
        {"meeting": meeting, "placement": meeting.placement, "form": form},
    )


def _changed_message(meeting: Meeting) -> str:
    if meeting.status == Meeting.Status.CANCELLED:
        return _("The meeting is cancelled.")
    return _(
        "The meeting is moved to %(moment)s. The participants get a new invitation a week before."
    ) % {"moment": timezone.localtime(meeting.planned_at).strftime("%d-%m-%Y %H:%M")}


@login_required
@require_http_methods(["GET", "POST"])
def meeting_request(request, pk):
    placement = placement_or_404(request, pk)
    form = mf.MeetingRequestForm(request.POST or None)
    done = submit(
        request,
        form,
        partial(services.joint_meeting_request, placement=placement),
        success=lambda _request: _("The request is recorded. Now give the meeting a date."),
        redirect_to=lambda _request: (
            reverse("placements:meeting_plan", args=[placement.pk]) + "?soort=joint"
        ),
    )
    return done or _simple_form(
        request,
        placement,
        form,
        title=_("Request a joint meeting"),
        button=_("Record the request"),
        lead=_("One party finding a joint meeting needed is enough (advice 8)."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cadence(request, pk):
    """How often this placement's joint meetings take place, and when the next one is."""
    placement = placement_or_404(request, pk)
    if request.method == "GET":
        log_view(request, person=placement.child, obj=placement, detail="ritme gezamenlijk overleg")
    planned = services.planned_joint_meeting(placement)
    form = mf.CadenceForm.for_placement(request.POST or None, placement, planned=planned)
    done = submit(
        request,
        form,
        partial(services.joint_meeting_cadence_set, placement=placement),
        success=lambda _placement: (
            _("The joint meetings of %(child)s are set.") % {"child": placement.child}
        ),
        redirect_to=lambda _placement: _file_url(placement),
    )
    context = {"placement": placement, "form": form, "planned": planned}
    return done or render(request, "placements/meetings/cadence.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def child_contact(request, pk):
    placement = placement_or_404(request, pk, may=permissions.placements_in_aftercare)
    form = mf.ChildContactForm(request.POST or None, initial={"contact_on": timezone.localdate()})
    done = submit(
        request,
        form,
        partial(services.child_contact_record, placement=placement),
        success=lambda _contact: (
            _("The conversation with %(child)s is recorded.") % {"child": placement.child}
        ),
        redirect_to=lambda _contact: _file_url(placement),
    )
    return done or _simple_form(
        request,
        placement,
        form,
        title=_("Record a conversation with the child"),
        button=_("Save conversation"),
        lead=_("The guideline: talk with the child at least 3 times a year."),
    )


def _simple_form(request, placement, form, *, title: str, button: str, lead: str):
    context = {"placement": placement, "form": form, "title": title, "submit": button}
    return render(request, "placements/meetings/simple_form.html", context | {"lead": lead})


@login_required
def meeting_agenda(request, pk):
    """A printable agenda: the questions or the Advies-8 agenda, with open agreements."""
    meeting = _meeting_or_404(request, pk, change=False)
    log_view(request, person=meeting.placement.child, obj=meeting, action=Action.PRINT)
    return render(request, "placements/meetings/agenda.html", selectors.meeting_agenda(meeting))


@login_required
def my_meetings(request):
    """'Mijn overleggen': upcoming and overdue meetings of the caseload."""
    require_role(request, User.Role.CASEWORKER, User.Role.TEAM_LEAD, purpose=Purpose.CARE)
    context = selectors.my_meetings(request.user)
    return render(request, "placements/meetings/my_meetings.html", context)
