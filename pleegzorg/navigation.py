"""The main navigation: each role sees only its own places."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from pleegzorg.models import User

Role = User.Role
ALL_ROLES = frozenset(Role)


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: frozenset[str]


NAV_ITEMS = (
    NavItem(_("Start"), "pleegzorg:start", ALL_ROLES),
    NavItem(_("Caseload"), "placements:caseload", frozenset({Role.CASEWORKER, Role.TEAM_LEAD})),
    NavItem(
        _("My meetings"), "placements:my_meetings", frozenset({Role.CASEWORKER, Role.TEAM_LEAD})
    ),
    NavItem(
        _("Constellations"),
        "constellations:list",
        frozenset({Role.CASEWORKER, Role.TEAM_LEAD, Role.LIAISON, Role.HUB_HOME_PARENT}),
    ),
    NavItem(_("Access log"), "pleegzorg:access_log", frozenset({Role.TEAM_LEAD, Role.APP_MANAGER})),
    NavItem(_("Administration"), "admin:index", frozenset({Role.APP_MANAGER})),
)


def navigation_for(user: User, current_path: str) -> list[dict]:
    if not user.is_authenticated:
        return []
    role = Role.APP_MANAGER if user.is_superuser else user.role
    items = []
    for item in NAV_ITEMS:
        if role not in item.roles:
            continue
        url = reverse(item.url_name)
        current = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": item.label, "url": url, "current": current})
    return items
