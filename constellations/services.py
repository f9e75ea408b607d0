"""Services for constellations: members, parents taking part, gatherings, support contacts and
respite stays.

Like placements.services: keyword-only, atomic, access-checked (a refusal is a ``Refused`` that
names the record, so that the access log shows it), written to the access log, and raising
ValidationError per field so that forms show the message beside the field. Every row is
validated with ``full_clean()`` before it is saved. The rules are checked here on every database;
on PostgreSQL exclusion constraints keep them as well, so two people booking the same bed at the
same moment cannot both succeed. The reads they need are in constellations.selectors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from constellations.models import (
    ATTENDEE_FIELDS,
    MAX_MEMBERS,
    Attendance,
    Bed,
    Constellation,
    Gathering,
    Membership,
    ParentParticipation,
    RespiteStay,
    SupportContact,
)
from constellations.permissions import constellations, refuse_unless, stays
from constellations.selectors import attendance_choices, parents_who_may_take_part, stay_placement
from placements.models import Child, FosterFamily, Parent
from pleegzorg.actions import log_change
from pleegzorg.audit import Action
from pleegzorg.models import User
from pleegzorg.versioning import save_versioned


def _day(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


# -- members -------------------------------------------------------------------------------------


@transaction.atomic
def member_add(
    *,
    actor: User,
    constellation: Constellation,
    family: FosterFamily,
    joined_on: dt.date,
    request=None,
) -> Membership:
    """Add a foster family. At most ten members; a family is in one constellation at a time; the
    hub home's own family is its centre, not a member."""
    refuse_unless(
        constellations.can_change(actor, constellation), obj=constellation, action=Action.CREATE
    )
    # Lock the constellation so that two people adding the 10th and 11th family at once are
    # counted one after the other.
    Constellation.objects.select_for_update().filter(pk=constellation.pk).first()
    if family.status != FosterFamily.Status.ACTIVE:
        raise ValidationError({"family": _("Only an active foster family can become a member.")})
    if hasattr(family, "hub_home"):
        raise ValidationError({"family": _("This family is a hub home.")})
    current = Membership.objects.current(joined_on).filter(constellation=constellation)
    if current.filter(family=family).exists():
        raise ValidationError({"family": _("This family is already a member.")})
    if current.count() >= MAX_MEMBERS:
        raise ValidationError(
            {
                "family": _(
                    "This constellation already has %(max)d member families, the most there can be."
                )
                % {"max": MAX_MEMBERS}
            }
        )
    elsewhere = (
        Membership.objects.filter(family=family)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=joined_on))
        .select_related("constellation")
        .first()
    )
    if elsewhere is not None:
        raise ValidationError(
            {
                "family": _("This family is already in constellation %(name)s.")
                % {"name": elsewhere.constellation}
            }
        )
    membership = Membership(constellation=constellation, family=family, joined_on=joined_on)
    # The constraints are checked above with clearer messages, and by the database below.
    membership.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as error:
        raise ValidationError(
            {"family": _("This family is already in a constellation.")}
        ) from error
    log_change(actor=actor, request=request, person=None, obj=membership, action=Action.CREATE)
    return membership


@transaction.atomic
def member_leave(
    *, actor: User, membership: Membership, left_on: dt.date, request=None
) -> Membership:
    """End a membership on ``left_on``; it stays as history. Refuses a family that has already
    left, and a day before it joined."""
    refuse_unless(
        constellations.can_change(actor, membership.constellation),
        obj=membership,
        action=Action.CHANGE,
    )
    if membership.left_on is not None:
        raise ValidationError(_("This family has already left."))
    if left_on < membership.joined_on:
        raise ValidationError(
            {
                "left_on": _("The family joined on %(day)s: leaving must be on or after that.")
                % {"day": _day(membership.joined_on)}
            }
        )
    membership.left_on = left_on
    membership.full_clean(validate_constraints=False)
    membership.save(update_fields=["left_on"])
    log_change(actor=actor, request=request, person=None, obj=membership)
    return membership


