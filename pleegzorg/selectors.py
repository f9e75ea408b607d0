"""Reads for the core: what a start page shows, the access log a user may search."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from pleegzorg import permissions
from pleegzorg.models import AccessLogEntry, Team, User

Role = User.Role


@dataclass(frozen=True)
class StartAction:
    title: str | Promise
    description: str | Promise
    url: str


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
}


def start_actions_for(user: User) -> list[StartAction]:
    """What this user can do in the application today, most used first."""
    actions = []
    if user.is_caseworker:
        actions.append(
            StartAction(
                _("My caseload"),
                _("Find a child, open the file, and see which placements need attention."),
                reverse("placements:caseload"),
            )
        )
    if user.is_team_lead:
        actions.append(
            StartAction(
                _("Your team's caseload"),
                _("All active placements of your team's caseworkers, and hand them over."),
                reverse("placements:caseload"),
            )
        )
    if user.is_hub_home_parent:
        from constellations.models import Constellation

        for constellation in Constellation.objects.filter(hub__parents=user).order_by("name"):
            actions += [
                StartAction(
                    _("Log a stay"),
                    _("A child of %(name)s comes to stay: choose the nights and a free bed.")
                    % {"name": constellation},
                    reverse("constellations:stay_new", args=[constellation.pk]),
                ),
                StartAction(
                    _("Respite calendar"),
                    _("Beds and nights of %(name)s, by week or month.") % {"name": constellation},
                    reverse("constellations:calendar", args=[constellation.pk]),
                ),
            ]
    if user.is_hub_home_parent or user.is_liaison:
        actions.append(
            StartAction(
                _("My constellations"),
                _("Member families, gatherings, support contacts and respite figures."),
                reverse("constellations:list"),
            )
        )
    if user.is_caseworker or user.is_team_lead:
        actions.append(
            StartAction(
                _("Constellations"),
                _("The Mockingbird constellations of the families you work with."),
                reverse("constellations:list"),
            )
        )
    if user.is_team_lead or user.is_app_manager:
        actions.append(
            StartAction(
                _("Search the access log"),
                _("See who viewed or changed which record, by person, user and period."),
                reverse("pleegzorg:access_log"),
            )
        )
    if user.is_app_manager:
        actions.append(
            StartAction(
                _("Manage users, teams and regions"),
                _("Add colleagues, give them a role and put them in a team."),
                reverse("admin:index"),
            )
        )
    actions.append(
        StartAction(
            _("Change your password"),
            _("Choose a new password of at least 12 characters."),
            reverse("password_change"),
        )
    )
    return actions


def teams_for_start_page(user: User) -> QuerySet[Team]:
    """The teams a caseworker or team lead works in, with their people, in two queries."""
    if not (user.is_team_lead or user.is_caseworker):
        return Team.objects.none()
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


def access_log_entries(
    user: User,
    *,
    person: str = "",
    acting_user: User | None = None,
    action: str = "",
    period_start: date | None = None,
    period_end: date | None = None,
) -> QuerySet[AccessLogEntry]:
    """The entries this user may see, filtered; newest first. Periods are whole local days."""
    entries = permissions.access_log.visible_to(user).select_related("on_behalf_of")
    if person:
        entries = entries.filter(person_label__icontains=person)
    if acting_user is not None:
        entries = entries.filter(user=acting_user)
    if action:
        entries = entries.filter(action=action)
    if period_start:
        entries = entries.filter(at__gte=_start_of_day(period_start))
    if period_end:
        entries = entries.filter(at__lt=_start_of_day(period_end + timedelta(days=1)))
    return entries


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
