"""What the constellations app adds to the menu and the start page."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from constellations.models import Constellation
from pleegzorg.models import User
from pleegzorg.navigation import NavItem, StartAction, register_menu_item, register_start_actions

Role = User.Role

register_menu_item(
    NavItem(
        _("Constellations"),
        "constellations:list",
        frozenset({Role.CASEWORKER, Role.TEAM_LEAD, Role.LIAISON, Role.HUB_HOME_PARENT}),
        order=30,
    )
)

# -- the outcome monitor (Uitkomsten) --
register_menu_item(
    NavItem(
        _("Outcomes"),
        "constellations:outcomes",
        frozenset({Role.TEAM_LEAD, Role.APP_MANAGER}),
        order=40,
    )
)
# -- end of the outcome monitor --


@register_start_actions(order=20)
def hub_home_actions(user: User) -> list[StartAction]:
    """A hub-home parent logs stays and reads the calendar of each constellation of theirs."""
    if not user.is_hub_home_parent:
        return []
    actions = []
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
    return actions


@register_start_actions(order=30)
def constellation_actions(user: User) -> list[StartAction]:
    if user.is_hub_home_parent or user.is_liaison:
        return [
            StartAction(
                _("My constellations"),
                _("Member families, gatherings, support contacts and respite figures."),
                reverse("constellations:list"),
            )
        ]
    if user.is_caseworker or user.is_team_lead:
        return [
            StartAction(
                _("Constellations"),
                _("The Mockingbird constellations of the families you work with."),
                reverse("constellations:list"),
            )
        ]
    return []