@transaction.atomic
def parent_participation_add(
    *, actor: User, constellation: Constellation, parent: Parent, since: dt.date, request=None
) -> ParentParticipation:
    """A parent of a member family's foster child takes part from ``since``; once at a time."""
    refuse_unless(
        constellations.can_change(actor, constellation),
        obj=constellation,
        person=parent,
        action=Action.CREATE,
    )
    if not parents_who_may_take_part(constellation).filter(pk=parent.pk).exists():
        raise ValidationError(
            {"parent": _("Only parents of the member families' foster children can take part.")}
        )
    participation = ParentParticipation(constellation=constellation, parent=parent, since=since)
    # One open participation per parent: the database decides, with the message below.
    participation.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            participation.save()
    except IntegrityError as error:
        raise ValidationError({"parent": _("This parent already takes part.")}) from error
    log_change(actor=actor, request=request, person=parent, obj=participation, action=Action.CREATE)
    return participation


# -- gatherings and support contacts ------------------------------------------------------------


ATTENDEE_FIELD = {
    Attendance.Who.FOSTER_PARENT: "foster_parent_id",
    Attendance.Who.FOSTER_CHILD: "child_id",
    Attendance.Who.OWN_CHILD: "own_child_id",
    Attendance.Who.PARENT: "parent_id",
}


@transaction.atomic
def gathering_record(
    *,
    actor: User,
    constellation: Constellation,
    kind: str,
    date: dt.date,
    place: str,
    notes: str = "",
    attendees: dict[str, Iterable[int]] | None = None,
    request=None,
) -> Gathering:
    """A gathering with who was there. ``attendees`` maps Attendance.Who to person ids, each of
    which must belong to the constellation (checked against the people offered on the form);
    someone listed twice is there once."""
    refuse_unless(
        constellations.can_change(actor, constellation), obj=constellation, action=Action.CREATE
    )
    if date > timezone.localdate() + dt.timedelta(days=366):
        raise ValidationError({"date": _("This date is more than a year ahead.")})
    gathering = Gathering(
        constellation=constellation,
        kind=kind,
        date=date,
        place=place,
        notes=notes,
        recorded_by=actor,
    )
    gathering.full_clean()
    gathering.save(force_insert=True)
    rows = []
    allowed = attendance_choices(constellation, date)
    for who, ids in (attendees or {}).items():
        valid = {pk for pk, _label in allowed[who]}
        for pk in dict.fromkeys(int(pk) for pk in ids):
            if pk not in valid:
                raise ValidationError(_("Someone on the list is not part of this constellation."))
            row = Attendance(gathering=gathering, who=who, **{ATTENDEE_FIELD[who]: pk})
            # The people were checked against the constellation above; what is left is ``who``.
            row.full_clean(exclude=["gathering", *ATTENDEE_FIELDS], validate_constraints=False)
            rows.append(row)
    Attendance.objects.bulk_create(rows)
    log_change(actor=actor, request=request, person=None, obj=gathering, action=Action.CREATE)
    return gathering


@transaction.atomic
def support_contact_record(
    *,
    actor: User,
    constellation: Constellation,
    family: FosterFamily,
    date: dt.date,
    kind: str,
    note: str = "",
    request=None,
) -> SupportContact:
    """A support contact of the hub home with a family that is a member on ``date``, not in the
    future."""
    refuse_unless(
        constellations.can_book(actor, constellation), obj=constellation, action=Action.CREATE
    )
    if date > timezone.localdate():
        raise ValidationError({"date": _("This date is in the future.")})
    if (
        not Membership.objects.current(date)
        .filter(constellation=constellation, family=family)
        .exists()
    ):
        raise ValidationError({"family": _("This family is not a member on that date.")})
    contact = SupportContact(
        constellation=constellation,
        family=family,
        date=date,
        kind=kind,
        note=note,
        recorded_by=actor,
    )
    contact.full_clean()
    contact.save(force_insert=True)
    log_change(actor=actor, request=request, person=None, obj=contact, action=Action.CREATE)
    return contact


# -- respite stays -------------------------------------------------------------------------------


