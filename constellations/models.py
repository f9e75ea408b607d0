"""Constellations (the Mockingbird community), their hub homes and the respite stays there.

A constellation is 6 to 10 foster families around a hub home, with a liaison from the
organisation. Membership is kept as history (join and leave dates). The hub home's beds are rows,
so a stay takes one bed for a range of nights; on PostgreSQL exclusion constraints make sure a bed
never holds two stays on one night and a child is never in two stays on one night, also when two
people book at the same moment. Nights are ``[arrival, departure)``: the departure day is free.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.fields import RangeOperators
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from placements.models import Child, FosterFamily, FosterParent, OwnChild, Parent
from pleegzorg.db import DateRange, PostgresExclusionConstraint
from pleegzorg.models import Region
from pleegzorg.versioning import Versioned

MAX_MEMBERS = 10
MIN_MEMBERS = 6


class ConstellationQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=Constellation.Status.CLOSED)


class Constellation(Versioned):
    class Status(models.TextChoices):
        FORMING = "forming", _("forming")
        ACTIVE = "active", _("active")
        CLOSED = "closed", _("closed")

    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="constellations", verbose_name=_("region")
    )
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="constellations",
        limit_choices_to={"role": "liaison"},
        verbose_name=_("Mockingbird liaison"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.FORMING)
    start_date = models.DateField(_("start date"))

    objects = ConstellationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("constellation")
        verbose_name_plural = _("constellations")
        indexes = [models.Index(fields=["region", "status"], name="constellation_region")]
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                name="constellation_name_unique",
                violation_error_message=_("Another constellation already has this name."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def in_formation(member_count: int) -> bool:
        """Fewer than six member families: the constellation shows as "in formation"."""
        return member_count < MIN_MEMBERS


class HubHome(models.Model):
    """The foster family at the centre of one constellation, with its parents and beds."""

    constellation = models.OneToOneField(
        Constellation, on_delete=models.CASCADE, related_name="hub", verbose_name=_("constellation")
    )
    family = models.OneToOneField(
        FosterFamily, on_delete=models.PROTECT, related_name="hub_home", verbose_name=_("family")
    )
    parents = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="hub_homes",
        blank=True,
        limit_choices_to={"role": "hub_home_parent"},
        verbose_name=_("hub-home parents"),
    )

    class Meta:
        verbose_name = _("hub home")
        verbose_name_plural = _("hub homes")

    def __str__(self) -> str:
        return str(self.family)


class BedQuerySet(models.QuerySet):
    def in_use(self, constellation):
        """The beds of the constellation's hub home that take stays."""
        return self.filter(hub__constellation=constellation, active=True)


class Bed(models.Model):
    hub = models.ForeignKey(
        HubHome, on_delete=models.CASCADE, related_name="beds", verbose_name=_("hub home")
    )
    name = models.CharField(_("name"), max_length=50)
    active = models.BooleanField(_("in use"), default=True)

    objects = BedQuerySet.as_manager()

    class Meta:
        ordering = ["hub", "name", "id"]
        verbose_name = _("respite bed")
        verbose_name_plural = _("respite beds")
        constraints = [models.UniqueConstraint(fields=["hub", "name"], name="bed_name_per_hub")]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet):
    def current(self, on: dt.date | None = None):
        """Members on ``on`` (today): joined on or before it, not left before it."""
        on = on or timezone.localdate()
        return self.filter(Q(left_on__isnull=True) | Q(left_on__gte=on), joined_on__lte=on)

    def during(self, first: dt.date, last: dt.date):
        """Members on at least one day of ``[first, last]`` (the fidelity figures' "member in a
        month")."""
        return self.filter(Membership.during_condition(first, last))


