"""Services for start meetings (Advies 1) and joint meetings (Advies 8).

Like placements.services: keyword-only, atomic, access-checked, written to the access log, and
raising ValidationError per field so forms can show the messages beside the fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Model, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from placements import permissions
from placements.models import (
    Agreement,
    ChildContact,
    JointMeetingRequest,
    Meeting,
    MeetingParticipant,
    Party,
    Placement,
    RoleAuthority,
    StartMeetingAnswer,
)
from pleegzorg.actions import log_change, require_change
from pleegzorg.audit import Action
from pleegzorg.models import User
from pleegzorg.versioning import save_versioned

QUESTION_FIELDS = [name for name, _label in StartMeetingAnswer.QUESTIONS]


def validated[M: Model](obj: M) -> M:
    """``full_clean()`` a new row before it is saved (fields and choices; the uniqueness rules
    are the database's, whose refusals the services turn into messages)."""
    obj.full_clean(validate_unique=False, validate_constraints=False)
    return obj


def suggested_participants(placement: Placement) -> list[dict]:
    """The parties of this placement (party, name, email), as the first rows of a meeting's
    participant list: foster parents, caseworker, youth protector, parents, the child from 12.
    Uses what the caller prefetched; fetches the rest in at most three queries."""
    prefetch_related_objects([placement], "family__foster_parents", "child__parent_links__parent")
    rows = [
        {"party": Party.FOSTER_PARENTS, "name": str(fp), "email": fp.email}
        for fp in placement.family.foster_parents.all()
    ]
    rows.append(
        {
            "party": Party.CASEWORKER,
            "name": str(placement.caseworker),
            "email": placement.caseworker.email,
        }
    )
    if placement.youth_protector:
        yp = placement.youth_protector
        rows.append(
            {
                "party": Party.YOUTH_PROTECTOR,
                "name": f"{yp.first_name} {yp.last_name}",
                "email": yp.email,
            }
        )
    for link in placement.child.parent_links.all():
        rows.append({"party": Party.PARENTS, "name": str(link.parent), "email": link.parent.email})
    if placement.child.age() >= 12:
        rows.append({"party": Party.CHILD, "name": str(placement.child), "email": ""})
    return rows


@transaction.atomic
def meeting_plan(
    *,
    actor: User,
    placement: Placement,
    kind: str,
    planned_at: dt.datetime,
    place: str,
    participants: Iterable[dict],
    request=None,
) -> Meeting:
    """Plan a start or joint meeting with its participants (party, name, email).

    Refuses a date before the placement's start, a second start meeting, and a place that gives
    away the foster family's address when a parent is invited. Planning a joint
    meeting answers the open requests for one and sets the placement's next joint meeting date.
    """
    require_change(actor, permissions.placements_policy, placement, person=placement.child)
    _check_meeting_date(placement, timezone.localdate(planned_at))
    participants = list(participants)
    _check_place(placement, place, parties={p.get("party") for p in participants})
    meeting = Meeting(
        placement=placement, kind=kind, planned_at=planned_at, place=place, created_by=actor
    )
    meeting.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            meeting.save(force_insert=True)
    except IntegrityError as error:
        raise ValidationError({"kind": _("This placement already has a start meeting.")}) from error
    MeetingParticipant.objects.bulk_create(
        validated(MeetingParticipant(meeting=meeting, **participant))
        for participant in participants
    )
    if kind == Meeting.Kind.JOINT:
        placement.meeting_requests.filter(meeting__isnull=True).update(meeting=meeting)
        Placement.objects.filter(pk=placement.pk).update(
            next_joint_meeting_on=timezone.localdate(planned_at), version=F("version") + 1
        )
    log_change(
        actor=actor, request=request, person=placement.child, obj=meeting, action=Action.CREATE
    )
    return meeting


def _record_attendance(meeting: Meeting, attended_ids: set[int]) -> None:
    meeting.participants.update(attended=False)
    meeting.participants.filter(pk__in=attended_ids).update(attended=True)


def _add_agreements(placement: Placement, meeting: Meeting, agreements: Iterable[dict]) -> None:
    rows = []
    for agreement in agreements:
        if not agreement.get("owner"):
            raise ValidationError({"agreements": _("Every agreement needs an owner.")})
        rows.append(Agreement(placement=placement, meeting=meeting, **agreement))
    for row in rows:
        row.full_clean()
    Agreement.objects.bulk_create(rows)


@transaction.atomic
def start_meeting_hold(
    *,
    actor: User,
    meeting: Meeting,
    version: int,
    held_on: dt.date,
    attended: set[int],
    answers: dict[str, dict],
    authorities: Iterable[dict] = (),
    agreements: Iterable[dict] = (),
    request=None,
) -> Meeting:
    """Record a held start meeting: who came, each present party's answers to the six
    questions, who decides on what, and the agreements (each with an owner)."""
    placement = meeting.placement
    require_change(actor, permissions.placements_policy, placement, person=placement.child)
    if held_on < placement.start_date:
        raise ValidationError({"held_on": _("The meeting is before the placement starts.")})
    meeting = Meeting.objects.get(pk=meeting.pk)
    meeting.status, meeting.held_on = Meeting.Status.HELD, held_on
    save_versioned(meeting, version=version, fields=["status", "held_on"])
    _record_attendance(meeting, attended)
    meeting.answers.all().delete()
    StartMeetingAnswer.objects.bulk_create(
        validated(StartMeetingAnswer(meeting=meeting, party=party, **texts))
        for party, texts in answers.items()
        if any(texts.values())
    )
    for authority in authorities:
        values = {"decides": authority["decides"], "note": authority.get("note", "")}
        validated(RoleAuthority(placement=placement, subject=authority["subject"], **values))
        RoleAuthority.objects.update_or_create(
            placement=placement, subject=authority["subject"], defaults=values
        )
    _add_agreements(placement, meeting, agreements)
    if placement.next_joint_meeting_on is None:
        Placement.objects.filter(pk=placement.pk).update(
            next_joint_meeting_on=held_on
            + dt.timedelta(weeks=placement.joint_meeting_interval_weeks)
        )
    log_change(
        actor=actor,
        request=request,
        person=placement.child,
        obj=meeting,
        detail="startgesprek gehouden",
    )
    return meeting


@transaction.atomic
def joint_meeting_report(
    *,
    actor: User,
    meeting: Meeting,
    version: int,
    held_on: dt.date,
    attended: set[int],
    report: dict,
    next_date: dt.date | None,
    agreements: Iterable[dict] = (),
    closed_agreements: Iterable[Agreement] = (),
    request=None,
) -> Meeting:
    """Close the report of a joint meeting (the Advies-8 agenda). The next date is required: it
    schedules the next joint meeting, with the same participants and place."""
    placement = meeting.placement
    require_change(actor, permissions.placements_policy, placement, person=placement.child)
    errors = {}
    if next_date is None:
        errors["next_date"] = _("Fill in when you evaluate next: that schedules the next meeting.")
    elif next_date <= held_on:
        errors["next_date"] = _("The next meeting must be after this one.")
    if held_on < placement.start_date:
        errors["held_on"] = _("The meeting is before the placement starts.")
    if errors:
        raise ValidationError(errors)
    meeting = Meeting.objects.get(pk=meeting.pk)
    meeting.status, meeting.held_on, meeting.next_date = Meeting.Status.HELD, held_on, next_date
    for name, value in report.items():
        setattr(meeting, name, value)
    save_versioned(meeting, version=version, fields=["status", "held_on", "next_date", *report])
    _record_attendance(meeting, attended)
    _add_agreements(placement, meeting, agreements)
    today = timezone.localdate()
    for agreement in closed_agreements:
        Agreement.objects.filter(pk=agreement.pk, placement=placement).update(
            status=Agreement.Status.DONE, closed_on=today
        )
    planned_at = timezone.make_aware(
        dt.datetime.combine(next_date, timezone.localtime(meeting.planned_at).time())
    )
    following = validated(
        Meeting(
            placement=placement,
            kind=Meeting.Kind.JOINT,
            planned_at=planned_at,
            place=meeting.place,
            created_by=actor,
        )
    )
    following.save(force_insert=True)
    MeetingParticipant.objects.bulk_create(
        validated(MeetingParticipant(meeting=following, party=p.party, name=p.name, email=p.email))
        for p in meeting.participants.all()
    )
    Placement.objects.filter(pk=placement.pk).update(
        next_joint_meeting_on=next_date, version=F("version") + 1
    )
    log_change(
        actor=actor,
        request=request,
        person=placement.child,
        obj=meeting,
        detail="verslag gezamenlijk overleg",
    )
    return following


def _check_place(placement: Placement, place: str, *, parties: set[str]) -> None:
    """The invitation (email and calendar file) carries the place to every participant. A
    parent may not learn where the foster family lives, and nothing records which parents know
    it, so with any parent invited the place must not name the family's street or postcode."""
    if Party.PARENTS in parties and placement.family.address_in(place):
        raise ValidationError(
            {
                "place": _(
                    "A parent is invited to this meeting and may not learn the foster family's "
                    "address. Do not give the street or postcode here: write, for example, "
                    "“at the foster family's home”."
                )
            }
        )


def _check_meeting_date(placement: Placement, day: dt.date, field: str = "planned_at") -> None:
    if day < placement.start_date:
        raise ValidationError(
            {
                field: _("The meeting is before the placement starts (%(day)s).")
                % {"day": placement.start_date.strftime("%d-%m-%Y")}
            }
        )


@transaction.atomic
def meeting_move(
    *,
    actor: User,
    meeting: Meeting,
    version: int,
    planned_at: dt.datetime,
    place: str,
    request=None,
) -> Meeting:
    """Give a planned meeting another date, time or place. The reminder scan invites the
    participants again (a new time is a new reminder key; the ICS SEQUENCE follows the version).
    A place that gives away the foster family's address is refused when a parent is invited.
    """
    placement = meeting.placement
    require_change(actor, permissions.placements_policy, placement, person=placement.child)
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError(_("Only a planned meeting can be moved."))
    if planned_at < timezone.now():
        raise ValidationError({"planned_at": _("The new moment is in the past.")})
    _check_meeting_date(placement, timezone.localdate(planned_at))
    _check_place(
        placement, place, parties=set(meeting.participants.values_list("party", flat=True))
    )
    meeting.planned_at, meeting.place = planned_at, place
    save_versioned(meeting, version=version, fields=["planned_at", "place"])
    if meeting.kind == Meeting.Kind.JOINT and planned_joint_meeting(placement) == meeting:
        Placement.objects.filter(pk=placement.pk).update(
            next_joint_meeting_on=timezone.localdate(planned_at), version=F("version") + 1
        )
    log_change(
        actor=actor,
        request=request,
        person=placement.child,
        obj=meeting,
        detail="overleg verplaatst",
    )
    return meeting


@transaction.atomic
def meeting_change(
    *,
    actor: User,
    meeting: Meeting,
    version: int,
    cancel: bool = False,
    planned_at: dt.datetime | None = None,
    place: str = "",
    request=None,
) -> Meeting:
    """Cancel the meeting (``cancel``), or move it to ``planned_at`` and ``place``."""
    if cancel:
        return meeting_cancel(actor=actor, meeting=meeting, version=version, request=request)
    return meeting_move(
        actor=actor,
        meeting=meeting,
        version=version,
        planned_at=planned_at,
        place=place,
        request=request,
    )


def meeting_cancel(*, actor: User, meeting: Meeting, version: int, request=None) -> Meeting:
    """Call off a planned meeting. A cancelled start meeting can be planned again; a cancelled
    joint meeting leaves the placement without a next date until one is planned."""
    placement = meeting.placement
    require_change(actor, permissions.placements_policy, placement, person=placement.child)
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError(_("Only a planned meeting can be cancelled."))
    was_next = meeting.kind == Meeting.Kind.JOINT and planned_joint_meeting(placement) == meeting
    meeting.status = Meeting.Status.CANCELLED
    save_versioned(meeting, version=version, fields=["status"])
    if was_next:
        following = planned_joint_meeting(placement)
        Placement.objects.filter(pk=placement.pk).update(
            next_joint_meeting_on=timezone.localdate(following.planned_at) if following else None,
            version=F("version") + 1,
        )
    log_change(
        actor=actor, request=request, person=placement.child, obj=meeting, detail="overleg afgezegd"
    )
    return meeting


def planned_joint_meeting(placement: Placement) -> Meeting | None:
    """The joint meeting that is planned and not yet held, if any."""
    return (
        placement.meetings.filter(kind=Meeting.Kind.JOINT, status=Meeting.Status.PLANNED)
        .order_by("planned_at")
        .first()
    )


@transaction.atomic
def joint_meeting_cadence_set(
    *,
    actor: User,
    placement: Placement,
    version: int,
    interval_weeks: int,
    next_date: dt.date | None = None,
    request=None,
) -> Placement:
    """Change how often the placement's joint meetings take place and, when no joint meeting is
    planned yet, the date of the next one. A planned meeting keeps its date: move that meeting.
    """
    require_change(actor, permissions.placements_policy, placement, person=placement.child)
    fields = ["joint_meeting_interval_weeks"]
    placement.joint_meeting_interval_weeks = interval_weeks
    if next_date is not None and planned_joint_meeting(placement) is None:
        if next_date < timezone.localdate():
            raise ValidationError({"next_date": _("The next joint meeting cannot be in the past.")})
        _check_meeting_date(placement, next_date, "next_date")
        placement.next_joint_meeting_on = next_date
        fields.append("next_joint_meeting_on")
    save_versioned(placement, version=version, fields=fields)
    log_change(
        actor=actor,
        request=request,
        person=placement.child,
        obj=placement,
        detail="ritme gezamenlijk overleg",
    )
    return placement


@transaction.atomic
def joint_meeting_request(
    *,
    actor: User,
    placement: Placement,
    requested_by: str,
    reason: str,
    requester_name: str = "",
    requested_on: dt.date | None = None,
    request=None,
) -> JointMeetingRequest:
    """Advies 8: one party asking is enough. A reason is required; planning the next joint
    meeting answers the request."""
    require_change(actor, permissions.placements_policy, placement, person=placement.child)
    if not reason.strip():
        raise ValidationError({"reason": _("Write down why the meeting is needed.")})
    item = validated(
        JointMeetingRequest(
            placement=placement,
            requested_by=requested_by,
            requester_name=requester_name,
            reason=reason,
            requested_on=requested_on or timezone.localdate(),
            recorded_by=actor,
        )
    )
    item.save(force_insert=True)
    log_change(actor=actor, request=request, person=placement.child, obj=item, action=Action.CREATE)
    return item


@transaction.atomic
def child_contact_record(
    *, actor: User, placement: Placement, contact_on: dt.date, note: str = "", request=None
) -> ChildContact:
    require_change(actor, permissions.placements_policy, placement, person=placement.child)
    if contact_on > timezone.localdate():
        raise ValidationError({"contact_on": _("This date is in the future.")})
    contact = validated(
        ChildContact(placement=placement, contact_on=contact_on, caseworker=actor, note=note)
    )
    contact.save(force_insert=True)
    log_change(
        actor=actor, request=request, person=placement.child, obj=contact, action=Action.CREATE
    )
    return contact
