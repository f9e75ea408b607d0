"""Reads for the core: what a start page shows, the access log a user may search."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from axes.models import AccessAttempt
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pleegzorg import permissions
from pleegzorg.models import AccessLogEntry, BreakGlassGrant, Notification, Team, User

Role = User.Role


ROLE_INTRODUCTIONS = {
    Role.CASEWORKER: _(
        "You keep the files of the placements in your caseload and hold the start meetings "
        "and joint meetings."
    ),
    Role.TEAM_LEAD: _(
        "You watch over your team's caseload, hand placements over and check who viewed which file."
    ),
    Role.HUB_HOME_PARENT: _(
        "You are the hub home of a constellation: you offer support and respite stays to the "
        "families around you."
    ),
    Role.LIAISON: _(
        "You support constellations and their hub home, with monthly gatherings and activities."
    ),
    Role.APP_MANAGER: _("You manage users, teams and regions, and you can search the access log."),
    Role.FOSTER_PARENT: _(
        "You are a foster parent. Your caseworker keeps the file of your foster child; questions "
        "about it go to them."
    ),
}


def teams_for_start_page(user: User) -> QuerySet[Team] | list[Team]:
    """The teams a caseworker or team lead works in, with their people, in two queries."""
    if not (user.is_team_lead or user.is_caseworker):
        return []  # not Team.objects.none(): compiling even an empty query costs tenths of a ms
    return (
        permissions.teams.visible_to(user)
        .select_related("lead", "region")
        .prefetch_related(
            Prefetch(
                "members",
                queryset=User.objects.filter(is_active=True).order_by("first_name", "last_name"),
            )
        )
    )


# The access log's page counts the entries that match up to this many (and says "more than"
# beyond it), and pages through these newest ones; older ones are found by narrowing the search
# (a period, an action). Counting every match would cost more as the log grows, every day.
# A whole number of pages (settings.PAGE_SIZE), so that the last page is a full one.
ACCESS_LOG_MOST_COUNTED = 1000


def access_log_entries(
    user: User,
    *,
    person: str = "",
    acting_user: str = "",
    action: str = "",
    period_start: date | None = None,
    period_end: date | None = None,
) -> QuerySet[AccessLogEntry]:
    """The entries this user may see, filtered; newest first. ``person`` and ``acting_user``
    are parts of the name of whom an entry concerns and of who did it. Periods are whole local
    days."""
    entries = permissions.access_log.visible_to(user).select_related("on_behalf_of")
    if person:
        entries = entries.filter(person_label__icontains=person)
    for word in acting_user.split():
        entries = entries.filter(user_label__icontains=word)
    if action:
        entries = entries.filter(action=action)
    if period_start:
        entries = entries.filter(at__gte=_start_of_day(period_start))
    if period_end:
        entries = entries.filter(at__lt=_start_of_day(period_end + timedelta(days=1)))
    return entries


def access_log_search(user: User, form) -> QuerySet[AccessLogEntry]:
    """The entries a filter form asks for; none at all for a form with errors (never the
    unfiltered log for a bad filter)."""
    if form.is_bound and not form.is_valid():
        return AccessLogEntry.objects.none()
    filters = form.filters()
    return access_log_entries(
        user,
        person=filters.get("person", ""),
        acting_user=filters.get("user", ""),
        action=filters.get("action", ""),
        period_start=filters.get("period_start"),
        period_end=filters.get("period_end"),
    )


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def notifications_of(user: User) -> QuerySet[Notification]:
    """A user's own notices, newest first. Nobody, whatever their role, sees another's."""
    return Notification.objects.filter(user=user)


def last_failed_login(username: str, ip_address: str | None):
    """django-axes' latest failed attempt for this username from this address, or None."""
    return (
        AccessAttempt.objects.filter(username=username, ip_address=ip_address)
        .order_by("-attempt_time")
        .first()
    )


def break_glass_grants(user: User, *, to_review: bool = False) -> QuerySet[BreakGlassGrant]:
    """The files opened with a reason that ``user`` reviews, newest first (``to_review``: those
    not reviewed yet), with who opened and who reviewed them in the same query."""
    grants = permissions.break_glass_grants.visible_to(user).select_related(
        "user", "team", "reviewed_by", "record_type"
    )
    return grants.filter(reviewed_at__isnull=True) if to_review else grants
