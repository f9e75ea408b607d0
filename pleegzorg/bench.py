"""What ``manage.py bench`` measures: the main pages, each as the role that uses it, and the
data counts beside them. Each app registers its own from its ``bench`` module (the core knows
no app); the core registers its own pages below.

A page's ``path`` is a function of the user, since most pages are about one of the user's own
records (their first child, their constellation): it returns the path to request.

A page's ``floor`` is the SQL that fetches exactly what the page shows, written by hand: one
statement, or the fixed few the page needs, as ``(sql, params)`` pairs from a function of the
user. ``manage.py bench`` times it beside the page (the ratio page / floor says how much the
ORM, the rules and the template add). Every floor starts with what any signed-in page needs
(:func:`signed_in`: the session, the user with the bell's count); a page that shows nothing
else from the database has the floor :func:`nothing_else`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from django.conf import settings

from pleegzorg.models import User

# The budgets issue 12 sets, by kind of page: queries, median and p95 server time (ms), and
# how many times its floor the median may be.
BUDGETS = {"page": (15, 30, 100, None), "dashboard": (15, 300, None, 3)}

Statement = tuple[str, Sequence]
FloorSQL = Callable[[User], list[Statement]]

# What every signed-in page reads: the session (its key is the one parameter), then the user
# with the count of unread notifications behind the bell.
SIGNED_IN_SESSION = (
    "SELECT session_data FROM django_session WHERE session_key = %s AND expire_date > now()"
)
SIGNED_IN_USER = """
    SELECT u.id, u.username, u.first_name, u.last_name, u.role, u.team_id, u.is_active,
           (SELECT count(*) FROM pleegzorg_notification n
             WHERE n.user_id = u.id AND n.read_at IS NULL) AS unread
      FROM pleegzorg_user u WHERE u.id = %s"""


def signed_in(user: User, session_key: str) -> list[Statement]:
    return [(SIGNED_IN_SESSION, [session_key]), (SIGNED_IN_USER, [user.pk])]


def nothing_else(_user: User) -> list[Statement]:
    """The floor of a page that reads nothing beyond :func:`signed_in`."""
    return []


@dataclass(frozen=True)
class Page:
    label: str
    username: str
    path: Callable[[User], str]
    kind: str = "page"  # "page" or "dashboard" (BUDGETS)
    # Forget the kept figures (pleegzorg.generations) before every request: the time of
    # computing them afresh, as after any write to the tables they read.
    fresh: bool = False
    # The page's own statements after signed_in() (see the module doc); None: not written yet.
    floor: FloorSQL | None = None

    def floor_statements(self, user: User, session_key: str) -> list[Statement] | None:
        if self.floor is None:
            return None
        return signed_in(user, session_key) + self.floor(user)


_pages: list[Page] = []
_counts: list[tuple[str, Callable[[], int]]] = []


def register_page(
    label: str,
    username: str,
    path: str | Callable[[User], str],
    *,
    kind: str = "page",
    fresh: bool = False,
    floor: FloorSQL | None = None,
):
    if kind not in BUDGETS:
        raise ValueError(f"unknown kind of page {kind!r}")
    resolve = path if callable(path) else (lambda _user, fixed=path: fixed)
    if any(page.label == label for page in _pages):
        raise ValueError(f"a bench page {label!r} is registered already")
    _pages.append(Page(label, username, resolve, kind, fresh, floor))


def register_count(label: str, count: Callable[[], int]) -> None:
    _counts.append((label, count))


def pages() -> list[Page]:
    return list(_pages)


def counts() -> list[tuple[str, int]]:
    return [(label, count()) for label, count in _counts]


def within_budget(
    kind: str, queries: int, median: float, p95: float, floor: float | None = None
) -> bool:
    """Whether a page's figures keep its kind's budget; ``floor`` is its floor's median (ms)."""
    most_queries, most_median, most_p95, most_ratio = BUDGETS[kind]
    return (
        queries <= most_queries
        and median <= most_median
        and (most_p95 is None or p95 <= most_p95)
        and (most_ratio is None or floor is None or median <= most_ratio * floor)
    )


def notifications_floor(user: User) -> list[Statement]:
    """Meldingen: the first page of the user's notices, newest first, and how many in all."""
    return [
        (
            """SELECT n.id, n.text, n.url, n.created_at, n.read_at, count(*) OVER () AS total
                 FROM pleegzorg_notification n WHERE n.user_id = %s
                ORDER BY n.created_at DESC, n.id DESC LIMIT %s""",
            [user.pk, settings.PAGE_SIZE],
        )
    ]


def growth_problems(counts_by_scale: dict[str, dict[str, int]]) -> list[str]:
    """What is wrong with the query counts of the pages at several scales, smallest first
    (``{scale: {page label: queries}}``): a page over its kind's budget, or running more
    queries at a larger scale than at the one before. Empty when all is well."""
    kinds = {page.label: page.kind for page in _pages}
    problems = []
    scales = list(counts_by_scale)
    for scale in scales:
        for label, queries in counts_by_scale[scale].items():
            most = BUDGETS[kinds.get(label, "page")][0]
            if queries > most:
                problems.append(f"{label}: {queries} queries at {scale} (at most {most})")
    for smaller, larger in pairwise(scales):
        for label, queries in counts_by_scale[larger].items():
            before = counts_by_scale[smaller].get(label)
            if before is not None and queries > before:
                problems.append(f"{label}: {before} queries at {smaller}, {queries} at {larger}")
    return problems


# The core's own pages: each role's start page, the notifications, the access log searched.
for _username, _role in [
    ("werker", "caseworker"),
    ("teamleider", "team lead"),
    ("hubhome", "hub-home parent"),
    ("begeleider", "liaison"),
    ("beheer", "application manager"),
]:
    register_page(f"Start page ({_role})", _username, "/")
register_page("Notifications", "werker", "/meldingen/", floor=notifications_floor)
# What the demo's caseworker did, as the application manager looks it up: every bench run reads
# werker's files first (timing.clients_for), so the search finds rows at every scale.
register_page("Access log, searched", "beheer", "/inzagelog/?user=Jansen")
register_count("users", lambda: User.objects.count())
