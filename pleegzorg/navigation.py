"""The main navigation and the start page's actions: each role sees only its own places.

The core knows its own entries (start, access log, administration, password); every app adds
its entries from its own ``menu`` module with :func:`register_menu_item` and
:func:`register_start_actions`, the way Wagtail's hooks let apps add menu items, so the core
never imports an app. ``order`` places an entry among the others (core entries: 0 and 80-100).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
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
    order: int = 50


@dataclass(frozen=True)
class StartAction:
    title: str | Promise
    description: str | Promise
    url: str


StartActions = Callable[[User], Iterable[StartAction]]

_menu: dict[str, NavItem] = {}
_start_actions: dict[str, tuple[int, StartActions]] = {}


# Per (role, script prefix, URLconf): the role's menu entries in order, as (label, url). The
# menu is the same for everyone of a role (the registry and the URLs change only when the
# process starts), so it is built once instead of on every page; registering an entry forgets
# it. Labels stay lazy: translated into each request's language when the page is rendered.
_menus: dict[tuple, tuple[tuple[str | Promise, str], ...]] = {}
_menus_lock = threading.Lock()


def register_menu_item(item: NavItem) -> None:
    """Add ``item`` to the menu (again under the same URL name: replaced)."""
    with _menus_lock:
        _menu[item.url_name] = item
        _menus.clear()


def _menu_for(role: str) -> tuple[tuple[str | Promise, str], ...]:
    key = (role, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    entries = _menus.get(key)
    if entries is None:
        entries = tuple(
            (item.label, reverse(item.url_name))
            for item in sorted(_menu.values(), key=lambda item: item.order)
            if role in item.roles
        )
        with _menus_lock:
            _menus[key] = entries
    return entries


def register_start_actions(*, order: int = 50):
    """Decorate a function ``(user) -> actions`` that offers start-page actions to some roles."""

    def register(actions: StartActions) -> StartActions:
        _start_actions[f"{actions.__module__}.{actions.__qualname__}"] = (order, actions)
        return actions

    return register


def navigation_for(user: User, current_path: str) -> list[dict]:
    if not user.is_authenticated:
        return []
    role = Role.APP_MANAGER if user.is_superuser else user.role
    return [
        {
            "label": label,
            "url": url,
            "current": current_path == url if url == "/" else current_path.startswith(url),
        }
        for label, url in _menu_for(role)
    ]


def start_actions_for(user: User) -> list[StartAction]:
    """What this user can do in the application today, most used first."""
    providers = sorted(_start_actions.values(), key=lambda entry: entry[0])
    return [action for _order, actions in providers for action in actions(user)]


# -- the core's own entries ---------------------------------------------------------------------

register_menu_item(NavItem(_("Start"), "pleegzorg:start", ALL_ROLES, order=0))
register_menu_item(
    NavItem(
        _("Access log"),
        "pleegzorg:access_log",
        frozenset({Role.TEAM_LEAD, Role.APP_MANAGER}),
        order=80,
    )
)
register_menu_item(NavItem(_("Administration"), "admin:index", frozenset({Role.APP_MANAGER}), 90))


@register_start_actions(order=80)
def access_log_actions(user: User) -> list[StartAction]:
    if not (user.is_team_lead or user.is_app_manager):
        return []
    return [
        StartAction(
            _("Search the access log"),
            _("See who viewed or changed which record, by person, user and period."),
            reverse("pleegzorg:access_log"),
        )
    ]


@register_start_actions(order=85)
def break_glass_review_actions(user: User) -> list[StartAction]:
    if not (user.is_team_lead or user.is_app_manager):
        return []
    return [
        StartAction(
            _("Review files opened with a reason"),
            _("See who opened a file after its aftercare period, and why."),
            reverse("pleegzorg:break_glass_review"),
        )
    ]


@register_start_actions(order=90)
def administration_actions(user: User) -> list[StartAction]:
    if not user.is_app_manager:
        return []
    return [
        StartAction(
            _("Manage users, teams and regions"),
            _("Add colleagues, give them a role and put them in a team."),
            reverse("admin:index"),
        )
    ]


@register_start_actions(order=100)
def account_actions(user: User) -> list[StartAction]:
    return [
        StartAction(
            _("Change your password"),
            _("Choose a new password of at least 12 characters."),
            reverse("password_change"),
        ),
        StartAction(
            _("Logging in with two steps"),
            _("Your passkeys, your authenticator app and your recovery codes."),
            reverse("two_factor:manage"),
        ),
    ]
