"""The outcome monitor's floor (``pleegzorg.bench``): every figure the page shows, for the
regions the user may see, the default period and the 24 months of its trend, by hand-written
SQL, in two statements: the regions of the filter, and the figures.

Written apart from the selectors, on purpose, so that the test holding them equal
(tests/constellations/test_outcome_floor.py) checks one formulation against another. The
figures take three forms of counting, each linear in the rows:

- **events** (endings, crisis starts, moves, stops): grouped by the day they happened and
  their side (inside: the family was a member that day), then summed into each window;
- **days** (care-days, placements active on a window's last day, part-time among them): a
  running sum over the days of the span of +1 where a stretch of care starts and -1 the day
  after it ends: the placement's own days (all), and its days in a membership of its family
  (inside; a family's memberships never overlap, so no day counts twice). A window's
  care-days are the sum over its days, its active placements the value on its last day;
- **children** with 3 or more placements in the 12 months up to each window's end: a child
  with one placement in all those months counted by the same running sums (running on the
  last day and a member then, or ended within the months and a member on its last day); the
  few with more per child, with conditional aggregates per window (the one part whose text
  depends on the number of windows: :func:`figures_sql`).

Every row the statement returns is ``(measure, window, side, value)``; :func:`figures` reads
them into the dictionary of :meth:`constellations.outcomes.report.Report.figures`.
"""

from __future__ import annotations

import functools

from django.utils import timezone

from constellations.outcomes import selectors
from placements.models import FosterFamily
from pleegzorg.bench import Statement
from pleegzorg.models import User

REGIONS = """
    SELECT r.id, r.name FROM pleegzorg_region r
     WHERE %(manager)s
        OR (%(lead)s AND EXISTS (SELECT 1 FROM pleegzorg_team t
                                  WHERE t.region_id = r.id AND t.lead_id = %(user)s))
     ORDER BY r.name"""


def _member(alias: str, family: str, on: str) -> str:
    """A join to the family's membership (of any constellation) on the day ``on``: at most one
    row, since a family's memberships never overlap; ``alias``.id is NULL when it had none.
    Joined, not looked up per row (an EXISTS per row costs some 10 µs, times 100,000 rows)."""
    return (
        f"LEFT JOIN memberships {alias} ON {alias}.family_id = {family} "
        f"AND {alias}.joined_on <= {on} AND {alias}.left_on >= {on}"
    )


def _side(alias: str) -> str:
    return f"CASE WHEN {alias}.id IS NULL THEN 'out' ELSE 'in' END"


