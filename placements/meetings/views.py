"""Plan, hold and report meetings; requests, conversations with the child; 'Mijn overleggen'."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from placements import permissions
from placements.meetings import forms as mf
from placements.meetings import services
from placements.models import Meeting, Party, Placement, RoleAuthority, StartMeetingAnswer
from placements.services import StaleRecord
from placements.views.placement import _placement_or_404
from pleegzorg.audit import Action, Purpose, access_log_write
from pleegzorg.models import User
from pleegzorg.permissions import get_visible_or_404, require_role
from pleegzorg.views.forms import add_errors, submit


def _meeting_or_404(request, pk) -> Meeting:
    return get_visible_or_404(
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


def _file_url(placement: Placement) -> str:
    return reverse("placements:child", args=[placement.child_id]) + "#overleggen"


@login_required
@require_http_methods(["GET", "POST"])
def meeting_plan(request, pk):
    placement = _placement_or_404(request, pk)
    if request.method == "GET":
        access_log_write(
            user=request.user,
            request=request,
            action=Action.VIEW,
            purpose=Purpose.CARE,
            person=placement.child,
            obj=placement,
            detail="overleg plannen",
        )
    kind = request.GET.get("soort") or request.POST.get("kind") or Meeting.Kind.JOINT
    if kind not in Meeting.Kind.values:
        kind = Meeting.Kind.JOINT
    form = mf.MeetingPlanForm(
        request.POST or None, initial={"day": _suggested_day(placement, kind)}
    )
    participants = mf.ParticipantFormSet(
        request.POST or None,
        prefix="p",
        initial=None if request.POST else services.suggested_participants(placement),
    )
    if request.method == "POST" and form.is_valid() and participants.is_valid():
        planned_at = timezone.make_aware(
            dt.datetime.combine(form.cleaned_data["day"], form.cleaned_data["time"])
        )
        rows = [row for row in participants.cleaned_data if row.get("name")]
        try:
            meeting = services.meeting_plan(
                actor=request.user,
                placement=placement,
                kind=kind,
                planned_at=planned_at,
                place=form.cleaned_data["place"],
                participants=rows,
                request=request,
            )
        except ValidationError as error:
            if "planned_at" in getattr(error, "message_dict", {}):
                form.add_error("day", error.message_dict["planned_at"])
            else:
                add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(meeting)s planned for %(child)s on %(day)s.")
                % {
                    "meeting": meeting.get_kind_display().capitalize(),
                    "child": placement.child,
                    "day": timezone.localtime(meeting.planned_at).strftime("%d-%m-%Y %H:%M"),
                },
            )
            return redirect(_file_url(placement))
    context = {
        "placement": placement,
        "kind": kind,
        "title": _("Plan start meeting") if kind == Meeting.Kind.START else _("Plan joint meeting"),
        "form": form,
        "participants": participants,
    }
    return render(request, "placements/meetings/plan.html", context)


def _suggested_day(placement: Placement, kind: str) -> dt.date:
    today = timezone.localdate()
    if kind == Meeting.Kind.START:
        return max(today, placement.start_date) + dt.timedelta(days=7)
    return placement.next_joint_meeting_on or today + dt.timedelta(weeks=2)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_hold(request, pk):
    """Hold a start meeting (the six questions per party, who decides, agreements) or write the
    report of a joint meeting (the Advies-8 agenda and the next date)."""
    meeting = _meeting_or_404(request, pk)
    placement = meeting.placement
    data = request.POST or None
    if data is None:
        access_log_write(
            user=request.user,
            request=request,
            action=Action.VIEW,
            purpose=Purpose.CARE,
            person=placement.child,
            obj=meeting,
        )
    initial = {
        "version": meeting.version,
        "held_on": timezone.localdate(timezone.localtime(meeting.planned_at)),
    }
    agreements = mf.AgreementFormSet(data, prefix="a")
    if meeting.kind == Meeting.Kind.START:
        form = mf.HeldForm(data, meeting=meeting, initial=initial)
        parties = list(dict.fromkeys(p.party for p in meeting.participants.all()))
        answers = {
            party: mf.AnswersForm(
                data, prefix=f"q-{party}", instance=StartMeetingAnswer(party=party)
            )
            for party in parties
        }
        existing = {a.subject: a for a in placement.authorities.all()}
        labels = dict(RoleAuthority.Subject.choices)
        authorities = mf.AuthorityFormSet(
            data,
            prefix="r",
            initial=[
                {
                    "subject": value,
                    "decides": getattr(existing.get(value), "decides", ""),
                    "note": getattr(existing.get(value), "note", ""),
                }
                for value, _label in RoleAuthority.Subject.choices
            ],
        )
        forms_valid = (
            data
            and form.is_valid()
            and agreements.is_valid()
            and authorities.is_valid()
            and all(f.is_valid() for f in answers.values())
        )
        if forms_valid:
            try:
                services.start_meeting_hold(
                    actor=request.user,
                    meeting=meeting,
                    version=form.cleaned_data["version"],
                    held_on=form.cleaned_data["held_on"],
                    attended={int(pk) for pk in form.cleaned_data["attended"]},
                    answers={party: f.cleaned_data for party, f in answers.items()},
                    authorities=[row for row in authorities.cleaned_data if row.get("decides")],
                    agreements=[row for row in agreements.cleaned_data if row.get("what")],
                    request=request,
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The start meeting of %(child)s is recorded.") % {"child": placement.child},
                )
                return redirect(_file_url(placement))
        context = {
            "meeting": meeting,
            "placement": placement,
            "form": form,
            "agreements": agreements,
            "answers": [(Party(party).label, f) for party, f in answers.items()],
            "authorities": authorities,
            "authority_rows": [
                (row, labels.get(row["subject"].value(), "")) for row in authorities.forms
            ],
        }
        return render(request, "placements/meetings/start_hold.html", context)

    form = mf.JointReportForm(data, meeting=meeting, initial=initial)
    if data and form.is_valid() and agreements.is_valid():
        try:
            following = services.joint_meeting_report(
                actor=request.user,
                meeting=meeting,
                version=form.cleaned_data["version"],
                held_on=form.cleaned_data["held_on"],
                attended={int(pk) for pk in form.cleaned_data["attended"]},
                report={name: form.cleaned_data[name] for name in form.REPORT_FIELDS},
                next_date=form.cleaned_data["next_date"],
                agreements=[row for row in agreements.cleaned_data if row.get("what")],
                closed_agreements=form.cleaned_data["close_agreements"],
                request=request,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("Report saved. The next joint meeting is planned on %(day)s.")
                % {"day": timezone.localtime(following.planned_at).strftime("%d-%m-%Y")},
            )
            return redirect(_file_url(placement))
    context = {"meeting": meeting, "placement": placement, "form": form, "agreements": agreements}
    return render(request, "placements/meetings/joint_report.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_change(request, pk):
    """Move a planned meeting to another moment or place, or call it off."""
    meeting = _meeting_or_404(request, pk)
    placement = meeting.placement
    local = timezone.localtime(meeting.planned_at)
    initial = {
        "version": meeting.version,
        "day": local.date(),
        "time": local.time(),
        "place": meeting.place,
    }
    form = mf.MeetingMoveForm(request.POST or None, initial=initial)
    if request.method == "GET":
        access_log_write(
            user=request.user,
            request=request,
            action=Action.VIEW,
            purpose=Purpose.CARE,
            person=placement.child,
            obj=meeting,
            detail="overleg wijzigen",
        )
    elif "cancel" in request.POST:
        cancel = mf.MeetingCancelForm(request.POST)
        form = mf.MeetingMoveForm(initial=initial)
        try:
            if not cancel.is_valid():
                raise StaleRecord
            services.meeting_cancel(
                actor=request.user,
                meeting=meeting,
                version=cancel.cleaned_data["version"],
                request=request,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The meeting is cancelled."))
            return redirect(_file_url(placement))
    elif form.is_valid():
        planned_at = timezone.make_aware(
            dt.datetime.combine(form.cleaned_data["day"], form.cleaned_data["time"])
        )
        try:
            services.meeting_move(
                actor=request.user,
                meeting=meeting,
                version=form.cleaned_data["version"],
                planned_at=planned_at,
                place=form.cleaned_data["place"],
                request=request,
            )
        except ValidationError as error:
            if "planned_at" in getattr(error, "message_dict", {}):
                form.add_error("day", error.message_dict["planned_at"])
            else:
                add_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "The meeting is moved to %(moment)s. The participants get a new invitation "
                    "a week before."
                )
                % {"moment": timezone.localtime(planned_at).strftime("%d-%m-%Y %H:%M")},
            )
            return redirect(_file_url(placement))
    return render(
        request,
        "placements/meetings/change.html",
        {"meeting": meeting, "placement": placement, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_request(request, pk):
    placement = _placement_or_404(request, pk)
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
    if done:
        return done
    return render(
        request,
        "placements/meetings/simple_form.html",
        {
            "placement": placement,
            "form": form,
            "title": _("Request a joint meeting"),
            "submit": _("Record the request"),
            "lead": _("One party finding a joint meeting needed is enough (advice 8)."),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cadence(request, pk):
    """How often this placement's joint meetings take place, and when the next one is."""
    placement = _placement_or_404(request, pk)
    if request.method == "GET":
        access_log_write(
            user=request.user,
            request=request,
            action=Action.VIEW,
            purpose=Purpose.CARE,
            person=placement.child,
            obj=placement,
            detail="ritme gezamenlijk overleg",
        )
    planned = services.planned_joint_meeting(placement)
    initial = {
        "version": placement.version,
        "interval_weeks": placement.joint_meeting_interval_weeks,
        "next_date": placement.next_joint_meeting_on,
    }
    form = mf.CadenceForm(
        request.POST or None,
        initial=initial,
        current_weeks=placement.joint_meeting_interval_weeks,
        has_planned_meeting=planned is not None,
    )
    done = submit(
        request,
        form,
        partial(services.joint_meeting_cadence_set, placement=placement),
        success=lambda _placement: (
            _("The joint meetings of %(child)s are set.") % {"child": placement.child}
        ),
        redirect_to=lambda _placement: _file_url(placement),
    )
    if done:
        return done
    return render(
        request,
        "placements/meetings/cadence.html",
        {"placement": placement, "form": form, "planned": planned},
    )