@transaction.atomic
def stay_book(
    *,
    actor: User,
    constellation: Constellation,
    child: Child,
    bed: Bed,
    arrival: dt.date,
    departure: dt.date,
    planned: bool,
    reason: str,
    status: str = RespiteStay.Status.CONFIRMED,
    notes: str = "",
    request=None,
) -> RespiteStay:
    """Book a bed for a child of a member family, for the nights [arrival, departure)."""
    refuse_unless(
        constellations.can_book(actor, constellation),
        obj=constellation,
        person=child,
        action=Action.CREATE,
    )
    if status not in (RespiteStay.Status.REQUESTED, RespiteStay.Status.CONFIRMED):
        raise ValidationError({"status": _("A new stay is requested or confirmed.")})
    if departure <= arrival:
        raise ValidationError({"departure": _("The departure must be after the arrival.")})
    if bed.hub.constellation_id != constellation.pk or not bed.active:
        raise ValidationError({"bed": _("Choose one of the hub home's beds.")})
    placement = stay_placement(constellation, child, arrival)
    if placement is None:
        raise ValidationError(
            {
                "child": _("%(child)s is not placed in a family of this constellation on %(day)s.")
                % {"child": child, "day": _day(arrival)}
            }
        )
    # One booking per bed at a time: later ones wait here, then see the earlier stay.
    Bed.objects.select_for_update().filter(pk=bed.pk).first()
    check_bed_and_child_free(bed, child, arrival, departure)
    stay = RespiteStay(
        constellation=constellation,
        bed=bed,
        child=child,
        family_id=placement.family_id,
        arrival=arrival,
        departure=departure,
        planned=planned,
        reason=reason,
        status=status,
        notes=notes,
        created_by=actor,
    )
    stay.full_clean(validate_constraints=False)
    _save_stay(stay, force_insert=True)
    log_change(actor=actor, request=request, person=child, obj=stay, action=Action.CREATE)
    return stay


def check_bed_and_child_free(
    bed: Bed, child: Child, arrival, departure, exclude: RespiteStay | None = None
) -> None:
    """Refuse (ValidationError on the field) a bed taken on one of the nights [arrival,
    departure), or a child staying elsewhere then. Call it holding the bed's lock."""
    overlapping = RespiteStay.objects.filter(
        RespiteStay.HOLDS_BED, arrival__lt=departure, departure__gt=arrival
    )
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude.pk)
    taken = overlapping.filter(bed=bed).select_related("child").first()
    if taken is not None:
        raise ValidationError(
            {
                "bed": _("%(bed)s is already taken from %(arrival)s to %(departure)s.")
                % {"bed": bed, "arrival": _day(taken.arrival), "departure": _day(taken.departure)}
            }
        )
    elsewhere = overlapping.filter(child=child).first()
    if elsewhere is not None:
        raise ValidationError(
            {
                "child": _(
                    "%(child)s is already staying elsewhere from %(arrival)s to %(departure)s."
                )
                % {
                    "child": child,
                    "arrival": _day(elsewhere.arrival),
                    "departure": _day(elsewhere.departure),
                }
            }
        )


def _save_stay(stay: RespiteStay, **kwargs) -> None:
    """Save, turning the database's refusal (PostgreSQL exclusion constraints: someone booked at
    the same moment) into the same messages as the checks above."""
    try:
        with transaction.atomic():
            stay.save(**kwargs)
    except IntegrityError as error:
        text = str(error)
        if "stay_bed_one_child_per_night" in text:
            raise ValidationError(
                {"bed": _("This bed is already taken on one of these nights.")}
            ) from error
        if "stay_child_one_bed_per_night" in text:
            raise ValidationError(
                {"child": _("This child is already staying elsewhere then.")}
            ) from error
        raise


@transaction.atomic
def stay_change(
    *,
    actor: User,
    stay: RespiteStay,
    version: int,
    status: str,
    notes: str,
    request=None,
) -> RespiteStay:
    """Confirm, complete or cancel a stay (a cancelled stay frees its bed), or change its notes.
    Version-checked (which validates the row too): a stale form is told and saves nothing."""
    refuse_unless(stays.can_change(actor, stay), obj=stay, person=stay.child, action=Action.CHANGE)
    if stay.status == RespiteStay.Status.CANCELLED and status != RespiteStay.Status.CANCELLED:
        # Taking a cancelled stay back needs the bed and the child to be free again.
        Bed.objects.select_for_update().filter(pk=stay.bed_id).first()
        check_bed_and_child_free(stay.bed, stay.child, stay.arrival, stay.departure, exclude=stay)
    if status == RespiteStay.Status.COMPLETED and stay.arrival > timezone.localdate():
        raise ValidationError({"status": _("A stay that has not started cannot be completed.")})
    stay.status, stay.notes = status, notes
    try:
        with transaction.atomic():
            save_versioned(stay, version=version, fields=["status", "notes"])
    except IntegrityError as error:
        raise ValidationError(
            _("The bed or the child is no longer free on these nights.")
        ) from error
    log_change(actor=actor, request=request, person=stay.child, obj=stay)
    return stay