# Every part below is a fixed text (no value of a user in it); the values are parameters
# (S608 and B608 below: no string from outside is formatted into the SQL).
FIGURES_TEMPLATE = f"""
WITH
w (name, a, b) AS (
    SELECT * FROM unnest(%(names)s::text[], %(firsts)s::date[], %(lasts)s::date[])),
span AS (SELECT min(a) AS a, max(b) AS b FROM w),
-- the crisis starts also in this quarter and the same days a year earlier
cw (name, a, b) AS (
    SELECT * FROM w UNION ALL
    SELECT * FROM unnest(ARRAY['this', 'last'], %(quarter_firsts)s::date[],
                         %(quarter_lasts)s::date[])),
-- the 12 months up to each window's end (children)
y (name, a, b) AS (
    SELECT * FROM unnest(%(names)s::text[], %(year_firsts)s::date[], %(lasts)s::date[])),
yspan AS (SELECT min(a) AS a, max(b) AS b FROM y),
scope AS (
    SELECT r.id FROM pleegzorg_region r
     WHERE %(manager)s
        OR (%(lead)s AND EXISTS (SELECT 1 FROM pleegzorg_team t
                                  WHERE t.region_id = r.id AND t.lead_id = %(user)s))),
-- the regions' placements: their caseworker works in a team of one of them (read once; where
-- the planner needs the placements' statistics, the statement reads the table itself)
caseworkers AS MATERIALIZED (
    SELECT u.id FROM pleegzorg_user u JOIN pleegzorg_team t ON t.id = u.team_id
     WHERE t.region_id IN (SELECT id FROM scope)),
rp AS MATERIALIZED (
    SELECT p.id, p.child_id, p.family_id, p.kind, p.start_date, p.end_date, p.end_reason
      FROM placements_placement p WHERE p.caseworker_id IN (SELECT id FROM caseworkers)),
-- every membership, open-ended ones until infinity; a table without indexes, so that
-- PostgreSQL hashes it once for each join instead of looking it up per row
memberships AS MATERIALIZED (
    SELECT id, family_id, joined_on, coalesce(left_on, 'infinity') AS left_on
      FROM constellations_membership),

-- events, by day and side
ended AS (
    SELECT p.end_date AS d, {_side("m")} AS side,
           count(*) AS n, count(*) FILTER (WHERE p.end_reason = 'premature') AS premature
      FROM rp p {_member("m", "p.family_id", "p.end_date")}, span
     WHERE p.end_date BETWEEN span.a AND span.b GROUP BY 1, 2),
crisis AS (
    SELECT p.start_date AS d, {_side("m")} AS side, count(*) AS n
      FROM rp p {_member("m", "p.family_id", "p.start_date")} WHERE p.kind = 'crisis'
       AND p.start_date BETWEEN (SELECT min(a) FROM cw) AND (SELECT max(b) FROM cw)
     GROUP BY 1, 2),
-- a move: a non-respite placement of the regions that started in the span, after a
-- non-respite placement of the same child that ended to another family or prematurely;
-- on the side of the family the child left, on the day it left
moved AS (
    SELECT n.start_date AS d, {_side("m")} AS side, count(*) AS n
      FROM (SELECT p.family_id, p.end_date, p.end_reason,
                   lead(p.id) OVER (PARTITION BY p.child_id ORDER BY p.start_date, p.id) AS next
              FROM placements_placement p, span
             WHERE p.kind <> 'respite' AND p.start_date <= span.b
               AND p.child_id IN (SELECT child_id FROM rp, span WHERE rp.kind <> 'respite'
                                     AND rp.start_date BETWEEN span.a AND span.b)) q
      JOIN rp n ON n.id = q.next {_member("m", "q.family_id", "q.end_date")}, span
     WHERE q.end_reason IN ('other_family', 'premature')
       AND n.start_date BETWEEN span.a AND span.b
     GROUP BY 1, 2),

-- days: stretches of care (all of a placement's days in the span, and those in a membership)
stretches AS (
    SELECT greatest(p.start_date, span.a) AS f, least(coalesce(p.end_date, span.b), span.b) AS u,
           p.kind IN ('part_time', 'respite') AS part, false AS inside
      FROM rp p, span WHERE p.start_date <= span.b AND (p.end_date IS NULL OR p.end_date >= span.a)
    UNION ALL
    SELECT greatest(p.start_date, m.joined_on, span.a),
           least(coalesce(p.end_date, span.b), m.left_on, span.b),
           p.kind IN ('part_time', 'respite'), true
      FROM rp p JOIN memberships m ON m.family_id = p.family_id, span
     WHERE p.start_date <= span.b AND (p.end_date IS NULL OR p.end_date >= span.a)
       AND m.joined_on <= least(coalesce(p.end_date, span.b), span.b)
       AND m.left_on >= greatest(p.start_date, span.a)),
steps AS (
    SELECT d, sum(k) FILTER (WHERE NOT inside) AS all_,
           sum(k) FILTER (WHERE NOT inside AND part) AS all_part,
           sum(k) FILTER (WHERE inside) AS in_, sum(k) FILTER (WHERE inside AND part) AS in_part
      FROM (SELECT f AS d, 1 AS k, part, inside FROM stretches
            UNION ALL SELECT u + 1, -1, part, inside FROM stretches) s
     GROUP BY d),
daily AS (
    SELECT g.d::date AS d,
           sum(coalesce(s.all_, 0)) OVER o AS all_, sum(coalesce(s.all_part, 0)) OVER o AS all_part,
           sum(coalesce(s.in_, 0)) OVER o AS in_, sum(coalesce(s.in_part, 0)) OVER o AS in_part
      FROM span, generate_series(span.a, span.b, interval '1 day') g (d)
      LEFT JOIN steps s ON s.d = g.d::date
    WINDOW o AS (ORDER BY g.d)),

-- children: non-respite placements in the 12-month spans, of the regions' children
counted AS MATERIALIZED (
    SELECT p.id, p.child_id, p.family_id, p.start_date, p.end_date,
           p.caseworker_id IN (SELECT id FROM caseworkers) AS ours,
           (p.start_date - date '1900-01-01')::bigint * 2147483648 + p.id AS latest
      FROM placements_placement p, yspan
     WHERE p.kind <> 'respite' AND p.start_date <= yspan.b
       AND (p.end_date IS NULL OR p.end_date >= yspan.a)
       AND p.child_id IN (SELECT q.child_id FROM placements_placement q
                           WHERE q.caseworker_id IN (SELECT id FROM caseworkers))),
several_children AS (SELECT child_id FROM counted GROUP BY child_id HAVING count(*) > 1),
singles AS MATERIALIZED (
    SELECT c.family_id, c.start_date, c.end_date, coalesce(c.end_date, 'infinity') AS until
      FROM counted c WHERE c.ours AND c.child_id NOT IN (SELECT child_id FROM several_children)),
-- a child with one placement in all the months: the regions' placement alone decides
single_steps AS (
    SELECT d, sum(starts) AS starts, sum(ends) AS ends, sum(ends_in) AS ends_in, sum(k) AS k
      FROM (SELECT c.start_date AS d, 1 AS starts, 0 AS ends, 0 AS ends_in, 0 AS k
              FROM singles c
            UNION ALL
            SELECT c.end_date, 0, 1, CASE WHEN m.id IS NULL THEN 0 ELSE 1 END, 0
              FROM singles c {_member("m", "c.family_id", "c.end_date")}
             WHERE c.end_date IS NOT NULL
            -- its days in a membership: +1 from the first, -1 after the last
            UNION ALL
            SELECT greatest(c.start_date, m.joined_on), 0, 0, 0, 1
              FROM singles c JOIN memberships m ON m.family_id = c.family_id
             WHERE m.joined_on <= c.until AND m.left_on >= c.start_date
            UNION ALL
            SELECT least(c.until, m.left_on) + 1, 0, 0, 0, -1
              FROM singles c JOIN memberships m ON m.family_id = c.family_id
             WHERE m.joined_on <= c.until AND m.left_on >= c.start_date
               AND least(c.until, m.left_on) < 'infinity') s
     GROUP BY d),
single AS (
    SELECT y.name,
           -- (a sum over no rows is NULL, not 0)
           coalesce(sum(s.starts) FILTER (WHERE s.d <= y.b), 0)
             - coalesce(sum(s.ends) FILTER (WHERE s.d < y.a), 0) AS children,
           coalesce(sum(s.k) FILTER (WHERE s.d <= y.b), 0)
             + coalesce(sum(s.ends_in) FILTER (WHERE s.d >= y.a AND s.d < y.b), 0) AS inside
      FROM y LEFT JOIN single_steps s ON true GROUP BY y.name),
-- the others per child, with per window (the columns of figures_sql): how many, whether one
-- was of the regions, and the latest (the greatest start, then id: as one number, days x 2^31
-- + id, ids stay below 2^31) times 2 plus whether its family was a member on its last day in
-- the months; joined to every membership of the family (count the placements, not the rows)
several AS (
    SELECT c.child_id, {{several}}
      FROM counted c LEFT JOIN memberships m ON m.family_id = c.family_id
     WHERE c.child_id IN (SELECT child_id FROM several_children)
     GROUP BY c.child_id),
several_totals AS (SELECT {{several_totals}} FROM several),
several_per_window AS (
    SELECT x.* FROM several_totals t,
           LATERAL (VALUES {{several_values}}) x (name, inside, outside, many_in, many_out)),

-- foster families of the regions: placed there, or a member of one of their constellations
fam AS (
    SELECT f.id, f.stop_reason FROM placements_fosterfamily f
     WHERE f.id IN (SELECT family_id FROM rp)
        OR f.id IN (SELECT m.family_id FROM constellations_membership m
                      JOIN constellations_constellation k ON k.id = m.constellation_id
                     WHERE k.region_id IN (SELECT id FROM scope))),
at_start AS (
    SELECT f.id, {_side("m")} AS side
      FROM fam f {_member("m", "f.id", "%(period_first)s::date")}
      JOIN (SELECT DISTINCT ON (family_id) family_id, status
              FROM placements_fosterfamilystatuschange WHERE changed_on <= %(period_first)s
             ORDER BY family_id, changed_on DESC, id DESC) latest
        ON latest.family_id = f.id AND latest.status = 'active'),
stops AS (
    SELECT s.family_id, s.changed_on AS d, f.stop_reason,
           {_side("m")} AS side,
           s.changed_on BETWEEN %(period_first)s AND %(period_last)s
             AND s.family_id IN (SELECT id FROM at_start) AS of_period
      FROM placements_fosterfamilystatuschange s JOIN fam f ON f.id = s.family_id
      {_member("m", "s.family_id", "s.changed_on")}, span
     WHERE s.status = 'stopped' AND s.changed_on BETWEEN span.a AND span.b)

SELECT 'ended', w.name, e.side, sum(e.n)
  FROM w JOIN ended e ON e.d BETWEEN w.a AND w.b GROUP BY 2, 3
UNION ALL
SELECT 'premature', w.name, e.side, sum(e.premature)
  FROM w JOIN ended e ON e.d BETWEEN w.a AND w.b GROUP BY 2, 3
UNION ALL
SELECT 'crisis', cw.name, c.side, sum(c.n)
  FROM cw JOIN crisis c ON c.d BETWEEN cw.a AND cw.b GROUP BY 2, 3
UNION ALL
SELECT 'moves', w.name, m.side, sum(m.n)
  FROM w JOIN moved m ON m.d BETWEEN w.a AND w.b GROUP BY 2, 3
UNION ALL
SELECT x.measure, x.name, x.side, x.value
  FROM (SELECT w.name, sum(d.in_) AS in_days, sum(d.all_) - sum(d.in_) AS out_days
          FROM w JOIN daily d ON d.d BETWEEN w.a AND w.b GROUP BY w.name) t,
       LATERAL (VALUES ('days', t.name, 'in', t.in_days), ('days', t.name, 'out', t.out_days))
               x (measure, name, side, value)
UNION ALL
SELECT x.measure, w.name, x.side, x.value
  FROM w JOIN daily d ON d.d = w.b,
       LATERAL (VALUES ('active', 'in', d.in_), ('active', 'out', d.all_ - d.in_),
                       ('part_time', 'in', d.in_part), ('part_time', 'out', d.all_part - d.in_part))
               x (measure, side, value)
UNION ALL
SELECT x.measure, x.name, x.side, x.value
  FROM (SELECT s.name, coalesce(s.children, 0) AS children, coalesce(s.inside, 0) AS inside,
               coalesce(v.inside, 0) AS v_in, coalesce(v.outside, 0) AS v_out,
               coalesce(v.many_in, 0) AS many_in, coalesce(v.many_out, 0) AS many_out
          FROM single s LEFT JOIN several_per_window v ON v.name = s.name) t,
       LATERAL (VALUES ('children', t.name, 'in', t.inside + t.v_in),
                       ('children', t.name, 'out', t.children - t.inside + t.v_out),
                       ('many', t.name, 'in', t.many_in), ('many', t.name, 'out', t.many_out))
               x (measure, name, side, value)
UNION ALL
SELECT 'families_active', 'p', side, count(*) FROM at_start GROUP BY 3
UNION ALL
SELECT 'families_stopped', 'p', side, count(DISTINCT family_id)
  FROM stops WHERE of_period GROUP BY 3
UNION ALL
SELECT 'reason_' || stop_reason, 'p', side, count(DISTINCT family_id) FROM stops
 WHERE of_period AND stop_reason = ANY(%(reasons)s) GROUP BY 1, 3
UNION ALL
SELECT 'stops', w.name, s.side, count(*)
  FROM w JOIN stops s ON s.d BETWEEN w.a AND w.b GROUP BY 2, 3
UNION ALL
SELECT 'nights', w.name, 'in',
       sum(greatest(0, least(s.departure, w.b + 1) - greatest(s.arrival, w.a)))
  FROM constellations_respitestay s
  JOIN constellations_constellation k ON k.id = s.constellation_id
  JOIN w ON s.arrival <= w.b AND s.departure > w.a
 WHERE k.region_id IN (SELECT id FROM scope) AND s.status IN ('confirmed', 'completed')
 GROUP BY 2
UNION ALL
SELECT 'members', w.name, 'in', count(DISTINCT m.family_id)
  FROM constellations_membership m
  JOIN constellations_constellation k ON k.id = m.constellation_id
  JOIN w ON m.joined_on <= w.b AND (m.left_on IS NULL OR m.left_on >= w.a)
 WHERE k.region_id IN (SELECT id FROM scope)
 GROUP BY 2
"""  # noqa: S608  # nosec B608


