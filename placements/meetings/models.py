"""Meetings: the start meeting (Advies 1) and joint meetings (Advies 8), with what they produce:
the parties' answers, agreements with an owner and a date, who decides what, and requests for a
joint meeting. The placement keeps its cadence and next joint-meeting date
(``Placement.joint_meeting_interval_weeks``, ``next_joint_meeting_on``); the rules that read them
are queryset methods on ``Placement.objects``.
"""

from __future__ import annotations

import datetime as dt
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from placements.models import Placement
from pleegzorg.versioning import Versioned


class Party(models.TextChoices):
    FOSTER_PARENTS = "foster_parents", _("foster parents")
    CASEWORKER = "caseworker", _("caseworker")
    YOUTH_PROTECTOR = "youth_protector", _("youth protector")
    PARENTS = "parents", _("parents")
    CHILD = "child", _("child")


class Meeting(Versioned):
    """A start meeting (one per placement) or a joint meeting, planned, held and reported."""

    class Kind(models.TextChoices):
        START = "start", _("start meeting")
        JOINT = "joint", _("joint meeting")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        HELD = "held", _("held")
        CANCELLED = "cancelled", _("cancelled")

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(_("kind of meeting"), max_length=10, choices=Kind)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PLANNED)
    planned_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    # The report of a joint meeting follows the Advies-8 agenda.
    going_with_you = models.TextField(_("how is it going with you?"), blank=True)
    going_with_us = models.TextField(_("how is it going with us (the cooperation)?"), blank=True)
    going_with_child = models.TextField(_("how is it going with the child?"), blank=True)
    going_well = models.TextField(_("what goes well?"), blank=True)
    could_be_better = models.TextField(_("what could be better?"), blank=True)
    satisfied_when = models.TextField(
        _("when are we satisfied next time, and what must have changed?"), blank=True
    )
    next_date = models.DateField(_("when do we evaluate next?"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-planned_at", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["status", "planned_at"], name="meeting_status_planned")]
        constraints = [
            models.UniqueConstraint(
                fields=["placement"],
                condition=Q(kind="start") & ~Q(status="cancelled"),
                name="one_start_meeting_per_placement",
                violation_error_message=_("This placement already has a start meeting."),
            ),
            models.CheckConstraint(
                condition=~Q(status="held") | Q(held_on__isnull=False),
                name="meeting_held_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.placement.child} {self.planned_at:%Y-%m-%d}"

    @staticmethod
    def report_missing_condition(on: date, *, prefix: str = "") -> Q:
        """The report is missing on ``on``: the placement is active, and
        :meth:`report_overdue_condition`. The reminder scan (``report_missing``) and the
        dashboard count this one rule."""
        return Placement.active_condition(
            on, prefix=f"{prefix}placement__"
        ) & Meeting.report_overdue_condition(on, prefix=prefix)

    @staticmethod
    def report_overdue_condition(on: date, *, prefix: str = "") -> Q:
        """The meeting's day was over before ``on`` while it is still "planned", or it is a
        joint meeting held before ``on`` without a next date (a placement's rule adds its own
        "active", :meth:`Placement.report_missing_condition`)."""
        start_of_day = timezone.make_aware(dt.datetime.combine(on, dt.time.min))
        p = prefix
        return Q(**{f"{p}status": Meeting.Status.PLANNED, f"{p}planned_at__lt": start_of_day}) | Q(
            **{
                f"{p}kind": Meeting.Kind.JOINT,
                f"{p}status": Meeting.Status.HELD,
                f"{p}next_date__isnull": True,
                f"{p}held_on__lt": on,
            }
        )


class MeetingParticipant(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    party = models.CharField(_("party"), max_length=20, choices=Party)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email address"), blank=True)
    attended = models.BooleanField(_("attended"), default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_party_display()})"


class StartMeetingAnswer(models.Model):
    """One party's answers to the six Advies-1 questions."""

    QUESTIONS = (
        ("needs_from_me", _("What do you need from me to do your work?")),
        ("can_help_with", _("What can I help you with from my background?")),
        ("expects_of_me", _("What do you expect of me?")),
        ("hopes_for", _("What do you hope I can do for you?")),
        ("who_leads", _("Who leads: roles, tasks and authority?")),
        ("who_decides", _("Who decides?")),
    )

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="answers")
    party = models.CharField(_("party"), max_length=20, choices=Party)
    needs_from_me = models.TextField(QUESTIONS[0][1], blank=True)
    can_help_with = models.TextField(QUESTIONS[1][1], blank=True)
    expects_of_me = models.TextField(QUESTIONS[2][1], blank=True)
    hopes_for = models.TextField(QUESTIONS[3][1], blank=True)
    who_leads = models.TextField(QUESTIONS[4][1], blank=True)
    who_decides = models.TextField(QUESTIONS[5][1], blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("answers of a party")
        verbose_name_plural = _("answers of the parties")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "party"], name="one_answer_set_per_party")
        ]

    def __str__(self) -> str:
        return self.get_party_display()


class Agreement(models.Model):
    """A concrete agreement (afspraak) with an owner and a date; open ones carry over."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done")
        DROPPED = "dropped", _("dropped")

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="agreements")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="agreements"
    )
    what = models.CharField(_("agreement"), max_length=300)
    owner = models.CharField(_("owner"), max_length=20, choices=Party)
    due_on = models.DateField(_("by when"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        indexes = [models.Index(fields=["status", "due_on"], name="agreement_status_due")]

    def __str__(self) -> str:
        return self.what

    @staticmethod
    def past_date_condition(on: date) -> Q:
        """Still open after its date on ``on``, in an active placement: the reminder scan
        (``agreement_overdue``) and the dashboard count this one rule."""
        return Placement.active_condition(on, prefix="placement__") & Q(
            status=Agreement.Status.OPEN, due_on__lt=on
        )


class RoleAuthority(models.Model):
    """Who decides on what: school, medical care, holidays, contact with the parents."""

    class Subject(models.TextChoices):
        SCHOOL = "school", _("school")
        MEDICAL = "medical", _("medical care")
        HOLIDAYS = "holidays", _("holidays and travel")
        CONTACT_PARENTS = "contact_parents", _("contact with the parents")
        LEISURE = "leisure", _("clubs and leisure")
        MONEY = "money", _("pocket money and clothing")
        RELIGION = "religion", _("religion and upbringing")

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="authorities")
    subject = models.CharField(_("subject"), max_length=20, choices=Subject)
    decides = models.CharField(_("who decides"), max_length=20, choices=Party)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["subject"]
        verbose_name = _("roles, tasks and authority")
        verbose_name_plural = _("roles, tasks and authority")
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "subject"], name="one_authority_per_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_subject_display()}: {self.get_decides_display()}"


class JointMeetingRequest(models.Model):
    """Advies 8: one party finding a joint meeting needed is enough."""

    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, related_name="meeting_requests"
    )
    requested_by = models.CharField(_("requested by"), max_length=20, choices=Party)
    requester_name = models.CharField(_("name"), max_length=200, blank=True)
    reason = models.TextField(_("why"))
    requested_on = models.DateField(_("requested on"))
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="requests"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-requested_on", "-id"]
        verbose_name = _("request for a joint meeting")
        verbose_name_plural = _("requests for a joint meeting")

    def __str__(self) -> str:
        return f"{self.get_requested_by_display()}: {self.reason[:40]}"
