"""Every change to a case file. Keyword-only, atomic, permission-checked, written to the access log.

Services raise ``ValidationError`` with messages per field, so that forms can show them beside the
fields; ``StaleRecord`` when someone else saved the record after the form was opened; ``Refused``
(a 403 that the access log records) when the actor may not make the change. Every row they save
is validated first (``full_clean()``, or ``save_versioned``, which validates the fields it saves).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from placements import permissions
from placements.invitations import services as invitations
from placements.models import (
    CareKind,
    CaseworkerAssignment,
    Child,
    Decision,
    FosterFamily,
    FosterFamilyStatusChange,
    Parent,
    ParentChild,
    Placement,
    VoiceNote,
    YouthProtector,
    YouthProtectorAssignment,
)
from placements.validators import normalise_postcode
from pleegzorg.actions import log_change, require_change
from pleegzorg.audit import Action, Purpose
from pleegzorg.models import User
from pleegzorg.permissions import Refused
from pleegzorg.versioning import save_versioned


def _create(row):
    """Validate a new row the way every service does, then insert it."""
    row.full_clean()
    row.save(force_insert=True)
    return row


def family_occupancy(family: FosterFamily, on: date, end: date | None = None) -> int:
    """How many places the family has taken in [on, end]: full-time and part-time placements."""
    return (
        family.placements.occupying(on, end + timedelta(days=1) if end else None)
        .exclude(kind=CareKind.RESPITE)
        .count()
    )


def check_placement_fits(
    *,
    child: Child,
    family: FosterFamily,
    kind: str,
    start_date: date,
    planned_end_date: date | None,
) -> None:
    """Refuse a placement in a family that is not active, does not offer this kind of care or is
    full, and a second full-time placement of a child. Raises ValidationError per field."""
    errors: dict[str, str] = {}
    if family.status != FosterFamily.Status.ACTIVE:
        errors["family"] = _("%(family)s is %(status)s and cannot take a placement.") % {
            "family": family,
            "status": family.get_status_display(),
        }
    elif not family.offers(kind):
        errors["kind"] = _("%(family)s does not offer %(kind)s care.") % {
            "family": family,
            "kind": CareKind(kind).label,
        }
    elif (
        kind != CareKind.RESPITE
        and family_occupancy(family, start_date, planned_end_date) >= family.places
    ):
        errors["family"] = _(
            "%(family)s is full: all %(places)s places are taken on that date."
        ) % {
            "family": family,
            "places": family.places,
        }
    if planned_end_date and planned_end_date < start_date:
        errors["planned_end_date"] = _("The planned end date is before the start date.")
    if kind == CareKind.FULL_TIME:
        overlapping = child.placements.filter(kind=CareKind.FULL_TIME).occupying(
            start_date, planned_end_date + timedelta(days=1) if planned_end_date else None
        )
        if overlapping.exists():
            errors["start_date"] = _(
                "%(child)s already has a full-time placement in this period."
            ) % {"child": child}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def placement_start(
    *,
    actor: User,
    child: Child,
    family: FosterFamily,
    kind: str,
    legal_basis: str,
    start_date: date,
    caseworker: User,
    planned_end_date: date | None = None,
    youth_protector: YouthProtector | None = None,
    perspective: str = Placement.Perspective.UNDECIDED,
    request=None,
) -> Placement:
    """Start a placement with its first caseworker (and youth protector) assignment.

    A caseworker starts placements for themselves; a team lead for a caseworker of their team.
    The family row is locked so that two people cannot both take its last place.
    """
    if not (
        (actor.is_caseworker and caseworker.pk == actor.pk)
        or (actor.is_team_lead and caseworker.team_id and caseworker.team.lead_id == actor.pk)
    ):
        raise Refused(obj=child, action=Action.CREATE, purpose=Purpose.CARE)
    if not permissions.start_candidates(actor).filter(pk=caseworker.pk).exists():
        raise ValidationError({"caseworker": _("Choose a caseworker.")})
    family = FosterFamily.objects.select_for_update().get(pk=family.pk)
    check_placement_fits(
        child=child,
        family=family,
        kind=kind,
        start_date=start_date,
        planned_end_date=planned_end_date,
    )
    placement = Placement(
        child=child,
        family=family,
        kind=kind,
        legal_basis=legal_basis,
        start_date=start_date,
        planned_end_date=planned_end_date,
        perspective=perspective,
        caseworker=caseworker,
        # The team the placement belongs to, whose lead watches over it (also after a move of
        # the caseworker to another team): the caseworker's team today.
        team_id=caseworker.team_id,
        youth_protector=youth_protector,
        # Joint meetings every 3 months; every 6 weeks for a child under 3, whose development
        # moves fast (the guideline reviews it half-yearly under 3, yearly after).
        joint_meeting_interval_weeks=Placement.default_joint_meeting_interval_weeks(
            child, start_date
        ),
    )
    placement.full_clean()
    try:
        with transaction.atomic():
            placement.save(force_insert=True)
    except IntegrityError as error:  # the exclusion constraint, when two people book at once
        raise ValidationError(
            {
                "start_date": _("%(child)s already has a full-time placement in this period.")
                % {"child": child}
            }
        ) from error
    _create(
        CaseworkerAssignment(
            placement=placement, caseworker=caseworker, start_date=start_date, assigned_by=actor
        )
    )
    if youth_protector is not None:
        _create(
            YouthProtectorAssignment(
                placement=placement,
                youth_protector=youth_protector,
                start_date=start_date,
                assigned_by=actor,
            )
        )
    log_change(actor=actor, request=request, action=Action.CREATE, person=child, obj=placement)
    return placement


@transaction.atomic
def placement_end(
    *,
    actor: User,
    placement: Placement,
    version: int,
    end_date: date,
    end_reason: str,
    ended_by: str = "",
    end_note: str = "",
    request=None,
) -> Placement:
    """End a placement. A reason is required; for a premature ending also who ended it."""
    require_change(actor, permissions.placements_policy, placement, person=placement.child)
    # Work on a fresh copy: the caller's instance stays as it was if anything is refused.
    placement = Placement.objects.select_related("child").get(pk=placement.pk)
    if placement.end_date is not None:
        raise ValidationError(_("This placement has already ended."))
    placement.end_date = end_date
    placement.end_reason = end_reason
    placement.ended_by = ended_by if end_reason == Placement.EndReason.PREMATURE else ""
    placement.end_note = end_note
    save_versioned(
        placement, version=version, fields=["end_date", "end_reason", "ended_by", "end_note"]
    )
    log_change(
        actor=actor,
        request=request,
        person=placement.child,
        obj=placement,
        detail="plaatsing beëindigd",
    )
    return placement


@transaction.atomic
def placement_ending_update(
    *,
    actor: User,
    placement: Placement,
    version: int,
    end_reason: str,
    ended_by: str = "",
    end_note: str = "",
    request=None,
) -> Placement:
    """Add to the details of an ending as they become clear: why it ended, who ended it (for a
    premature ending), the note. The end date stays: the aftercare period counts from it. One
    of the changes aftercare allows (``permissions.AFTERCARE_TASKS``); refuses a placement that
    has not ended."""
    require_change(actor, permissions.placements_in_aftercare, placement, person=placement.child)
    placement = Placement.objects.select_related("child").get(pk=placement.pk)
    if placement.end_date is None:
        raise ValidationError(_("This placement has not ended."))
    placement.end_reason = end_reason
    placement.ended_by = ended_by if end_reason == Placement.EndReason.PREMATURE else ""
    placement.end_note = end_note
    save_versioned(placement, version=version, fields=["end_reason", "ended_by", "end_note"])
    log_change(
        actor=actor,
        request=request,
        person=placement.child,
        obj=placement,
        detail="beëindiging aangevuld",
    )
    return placement


@transaction.atomic
def placement_hand_over(
    *,
    actor: User,
    placement: Placement,
    version: int,
    new_caseworker: User,
    handover_note: str,
    family_informed: bool,
    no_change_of_course_until: date | None = None,
    on_date: date | None = None,
    request=None,
) -> CaseworkerAssignment:
    """Hand a placement over to another caseworker (Advies 6 and 7).

    The team lead or the current caseworker makes the change; a handover note is required; the
    old assignment ends the day before the new one starts. The new caseworker is one of
    ``permissions.handover_candidates`` (the same list the form offers); anyone else is refused.
    """
    require_change(actor, permissions.placements_policy, placement, person=placement.child)
    placement = Placement.objects.select_related("child", "caseworker").get(pk=placement.pk)
    on_date = on_date or timezone.localdate()
    errors = _handover_errors(
        handover_note=handover_note,
        missing_note=_("Write a handover note: what the new caseworker needs to know."),
        no_change_of_course_until=no_change_of_course_until,
        on_date=on_date,
    )
    if new_caseworker.role != User.Role.CASEWORKER or not new_caseworker.is_active:
        errors["new_caseworker"] = _("Choose an active caseworker.")
    elif new_caseworker.pk == placement.caseworker_id:
        errors["new_caseworker"] = _("This caseworker already has this placement.")
    elif (
        not permissions.handover_candidates(actor, placement).filter(pk=new_caseworker.pk).exists()
    ):
        errors["new_caseworker"] = str(permissions.HANDOVER_REFUSED)
    if errors:
        raise ValidationError(errors)
    return _reassign(
        actor=actor,
        placement=placement,
        version=version,
        role="caseworker",
        person=new_caseworker,
        on_date=on_date,
        request=request,
        detail=f"overdracht aan {new_caseworker}",
        handover_note=handover_note,
        family_informed=family_informed,
        no_change_of_course_until=no_change_of_course_until,
    )


def _handover_errors(
    *, handover_note: str, missing_note: str, no_change_of_course_until, on_date
) -> dict[str, str]:
    """The rules every handover shares (Advies 6): a note, and no 'until' before the handover."""
    errors = {}
    if not handover_note.strip():
        errors["handover_note"] = missing_note
    if no_change_of_course_until and no_change_of_course_until < on_date:
        errors["no_change_of_course_until"] = _("This date is before the handover.")
    return errors


def _reassign(
    *, actor, placement, version, role, person, on_date, request, detail, **handover
) -> CaseworkerAssignment | YouthProtectorAssignment:
    """End the current assignment of ``role`` (caseworker or youth_protector) the day before
    ``on_date``, start one for ``person`` with the handover details, and point the placement at
    them. The caller has checked access and validated the handover."""
    assignments = getattr(placement, f"{role}_assignments")
    current = assignments.filter(end_date__isnull=True).first()
    if current is not None:
        current.end_date = max(on_date - timedelta(days=1), current.start_date)
        current.full_clean()
        current.save(update_fields=["end_date"])
    assignment = _create(
        assignments.model(
            placement=placement, start_date=on_date, assigned_by=actor, **{role: person}, **handover
        )
    )
    setattr(placement, role, person)
    fields = [role]
    if role == "caseworker":
        # The placement moves to the new caseworker's team, and with it to that team's lead.
        placement.team_id = person.team_id
        fields.append("team")
    save_versioned(placement, version=version, fields=fields)
    log_change(actor=actor, request=request, person=placement.child, obj=placement, detail=detail)
    return assignment


@transaction.atomic
def child_update(*, actor: User, child: Child, version: int, changes: dict, request=None) -> Child:
    """Change some fields of a child's file (one section of the file at a time). In aftercare
    only the life story (``permissions.AFTERCARE_CHILD_FIELDS``)."""
    in_aftercare = set(changes) <= permissions.AFTERCARE_CHILD_FIELDS
    policy = permissions.children_in_aftercare if in_aftercare else permissions.children
    require_change(actor, policy, child, person=child)
    child = Child.objects.get(pk=child.pk)
    for name, value in changes.items():
        setattr(child, name, value)
    save_versioned(child, version=version, fields=list(changes))
    log_change(actor=actor, request=request, person=child, detail=", ".join(changes))
    return child


@transaction.atomic
def placement_start_for_child(
    *,
    actor: User,
    child: Child | None,
    new_child: dict,
    request=None,
    **placement,
) -> Placement:
    """Start a placement (``placement_start``) for ``child``, or, when it is None, for a new
    child registered from ``new_child`` in the same transaction: a refused placement leaves no
    child behind that would be in nobody's caseload."""
    if child is None:
        child = child_create(actor=actor, request=request, **new_child)
    return placement_start(actor=actor, child=child, request=request, **placement)