@functools.cache
def figures_sql(windows: int) -> str:
    """:data:`FIGURES_TEMPLATE` for this many windows: the per-child columns of the children
    with several placements, one set per window (a fixed text for a number of windows)."""
    several, totals, values = [], [], []
    for i in range(windows):
        overlaps = f"c.start_date <= %(b{i})s AND (c.end_date IS NULL OR c.end_date >= %(ya{i})s)"
        on = f"least(coalesce(c.end_date, %(b{i})s), %(b{i})s)"
        member = f"CASE WHEN m.joined_on <= {on} AND m.left_on >= {on} THEN 1 ELSE 0 END"
        several.append(
            f"count(DISTINCT c.id) FILTER (WHERE {overlaps}) AS n{i}, "
            f"bool_or(c.ours) FILTER (WHERE {overlaps}) AS r{i}, "
            f"max(c.latest * 2 + {member}) FILTER (WHERE {overlaps}) AS l{i}"
        )
        totals.append(
            f"count(*) FILTER (WHERE r{i} AND l{i} %% 2 = 1) AS in{i}, "
            f"count(*) FILTER (WHERE r{i} AND l{i} %% 2 = 0) AS out{i}, "
            f"count(*) FILTER (WHERE r{i} AND n{i} >= 3 AND l{i} %% 2 = 1) AS many_in{i}, "
            f"count(*) FILTER (WHERE r{i} AND n{i} >= 3 AND l{i} %% 2 = 0) AS many_out{i}"
        )
        values.append(
            f"((%(names)s::text[])[{i + 1}], t.in{i}, t.out{i}, t.many_in{i}, t.many_out{i})"
        )
    return FIGURES_TEMPLATE.format(
        several=",\n           ".join(several),
        several_totals=", ".join(totals),
        several_values=", ".join(values),
    )


