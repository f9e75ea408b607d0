"""What the placements app adds to the menu and the start page."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pleegzorg import panels
from pleegzorg.models import User
from pleegzorg.navigation import NavItem, StartAction, register_menu_item, register_start_actions

Role = User.Role
CASE_WORK = frozenset({Role.CASEWORKER, Role.TEAM_LEAD})

register_menu_item(NavItem(_("Caseload"), "placements:caseload", CASE_WORK, order=10))
register_menu_item(NavItem(_("My meetings"), "placements:my_meetings", CASE_WORK, order=20))
register_menu_item(
    NavItem(
        _("Dashboard"),
        "placements:team_dashboard",
        frozenset({Role.TEAM_LEAD, Role.APP_MANAGER}),
        order=25,
    )
)

# Mijn pleeggezin (issue 13): the foster parents' own place.
register_menu_item(
    NavItem(_("My foster family"), "placements:my_family", frozenset({Role.FOSTER_PARENT}), 10)
)

# Case files unchanged for 20 years, for the application manager to review (Jeugdwet).
register_menu_item(
    NavItem(_("Retention"), "placements:retention_review", frozenset({Role.APP_MANAGER}), order=75)
)


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


@register_start_actions(order=15)
def my_family_actions(user: User) -> list[StartAction]:
    if not user.is_foster_parent:
        return []
    return [
        StartAction(
            _("My foster family"),
            _("Your foster children, who works with you and how to reach them, your meetings."),
            reverse("placements:my_family"),
        )
    ]


@register_start_actions(order=85)
def retention_actions(user: User) -> list[StartAction]:
    if not user.is_app_manager:
        return []
    return [
        StartAction(
            _("Review old case files"),
            _("Files unchanged for 20 years: look at them and decide whether they may go."),
            reverse("placements:retention_review"),
        )
    ]


def my_work_panel(user: User, obj) -> dict | None:
    """'Mijn werk' on a caseworker's start page: the team dashboard's figures for their own
    caseload, each linking to their own list."""
    if not user.is_caseworker:
        return None
    from placements.dashboard.selectors import my_work  # the models are loaded by now

    return {"row": my_work(user, timezone.localdate())}


panels.register(
    "start", name="my_work", template="placements/dashboard/my_work.html", context=my_work_panel
)