def child_create(*, actor: User, request=None, **fields) -> Child:
    """Register a new child. Only as part of starting a placement, so that it lands in a caseload
    in the same transaction (a child without a placement is in nobody's caseload)."""
    if not (actor.is_caseworker or actor.is_team_lead):
        raise Refused(action=Action.CREATE, purpose=Purpose.CARE)
    child = _create(Child(**fields))
    log_change(actor=actor, request=request, action=Action.CREATE, person=child)
    return child


@transaction.atomic
def decision_record(*, actor: User, placement: Placement, request=None, **fields) -> Decision:
    """Record a decision about a placement; whether the foster parents were consulted, and their
    view when they were, is part of it (Advies 2)."""
    require_change(actor, permissions.placements_policy, placement, person=placement.child)
    decision = _create(Decision(placement=placement, recorded_by=actor, **fields))
    log_change(
        actor=actor, request=request, action=Action.CREATE, person=placement.child, obj=decision
    )
    return decision


@transaction.atomic
def voice_note_add(
    *, actor: User, child: Child, said_on: date, text: str, request=None
) -> VoiceNote:
    """Record what the child said it wants, in its own words."""
    require_change(actor, permissions.children, child, person=child)
    if said_on > timezone.localdate():
        raise ValidationError({"said_on": _("This date is in the future.")})
    note = _create(VoiceNote(child=child, said_on=said_on, text=text, recorded_by=actor))
    log_change(actor=actor, request=request, action=Action.CREATE, person=child, obj=note)
    return note