def parameters(user: User, period: selectors.Period) -> dict:
    """The parameters of both statements for ``user`` and ``period``: the page's windows."""
    windows = {"p": (period.start, period.end)}
    windows.update({f"m{i}": month for i, month in enumerate(selectors.trend_months(period.end))})
    this, last_year = selectors.quarter_of(period.end)
    names = list(windows)
    lasts = [b for _a, b in windows.values()]
    years = [selectors.Period.last_year_until(b) for b in lasts]
    return {
        **{f"b{i}": year.end for i, year in enumerate(years)},
        **{f"ya{i}": year.start for i, year in enumerate(years)},
        "user": user.pk,
        "manager": user.is_app_manager,
        "lead": user.is_team_lead,
        "names": names,
        "firsts": [a for a, _b in windows.values()],
        "lasts": lasts,
        "year_firsts": [selectors.Period.last_year_until(b).start for b in lasts],
        "quarter_firsts": [this.start, last_year.start],
        "quarter_lasts": [this.end, last_year.end],
        "period_first": period.start,
        "period_last": period.end,
        "reasons": list(FosterFamily.StopReason.values),
    }


def statements(user: User, period: selectors.Period | None = None) -> list[Statement]:
    """The floor of the outcome monitor as ``user`` opens it (the default period: the 12
    months up to today)."""
    period = period or selectors.Period.last_year_until(timezone.localdate())
    params = parameters(user, period)
    return [(REGIONS, params), (figures_sql(len(params["names"])), params)]


def figures(rows) -> dict[tuple[str, str, str], int]:
    """The rows of :func:`figures_sql` as ``{(measure, window, side): value}``, zeros left out."""
    return {
        (measure, window, side): int(value)
        for measure, window, side, value in rows
        if value  # an empty sum is NULL
    }


def run(user: User, period: selectors.Period) -> dict:
    """The floor's figures for ``user`` and ``period`` (for the test holding them equal)."""
    from django.db import connection

    _regions, (sql, params) = statements(user, period)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return figures(cursor.fetchall())
