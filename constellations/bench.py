"""The constellation pages ``manage.py bench`` measures (pleegzorg.bench), each as its role, and
their floors: the SQL that fetches exactly what each page shows, written by hand.

The floors read the same rows and figures as the pages, with the same rules: who sees which
constellation (:func:`visible_sql`, constellations.permissions), the calendar's week or month,
the months of the fidelity figures (constellations.fidelity.selectors). What the page derives
in Python from those figures (a percentage, the capacity, the grid of beds by nights, the words
of a shortfall) is left to Python here too. The access log's insert is a write, not a read.

The statements are put together from constants of this module and the conditions of
:func:`visible_sql` (hence the ``noqa``/``nosec`` for SQL built from strings): nothing of a
request goes into them, and every value is a parameter.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from constellations import permissions, selectors
from constellations import views as constellation_views
from constellations.fidelity import selectors as fidelity
from constellations.fidelity import views as fidelity_views
from constellations.models import Constellation, RespiteStay
from constellations.outcomes import floor as outcomes
from placements.bench import first_placement
from pleegzorg.bench import Statement, register_count, register_floor_part, register_page
from pleegzorg.models import User

FIDELITY = "/constellaties/modeltrouw/"

# The stays that hold a bed (RespiteStay.HOLDS_BED), for the statements below.
HOLDS_BED = "('requested', 'confirmed', 'completed')"


def first_constellation(user: User) -> Constellation:
    """The constellation a page about "the user's own" is about: the first they see."""
    return permissions.constellations.visible_to(user).order_by("pk").first()


def own(suffix: str = ""):
    """The path of the user's first constellation, with ``suffix`` after it."""

    def path(user) -> str:
        return f"/constellaties/{first_constellation(user).pk}/{suffix}"

    return path


# -- who sees which constellation, as SQL on the alias ``c`` -------------------------------------


def visible_sql(user: User, today: dt.date) -> Statement:
    """``constellations.visible_to(user)`` as a condition on ``c``, with its parameters."""
    if user.is_liaison:
        return "c.liaison_id = %s", [user.pk]
    if user.is_hub_home_parent:
        return (
            """EXISTS (SELECT 1 FROM constellations_hubhome h
                         JOIN constellations_hubhome_parents hp ON hp.hubhome_id = h.id
                        WHERE h.constellation_id = c.id AND hp.user_id = %s)""",
            [user.pk],
        )
    if user.is_team_lead:
        return "c.region_id IN (SELECT region_id FROM pleegzorg_team WHERE lead_id = %s)", [user.pk]
    if user.is_caseworker:
        return (
            """EXISTS (SELECT 1 FROM constellations_membership m
                         JOIN placements_placement p ON p.family_id = m.family_id
                        WHERE m.constellation_id = c.id
                          AND m.joined_on <= %s AND (m.left_on IS NULL OR m.left_on >= %s)
                          AND p.caseworker_id = %s
                          AND p.start_date <= %s AND (p.end_date IS NULL OR p.end_date >= %s))""",
            [today, today, user.pk, today, today],
        )
    return "false", []


def may_book_sql(user: User, today: dt.date) -> Statement:
    """``constellations.can_book``: the hub home, the liaison and the team lead where they see."""
    if user.is_caseworker:
        return "false", []
    return visible_sql(user, today)


def _cares_for_every_child(user: User) -> bool:
    """The liaison and the hub-home parents read every child's name and care facts."""
    return user.is_liaison or user.is_hub_home_parent


# The foster children placed today in the constellation's member families
# (permissions.member_children): parameters today x 4, then the constellation.
MEMBER_CHILDREN = """
    SELECT p.child_id FROM constellations_membership m
      JOIN placements_placement p ON p.family_id = m.family_id
     WHERE m.joined_on <= %s AND (m.left_on IS NULL OR m.left_on >= %s)
       AND p.start_date <= %s AND (p.end_date IS NULL OR p.end_date >= %s)
       AND m.constellation_id = %s"""


# -- the list ---------------------------------------------------------------------------------


