"""Children, their parents, foster families and placements: the case file.

Rules a row can check by itself live here (constraints, ``clean``); rules that span rows (no two
full-time placements at once, capacity, who may change what) live in ``placements.services``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.postgres.fields import RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from placements.validators import validate_bsn, validate_postcode
from pleegzorg.db import DateRange, PostgresExclusionConstraint
from pleegzorg.versioning import Versioned

# The house number (and addition) at the end of "street and house number": "Kerkstraat 12a",
# "Dorpsweg 3 bis", "Laan 7-II".
_STREET_NUMBER = re.compile(r"\s+\d+\S*(\s+\S{1,4})?$")


class CareKind(models.TextChoices):
    FULL_TIME = "full_time", _("full-time")
    PART_TIME = "part_time", _("part-time / weekend")
    CRISIS = "crisis", _("crisis")
    RESPITE = "respite", _("respite")


class ChildQuerySet(models.QuerySet):
    def with_file_changed_on(self):
        """Annotate ``file_changed_on``: the day the child's case file last changed (the
        definition of "changed": ``placements.retention.rules``)."""
        from placements.retention.rules import file_changed_on

        return self.annotate(file_changed_on=file_changed_on())

    def due_for_review(self, on: date | None = None):
        """Case files unchanged for ``CASE_FILE_RETENTION_YEARS`` on ``on`` (today): listed for
        review, and deleted only when a person confirms (the Jeugdwet's 20 years)."""
        from placements.retention.rules import review_cutoff

        cutoff = review_cutoff(on or timezone.localdate())
        # The child's own row first: a plain column, so that the database only works out the
        # other parts for the few children whose own record is that old.
        first_moment_after = timezone.make_aware(
            datetime.combine(cutoff + timedelta(days=1), datetime.min.time())
        )
        return (
            self.filter(updated_at__lt=first_moment_after)
            .with_file_changed_on()
            .filter(file_changed_on__lte=cutoff)
        )


class Child(Versioned):
    class Gender(models.TextChoices):
        GIRL = "girl", _("girl")
        BOY = "boy", _("boy")
        OTHER = "other", _("other")
        UNKNOWN = "unknown", _("not recorded")

    class LifeStory(models.TextChoices):
        NOT_STARTED = "not_started", _("not started")
        IN_PROGRESS = "in_progress", _("in progress")
        HANDED_OVER = "handed_over", _("handed to the child")

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    gender = models.CharField(_("gender"), max_length=10, choices=Gender, default=Gender.UNKNOWN)
    bsn = models.CharField(
        _("BSN"),
        max_length=9,
        blank=True,
        validators=[validate_bsn],
        help_text=_("Citizen service number, 9 digits. Optional."),
    )
    school = models.CharField(_("school"), max_length=200, blank=True)
    trusted_person_name = models.CharField(_("trusted person"), max_length=200, blank=True)
    trusted_person_relation = models.CharField(
        _("relation to the child"), max_length=100, blank=True
    )
    trusted_person_contact = models.CharField(_("contact details"), max_length=200, blank=True)
    allergies = models.TextField(_("allergies"), blank=True)
    medication = models.TextField(_("medication"), blank=True)
    diet = models.TextField(_("diet"), blank=True)
    emergency_contacts = models.TextField(
        _("emergency contacts"),
        blank=True,
        help_text=_("Name, relation and phone number, one per line."),
    )
    life_story_status = models.CharField(
        _("life story"), max_length=20, choices=LifeStory, default=LifeStory.NOT_STARTED
    )

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("foster child")
        verbose_name_plural = _("foster children")
        constraints = [
            models.UniqueConstraint(
                fields=["bsn"],
                condition=~Q(bsn=""),
                name="child_bsn_unique",
                violation_error_message=_("Another child already has this BSN."),
            ),
        ]
        indexes = [models.Index(fields=["last_name", "first_name"], name="child_name")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age(self, on: date | None = None) -> int:
        on = on or timezone.localdate()
        born = self.date_of_birth
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    def clean(self) -> None:
        if self.date_of_birth and self.date_of_birth > timezone.localdate():
            raise ValidationError({"date_of_birth": _("The date of birth is in the future.")})


class VoiceNote(models.Model):
    """What the child said it wants, in its own words, with the date it said it."""

    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="voice_notes", verbose_name=_("foster child")
    )
    said_on = models.DateField(_("date"))
    text = models.TextField(_("what the child said"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-said_on", "-id"]
        verbose_name = _("voice of the child")
        verbose_name_plural = _("voice of the child")

    def __str__(self) -> str:
        return f"{self.said_on}: {self.text[:40]}"


class Parent(Versioned):
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    phone = models.CharField(_("phone number"), max_length=20, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    children = models.ManyToManyField(
        Child, through="ParentChild", related_name="parents", verbose_name=_("children")
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("parent")
        verbose_name_plural = _("parents")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class ParentChild(models.Model):
    class Relation(models.TextChoices):
        MOTHER = "mother", _("mother")
        FATHER = "father", _("father")
        PARENT = "parent", _("parent")
        OTHER = "other", _("other")

    parent = models.ForeignKey(
        Parent, on_delete=models.CASCADE, related_name="child_links", verbose_name=_("parent")
    )
    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="parent_links", verbose_name=_("foster child")
    )
    relation = models.CharField(_("relation to the child"), max_length=10, choices=Relation)
    has_custody = models.BooleanField(_("has custody (gezag)"), default=False)
    participation = models.CharField(
        _("how they take part"),
        max_length=300,
        blank=True,
        help_text=_("For example: visits every other week, joins the joint meetings."),
    )

    class Meta:
        verbose_name = _("parent of a child")
        verbose_name_plural = _("parents of children")
        constraints = [
            models.UniqueConstraint(fields=["parent", "child"], name="parent_child_unique")
        ]

    def __str__(self) -> str:
        return f"{self.parent} — {self.child}"


class FosterFamily(Versioned):
    class Status(models.TextChoices):
        SCREENING = "screening", _("in screening")
        ACTIVE = "active", _("active")
        PAUSED = "paused", _("paused")
        STOPPED = "stopped", _("stopped")

    class StopReason(models.TextChoices):
        AGE_OR_HEALTH = "age_health", _("age or health")
        OWN_FAMILY = "own_family", _("the family's own situation")
        DISAPPOINTING_SUPPORT = "support", _("too little support")
        BREAKDOWN = "breakdown", _("after a premature ending")
        ADOPTION_OR_GUARDIANSHIP = "guardianship", _("became the child's guardian")
        MOVED = "moved", _("moved away")
        OTHER = "other", _("other")

    name = models.CharField(
        _("family name"), max_length=200, help_text=_("For example: Familie Jansen")
    )
    street = models.CharField(_("street and house number"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=7, validators=[validate_postcode])
    city = models.CharField(_("town"), max_length=100)
    municipality = models.CharField(_("municipality"), max_length=100)
    offers_full_time = models.BooleanField(_("full-time"), default=True)
    offers_part_time = models.BooleanField(_("part-time / weekend"), default=False)
    offers_crisis = models.BooleanField(_("crisis"), default=False)
    offers_respite = models.BooleanField(_("respite"), default=False)
    places = models.PositiveSmallIntegerField(_("number of places"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.SCREENING)
    stop_date = models.DateField(_("stop date"), null=True, blank=True)
    stop_reason = models.CharField(_("stop reason"), max_length=20, choices=StopReason, blank=True)
    stop_note = models.CharField(_("about stopping"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("foster family")
        verbose_name_plural = _("foster families")
        constraints = [
            models.CheckConstraint(
                condition=Q(places__gte=1) & Q(places__lte=12), name="family_places_range"
            ),
            models.CheckConstraint(
                condition=~Q(status="stopped") | (Q(stop_date__isnull=False) & ~Q(stop_reason="")),
                name="family_stopped_has_date_and_reason",
                violation_error_message=_("A stopped family needs a stop date and a reason."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def care_kinds(self) -> list[str]:
        offered = {
            CareKind.FULL_TIME: self.offers_full_time,
            CareKind.PART_TIME: self.offers_part_time,
            CareKind.CRISIS: self.offers_crisis,
            CareKind.RESPITE: self.offers_respite,
        }
        return [kind for kind, yes in offered.items() if yes]

    def offers(self, kind: str) -> bool:
        return kind in self.care_kinds

    def address_in(self, text: str) -> bool:
        """Whether ``text`` gives away where this family lives: its postcode (with or without
        the space, in any case) or its street (the name, with or without the house number).

        A parent may not learn the foster family's address (a parent's right to see the file
        never includes it): the meeting services refuse such a place when a parent is invited,
        and the invitation leaves it out."""
        if not text:
            return False
        postcode = re.sub(r"\s+", "", self.postcode).upper()
        if postcode and postcode in re.sub(r"\s+", "", text).upper():
            return True
        street = _STREET_NUMBER.sub("", self.street.strip())
        if len(street) < 3:
            return False
        words = r"\s+".join(re.escape(word) for word in street.split())
        return re.search(rf"(?<!\w){words}(?!\w)", text, flags=re.IGNORECASE) is not None

    def clean(self) -> None:
        if self.status == self.Status.STOPPED:
            errors = {}
            if not self.stop_date:
                errors["stop_date"] = _("Enter the date the family stopped.")
            if not self.stop_reason:
                errors["stop_reason"] = _("Choose why the family stopped.")
            if errors:
                raise ValidationError(errors)


class FosterFamilyStatusChange(models.Model):
    """A family's status history: into screening, active, paused, stopped."""

    family = models.ForeignKey(
        FosterFamily,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("foster family"),
    )
    status = models.CharField(_("status"), max_length=10, choices=FosterFamily.Status)
    changed_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        ordering = ["-changed_on", "-id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status history")

    def __str__(self) -> str:
        return f"{self.changed_on}: {self.get_status_display()}"


class FosterParent(models.Model):
    family = models.ForeignKey(
        FosterFamily,
        on_delete=models.CASCADE,
        related_name="foster_parents",
        verbose_name=_("foster family"),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("phone number"), max_length=20, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    # Their own account (role foster parent), when they take part in the product: "Mijn
    # pleeggezin". Kept apart from the record so that revoking access keeps the record.
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="foster_parent_record",
        verbose_name=_("user account"),
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("foster parent")
        verbose_name_plural = _("foster parents")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def clean(self) -> None:
        super().clean()
        if self.account is not None and not self.account.is_foster_parent:
            raise ValidationError(
                {"account": _("Only an account with the role foster parent belongs to one.")}
            )


class OwnChild(models.Model):
    family = models.ForeignKey(
        FosterFamily,
        on_delete=models.CASCADE,
        related_name="own_children",
        verbose_name=_("foster family"),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["date_of_birth"]
        verbose_name = _("own child")
        verbose_name_plural = _("own children")

    def __str__(self) -> str:
        return self.first_name


class YouthProtector(models.Model):
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    institution = models.CharField(
        _("certified institution (GI)"),
        max_length=200,
        help_text=_("For example: Samen Veilig Midden-Nederland, William Schrikker Stichting."),
    )
    phone = models.CharField(_("phone number"), max_length=20, blank=True)
    email = models.EmailField(_("email address"), blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("youth protector")
        verbose_name_plural = _("youth protectors")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.institution})"


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months (negative: back); a day past the end of the
    month it lands in becomes that month's last day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    next_month = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, min(day.day, (next_month - timedelta(days=1)).day))


def months_before(day: date, months: int) -> date:
    return add_months(day, -months)


class PlacementQuerySet(models.QuerySet):
    """The rules of the case file that pages, reminders and dashboards count, each defined once.

    Each rule is a ``Q`` (``Placement.<rule>_condition(on)``, for annotations and combined
    filters) and a queryset method of the same name that filters by it. ``on`` is the day the
    rule is read for (today by default), so a dashboard's as-of date and a reminder scan's day
    ask the very same question.
    """

    def active(self, on: date | None = None):
        """Placements running on ``on`` (today): started, and not ended before that day."""
        return self.filter(Placement.active_condition(on or timezone.localdate()))

    def not_ended(self, on: date | None = None):
        """Placements not ended before ``on`` (today): running, or still to start."""
        return self.filter(Placement.not_ended_condition(on or timezone.localdate()))

    def in_aftercare(self, on: date | None = None):
        """Placements in their aftercare period on ``on`` (today)."""
        return self.filter(Placement.in_aftercare_condition(on or timezone.localdate()))

    def past_aftercare(self, on: date | None = None):
        """Placements whose aftercare period was over before ``on`` (today)."""
        return self.filter(Placement.past_aftercare_condition(on or timezone.localdate()))

    def start_meeting_overdue(self, on: date | None = None):
        return self.filter(Placement.start_meeting_overdue_condition(on or timezone.localdate()))

    def joint_meeting_overdue(self, on: date | None = None):
        return self.filter(Placement.joint_meeting_overdue_condition(on or timezone.localdate()))

    def too_few_child_contacts(self, on: date | None = None):
        return self.filter(Placement.too_few_child_contacts_condition(on or timezone.localdate()))

    def report_missing(self, on: date | None = None):
        return self.filter(Placement.report_missing_condition(on or timezone.localdate()))

    def agreement_past_date(self, on: date | None = None):
        return self.filter(Placement.agreement_past_date_condition(on or timezone.localdate()))

    def no_youth_protector(self, on: date | None = None):
        return self.filter(Placement.no_youth_protector_condition(on or timezone.localdate()))

    def in_no_change_period(self, on: date | None = None):
        return self.filter(Placement.in_no_change_period_condition(on or timezone.localdate()))

    def unstable(self, on: date | None = None):
        return self.filter(Placement.unstable_condition(on or timezone.localdate()))

    def ended_early(self, start: date, end: date):
        return self.filter(Placement.ended_early_condition(start, end))

    def with_child_contacts(self, on: date | None = None):
        """Annotate ``child_contacts_last_year``: conversations in the 12 months up to ``on``."""
        return self.annotate(
            child_contacts_last_year=Placement.child_contacts_in_year(on or timezone.localdate())
        )

    def occupying(self, start: date, end: date | None):
        """Placements whose period overlaps [start, end) — end None means open-ended."""
        overlap = Q(end_date__isnull=True) | Q(end_date__gt=start)
        if end is not None:
            overlap &= Q(start_date__lt=end)
        return self.filter(overlap)


class Placement(Versioned):
    class LegalBasis(models.TextChoices):
        VOLUNTARY = "voluntary", _("voluntary")
        OTS = "ots", _("family supervision order (OTS)")
        GUARDIANSHIP = "guardianship", _("guardianship")

    class EndReason(models.TextChoices):
        RETURN_HOME = "return_home", _("planned return home")
        OTHER_FAMILY = "other_family", _("to another foster family")
        INDEPENDENCE = "independence", _("living independently")
        PREMATURE = "premature", _("premature ending")
        OTHER = "other", _("other")

    class EndedBy(models.TextChoices):
        FOSTER_FAMILY = "foster_family", _("the foster family")
        CHILD = "child", _("the child")
        PARENTS = "parents", _("the parents")
        ORGANISATION = "organisation", _("the foster-care organisation")
        YOUTH_PROTECTION = "youth_protection", _("the youth protector or the court")

    class Perspective(models.TextChoices):
        RETURN_HOME = "return_home", _("return home")
        GROW_UP = "grow_up", _("grow up in the foster family")
        UNDECIDED = "undecided", _("not yet decided")

    child = models.ForeignKey(
        Child, on_delete=models.PROTECT, related_name="placements", verbose_name=_("foster child")
    )
    family = models.ForeignKey(
        FosterFamily,
        on_delete=models.PROTECT,
        related_name="placements",
        verbose_name=_("foster family"),
    )
    kind = models.CharField(_("kind of care"), max_length=10, choices=CareKind)
    legal_basis = models.CharField(_("legal basis"), max_length=15, choices=LegalBasis)
    start_date = models.DateField(_("start date"))
    planned_end_date = models.DateField(_("planned end date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=15, choices=EndReason, blank=True)
    ended_by = models.CharField(
        _("who ended it"),
        max_length=20,
        choices=EndedBy,
        blank=True,
        help_text=_("For a premature ending: who took the decision."),
    )
    end_note = models.TextField(_("about the ending"), blank=True)
    perspective = models.CharField(
        _("perspective"), max_length=15, choices=Perspective, default=Perspective.UNDECIDED
    )
    # The current caseworker and youth protector; their history is in the assignment tables.
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="caseload",
        limit_choices_to={"role": "caseworker"},
        verbose_name=_("caseworker"),
    )
    # The team the placement belongs to: its caseworker's team when it started, and the new
    # caseworker's at a handover. Access follows it, not the caseworker's team of today: a
    # caseworker who moves to another team leaves the old team's files with the old team and
    # its lead, and the new team's lead does not inherit them.
    team = models.ForeignKey(
        "pleegzorg.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="placements",
        verbose_name=_("team"),
    )
    youth_protector = models.ForeignKey(
        YouthProtector,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="placements",
        verbose_name=_("youth protector"),
    )
    # Joint meetings (Advies 8): how often by default, and when the next one is due. The date is
    # kept up to date by the meeting services and read by the caseload and the reminder scan.
    joint_meeting_interval_weeks = models.PositiveSmallIntegerField(
        _("joint meeting every (weeks)"),
        default=13,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text=_("Default: every 3 months; for a child under 3, every 6 weeks."),
    )
    next_joint_meeting_on = models.DateField(_("next joint meeting"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        indexes = [
            models.Index(fields=["caseworker", "end_date"], name="placement_caseworker"),
            models.Index(fields=["child", "start_date"], name="placement_child"),
            models.Index(fields=["family", "end_date"], name="placement_family"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="placement_end_after_start",
                violation_error_message=_("The end date is before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(planned_end_date__isnull=True)
                | Q(planned_end_date__gte=F("start_date")),
                name="placement_planned_end_after_start",
                violation_error_message=_("The planned end date is before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | ~Q(end_reason=""),
                name="placement_ended_has_reason",
                violation_error_message=_("An ended placement needs a reason."),
            ),
            # A child never has two full-time placements on the same day. The end date is the
            # last day in the family: periods are [start, end].
            PostgresExclusionConstraint(
                name="placement_no_overlapping_full_time",
                expressions=[
                    (DateRange("start_date", "end_date", "[]"), RangeOperators.OVERLAPS),
                    ("child", RangeOperators.EQUAL),
                ],
                condition=Q(kind="full_time"),
                violation_error_message=_(
                    "This child already has a full-time placement in this period."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} — {self.family} ({self.get_kind_display()})"

    @staticmethod
    def active_condition(on: date, *, prefix: str = "") -> Q:
        """The one definition of "active on a day": started on or before it, and its end date
        (the last day in the family) not before it. ``prefix`` reaches a placement from a
        related model (``"placement__"``)."""
        return Q(**{f"{prefix}start_date__lte": on}) & (
            Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": on})
        )

    # -- after the ending: aftercare, then closed (need-to-know, NEN 7510) -------------------
    # A placement is *not ended* on a day when it has no end date or ends on that day or later
    # (running, or still to start); *in aftercare* from the day after its end date up to and
    # including the day AFTERCARE_MONTHS later; *past aftercare* after that. Access follows
    # these stages (placements.permissions): change while not ended, read and the changes
    # aftercare needs while in aftercare, and afterwards only with a stated reason.

    @staticmethod
    def not_ended_condition(on: date, *, prefix: str = "") -> Q:
        """Not ended before ``on``: running on it, or still to start."""
        return Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": on})

    @staticmethod
    def aftercare_since(on: date) -> date:
        """The earliest end date whose aftercare still runs on ``on``: AFTERCARE_MONTHS before
        it (the 31st of a shorter month counts as its last day)."""
        return months_before(on, settings.AFTERCARE_MONTHS)

    @staticmethod
    def in_aftercare_condition(on: date, *, prefix: str = "") -> Q:
        """The one definition of "in aftercare on a day": ended before it, and no longer than
        AFTERCARE_MONTHS before it."""
        return Q(
            **{
                f"{prefix}end_date__lt": on,
                f"{prefix}end_date__gte": Placement.aftercare_since(on),
            }
        )

    @staticmethod
    def past_aftercare_condition(on: date, *, prefix: str = "") -> Q:
        """Ended longer than AFTERCARE_MONTHS before ``on``: the file is closed to its caseworker
        and team lead, who open it only with a stated reason."""
        return Q(**{f"{prefix}end_date__lt": Placement.aftercare_since(on)})

    @staticmethod
    def start_meeting_overdue_condition(on: date) -> Q:
        """Active on ``on``, started START_MEETING_DUE_DAYS or more before it, and no start
        meeting held (Advies 1: every placement starts with one)."""
        from placements.meetings.models import Meeting

        held = Meeting.objects.filter(
            placement=OuterRef("pk"), kind=Meeting.Kind.START, status=Meeting.Status.HELD
        )
        due = on - timedelta(days=settings.START_MEETING_DUE_DAYS)
        return Placement.active_condition(on) & Q(start_date__lte=due) & ~Q(Exists(held))

    @staticmethod
    def joint_meeting_overdue_condition(on: date) -> Q:
        """Active on ``on`` with nothing planned and no report open, and either its next joint
        meeting date has passed, or it has none while it started START_MEETING_DUE_DAYS or more
        before ``on`` (Advies 8: every active placement has a next joint meeting date).

        A planned meeting whose day has passed, or a joint meeting held without a next date, is
        a report still to write: that has its own reminder and list ("without report")."""
        from placements.meetings.models import Meeting

        meetings = Meeting.objects.filter(placement=OuterRef("pk"))
        planned = meetings.filter(status=Meeting.Status.PLANNED)
        held_without_next = meetings.filter(
            kind=Meeting.Kind.JOINT, status=Meeting.Status.HELD, next_date__isnull=True
        )
        due = on - timedelta(days=settings.START_MEETING_DUE_DAYS)
        return (
            Placement.active_condition(on)
            & ~Q(Exists(planned))
            & ~Q(Exists(held_without_next))
            & (
                Q(next_joint_meeting_on__lt=on)
                | Q(next_joint_meeting_on__isnull=True, start_date__lte=due)
            )
        )

    @staticmethod
    def child_contacts_by_placement(on: date) -> models.QuerySet:
        """The conversations with the child in the 12 months up to and including ``on``, counted
        per placement (``placement``, ``n``): the one definition of that window, for the count
        one placement shows and for the rule over many."""
        return (
            ChildContact.objects.filter(contact_on__gt=on - timedelta(days=365), contact_on__lte=on)
            .order_by()
            .values("placement")
            .annotate(n=Count("pk"))
        )

    @staticmethod
    def child_contacts_in_year(on: date) -> Coalesce:
        """How many conversations with the child the placement had in the 12 months up to and
        including ``on``."""
        contacts = Placement.child_contacts_by_placement(on).filter(placement=OuterRef("pk"))
        return Coalesce(Subquery(contacts.values("n"), output_field=models.IntegerField()), 0)

    @staticmethod
    def too_few_child_contacts_condition(on: date) -> Q:
        """Active on ``on`` and spoken with fewer than CHILD_CONTACTS_PER_YEAR times in the 12
        months up to it (the guideline: at least 3 conversations a year).

        Written as "no count of enough": an index lookup per placement, which the pages that
        use it (a child's file, a caseload, a page of the dashboard) run for few placements."""
        enough = Placement.child_contacts_by_placement(on).filter(
            n__gte=settings.CHILD_CONTACTS_PER_YEAR
        )
        return Placement.active_condition(on) & ~Q(Exists(enough.filter(placement=OuterRef("pk"))))

    @staticmethod
    def report_missing_condition(on: date) -> Q:
        """Active on ``on`` with a meeting whose day is over before ``on`` and still "planned" (no
        report), or a joint meeting held before ``on`` without a next date: the reminder scan's
        ``report_missing`` rule (placements.meetings.reminders.open_reports), per placement."""
        from placements.meetings.models import Meeting

        missing = Meeting.objects.filter(
            Meeting.report_overdue_condition(on), placement=OuterRef("pk")
        )
        return Placement.active_condition(on) & Q(Exists(missing))

    @staticmethod
    def agreement_past_date_condition(on: date) -> Q:
        """Active on ``on`` with an agreement still open after its date (the reminder scan's
        ``agreement_overdue`` rule, per placement)."""
        from placements.meetings.models import Agreement

        open_past = Agreement.objects.filter(
            Agreement.past_date_condition(on), placement=OuterRef("pk")
        )
        return Placement.active_condition(on) & Q(Exists(open_past))

    COURT_MEASURES = ("ots", "guardianship")

    @staticmethod
    def no_youth_protector_condition(on: date) -> Q:
        """Active on ``on``, under a court measure (OTS, voogdij) and without a youth protector.
        The youth protector is the current one: the register keeps no earlier state of the
        field, so a past as-of date reads today's."""
        return Placement.active_condition(on) & Q(
            youth_protector__isnull=True, legal_basis__in=Placement.COURT_MEASURES
        )

    @staticmethod
    def without_youth_protector_since(on: date) -> Coalesce:
        """The day the placement lost its last youth protector before ``on`` (the end of the
        latest youth protector assignment), or its start when it never had one."""
        last_end = (
            YouthProtectorAssignment.objects.filter(placement=OuterRef("pk"), end_date__lte=on)
            .order_by("-end_date")
            .values("end_date")[:1]
        )
        return Coalesce(Subquery(last_end, output_field=models.DateField()), F("start_date"))

    @staticmethod
    def in_no_change_period_condition(on: date) -> Q:
        """Active on ``on`` and handed over to a caseworker whose assignment, running on ``on``,
        says "no change of course" until ``on`` or later (Advies 6)."""
        calm = CaseworkerAssignment.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=on),
            placement=OuterRef("pk"),
            start_date__lte=on,
            no_change_of_course_until__gte=on,
        )
        return Placement.active_condition(on) & Q(Exists(calm))

    @staticmethod
    def caseworker_changes_by_placement(on: date) -> models.QuerySet:
        """How often placements changed caseworker in the 12 months up to and including ``on``,
        per placement (``placement``, ``n``): their caseworker assignments that started in that
        window, except each placement's first one (the start of a placement is not a change).
        The first one is in the window exactly when the earliest start date is."""
        window = Q(start_date__gt=on - timedelta(days=365), start_date__lte=on)
        first_in_window = Q(first__gt=on - timedelta(days=365), first__lte=on)
        return (
            CaseworkerAssignment.objects.order_by()
            .values("placement")
            .annotate(in_window=Count("pk", filter=window), first=models.Min("start_date"))
            .annotate(
                n=F("in_window")
                - models.Case(
                    models.When(first_in_window, then=1),
                    default=0,
                    output_field=models.IntegerField(),
                )
            )
        )

    @staticmethod
    def caseworker_changes_in_year(on: date) -> Coalesce:
        """:meth:`caseworker_changes_by_placement` of one placement (0: none)."""
        changes = Placement.caseworker_changes_by_placement(on).filter(placement=OuterRef("pk"))
        return Coalesce(Subquery(changes.values("n"), output_field=models.IntegerField()), 0)

    @staticmethod
    def unstable_condition(on: date) -> Q:
        """Active on ``on`` with UNSTABLE_CASEWORKER_CHANGES or more caseworker changes in the 12
        months up to it (the continuity measure of the Children's Commissioner for England).
        A lookup per placement, like :meth:`too_few_child_contacts_condition`."""
        unstable = Placement.caseworker_changes_by_placement(on).filter(
            n__gte=Placement.UNSTABLE_CASEWORKER_CHANGES
        )
        return Placement.active_condition(on) & Q(Exists(unstable.filter(placement=OuterRef("pk"))))

    UNSTABLE_CASEWORKER_CHANGES = 2

    @staticmethod
    def ended_early_condition(start: date, end: date) -> Q:
        """Ended prematurely (voortijdig) with an end date from ``start`` to ``end``, both
        included."""
        return Q(end_reason=Placement.EndReason.PREMATURE, end_date__gte=start, end_date__lte=end)

    @staticmethod
    def last_child_contact(on: date) -> Subquery:
        """The day of the latest conversation with the child on or before ``on`` (None: never)."""
        latest = (
            ChildContact.objects.filter(placement=OuterRef("pk"), contact_on__lte=on)
            .order_by("-contact_on")
            .values("contact_on")[:1]
        )
        return Subquery(latest, output_field=models.DateField())

    @staticmethod
    def default_joint_meeting_interval_weeks(child: Child, on: date) -> int:
        """The cadence a placement starts with: every 6 weeks for a child under 3 on ``on`` (a
        young child changes fast; the guideline reviews half-yearly under 3), otherwise every 13
        weeks (3 months)."""
        return 6 if child.age(on) < 3 else 13

    def is_active_on(self, on: date) -> bool:
        """:meth:`active_condition` for a placement in hand."""
        return self.start_date <= on and (self.end_date is None or self.end_date >= on)

    @property
    def is_active(self) -> bool:
        return self.is_active_on(timezone.localdate())

    class Stage(models.TextChoices):
        NOT_ENDED = "not_ended", _("running")
        AFTERCARE = "aftercare", _("in aftercare")
        CLOSED = "closed", _("past aftercare")

    def stage_on(self, on: date) -> Placement.Stage:
        """:meth:`not_ended_condition`, :meth:`in_aftercare_condition` and
        :meth:`past_aftercare_condition` for a placement in hand."""
        if self.end_date is None or self.end_date >= on:
            return self.Stage.NOT_ENDED
        if self.end_date >= Placement.aftercare_since(on):
            return self.Stage.AFTERCARE
        return self.Stage.CLOSED

    @property
    def aftercare_until(self) -> date | None:
        """The last day of the aftercare period (None while not ended): the last day on which
        :meth:`in_aftercare_condition` holds."""
        if self.end_date is None:
            return None
        last = add_months(self.end_date, settings.AFTERCARE_MONTHS)
        # Going back from a short month does not always land on the end date (31 August plus
        # 6 months is 28 February, and 28 February minus 6 months is 28 August): step to the
        # last day that still counts.
        while Placement.aftercare_since(last + timedelta(days=1)) <= self.end_date:
            last += timedelta(days=1)
        while Placement.aftercare_since(last) > self.end_date:
            last -= timedelta(days=1)
        return last

    def clean(self) -> None:
        errors = {}
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date is before the start date.")
        if self.planned_end_date and self.start_date and self.planned_end_date < self.start_date:
            errors["planned_end_date"] = _("The planned end date is before the start date.")
        if self.end_date and not self.end_reason:
            errors["end_reason"] = _("Choose why the placement ended.")
        if self.end_reason == self.EndReason.PREMATURE and not self.ended_by:
            errors["ended_by"] = _("For a premature ending, record who ended it.")
        if errors:
            raise ValidationError(errors)


class Assignment(models.Model):
    """Who was responsible, from when until when, and how the handover went (Advies 6 and 7)."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, verbose_name=_("placement"))
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    handover_note = models.TextField(_("handover note"), blank=True)
    family_informed = models.BooleanField(_("the family has been told"), default=False)
    no_change_of_course_until = models.DateField(
        _("no change of course until"),
        null=True,
        blank=True,
        help_text=_("Advice 6: no new course in the first months after a handover."),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-start_date", "-id"]


class CaseworkerAssignment(Assignment):
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="caseworker_assignments",
        verbose_name=_("caseworker"),
    )

    class Meta(Assignment.Meta):
        verbose_name = _("caseworker assignment")
        verbose_name_plural = _("caseworker history")
        default_related_name = "caseworker_assignments"
        constraints = [
            models.UniqueConstraint(
                fields=["placement"],
                condition=Q(end_date__isnull=True),
                name="one_current_caseworker_per_placement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.caseworker} ({self.start_date} - {self.end_date or '...'})"


class YouthProtectorAssignment(Assignment):
    youth_protector = models.ForeignKey(
        YouthProtector,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("youth protector"),
    )

    class Meta(Assignment.Meta):
        verbose_name = _("youth protector assignment")
        verbose_name_plural = _("youth protector history")
        default_related_name = "youth_protector_assignments"
        constraints = [
            models.UniqueConstraint(
                fields=["placement"],
                condition=Q(end_date__isnull=True),
                name="one_current_youth_protector_per_placement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.youth_protector} ({self.start_date} - {self.end_date or '...'})"


class Decision(models.Model):
    """A decision about the placement, and whether the foster parents were consulted (Advies 2)."""

    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("placement")
    )
    decided_on = models.DateField(_("date"))
    subject = models.CharField(_("what was decided"), max_length=300)
    decided_by = models.CharField(
        _("decided by"), max_length=200, help_text=_("Name and role, e.g. the youth protector.")
    )
    foster_parents_consulted = models.BooleanField(_("foster parents consulted"), default=False)
    foster_parents_view = models.TextField(_("view of the foster parents"), blank=True)
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return self.subject

    def clean(self) -> None:
        if self.foster_parents_consulted and not self.foster_parents_view.strip():
            raise ValidationError(
                {"foster_parents_view": _("Write down what the foster parents said.")}
            )


class ChildContact(models.Model):
    """A conversation of the caseworker with the child (the guideline: at least 3 a year)."""

    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, related_name="child_contacts"
    )
    contact_on = models.DateField(_("date"))
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("what was talked about"), blank=True)

    class Meta:
        ordering = ["-contact_on", "-id"]
        verbose_name = _("conversation with the child")
        verbose_name_plural = _("conversations with the child")
        indexes = [models.Index(fields=["placement", "contact_on"], name="childcontact_placement")]

    def __str__(self) -> str:
        return f"{self.contact_on}"


# The meeting models live in their own domain module; importing them here registers them with
# the app (Django loads ``placements.models``) and keeps ``placements.models.Meeting`` working.
from placements.invitations.models import FosterParentInvitation  # noqa: E402
from placements.meetings.models import (  # noqa: E402
    Agreement,
    JointMeetingRequest,
    Meeting,
    MeetingParticipant,
    Party,
    RoleAuthority,
    StartMeetingAnswer,
)

__all__ = [
    "Agreement",
    "CareKind",
    "CaseworkerAssignment",
    "Child",
    "ChildContact",
    "Decision",
    "FosterFamily",
    "FosterFamilyStatusChange",
    "FosterParent",
    "FosterParentInvitation",
    "JointMeetingRequest",
    "Meeting",
    "MeetingParticipant",
    "OwnChild",
    "Parent",
    "ParentChild",
    "Party",
    "Placement",
    "RoleAuthority",
    "StartMeetingAnswer",
    "Versioned",
    "VoiceNote",
    "YouthProtector",
    "YouthProtectorAssignment",
]