@login_required
@require_http_methods(["GET", "POST"])
def child_contact(request, pk):
    placement = _placement_or_404(request, pk)
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
    if done:
        return done
    return render(
        request,
        "placements/meetings/simple_form.html",
        {
            "placement": placement,
            "form": form,
            "title": _("Record a conversation with the child"),
            "submit": _("Save conversation"),
            "lead": _("The guideline: talk with the child at least 3 times a year."),
        },
    )


@login_required
def meeting_agenda(request, pk):
    """A printable agenda: the questions or the Advies-8 agenda, with open agreements."""
    meeting = _meeting_or_404(request, pk)
    access_log_write(
        user=request.user,
        request=request,
        action=Action.PRINT,
        purpose=Purpose.CARE,
        person=meeting.placement.child,
        obj=meeting,
    )
    context = {
        "meeting": meeting,
        "placement": meeting.placement,
        "participants": meeting.participants.all(),
        "questions": [label for _name, label in StartMeetingAnswer.QUESTIONS],
        "open_agreements": meeting.placement.agreements.filter(status="open"),
    }
    return render(request, "placements/meetings/agenda.html", context)


@login_required
def my_meetings(request):
    """'Mijn overleggen': upcoming and overdue meetings of the caseload."""
    require_role(request, User.Role.CASEWORKER, User.Role.TEAM_LEAD, purpose=Purpose.CARE)
    from placements import selectors

    return render(
        request, "placements/meetings/my_meetings.html", selectors.my_meetings(request.user)
    )