class Membership(models.Model):
    """A foster family's membership of a constellation; ended ones stay as history."""

    constellation = models.ForeignKey(
        Constellation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("constellation"),
    )
    family = models.ForeignKey(
        FosterFamily,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("foster family"),
    )
    joined_on = models.DateField(_("member since"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["joined_on", "id"]
        verbose_name = _("member family")
        verbose_name_plural = _("member families")
        indexes = [models.Index(fields=["family", "left_on"], name="membership_family")]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="membership_left_after_joined",
                violation_error_message=_("The leaving date is before the joining date."),
            ),
            # On every database: a family has at most one open membership.
            models.UniqueConstraint(
                fields=["family"],
                condition=Q(left_on__isnull=True),
                name="one_open_membership_per_family",
                violation_error_message=_("This family is already in a constellation."),
            ),
            # On PostgreSQL also over time: never two memberships on the same day. The family
            # first: the index then also serves "this family's membership on a day" (the outcome
            # monitor's joins); with the range first such a lookup scanned much of the index.
            PostgresExclusionConstraint(
                name="membership_no_overlap",
                expressions=[
                    ("family", RangeOperators.EQUAL),
                    (DateRange("joined_on", "left_on", "[]"), RangeOperators.OVERLAPS),
                ],
                violation_error_message=_("This family is already in a constellation."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.family} — {self.constellation}"

    @staticmethod
    def during_condition(first: dt.date, last: dt.date, prefix: str = "") -> Q:
        """Joined on or before ``last`` and not left before ``first``; ``prefix`` reaches the
        membership through a relation (``"memberships__"``)."""
        return Q(**{f"{prefix}joined_on__lte": last}) & (
            Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gte": first})
        )

    def is_current(self, on: dt.date) -> bool:
        """The same as ``Membership.objects.current(on)``, for a row already loaded."""
        return self.joined_on <= on and (self.left_on is None or self.left_on >= on)


class ParentParticipation(models.Model):
    """A birth parent of a member family's foster child who takes part in the constellation."""

    constellation = models.ForeignKey(
        Constellation,
        on_delete=models.CASCADE,
        related_name="parent_participations",
        verbose_name=_("constellation"),
    )
    parent = models.ForeignKey(
        Parent, on_delete=models.CASCADE, related_name="participations", verbose_name=_("parent")
    )
    since = models.DateField(_("taking part since"))
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["since", "id"]
        verbose_name = _("parent taking part")
        verbose_name_plural = _("parents taking part")
        constraints = [
            models.UniqueConstraint(
                fields=["constellation", "parent"],
                condition=Q(until__isnull=True),
                name="one_open_participation",
                violation_error_message=_("This parent already takes part."),
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("since")),
                name="participation_until_after_since",
            ),
        ]

    def __str__(self) -> str:
        return str(self.parent)


class Gathering(models.Model):
    """A monthly meeting, an activity or a training of the constellation."""

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("monthly meeting")
        ACTIVITY = "activity", _("activity")
        TRAINING = "training", _("training")

    constellation = models.ForeignKey(
        Constellation,
        on_delete=models.CASCADE,
        related_name="gatherings",
        verbose_name=_("constellation"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.MONTHLY)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("gathering")
        verbose_name_plural = _("gatherings")
        indexes = [models.Index(fields=["constellation", "date"], name="gathering_date")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%d-%m-%Y}"


ATTENDEE_FIELDS = ("foster_parent", "child", "own_child", "parent")


def _empty(but: str) -> dict:
    return {f"{name}__isnull": True for name in ATTENDEE_FIELDS if name != but}


class Attendance(models.Model):
    """One person at a gathering: a foster parent, a foster child, an own child or a parent."""

    class Who(models.TextChoices):
        FOSTER_PARENT = "foster_parent", _("foster parents")
        FOSTER_CHILD = "foster_child", _("foster children")
        OWN_CHILD = "own_child", _("own children")
        PARENT = "parent", _("parents")

    gathering = models.ForeignKey(Gathering, on_delete=models.CASCADE, related_name="attendance")
    who = models.CharField(max_length=15, choices=Who)
    foster_parent = models.ForeignKey(FosterParent, on_delete=models.CASCADE, null=True)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, null=True)
    own_child = models.ForeignKey(OwnChild, on_delete=models.CASCADE, null=True)
    parent = models.ForeignKey(Parent, on_delete=models.CASCADE, null=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            # Exactly one person, of the kind ``who`` says, and each person once per gathering.
            models.CheckConstraint(
                condition=(
                    Q(who="foster_parent", foster_parent__isnull=False, **_empty("foster_parent"))
                    | Q(who="foster_child", child__isnull=False, **_empty("child"))
                    | Q(who="own_child", own_child__isnull=False, **_empty("own_child"))
                    | Q(who="parent", parent__isnull=False, **_empty("parent"))
                ),
                name="attendance_names_its_person",
            ),
            *(
                models.UniqueConstraint(
                    fields=["gathering", person],
                    condition=Q(**{f"{person}__isnull": False}),
                    name=f"attendance_once_{person}",
                )
                for person in ATTENDEE_FIELDS
            ),
        ]

    def __str__(self) -> str:
        return str(self.person)

    @property
    def person(self):
        return self.foster_parent or self.child or self.own_child or self.parent


class SupportContact(models.Model):
    """A short support contact of the hub home with a member family."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("phone call")
        VISIT = "visit", _("visit")
        MESSAGE = "message", _("message")

    constellation = models.ForeignKey(
        Constellation, on_delete=models.CASCADE, related_name="support_contacts"
    )
    family = models.ForeignKey(
        FosterFamily,
        on_delete=models.CASCADE,
        related_name="support_contacts",
        verbose_name=_("foster family"),
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind of contact"), max_length=10, choices=Kind)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("support contact")
        verbose_name_plural = _("support contacts")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%d-%m-%Y}"


class RespiteStay(Versioned):
    """A sleepover (logeren) of a member family's foster child in one of the hub home's beds."""

    class Reason(models.TextChoices):
        FUN = "fun", _("fun and social")
        RELIEF = "relief", _("relief for the foster family")
        EMERGENCY = "emergency", _("emergency")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        CONFIRMED = "confirmed", _("confirmed")
        COMPLETED = "completed", _("completed")
        CANCELLED = "cancelled", _("cancelled")

    # Only these hold a bed; a cancelled stay frees it.
    HOLDS_BED = Q(status__in=["requested", "confirmed", "completed"])

    constellation = models.ForeignKey(
        Constellation,
        on_delete=models.PROTECT,
        related_name="stays",
        verbose_name=_("constellation"),
    )
    bed = models.ForeignKey(
        Bed, on_delete=models.PROTECT, related_name="stays", verbose_name=_("bed")
    )
    child = models.ForeignKey(
        Child, on_delete=models.PROTECT, related_name="stays", verbose_name=_("child")
    )
    # The member family the child lives with: for the figures per family.
    family = models.ForeignKey(
        FosterFamily, on_delete=models.PROTECT, related_name="+", verbose_name=_("foster family")
    )
    arrival = models.DateField(_("arrival"))
    departure = models.DateField(_("departure"))
    planned = models.BooleanField(_("planned"), default=True)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.CONFIRMED)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("booked by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["arrival", "id"]
        verbose_name = _("respite stay")
        verbose_name_plural = _("respite stays")
        indexes = [
            models.Index(fields=["constellation", "arrival"], name="stay_constellation"),
            models.Index(fields=["bed", "arrival"], name="stay_bed"),
            models.Index(fields=["child", "arrival"], name="stay_child"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(departure__gt=F("arrival")),
                name="stay_departure_after_arrival",
                violation_error_message=_("The departure must be after the arrival."),
            ),
            PostgresExclusionConstraint(
                name="stay_bed_one_child_per_night",
                expressions=[
                    (DateRange("arrival", "departure", "[)"), RangeOperators.OVERLAPS),
                    ("bed", RangeOperators.EQUAL),
                ],
                condition=Q(status__in=["requested", "confirmed", "completed"]),
                violation_error_message=_("This bed is already taken on one of these nights."),
            ),
            PostgresExclusionConstraint(
                name="stay_child_one_bed_per_night",
                expressions=[
                    (DateRange("arrival", "departure", "[)"), RangeOperators.OVERLAPS),
                    ("child", RangeOperators.EQUAL),
                ],
                condition=Q(status__in=["requested", "confirmed", "completed"]),
                violation_error_message=_("This child is already staying elsewhere then."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} {self.arrival:%d-%m} - {self.departure:%d-%m}"

    @property
    def nights(self) -> int:
        return (self.departure - self.arrival).days