def list_floor(user: User) -> list[Statement]:
    """Constellaties: the first page of the constellations the user sees, by name, each with its
    status, member families today, whether it had no gathering last month, its region, hub home
    and liaison; and how many there are in all."""
    today = timezone.localdate()
    first, last = selectors.last_month(today)
    visible, params = visible_sql(user, today)
    sql = f"""
        WITH page AS (
            SELECT c.*, count(*) OVER () AS total FROM constellations_constellation c
             WHERE {visible} ORDER BY c.name, c.id LIMIT %s)
        SELECT c.id, c.name, c.status, c.total, r.name AS region, hf.name AS hub_family,
               l.first_name AS liaison_first_name, l.last_name AS liaison_last_name,
               (SELECT count(DISTINCT m.id) FROM constellations_membership m
                 WHERE m.constellation_id = c.id
                   AND m.joined_on <= %s AND (m.left_on IS NULL OR m.left_on >= %s)) AS members,
               c.start_date <= %s AND c.status <> 'closed' AND NOT EXISTS (
                   SELECT 1 FROM constellations_gathering g
                    WHERE g.constellation_id = c.id AND g.date BETWEEN %s AND %s) AS no_gathering
          FROM page c
          JOIN pleegzorg_region r ON r.id = c.region_id
          LEFT JOIN pleegzorg_user l ON l.id = c.liaison_id
          LEFT JOIN constellations_hubhome h ON h.constellation_id = c.id
          LEFT JOIN placements_fosterfamily hf ON hf.id = h.family_id
         ORDER BY c.name, c.id"""  # nosec B608
    page_size = constellation_views.PAGE_SIZE
    return [(sql, [*params, page_size, today, today, first, first, last])]


# -- the constellation page -------------------------------------------------------------------