@transaction.atomic
def family_update(
    *, actor: User, family: FosterFamily, version: int, changes: dict, request=None
) -> FosterFamily:
    """Change a family's details or status. A status change is added to its history; a family
    that stops needs a stop date and a reason, and one that is not stopped has neither."""
    require_change(actor, permissions.families, family, person=family)
    family = FosterFamily.objects.get(pk=family.pk)
    old_status = family.status
    if "postcode" in changes:
        changes["postcode"] = normalise_postcode(changes["postcode"])
    if changes.get("status", old_status) != FosterFamily.Status.STOPPED:
        changes.update(stop_date=None, stop_reason="", stop_note="")
    for name, value in changes.items():
        setattr(family, name, value)
    family.full_clean()
    save_versioned(family, version=version, fields=list(changes))
    if family.status != old_status:
        _create(
            FosterFamilyStatusChange(
                family=family,
                status=family.status,
                changed_on=family.stop_date or timezone.localdate(),
                note=family.stop_note,
                changed_by=actor,
            )
        )
    log_change(actor=actor, request=request, person=family, detail=", ".join(changes))
    # A family that stops today or earlier loses its foster parents' access now, not at night.
    invitations.close_accounts_of_stopped_families(family=family)
    return family


PARENT_FIELDS = ("first_name", "last_name", "phone", "email", "address")
LINK_FIELDS = ("relation", "has_custody", "participation")


