"""The organisation: users with a role, regions and teams, and the access log (NEN 7513)."""

from __future__ import annotations

from decimal import Decimal
from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="teams", verbose_name=_("region")
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_teams",
        limit_choices_to={"role": "team_lead"},
        verbose_name=_("team lead"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.lead is not None and self.lead.role != User.Role.TEAM_LEAD:
            raise ValidationError(
                {"lead": _("Only a user with the role team lead can lead a team.")}
            )


class User(AbstractUser):
    class Role(models.TextChoices):
        CASEWORKER = "caseworker", _("caseworker")
        TEAM_LEAD = "team_lead", _("team lead")
        HUB_HOME_PARENT = "hub_home_parent", _("hub-home parent")
        LIAISON = "liaison", _("Mockingbird liaison")
        APP_MANAGER = "app_manager", _("application manager")
        # Takes part in their own family's placements (issue 13); sees nothing of the case work.
        FOSTER_PARENT = "foster_parent", _("foster parent")

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CASEWORKER)
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("team"),
        help_text=_("The team a caseworker works in."),
    )
    phone = models.CharField(_("phone number"), max_length=20, blank=True)
    # A caseworker's contract as a share of full time: the team dashboard weighs their caseload
    # against CASELOAD_NORM_FTE times this.
    fte = models.DecimalField(
        _("FTE"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("1.0"))],
        help_text=_("Contract hours as a share of full time, from 0.1 to 1.0."),
    )

    objects = UserManager()

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        if self.team_id is not None and self.role != self.Role.CASEWORKER:
            raise ValidationError({"team": _("Only caseworkers belong to a team as a member.")})

    def set_password(self, raw_password) -> None:
        super().set_password(raw_password)
        self.password_changed = True

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        self.password_changed = True

    def save(self, *args, **kwargs) -> None:
        # The role decides who may use Django admin: application managers (and superusers) only.
        self.is_staff = self.is_superuser or self.role == self.Role.APP_MANAGER
        if "update_fields" in kwargs and kwargs["update_fields"] is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "is_staff"}
        existing = not self._state.adding
        super().save(*args, **kwargs)
        # A new password or a deactivated account ends every session of the user. Django would
        # refuse them at their next request anyway (the password is part of the session's hash,
        # an inactive user is never loaded); this removes them now. A password changed by the
        # user themselves keeps their own session: the view indexes it again under its new key.
        if existing and (getattr(self, "password_changed", False) or not self.is_active):
            UserSession.objects.filter(user=self).end()
        self.password_changed = False

    @property
    def is_caseworker(self) -> bool:
        return self.role == self.Role.CASEWORKER

    @property
    def is_team_lead(self) -> bool:
        return self.role == self.Role.TEAM_LEAD

    @property
    def is_hub_home_parent(self) -> bool:
        return self.role == self.Role.HUB_HOME_PARENT

    @property
    def is_liaison(self) -> bool:
        return self.role == self.Role.LIAISON

    @property
    def is_foster_parent(self) -> bool:
        return self.role == self.Role.FOSTER_PARENT

    @property
    def is_app_manager(self) -> bool:
        return self.role == self.Role.APP_MANAGER or self.is_superuser


def _choice_label(choices: type[models.TextChoices], value: str) -> str:
    """The label of ``value`` among ``choices``; a value that is none of them as itself (as
    get_FOO_display() does)."""
    try:
        return choices(value).label
    except ValueError:
        return value


class AppendOnlyQuerySet(models.QuerySet):
    """The access log is never edited or thinned out from the application."""

    def update(self, **kwargs):
        raise PermissionError("The access log is append-only.")

    def delete(self):
        raise PermissionError("The access log is append-only.")