def page_floor(user: User) -> list[Statement]:
    """The constellation page: the constellation, its hub home (parents, beds), the flag of no
    gathering last month; the members (current and earlier) with their foster parents and their
    nights in the last 12 months; the nights per month; the last gatherings with how many were
    there, the last support contacts, the parents taking part, and (for who reads care facts)
    the children who can come to stay. Four statements."""
    today = timezone.localdate()
    pk = first_constellation(user).pk
    visible, visible_params = visible_sql(user, today)
    gap_first, gap_last = selectors.last_month(today)
    this_month = fidelity.first_of_month(today)
    first, until = fidelity.add_months(this_month, -11), today + dt.timedelta(days=1)
    constellation = f"""
        SELECT c.id, c.name, c.status, c.start_date, r.name AS region,
               l.first_name AS liaison_first_name, l.last_name AS liaison_last_name,
               hf.name AS hub_family,
               (SELECT array_agg(u.first_name || ' ' || u.last_name)
                  FROM constellations_hubhome_parents hp JOIN pleegzorg_user u ON u.id = hp.user_id
                 WHERE hp.hubhome_id = h.id) AS hub_parents,
               (SELECT array_agg(b.name ORDER BY b.name, b.id) FROM constellations_bed b
                 WHERE b.hub_id = h.id AND b.active) AS beds,
               c.start_date <= %s AND c.status <> 'closed' AND NOT EXISTS (
                   SELECT 1 FROM constellations_gathering g
                    WHERE g.constellation_id = c.id AND g.date BETWEEN %s AND %s) AS no_gathering
          FROM constellations_constellation c
          JOIN pleegzorg_region r ON r.id = c.region_id
          LEFT JOIN pleegzorg_user l ON l.id = c.liaison_id
          LEFT JOIN constellations_hubhome h ON h.constellation_id = c.id
          LEFT JOIN placements_fosterfamily hf ON hf.id = h.family_id
         WHERE c.id = %s AND {visible}"""  # nosec B608
    members = f"""
        SELECT m.id, m.joined_on, m.left_on, f.name AS family,
               m.joined_on <= %s AND (m.left_on IS NULL OR m.left_on >= %s) AS current,
               (SELECT json_agg(json_build_object(
                           'name', fp.first_name || ' ' || fp.last_name, 'phone', fp.phone)
                         ORDER BY fp.id)
                  FROM placements_fosterparent fp WHERE fp.family_id = f.id) AS foster_parents,
               n.stays, n.planned, n.unplanned
          FROM constellations_membership m
          JOIN placements_fosterfamily f ON f.id = m.family_id
          LEFT JOIN LATERAL (
              SELECT count(*) AS stays,
                     coalesce(sum(least(s.departure, %s) - greatest(s.arrival, %s))
                              FILTER (WHERE s.planned), 0) AS planned,
                     coalesce(sum(least(s.departure, %s) - greatest(s.arrival, %s))
                              FILTER (WHERE NOT s.planned), 0) AS unplanned
                FROM constellations_respitestay s
               WHERE s.constellation_id = m.constellation_id AND s.family_id = m.family_id
                 AND s.status IN {HOLDS_BED} AND s.arrival < %s AND s.departure > %s
          ) n ON m.joined_on <= %s AND (m.left_on IS NULL OR m.left_on >= %s)
         WHERE m.constellation_id = %s
         ORDER BY m.left_on, f.name"""  # nosec B608
    per_month = f"""
        SELECT m.first,
               coalesce(sum(least(s.departure, m.until) - greatest(s.arrival, m.first))
                        FILTER (WHERE s.planned), 0) AS planned,
               coalesce(sum(least(s.departure, m.until) - greatest(s.arrival, m.first))
                        FILTER (WHERE NOT s.planned), 0) AS unplanned
          FROM (SELECT first::date AS first, least(first + interval '1 month', %s)::date AS until
                  FROM generate_series(%s::timestamp, %s::timestamp, interval '1 month') AS first) m
          LEFT JOIN constellations_respitestay s
            ON s.constellation_id = %s AND s.status IN {HOLDS_BED}
           AND s.arrival < m.until AND s.departure > m.first
         GROUP BY m.first, m.until ORDER BY m.first"""  # nosec B608
    children = (
        f"""(SELECT json_agg(json_build_object('id', ch.id, 'first_name', ch.first_name,
                                             'last_name', ch.last_name)
                           ORDER BY ch.first_name, ch.last_name)
              FROM placements_child ch WHERE ch.id IN ({MEMBER_CHILDREN}))"""  # nosec B608
        if _cares_for_every_child(user)
        else "NULL"
    )
    panels = f"""
        SELECT (SELECT json_agg(g ORDER BY g.date DESC, g.id DESC) FROM (
                    SELECT g.id, g.kind, g.date, g.place, g.notes,
                           (SELECT count(*) FROM constellations_attendance a
                             WHERE a.gathering_id = g.id) AS present
                      FROM constellations_gathering g WHERE g.constellation_id = %s
                     ORDER BY g.date DESC, g.id DESC LIMIT 6) g) AS gatherings,
               (SELECT json_agg(sc ORDER BY sc.date DESC, sc.id DESC) FROM (
                    SELECT sc.id, sc.date, sc.kind, sc.note, f.name AS family
                      FROM constellations_supportcontact sc
                      JOIN placements_fosterfamily f ON f.id = sc.family_id
                     WHERE sc.constellation_id = %s
                     ORDER BY sc.date DESC, sc.id DESC LIMIT 8) sc) AS contacts,
               (SELECT json_agg(json_build_object(
                           'name', p.first_name || ' ' || p.last_name, 'since', pp.since)
                         ORDER BY pp.since, pp.id)
                  FROM constellations_parentparticipation pp
                  JOIN placements_parent p ON p.id = pp.parent_id
                 WHERE pp.constellation_id = %s AND (pp.until IS NULL OR pp.until >= %s))
                 AS parents,
               {children} AS children"""  # nosec B608
    children_params = [today] * 4 + [pk] if _cares_for_every_child(user) else []
    return [
        (constellation, [gap_first, gap_first, gap_last, pk, *visible_params]),
        (members, [today, today, until, first, until, first, until, first, today, today, pk]),
        (per_month, [until, first, this_month, pk]),
        (panels, [pk, pk, pk, today, *children_params]),
    ]


# -- the calendar and a stay ------------------------------------------------------------------


