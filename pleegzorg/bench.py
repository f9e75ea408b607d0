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
else from the database has the floor :func:`nothing_else`. What another app adds to a page (a
panel, start-page actions) it adds to the page's floor too (:func:`register_floor_part`), as
it adds the panel without the page knowing it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from django.conf import settings

from pleegzorg import selectors
from pleegzorg.models import User

# The budgets issue 12 sets, by kind of page: queries, median and p95 server time (ms), and
# how many times its floor the median may be.
BUDGETS = {"page": (15, 30, 100, None), "dashboard": (15, 300, None, 3)}

# Parameters as a list for %s, or a mapping for %(name)s.
Statement = tuple[str, Sequence | Mapping]
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
        parts = [statement for part in floor_parts(self.label) for statement in part(user)]
        return signed_in(user, session_key) + self.floor(user) + parts


_pages: list[Page] = []
_counts: list[tuple[str, Callable[[], int]]] = []
_floor_parts: dict[str, list[FloorSQL]] = {}


def register_floor_part(label: str, part: FloorSQL) -> None:
    """Add ``part`` to the floor of the page ``label``: the statements of what another app shows
    on it (the placements app's "Mijn werk" on the caseworker's start page). A part answers an
    empty list for a user to whom its app shows nothing there."""
    _floor_parts.setdefault(label, []).append(part)


def floor_parts(label: str) -> list[FloorSQL]:
    return list(_floor_parts.get(label, []))


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


START_TEAMS = """
    SELECT t.id, t.name, r.name AS region, l.first_name, l.last_name, l.username,
           (SELECT json_agg(json_build_object('first_name', m.first_name,
                                              'last_name', m.last_name, 'username', m.username,
                                              'email', m.email)
                            ORDER BY m.first_name, m.last_name)
              FROM pleegzorg_user m WHERE m.team_id = t.id AND m.is_active) AS members
      FROM pleegzorg_team t
      JOIN pleegzorg_region r ON r.id = t.region_id
      LEFT JOIN pleegzorg_user l ON l.id = t.lead_id
     WHERE {team}
     ORDER BY t.name"""


def start_floor(user: User) -> list[Statement]:
    """Start: the teams a caseworker or team lead works in, each with its region, its lead and
    its active people (the introduction and the actions come from the code). What other apps
    add to it (a caseworker's "Mijn werk", a hub home's constellations) are floor parts."""
    if user.is_team_lead:
        return [(START_TEAMS.format(team="t.lead_id = %s"), [user.pk])]
    if user.is_caseworker and user.team_id:
        return [(START_TEAMS.format(team="t.id = %s"), [user.team_id])]
    return []


# The access log as the application manager searches it (the bench's page): every entry by a
# user whose name contains ACCESS_LOG_USER (werker, Wendy Jansen, among others).
ACCESS_LOG_USER = "Jansen"


def access_log_floor(user: User) -> list[Statement]:
    """Inzagelog, searched by who did it: the first page of the matching entries, newest first,
    with whom an entry was on behalf of, and how many match counted up to one past the most the
    page counts (``counted``: the page says "more than" beyond it). The search is written as
    the page's is (UPPER on both sides), the form the trigram index serves. The page's own log
    entry (a write) is not in it. An application manager's view: every entry."""
    if not user.is_app_manager:
        raise ValueError("the access log's floor is written for an application manager")
    pattern, most = f"%{ACCESS_LOG_USER}%", selectors.ACCESS_LOG_MOST_COUNTED
    return [
        (
            """SELECT e.id, e.at, e.user_label, o.first_name, o.last_name, o.username, e.role,
                      e.action, e.person_label, e.object_label, e.detail, e.outcome, e.purpose,
                      e.ip_address,
                      (SELECT count(*)
                         FROM (SELECT 1 FROM pleegzorg_accesslogentry m
                                WHERE upper(m.user_label) LIKE upper(%s) LIMIT %s) AS matches
                      ) AS counted
                 FROM pleegzorg_accesslogentry e
                 LEFT JOIN pleegzorg_user o ON o.id = e.on_behalf_of_id
                WHERE upper(e.user_label) LIKE upper(%s)
                ORDER BY e.at DESC, e.id DESC LIMIT %s""",
            [pattern, most + 1, pattern, min(settings.PAGE_SIZE, most)],
        )
    ]


# The core's own pages: each role's start page, the notifications, the access log searched.
for _username, _role in [
    ("werker", "caseworker"),
    ("teamleider", "team lead"),
    ("hubhome", "hub-home parent"),
    ("begeleider", "liaison"),
    ("beheer", "application manager"),
]:
    register_page(f"Start page ({_role})", _username, "/", floor=start_floor)
register_page("Notifications", "werker", "/meldingen/", floor=notifications_floor)
# What the demo's caseworker did, as the application manager looks it up: every bench run reads
# werker's files first (timing.clients_for), so the search finds rows at every scale.
register_page(
    "Access log, searched",
    "beheer",
    f"/inzagelog/?user={ACCESS_LOG_USER}",
    floor=access_log_floor,
)
register_count("users", lambda: User.objects.count())
