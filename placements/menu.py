"""What the placements app adds to the menu and the start page."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pleegzorg.models import User
from pleegzorg.navigation import NavItem, StartAction, register_menu_item, register_start_actions

Role = User.Role
CASE_WORK = frozenset({Role.CASEWORKER, Role.TEAM_LEAD})

register_menu_item(NavItem(_("Caseload"), "placements:caseload", CASE_WORK, order=10))
register_menu_item(NavItem(_("My meetings"), "placements:my_meetings", CASE_WORK, order=20))


@register_start_actions(order=10)
def caseload_actions(user: User) -> list[StartAction]:
    if user.is_caseworker:
        return [
            StartAction(
                _("My caseload"),
                _("Find a child, open the file, and see which placements need attention."),
                reverse("placements:caseload"),
            )
        ]
    if user.is_team_lead:
        return [
            StartAction(
                _("Your team's caseload"),
                _("All active placements of your team's caseworkers, and hand them over."),
                reverse("placements:caseload"),
            )
        ]
    return []