class AccessLogEntry(models.Model):
    """One access to personal data: who, for whom, when (UTC), what, about whom, outcome, why.

    Written only through ``pleegzorg.audit.access_log_write``. Rows are never changed or deleted;
    on PostgreSQL a trigger refuses UPDATE and DELETE as well (migration 0002).
    """

    class Action(models.TextChoices):
        VIEW = "view", _("view")
        CREATE = "create", _("create")
        CHANGE = "change", _("change")
        DELETE = "delete", _("delete")
        SEARCH = "search", _("search")
        EXPORT = "export", _("export")
        PRINT = "print", _("print")

    class Outcome(models.TextChoices):
        ALLOWED = "allowed", _("allowed")
        DENIED = "denied", _("denied")

    class Purpose(models.TextChoices):
        CARE = "care", _("care for the child")
        SUPERVISION = "supervision", _("team supervision")
        ADMINISTRATION = "administration", _("application management")
        AUDIT = "audit", _("access control")
        # A person's request to see what is held about them (AVG art. 15).
        ACCESS_REQUEST = "access_request", _("access request (GDPR)")

    at = models.DateTimeField(_("moment"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # Snapshots: the entry must stay readable when a name or role changes later.
    user_label = models.CharField(_("user name"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=User.Role.choices, blank=True)
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on behalf of"),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.ALLOWED
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    person_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kind of person"),
    )
    person_id = models.PositiveBigIntegerField(_("person number"), null=True, blank=True)
    person_label = models.CharField(_("concerns"), max_length=200, blank=True)
    object_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kind of record"),
    )
    object_id = models.PositiveBigIntegerField(_("record number"), null=True, blank=True)
    object_label = models.CharField(_("record"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log entries")
        indexes = [
            models.Index(fields=["person_type", "person_id", "-at"], name="accesslog_person_at"),
            models.Index(fields=["user", "-at"], name="accesslog_user_at"),
            # A rare action (an export, a deletion) newest first, without walking the log.
            models.Index(fields=["action", "-at"], name="accesslog_action_at"),
        ]
        # On PostgreSQL also trigram indexes on UPPER(user_label) and UPPER(person_label), which
        # the page's searches by part of a name use (migration 0011; SQLite has none).

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_label} {self.action} {self.person_label}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise PermissionError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The access log is append-only.")

    # What a list of entries shows of its choices, as get_FOO_display() would. That one builds a
    # dict of every choice on each call, hashing each lazily translated label (a translation per
    # choice): for the access log's 50 rows, a fifth of the template's time.
    @property
    def role_label(self) -> str:
        return _choice_label(User.Role, self.role)

    @property
    def action_label(self) -> str:
        return _choice_label(self.Action, self.action)

    @property
    def outcome_label(self) -> str:
        return _choice_label(self.Outcome, self.outcome)

    @property
    def purpose_label(self) -> str:
        return _choice_label(self.Purpose, self.purpose)


class Notification(models.Model):
    """An in-app notice for one user (the bell in the header)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(_("notice"), max_length=300)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.text


class Reminder(models.Model):
    """A reminder that has fallen due, stored once per ``key``.

    The periodic scan inserts due reminders with ``ignore_conflicts`` on the unique key, so running
    it twice, or in two workers at once, creates nothing twice. Email is sent after commit and
    tracked in ``email_status``: a worker killed halfway leaves it to be retried, not lost.
    """

    class EmailStatus(models.TextChoices):
        NONE = "none", _("no email")
        PENDING = "pending", _("to be sent")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=40)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    email_to = models.EmailField(blank=True)
    due_on = models.DateField(_("due on"))
    text = models.CharField(_("notice"), max_length=300)
    url = models.CharField(max_length=300, blank=True)
    # The record the reminder is about, as its kind defines it (an invitation: the meeting its
    # ICS file is built from when sending). An id, not a foreign key: the core knows no app.
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    notification = models.OneToOneField(
        Notification, on_delete=models.SET_NULL, null=True, blank=True, related_name="reminder"
    )
    email_status = models.CharField(max_length=10, choices=EmailStatus, default=EmailStatus.NONE)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        indexes = [
            models.Index(fields=["email_status"], name="reminder_email_status"),
            models.Index(fields=["kind", "subject_id"], name="reminder_kind_subject"),
        ]

    def __str__(self) -> str:
        return self.key


class UserSessionQuerySet(models.QuerySet):
    def end(self) -> int:
        """End these sessions in the session store (whatever its engine) and forget them."""
        store = import_module(settings.SESSION_ENGINE).SessionStore
        keys = list(self.values_list("session_key", flat=True))
        for key in keys:
            store(session_key=key).delete()
        UserSession.objects.filter(session_key__in=keys).delete()
        return len(keys)


class UserSession(models.Model):
    """Which sessions belong to whom, so that they can be ended: at a password change or
    deactivation, and by the application manager. Written at login (``pleegzorg.sessions``),
    removed at logout; a row outlives its session by at most ``SESSION_MAX_HOURS``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sessions",
        verbose_name=_("user"),
    )
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(_("logged in at"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = UserSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class BreakGlassGrant(models.Model):
    """A file opened with a stated reason after its aftercare period ("break the glass").

    The user may read the record (a child's file, a foster family) until ``valid_until``; never
    change it. Made only through ``pleegzorg.services.break_glass_open``, which writes the
    reason to the access log too. The team lead of ``team`` (the team whose file it is) and the
    application manager review the grants; ``reviewed_by`` says who did. A grant is never
    deleted: like the access log it is the record of who looked, and why.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    # What was opened: an id and a label, not a foreign key (the core knows no app).
    record_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("kind of record")
    )
    record_id = models.PositiveBigIntegerField(_("record number"))
    record_label = models.CharField(_("record"), max_length=200)
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
        help_text=_("The team whose file it is: its lead reviews the grant."),
    )
    reason = models.TextField(_("reason"))
    granted_at = models.DateTimeField(_("opened at"), default=timezone.now)
    valid_until = models.DateTimeField(_("open until"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        ordering = ["-granted_at", "-id"]
        verbose_name = _("file opened with a reason")
        verbose_name_plural = _("files opened with a reason")
        indexes = [
            models.Index(
                fields=["user", "record_type", "record_id", "valid_until"], name="breakglass_open"
            ),
            models.Index(fields=["team", "-granted_at"], name="breakglass_team"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gt=F("granted_at")), name="breakglass_valid_after_grant"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.granted_at:%Y-%m-%d %H:%M} {self.user} {self.record_label}"

    def delete(self, *args, **kwargs):
        raise PermissionError("A file opened with a reason stays on record.")


class TableWrite(models.Model):
    """One statement that wrote to a tracked table: a PostgreSQL trigger adds the row, in the
    writing transaction (``pleegzorg.db.TrackChanges``). Only inserts: no writer ever waits
    for another because of it.

    A table's *generation* (``pleegzorg.generations``) is how many such rows it has had,
    with the highest id: every commit that wrote to it gives a pair never seen before, and a
    transaction's own uncommitted writes an id that no other state will ever show. Results
    kept under the generations of the tables they read are found again only while those
    tables are exactly as they were. Old rows are folded into ``TableWritesPruned``."""

    id = models.BigAutoField(primary_key=True)
    table_name = models.CharField(_("table"), max_length=63)

    class Meta:
        verbose_name = _("table write")
        verbose_name_plural = _("table writes")
        indexes = [models.Index(fields=["table_name", "id"], name="tablewrite_table_id")]

    def __str__(self) -> str:
        return f"{self.table_name} {self.id}"


class TableWritesPruned(models.Model):
    """How many of a table's ``TableWrite`` rows were deleted by the pruning (all but the
    latest), so that the count of its writes goes on as if they were still there."""

    table_name = models.CharField(_("table"), max_length=63, primary_key=True)
    count = models.BigIntegerField(_("writes"), default=0)

    class Meta:
        verbose_name = _("pruned table writes")
        verbose_name_plural = _("pruned table writes")

    def __str__(self) -> str:
        return f"{self.table_name} {self.count}"