def calendar_floor(*, month: bool):
    """The calendar of the week (or month) of today: the beds in use, and the stays that hold
    one of them on a night shown, with the child's first name. Two statements; written for who
    reads every child's name (the hub home, the liaison)."""

    def floor(user: User) -> list[Statement]:
        if not _cares_for_every_child(user):
            raise ValueError("the calendar's floor reads every child's name")
        today = timezone.localdate()
        period = selectors.calendar_period(today, month=month)
        end = period.start + dt.timedelta(days=period.days)
        pk = first_constellation(user).pk
        visible, params = visible_sql(user, today)
        beds = f"""
            SELECT c.id, c.name,
                   (SELECT json_agg(json_build_object('id', b.id, 'name', b.name)
                                    ORDER BY b.name, b.id)
                      FROM constellations_bed b JOIN constellations_hubhome h ON h.id = b.hub_id
                     WHERE h.constellation_id = c.id AND b.active) AS beds
              FROM constellations_constellation c
             WHERE c.id = %s AND {visible}"""  # nosec B608
        stays = f"""
            SELECT s.id, s.bed_id, s.arrival, s.departure, s.status, s.planned, ch.first_name
              FROM constellations_respitestay s
              JOIN constellations_bed b ON b.id = s.bed_id
              JOIN constellations_hubhome h ON h.id = b.hub_id
              JOIN placements_child ch ON ch.id = s.child_id
             WHERE h.constellation_id = %s AND b.active AND s.status IN {HOLDS_BED}
               AND s.arrival < %s AND s.departure > %s
             ORDER BY s.arrival"""  # nosec B608
        return [(beds, [pk, *params]), (stays, [pk, end, period.start])]

    return floor


def stay_floor(user: User) -> list[Statement]:
    """Log a stay, as the form opens: the constellation (if the user may book there) with each
    bed in use and the first stay that takes it tonight (none: free); the member families'
    foster children to choose from, with their date of birth (the age). Two statements."""
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    pk = first_constellation(user).pk
    may_book, params = may_book_sql(user, today)
    beds = f"""
        SELECT c.id, c.name,
               (SELECT json_agg(json_build_object('id', b.id, 'name', b.name,
                                                  'arrival', t.arrival, 'departure', t.departure)
                                ORDER BY b.name, b.id)
                  FROM constellations_bed b JOIN constellations_hubhome h ON h.id = b.hub_id
                  LEFT JOIN LATERAL (
                      SELECT s.arrival, s.departure FROM constellations_respitestay s
                       WHERE s.bed_id = b.id AND s.status IN {HOLDS_BED}
                         AND s.arrival < %s AND s.departure > %s
                       ORDER BY s.arrival LIMIT 1) t ON true
                 WHERE h.constellation_id = c.id AND b.active) AS beds
          FROM constellations_constellation c
         WHERE c.id = %s AND {may_book}"""  # nosec B608
    children = f"""
        SELECT ch.id, ch.first_name, ch.last_name, ch.date_of_birth FROM placements_child ch
         WHERE ch.id IN ({MEMBER_CHILDREN})
         ORDER BY ch.first_name, ch.last_name"""  # nosec B608
    return [(beds, [tomorrow, today, pk, *params]), (children, [today] * 4 + [pk])]


# -- fidelity ---------------------------------------------------------------------------------

# The months of a period, each with the days its figures need (fidelity.Month): the first and
# last day, the first of the next, its quarter's first day and the end (exclusive) of the nights
# that count (tonight's included). Parameters: tomorrow, the first month, the last month.
MONTHS = """
    SELECT first::date AS first, (first + interval '1 month' - interval '1 day')::date AS last,
           (first + interval '1 month')::date AS next,
           date_trunc('quarter', first)::date AS quarter,
           least(first + interval '1 month', %s)::date AS until
      FROM generate_series(%s::timestamp, %s::timestamp, interval '1 month') AS first"""

