"""The outcome monitor as a reader sees it: the figures of the selectors turned into tables of
text (suppressed and with intervals, by ``pleegzorg.stats``), charts and CSV rows.

Only counts leave this module, never a name: the selectors aggregate, and nothing here reads a
row of a child or a family.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from constellations.outcomes import selectors
from constellations.outcomes.selectors import SIDES, Period
from placements.models import FosterFamily
from pleegzorg import generations
from pleegzorg.charts import Chart, line_chart
from pleegzorg.stats import SMALLEST_DENOMINATOR, Proportion, count_text, is_too_small


def rate_text(events: int, days: int) -> str:
    """Events per 1,000 care-days as shown: "—" without days, "te weinig" for 1-4 events."""
    if not days:
        return "—"
    if is_too_small(events):
        return _("too few")
    if days < SMALLEST_DENOMINATOR:
        return _("too few to compare")
    return number_format(events * 1000 / days, decimal_pos=2)


def rate_value(events: int, days: int) -> float | None:
    """The rate for a chart: nothing where the table says "—" or "te weinig"."""
    if not days or is_too_small(events):
        return None
    return round(events * 1000 / days, 2)


def percent_value(proportion: Proportion) -> float | None:
    if proportion.denominator == 0 or proportion.suppressed:
        return None
    return round(proportion.value * 100, 1)


def count_value(count: int) -> int | None:
    return None if is_too_small(count) else count


@dataclass
class Cell:
    text: str
    numerator: str = ""
    denominator: str = ""


@dataclass
class Row:
    label: str
    inside: Cell
    outside: Cell


@dataclass
class Trend:
    slug: str
    title: str
    unit: str
    chart: Chart
    months: list[tuple[str, str, str]] = field(default_factory=list)  # label, inside, outside


def proportion_cell(numerator: int, denominator: int) -> Cell:
    # A stop is counted on its day, the families active at the start by their membership then:
    # a family that joined in between can make a group's stops outnumber its start (rare); the
    # proportion then stays at most 1 so that its interval exists.
    proportion = Proportion(min(numerator, denominator), denominator)
    return Cell(proportion.percent_text(), count_text(numerator), count_text(denominator))


def rate_cell(events: int, days: int) -> Cell:
    return Cell(rate_text(events, days), count_text(events), count_text(days))


@dataclass
class Report:
    period: Period
    rows: list[Row]
    reasons: list[tuple[str, str, str]]
    crisis: dict
    trends: list[Trend]
    empty: bool
    # Every number behind the texts, as {(measure, window, side): count}, zeros left out: what
    # the page's floor (constellations.outcomes.floor) computes by hand, held equal by a test.
    figures: dict[tuple[str, str, str], int] = field(default_factory=dict)


def _windows(period: Period) -> tuple[dict, list[tuple[dt.date, dt.date]]]:
    months = selectors.trend_months(period.end)
    windows = {"p": (period.start, period.end)}
    windows.update({f"m{i}": month for i, month in enumerate(months)})
    return windows, months


def outcome_report(regions: Iterable[int], period: Period) -> Report:
    """Every figure of the monitor for ``regions`` and ``period``, in a fixed number of queries
    (the trend's 24 months inside the same queries): one over the placements for endings,
    care-days, crisis and placements in use, one for moves, one for what counts inside per day,
    two for the children, two for the families and their stops (per month too), one each for
    the respite nights and the member families.

    Their results are kept for as long as the tables they read stay as they were
    (``pleegzorg.generations``): one more query reads the tables' generations, and when nothing
    changed since the last time these figures were asked for, the database is not asked again."""
    with generations.snapshot():
        return _outcome_report(list(regions), period)


def _outcome_report(regions: list[int], period: Period) -> Report:
    windows, months = _windows(period)
    endings, total_days, crisis = selectors.placement_measures(
        regions,
        windows,
        [
            selectors.endings_measure(windows),
            selectors.care_days_measure(windows),
            selectors.crisis_and_part_time_measure(period.end, windows),
        ],
    )
    moves = selectors.moves(regions, windows)
    inside = selectors.care_days(regions, windows, {"days": total_days, **crisis})
    days = inside["days"]
    children = selectors.children_with_many_placements(regions, windows)
    families = selectors.family_stops(regions, period, windows)
    stops = families["per_window"]
    nights = selectors.respite_nights(regions, windows)
    members = selectors.member_families(regions, windows)

    def row(label: str, cell) -> Row:
        return Row(label, cell("in"), cell("out"))

    e, d, m, c = endings["p"], days["p"], moves["p"], children["p"]
    active, part_time = inside["active"], inside["part_time"]
    rows = [
        row(
            _("Unplanned endings (of the placements that ended)"),
            lambda s: proportion_cell(e["premature"][s], e["ended"][s]),
        ),
        row(
            _("Unplanned endings per 1,000 care-days"),
            lambda s: rate_cell(e["premature"][s], d[s]),
        ),
        row(_("Moves per 1,000 care-days"), lambda s: rate_cell(m[s], d[s])),
        row(
            _("Children with 3 or more placements in the 12 months up to the end of the period"),
            lambda s: proportion_cell(c["many"][s], c["children"][s]),
        ),
        row(
            _("Foster families that stopped (of those active at the start)"),
            lambda s: proportion_cell(families["stopped"][s], families["active"][s]),
        ),
        Row(
            _("Respite nights per member family"),
            Cell(
                _per_family(nights["p"], members["p"]),
                count_text(nights["p"]),
                count_text(members["p"]),
            ),
            Cell("—"),
        ),
        row(
            _("Part-time care (part-time, weekend, respite) in use on the last day"),
            lambda s: proportion_cell(part_time["p"][s], active["p"][s]),
        ),
    ]
    reasons = [
        (
            str(FosterFamily.StopReason(reason).label),
            count_text(counts["in"]),
            count_text(counts["out"]),
        )
        for reason, counts in families["reasons"].items()
        if counts["in"] or counts["out"]
    ]
    empty = not (sum(d.values()) or sum(e["ended"].values()) or sum(families["active"].values()))
    return Report(
        period=period,
        rows=rows,
        reasons=reasons,
        crisis=_crisis_summary(crisis),
        trends=_trends(
            months, endings, days, moves, children, stops, nights, members, crisis, inside
        ),
        empty=empty and not nights["p"],
        figures=_figures(
            endings, days, moves, children, families, stops, nights, members, crisis, inside
        ),
    )


def _figures(
    endings, days, moves, children, families, stops, nights, members, crisis, per_day
) -> dict[tuple[str, str, str], int]:
    """The selectors' figures flat: ``{(measure, window, side): count}`` without the zeros."""
    found: dict[tuple[str, str, str], int] = {}

    def put(measure: str, per_window: dict, sides=SIDES) -> None:
        for window, values in per_window.items():
            for side in sides:
                found[(measure, window, side)] = values[side] if len(sides) == 2 else values

    put("ended", {k: v["ended"] for k, v in endings.items()})
    put("premature", {k: v["premature"] for k, v in endings.items()})
    put("days", days)
    put("moves", moves)
    put("children", {k: v["children"] for k, v in children.items()})
    put("many", {k: v["many"] for k, v in children.items()})
    put("active", per_day["active"])
    put("part_time", per_day["part_time"])
    put(
        "crisis", {**crisis["crisis"], "this": crisis["crisis_this"], "last": crisis["crisis_last"]}
    )
    put("stops", stops)
    put("nights", nights, sides=("in",))
    put("members", members, sides=("in",))
    put("families_active", {"p": families["active"]})
    put("families_stopped", {"p": families["stopped"]})
    for reason, counts in families["reasons"].items():
        put(f"reason_{reason}", {"p": counts})
    return {key: value for key, value in found.items() if value}


def _per_family(nights: int, members: int) -> str:
    if not members:
        return "—"
    if is_too_small(members):
        return _("too few")
    return number_format(nights / members, decimal_pos=1)


def _crisis_summary(crisis: dict) -> dict:
    this = sum(crisis["crisis_this"].values())
    last = sum(crisis["crisis_last"].values())
    return {
        "quarter": crisis["quarter"],
        "quarter_last_year": crisis["quarter_last_year"],
        "rows": [
            (label, count_text(now), count_text(before))
            for label, now, before in (
                (
                    _("Inside a constellation"),
                    crisis["crisis_this"]["in"],
                    crisis["crisis_last"]["in"],
                ),
                (_("Outside"), crisis["crisis_this"]["out"], crisis["crisis_last"]["out"]),
                (_("Together"), this, last),
            )
        ],
        "this": count_text(this),
        "last": count_text(last),
        # An aim from a count too small to show would show it: then no aim is said.
        "aim": "—" if is_too_small(last) or not last else count_text(round(last * 0.75)),
        "met": None if is_too_small(last) or not last else this <= last * 0.75,
    }


def _trends(
    months, endings, days, moves, children, stops, nights, members, crisis, per_day
) -> list[Trend]:
    labels = [date_format(first, "b Y") for first, _last in months]
    keys = [f"m{i}" for i in range(len(months))]
    inside, outside = _("Inside a constellation"), _("Outside")

    def trend(slug, title, unit, value, text, sides=SIDES) -> Trend:
        series = {
            inside if side == "in" else outside: [value(k, side) for k in keys] for side in sides
        }
        if len(sides) == 2:
            alt = _(
                "Line chart: %(title)s per month, from %(first)s to %(last)s, inside and outside "
                "a constellation. The numbers are in the table beside the chart."
            )
        else:
            alt = _(
                "Line chart: %(title)s per month, from %(first)s to %(last)s, in the "
                "constellations. The numbers are in the table beside the chart."
            )
        alt %= {"title": title.lower(), "first": labels[0], "last": labels[-1]}
        chart = line_chart(title=f"{title} ({unit})", labels=labels, series=series, alt=alt)
        rows = [
            (label, text(k, "in"), text(k, "out") if "out" in sides else "—")
            for label, k in zip(labels, keys, strict=True)
        ]
        return Trend(slug, title, unit, chart, rows)

    def ended(k, s):
        return Proportion(endings[k]["premature"][s], endings[k]["ended"][s])

    def many(k, s):
        return Proportion(children[k]["many"][s], children[k]["children"][s])

    def part_time(k, s):
        return Proportion(per_day["part_time"][k][s], per_day["active"][k][s])

    return [
        trend(
            "voortijdig",
            _("Unplanned endings"),
            _("percentage of endings"),
            lambda k, s: percent_value(ended(k, s)),
            lambda k, s: (
                f"{count_text(ended(k, s).numerator)} / {count_text(ended(k, s).denominator)}"
            ),
        ),
        trend(
            "voortijdig-zorgdagen",
            _("Unplanned endings per 1,000 care-days"),
            _("per 1,000 care-days"),
            lambda k, s: rate_value(endings[k]["premature"][s], days[k][s]),
            lambda k, s: rate_text(endings[k]["premature"][s], days[k][s]),
        ),
        trend(
            "verhuizingen",
            _("Moves"),
            _("per 1,000 care-days"),
            lambda k, s: rate_value(moves[k][s], days[k][s]),
            lambda k, s: rate_text(moves[k][s], days[k][s]),
        ),
        trend(
            "drie-plaatsingen",
            _("Children with 3 or more placements in 12 months"),
            _("percentage of children"),
            lambda k, s: percent_value(many(k, s)),
            lambda k, s: (
                f"{count_text(many(k, s).numerator)} / {count_text(many(k, s).denominator)}"
            ),
        ),
        trend(
            "gestopt",
            _("Foster families that stopped"),
            _("number"),
            lambda k, s: count_value(stops[k][s]),
            lambda k, s: count_text(stops[k][s]),
        ),
        trend(
            "crisis",
            _("Crisis placements started"),
            _("number"),
            lambda k, s: count_value(crisis["crisis"][k][s]),
            lambda k, s: count_text(crisis["crisis"][k][s]),
        ),
        trend(
            "deeltijd",
            _("Part-time care in use on the last day"),
            _("percentage of placements"),
            lambda k, s: percent_value(part_time(k, s)),
            lambda k, s: (
                f"{count_text(part_time(k, s).numerator)} / "
                f"{count_text(part_time(k, s).denominator)}"
            ),
        ),
        trend(
            "logeren",
            _("Respite nights per member family"),
            _("nights"),
            lambda k, s: (
                None
                if is_too_small(members[k]) or not members[k]
                else round(nights[k] / members[k], 2)
            ),
            lambda k, s: _per_family(nights[k], members[k]),
            sides=("in",),
        ),
    ]


def csv_tables(report: Report, table: str) -> tuple[list[str], list[list]] | None:
    """The headers and rows of one of the page's tables for CSV; None for an unknown table."""
    inside, outside = _("Inside a constellation"), _("Outside")
    if table == "vergelijking":
        numerator, denominator = _("numerator"), _("denominator")
        headers = [_("Measure")]
        for group in (inside, outside):
            headers += [group, f"{group}: {numerator}", f"{group}: {denominator}"]
        rows = [
            [
                r.label,
                *(v for c in (r.inside, r.outside) for v in (c.text, c.numerator, c.denominator)),
            ]
            for r in report.rows
        ]
        return headers, rows
    if table == "redenen":
        return [_("Stop reason"), inside, outside], [list(r) for r in report.reasons]
    for trend in report.trends:
        if trend.slug == table:
            headers = [_("Month"), f"{inside} ({trend.unit})", f"{outside} ({trend.unit})"]
            return headers, [list(r) for r in trend.months]
    return None