@transaction.atomic
def parent_save(
    *,
    actor: User,
    child: Child,
    data: dict,
    link: ParentChild | None = None,
    version: int | None = None,
    request=None,
) -> ParentChild:
    """Add a parent to a child, or change one: the person, their relation to this child, whether
    they have custody and how they take part."""
    require_change(actor, permissions.children, child, person=child)
    if link is None:
        parent = _create(Parent(**{name: data[name] for name in PARENT_FIELDS}))
        link = ParentChild(parent=parent, child=child, **{name: data[name] for name in LINK_FIELDS})
        action = Action.CREATE
    else:
        parent = Parent.objects.get(pk=link.parent_id)
        for name in PARENT_FIELDS:
            setattr(parent, name, data[name])
        save_versioned(parent, version=version, fields=list(PARENT_FIELDS))
        for name in LINK_FIELDS:
            setattr(link, name, data[name])
        link.parent = parent  # so that the caller sees the person as saved
        action = Action.CHANGE
    link.full_clean()
    link.save()
    log_change(actor=actor, request=request, action=action, person=child, obj=parent)
    return link


@transaction.atomic
def youth_protector_change(
    *,
    actor: User,
    placement: Placement,
    version: int,
    new_youth_protector: YouthProtector,
    handover_note: str,
    family_informed: bool,
    no_change_of_course_until: date | None = None,
    on_date: date | None = None,
    request=None,
) -> YouthProtectorAssignment:
    """Record that another youth protector takes over (Advies 6 and 7): same rules as a
    caseworker handover — a note is required and the old assignment ends the day before."""
    require_change(actor, permissions.placements_policy, placement, person=placement.child)
    placement = Placement.objects.select_related("child").get(pk=placement.pk)
    on_date = on_date or timezone.localdate()
    errors = _handover_errors(
        handover_note=handover_note,
        missing_note=_("Write a handover note: what the new youth protector needs to know."),
        no_change_of_course_until=no_change_of_course_until,
        on_date=on_date,
    )
    if new_youth_protector.pk == placement.youth_protector_id:
        errors["new_youth_protector"] = _("This youth protector already has this placement.")
    if errors:
        raise ValidationError(errors)
    return _reassign(
        actor=actor,
        placement=placement,
        version=version,
        role="youth_protector",
        person=new_youth_protector,
        on_date=on_date,
        request=request,
        detail=f"jeugdbeschermer: {new_youth_protector}",
        handover_note=handover_note,
        family_informed=family_informed,
        no_change_of_course_until=no_change_of_course_until,
    )