# The figures of each constellation ``c`` in each month ``m`` (the definitions are in the doc of
# constellations.fidelity.selectors): one row per constellation and month.
FIGURES = """
    (SELECT count(DISTINCT ms.family_id) FROM constellations_membership ms
      WHERE ms.constellation_id = c.id
        AND ms.joined_on <= m.last AND (ms.left_on IS NULL OR ms.left_on >= m.first)) AS members,
    (SELECT count(*) FROM constellations_gathering g
      WHERE g.constellation_id = c.id AND g.date BETWEEN m.first AND m.last) AS gatherings,
    (SELECT count(DISTINCT fp.family_id) FROM constellations_gathering g
       JOIN constellations_attendance a ON a.gathering_id = g.id AND a.who = 'foster_parent'
       JOIN placements_fosterparent fp ON fp.id = a.foster_parent_id
      WHERE g.constellation_id = c.id AND g.date BETWEEN m.first AND m.last
        AND EXISTS (SELECT 1 FROM constellations_membership ms
                     WHERE ms.family_id = fp.family_id AND ms.constellation_id = c.id
                       AND ms.joined_on <= g.date AND (ms.left_on IS NULL OR ms.left_on >= g.date))
    ) AS households,
    n.planned, n.unplanned,
    (SELECT count(*) FROM constellations_bed b JOIN constellations_hubhome h ON h.id = b.hub_id
      WHERE h.constellation_id = c.id
        AND (b.active OR EXISTS (SELECT 1 FROM constellations_respitestay s
                                  WHERE s.bed_id = b.id
                                    AND s.status IN ('requested', 'confirmed', 'completed')
                                    AND s.arrival < m.next AND s.departure > m.first))) AS beds,
    (SELECT count(*) FROM constellations_supportcontact sc
      WHERE sc.constellation_id = c.id AND sc.date BETWEEN m.first AND m.last) AS contacts,
    (SELECT count(DISTINCT ms.family_id) FROM constellations_membership ms
      WHERE ms.constellation_id = c.id
        AND ms.joined_on <= m.last AND (ms.left_on IS NULL OR ms.left_on >= m.quarter)
    ) AS quarter_members,
    n.quarter_sleepovers"""

# The nights of the stays in month ``m`` (planned, unplanned), and the families with a night in
# its quarter up to its end: joined LATERAL to each constellation and month.
NIGHTS = """
    LEFT JOIN LATERAL (
        SELECT coalesce(sum(least(s.departure, m.until) - greatest(s.arrival, m.first))
                        FILTER (WHERE s.planned AND s.arrival < m.until
                                  AND s.departure > m.first), 0) AS planned,
               coalesce(sum(least(s.departure, m.until) - greatest(s.arrival, m.first))
                        FILTER (WHERE NOT s.planned AND s.arrival < m.until
                                  AND s.departure > m.first), 0) AS unplanned,
               count(DISTINCT s.family_id) AS quarter_sleepovers
          FROM constellations_respitestay s
         WHERE s.constellation_id = c.id AND s.status IN ('requested', 'confirmed', 'completed')
           AND s.arrival < m.until AND s.departure > m.quarter) n ON true"""


def _last_gathering(as_of: dt.date) -> Statement:
    return (
        """(SELECT max(g.date) FROM constellations_gathering g
             WHERE g.constellation_id = c.id AND g.date <= %s)""",
        [as_of],
    )


def fidelity_list_floor(user: User) -> list[Statement]:
    """Modeltrouw: the first page of the constellations the user sees, by name, each with this
    month's figures, the gatherings of the month before (a month without one falls short) and
    the day of the last gathering; and how many constellations there are in all. One statement."""
    today = timezone.localdate()
    month = fidelity.first_of_month(today)
    before = fidelity.add_months(month, -1)
    visible, params = visible_sql(user, today)
    last_gathering, last_params = _last_gathering(today)
    sql = f"""
        WITH page AS (
            SELECT c.*, count(*) OVER () AS total FROM constellations_constellation c
             WHERE {visible} ORDER BY c.name, c.id LIMIT %s),
        m AS ({MONTHS})
        SELECT c.id, c.name, c.status, c.start_date, c.total, m.first, {FIGURES},
               (SELECT count(*) FROM constellations_gathering g
                 WHERE g.constellation_id = c.id AND g.date BETWEEN %s AND %s) AS gatherings_before,
               {last_gathering} AS last_gathering
          FROM page c CROSS JOIN m {NIGHTS}
         ORDER BY c.name, c.id"""  # nosec B608
    tomorrow = today + dt.timedelta(days=1)
    return [
        (
            sql,
            [
                *params,
                fidelity_views.PAGE_SIZE,
                tomorrow,
                month,
                month,
                before,
                month - dt.timedelta(days=1),
                *last_params,
            ],
        )
    ]


