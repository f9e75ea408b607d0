"""What ``manage.py bench`` measures: the main pages, each as the role that uses it, and the
data counts beside them. Each app registers its own from its ``bench`` module (the core knows
no app); the core registers its own pages below.

A page's ``path`` is a function of the user, since most pages are about one of the user's own
records (their first child, their constellation): it returns the path to request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pleegzorg.models import User

# The budgets issue 12 sets, by kind of page: queries, and median and p95 server time (ms).
BUDGETS = {"page": (15, 30, 100), "dashboard": (15, 300, None)}


@dataclass(frozen=True)
class Page:
    label: str
    username: str
    path: Callable[[User], str]
    kind: str = "page"  # "page" or "dashboard" (BUDGETS)
    # Forget the kept figures (pleegzorg.generations) before every request: the time of
    # computing them afresh, as after any write to the tables they read.
    fresh: bool = False


_pages: list[Page] = []
_counts: list[tuple[str, Callable[[], int]]] = []


def register_page(
    label: str,
    username: str,
    path: str | Callable[[User], str],
    *,
    kind: str = "page",
    fresh: bool = False,
):
    if kind not in BUDGETS:
        raise ValueError(f"unknown kind of page {kind!r}")
    resolve = path if callable(path) else (lambda _user, fixed=path: fixed)
    if any(page.label == label for page in _pages):
        raise ValueError(f"a bench page {label!r} is registered already")
    _pages.append(Page(label, username, resolve, kind, fresh))


def register_count(label: str, count: Callable[[], int]) -> None:
    _counts.append((label, count))


def pages() -> list[Page]:
    return list(_pages)


def counts() -> list[tuple[str, int]]:
    return [(label, count()) for label, count in _counts]


def within_budget(kind: str, queries: int, median: float, p95: float) -> bool:
    most_queries, most_median, most_p95 = BUDGETS[kind]
    return (
        queries <= most_queries and median <= most_median and (most_p95 is None or p95 <= most_p95)
    )


# The core's own pages: each role's start page, the notifications, the access log searched.
for _username, _role in [
    ("werker", "caseworker"),
    ("teamleider", "team lead"),
    ("hubhome", "hub-home parent"),
    ("begeleider", "liaison"),
    ("beheer", "application manager"),
]:
    register_page(f"Start page ({_role})", _username, "/")
register_page("Notifications", "werker", "/meldingen/")
register_page("Access log, searched", "beheer", "/inzagelog/?person=de")
register_count("users", lambda: User.objects.count())