def fidelity_detail_floor(user: User) -> list[Statement]:
    """Modeltrouw of one constellation, the last 12 months: the constellation (if the user sees
    it) with the day of its last gathering, then its figures per month (the chart's nights are
    the same figures). Two statements."""
    today = timezone.localdate()
    this_month = fidelity.first_of_month(today)
    first = fidelity.add_months(this_month, -(fidelity.DEFAULT_MONTHS - 1))
    pk = first_constellation(user).pk
    visible, params = visible_sql(user, today)
    last_gathering, last_params = _last_gathering(today)
    constellation = f"""
        SELECT c.id, c.name, c.status, c.start_date, {last_gathering} AS last_gathering
          FROM constellations_constellation c
         WHERE c.id = %s AND {visible}"""  # nosec B608
    months = f"""
        WITH m AS ({MONTHS})
        SELECT m.first, {FIGURES}
          FROM constellations_constellation c CROSS JOIN m {NIGHTS}
         WHERE c.id = %s ORDER BY m.first"""  # nosec B608
    return [
        (constellation, [*last_params, pk, *params]),
        (months, [today + dt.timedelta(days=1), first, this_month, pk]),
    ]


register_page("Constellations (liaison)", "begeleider", "/constellaties/", floor=list_floor)
register_page("Constellation page (liaison)", "begeleider", own(), floor=page_floor)
register_page("Constellation page (hub-home parent)", "hubhome", own(), floor=page_floor)
register_page("Calendar, week", "hubhome", own("kalender/"), floor=calendar_floor(month=False))
register_page(
    "Calendar, month",
    "hubhome",
    own("kalender/?weergave=maand"),
    floor=calendar_floor(month=True),
)
register_page("Log a stay", "hubhome", own("logeren/nieuw/"), floor=stay_floor)
register_page(
    "Fidelity (liaison)", "begeleider", FIDELITY, kind="dashboard", floor=fidelity_list_floor
)
register_page(
    "Fidelity (team lead)", "teamleider", FIDELITY, kind="dashboard", floor=fidelity_list_floor
)
register_page(
    "Fidelity, one constellation",
    "begeleider",
    own("modeltrouw/"),
    kind="dashboard",
    floor=fidelity_detail_floor,
)
for _label, _username in [("team lead", "teamleider"), ("all regions", "beheer")]:
    # Kept or computed afresh, the floor is the same: computing the figures from the tables.
    register_page(
        f"Outcomes ({_label})",
        _username,
        "/uitkomsten/",
        kind="dashboard",
        floor=outcomes.statements,
    )
    register_page(
        f"Outcomes ({_label}), computed afresh",
        _username,
        "/uitkomsten/",
        kind="dashboard",
        fresh=True,
        floor=outcomes.statements,
    )
register_count("constellations", lambda: Constellation.objects.count())
register_count("respite stays", lambda: RespiteStay.objects.count())


# -- what this app adds to other apps' pages, in their floors (pleegzorg.bench) --------------


def hub_home_start_floor(user) -> list[Statement]:
    """A hub-home parent's start page: their constellations, by name (menu.hub_home_actions)."""
    if not user.is_hub_home_parent:
        return []
    sql = """
        SELECT c.id, c.name FROM constellations_constellation c
          JOIN constellations_hubhome h ON h.constellation_id = c.id
          JOIN constellations_hubhome_parents hp ON hp.hubhome_id = h.id
         WHERE hp.user_id = %s ORDER BY c.name"""
    return [(sql, [user.pk])]


def child_stays_floor(user) -> list[Statement]:
    """The child file's "Respite stays" panel (panels.child_stays_panel): the child's last 20
    stays, with the constellation and the bed."""
    sql = """
        SELECT s.arrival, s.departure, s.planned, s.reason, s.status, c.name, b.name
          FROM constellations_respitestay s
          JOIN constellations_constellation c ON c.id = s.constellation_id
          JOIN constellations_bed b ON b.id = s.bed_id
         WHERE s.child_id = %s ORDER BY s.arrival DESC LIMIT 20"""
    return [(sql, [first_placement(user).child_id])]


register_floor_part("Start page (hub-home parent)", hub_home_start_floor)
register_floor_part("Child file", child_stays_floor)
