"""Fidelity figures of constellations per calendar month, every one computed in the database.

The months are a fixed list of dates built here (SQLite has no ``generate_series``); each figure
is ONE query for all constellations and all months at once, with a conditional aggregate per
month (``Count(..., filter=Q(...))``). So a page runs the same number of queries for one
constellation or a thousand.

Definitions (what the tests hold):

* **Member families in a month**: families that were a member on *any* day of the month
  (joined on or before its last day, not left before its first). A family that left on 10 March
  counts in March; one that joined on 20 March counts in March too.
* **Gatherings**: every gathering of any kind in the month (the same as the reminder
  ``no_gathering``). A month "has none" only when it is over.
* **Households present**: member families (a member on the gathering's day) of which at least one
  foster parent attended a gathering of the month, over the member families of the month.
* **Nights used**: the nights ``[arrival, departure)`` of stays that hold a bed (not cancelled)
  that fall in the month up to tonight; future nights are not "used" yet. **Capacity**: beds x
  those nights, the beds being the hub home's beds in use plus any bed that held a stay that
  month (beds have no history of their own).
* **Families with a sleepover this quarter**: member families of the quarter so far (a member on
  any day from the quarter's first day to the month's last) with a stay with a night in it.
* **Support contacts**: the contacts the hub home logged with member families in the month.
* **Days since the last gathering**: from the last gathering on or before the period's end.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.fields import BigIntegerField, DateField
from django.db.models.functions import Cast, Greatest, Least
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from constellations.models import (
    MAX_MEMBERS,
    MIN_MEMBERS,
    Attendance,
    Bed,
    Constellation,
    Gathering,
    Membership,
    RespiteStay,
    SupportContact,
)
from pleegzorg import compiled
from pleegzorg.charts import Chart, bar_chart
from pleegzorg.stats import Proportion
from pleegzorg.templatetags import fast_urls

DEFAULT_MONTHS = 12
MAX_MONTHS = 24


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def quarter_start(month: dt.date) -> dt.date:
    return dt.date(month.year, (month.month - 1) // 3 * 3 + 1, 1)


@dataclass(frozen=True)
class Month:
    """A calendar month, and the part of it that has been (up to and including ``today``)."""

    first: dt.date
    today: dt.date

    @property
    def next(self) -> dt.date:
        return add_months(self.first, 1)

    @property
    def last(self) -> dt.date:
        return self.next - dt.timedelta(days=1)

    @property
    def until(self) -> dt.date:
        """The end (exclusive) of the nights that count: the month's end, or after tonight."""
        return min(self.next, self.today + dt.timedelta(days=1))

    @property
    def nights(self) -> int:
        return max(0, (self.until - self.first).days)

    @property
    def over(self) -> bool:
        return self.last < self.today

    @property
    def quarter(self) -> dt.date:
        return quarter_start(self.first)


def month_list(first: dt.date, last: dt.date, today: dt.date) -> list[Month]:
    """The months from ``first``'s to ``last``'s, both included (at most MAX_MONTHS)."""
    months, month = [], first_of_month(first)
    while month <= last and len(months) < MAX_MONTHS:
        months.append(Month(month, today))
        month = add_months(month, 1)
    return months


# -- the figures' queries -------------------------------------------------------------------------


def _by_constellation(rows, key: str = "constellation") -> dict[int, dict]:
    return {row.pop(key): row for row in rows}


def _rows(name: str, ids, months: list[Month], build, *more, values_in_text=False) -> list[dict]:
    """The rows of the query ``build`` makes, compiled once per process for these arguments
    (:mod:`pleegzorg.compiled`): a figure's query is a conditional aggregate per month, some
    hundred expressions for a year, and compiling them took longer than running them."""
    key = (__name__, name, tuple(ids), tuple(months), *more)
    return compiled.rows(key, build, values_in_text=values_in_text)


@dataclass(frozen=True)
class Part:
    """One figure: the rows it counts (``rows``), grouped by the constellation they belong to
    (the path ``by``), with a column per aggregate. ``fields`` are the columns' types where
    they are not counts (bigint, as ``count`` is on PostgreSQL)."""

    rows: QuerySet
    by: str
    aggregates: dict
    fields: dict = field(default_factory=dict)

    def grouped(self, columns: dict | None = None) -> QuerySet:
        """The rows per constellation (as ``of``); with ``columns`` (name: type) every one of
        them, NULL where it is not this figure's: the shape of the other parts of a UNION (a
        typed NULL: PostgreSQL takes two untyped ones for text)."""
        columns = columns or dict.fromkeys(self.aggregates)
        values = {
            name: self.aggregates[name]
            if name in self.aggregates
            else Cast(Value(None), output_field=output())
            for name, output in columns.items()
        }
        return self.rows.values(of=F(self.by)).annotate(**values).order_by()


def member_part(ids, months: list[Month]) -> Part:
    """m<i>: member families in month i; q<i>: in its quarter up to the month's end."""
    aggregates = {}
    for i, m in enumerate(months):
        aggregates[f"m{i}"] = Count(
            "family", distinct=True, filter=Membership.during_condition(m.first, m.last)
        )
        aggregates[f"q{i}"] = Count(
            "family", distinct=True, filter=Membership.during_condition(m.quarter, m.last)
        )
    return Part(Membership.objects.filter(constellation__in=ids), "constellation", aggregates)


def gathering_part(ids, months: list[Month], as_of: dt.date) -> Part:
    """g<i>: gatherings in month i; last: the date of the last one on or before ``as_of``."""
    aggregates = {
        f"g{i}": Count("pk", filter=Q(date__gte=m.first, date__lte=m.last))
        for i, m in enumerate(months)
    }
    aggregates["last"] = Max("date", filter=Q(date__lte=as_of))
    rows = Gathering.objects.filter(constellation__in=ids)
    return Part(rows, "constellation", aggregates, {"last": DateField})


def households_part(ids, months: list[Month]) -> Part:
    """h<i>: member families with a foster parent at a gathering of month i."""
    # A member of this constellation on the day of the gathering, asked of each attendance as
    # EXISTS: as a join (attendance, gathering, foster parent, family, membership) PostgreSQL
    # took longer to plan it than to run it, and chose to read every attendance of the foster
    # parents of the members instead of the attendance of the period's gatherings.
    day = OuterRef("gathering__date")
    member = Exists(
        Membership.objects.filter(
            Membership.during_condition(day, day),
            family=OuterRef("foster_parent__family"),
            constellation=OuterRef("gathering__constellation"),
        )
    )
    aggregates = {
        f"h{i}": Count(
            "foster_parent__family",
            distinct=True,
            filter=Q(gathering__date__gte=m.first, gathering__date__lte=m.last),
        )
        for i, m in enumerate(months)
    }
    rows = Attendance.objects.filter(
        member,
        who=Attendance.Who.FOSTER_PARENT,
        gathering__constellation__in=ids,
        # The period's gatherings only: the months' filters count nothing outside it, and
        # without this bound every gathering of all time is joined with its attendance.
        gathering__date__gte=months[0].first,
        gathering__date__lte=months[-1].last,
    )
    return Part(rows, "gathering__constellation", aggregates)


def nights_between(first: dt.date, until: dt.date):
    """The nights of a stay between ``first`` and ``until`` (exclusive), as a duration."""
    return ExpressionWrapper(
        Least(F("departure"), Value(until), output_field=DateField())
        - Greatest(F("arrival"), Value(first), output_field=DateField()),
        output_field=DurationField(),
    )


def _overlaps(first: dt.date, until: dt.date) -> Q:
    return Q(arrival__lt=until, departure__gt=first)


def night_part(ids, months: list[Month], *, by: str = "constellation") -> Part:
    """p<i> / u<i>: planned / unplanned nights used in month i, per constellation (or family);
    s<i>: families with a night in the quarter of month i up to its end. A month that has not
    begun has none of these columns."""
    aggregates, fields = {}, {}
    for i, m in enumerate(months):
        if m.nights == 0:
            continue
        nights = nights_between(m.first, m.until)
        in_month = _overlaps(m.first, m.until)
        aggregates[f"p{i}"] = Sum(nights, filter=in_month & Q(planned=True))
        aggregates[f"u{i}"] = Sum(nights, filter=in_month & Q(planned=False))
        aggregates[f"s{i}"] = Count("family", distinct=True, filter=_overlaps(m.quarter, m.until))
        fields[f"p{i}"] = fields[f"u{i}"] = DurationField
    # Only the stays with a night in the period (from its first quarter): the aggregates'
    # filters count no other.
    period = _overlaps(min(m.quarter for m in months), max(m.until for m in months))
    rows = RespiteStay.objects.filter(RespiteStay.HOLDS_BED, period, constellation__in=ids)
    return Part(rows, by, aggregates, fields)


def night_counts(ids, months: list[Month], *, by: str = "constellation") -> dict[int, dict]:
    """The nights of :func:`night_part` on their own (the constellation page's chart)."""
    if not any(m.nights for m in months):
        return {}

    def build() -> QuerySet:  # only when it is compiled: building the part is most of the work
        return night_part(ids, months, by=by).grouped()

    return _by_constellation(_rows("nights", ids, months, build, by), "of")


def bed_part(ids, months: list[Month]) -> Part:
    """b<i>: beds in use in month i (in use now, or holding a stay that month)."""
    # A bed in use counts as it is; only for one out of use is a stay that month looked up (as
    # EXISTS, which PostgreSQL runs only where the bed is not in use). Joined with the period's
    # stays instead, each bed was a row per stay, and the stays of every bed were read.
    aggregates = {}
    for i, m in enumerate(months):
        held = RespiteStay.objects.filter(
            RespiteStay.HOLDS_BED, bed=OuterRef("pk"), arrival__lt=m.next, departure__gt=m.first
        )
        aggregates[f"b{i}"] = Count("pk", filter=Q(active=True) | Q(Exists(held)))
    rows = Bed.objects.filter(hub__constellation__in=ids)
    return Part(rows, "hub__constellation", aggregates)


def contact_part(ids, months: list[Month]) -> Part:
    """c<i>: support contacts logged in month i."""
    aggregates = {
        f"c{i}": Count("pk", filter=Q(date__gte=m.first, date__lte=m.last))
        for i, m in enumerate(months)
    }
    rows = SupportContact.objects.filter(
        constellation__in=ids, date__gte=months[0].first, date__lte=months[-1].last
    )
    return Part(rows, "constellation", aggregates)


def figure_rows(
    ids, months: list[Month], as_of: dt.date, before: tuple[Month, ...] = ()
) -> dict[int, dict]:
    """Every figure of :func:`fidelity`, per constellation, in ONE query: the six figures'
    aggregates (each over its own rows) one after the other as UNION ALL, each with the
    others' columns as NULL; the columns' letters tell the figures apart. On PostgreSQL and
    SQLite alike. As six queries, each was planned and sent on its own, and at the sizes of a
    page that took longer than counting.

    The months ``before`` are counted for their gatherings only: g<i> numbers ``before`` and
    then ``months``, every other figure's <i> numbers ``months`` alone."""

    def build():
        parts = [
            member_part(ids, months),
            gathering_part(ids, [*before, *months], as_of),
            households_part(ids, months),
            night_part(ids, months),
            bed_part(ids, months),
            contact_part(ids, months),
        ]
        columns = {
            name: part.fields.get(name, BigIntegerField)
            for part in parts
            for name in part.aggregates
        }
        first, *others = [part.grouped(columns) for part in parts if part.aggregates]
        return first.union(*others, all=True).order_by()

    # The months' dates written into the statement, the ids its parameters: with the dates as
    # parameters too, the plan PostgreSQL kept for a constellation's year guessed that its
    # gatherings held a row or two, and looked each attendance's membership up one by one
    # (2.6 ms; 1.3 ms knowing the dates).
    merged: dict[int, dict] = {}
    figures = _rows("figures", ids, months, build, as_of, tuple(before), values_in_text=True)
    for row in figures:
        own = merged.setdefault(row.pop("of"), {})
        own.update((name, value) for name, value in row.items() if value is not None)
    return merged


# -- the figures, and what falls short ----------------------------------------------------------


@dataclass(frozen=True)
class MonthFigures:
    month: Month
    members: int = 0
    gatherings: int = 0
    households: int = 0
    planned: int = 0
    unplanned: int = 0
    beds: int = 0
    contacts: int = 0
    quarter_members: int = 0
    quarter_sleepovers: int = 0

    @property
    def nights(self) -> int:
        return self.planned + self.unplanned

    @property
    def capacity(self) -> int:
        return self.beds * self.month.nights

    @property
    def presence(self) -> Proportion:
        return Proportion(self.households, self.members)

    @property
    def occupancy(self) -> Proportion:
        return Proportion(self.nights, self.capacity)

    @property
    def sleepovers(self) -> Proportion:
        return Proportion(self.quarter_sleepovers, self.quarter_members)

    @property
    def without_sleepover(self) -> int:
        return self.quarter_members - self.quarter_sleepovers


@dataclass(frozen=True)
class MonthGatherings:
    """A month before the figures' months, read for what falls short: its gatherings."""

    month: Month
    gatherings: int = 0


@dataclass
class Fidelity:
    constellation: Constellation
    months: list[MonthFigures]
    last_gathering: dt.date | None
    as_of: dt.date
    shortfalls: list[str] = field(default_factory=list)
    before: list[MonthGatherings] = field(default_factory=list)

    @property
    def current(self) -> MonthFigures:
        return self.months[-1]

    @property
    def days_since_gathering(self) -> int | None:
        return (self.as_of - self.last_gathering).days if self.last_gathering else None

    @property
    def planned(self) -> int:
        return sum(m.planned for m in self.months)

    @property
    def unplanned(self) -> int:
        return sum(m.unplanned for m in self.months)


def _days(value) -> int:
    return value.days if value is not None else 0


def fidelity(
    constellations: list[Constellation], months: list[Month], *, before: tuple[Month, ...] = ()
) -> list[Fidelity]:
    """The figures of each constellation for each month, and the gatherings of the months
    ``before`` them (what falls short: a month without one): one query whatever the numbers
    (:func:`figure_rows`)."""
    ids = [c.pk for c in constellations]
    as_of = min(months[-1].last, months[-1].today)
    figures = figure_rows(ids, months, as_of, before)
    shift = len(before)
    result = []
    for c in constellations:
        # The aggregates come back as one row per constellation with a column per month;
        # a constellation without rows (no stays, no contacts, ...) has zeros.
        row = figures.get(c.pk, {})
        rows = [
            MonthFigures(
                month=m,
                members=row.get(f"m{i}") or 0,
                gatherings=row.get(f"g{shift + i}") or 0,
                households=row.get(f"h{i}") or 0,
                planned=_days(row.get(f"p{i}")),
                unplanned=_days(row.get(f"u{i}")),
                beds=row.get(f"b{i}") or 0,
                contacts=row.get(f"c{i}") or 0,
                quarter_members=row.get(f"q{i}") or 0,
                quarter_sleepovers=row.get(f"s{i}") or 0,
            )
            for i, m in enumerate(months)
        ]
        last = row.get("last")
        item = Fidelity(constellation=c, months=rows, last_gathering=last, as_of=as_of)
        item.before = [MonthGatherings(m, row.get(f"g{i}") or 0) for i, m in enumerate(before)]
        if c.status != Constellation.Status.CLOSED:
            item.shortfalls = shortfalls(item)
        result.append(item)
    return result


@functools.lru_cache(maxsize=2048)
def _date_text(day: dt.date, format_name: str, language: str | None, lower: bool) -> str:
    return date_format(day, format_name).lower() if lower else date_format(day, format_name)


def date_text(day: dt.date, format_name: str, *, lower: bool = False) -> str:
    """``date_format`` in the active language, kept per day: a year's page names each month
    three times (table, chart, its numbers) and a list page gives 25 dates, and formatting
    one took some 7 us (a function of the day, the format and the language only)."""
    return _date_text(day, format_name, get_language(), lower)


def month_name(month: dt.date) -> str:
    """'maart 2026': Dutch month names are written in lowercase."""
    return date_text(month, "F Y", lower=True)


def shortfalls(item: Fidelity) -> list[str]:
    """What falls short of the model, in words: months without a gathering (once they are over),
    too few or too many member families now, and families without a sleepover this quarter."""
    words = [
        _("In %(month)s no gathering") % {"month": month_name(m.month.first)}
        for m in [*item.before, *item.months]
        if m.month.over and m.gatherings == 0 and m.month.first >= _started(item)
    ]
    now = item.current
    if now.members < MIN_MEMBERS:
        words.append(
            ngettext(
                "Only %(count)s family: below the %(min)s of the model",
                "Only %(count)s families: below the %(min)s of the model",
                now.members,
            )
            % {"count": now.members, "min": MIN_MEMBERS}
        )
    elif now.members > MAX_MEMBERS:
        words.append(
            _("%(count)s families: more than the %(max)s of the model")
            % {"count": now.members, "max": MAX_MEMBERS}
        )
    if now.quarter_members and now.without_sleepover:
        words.append(
            _("No sleepovers this quarter for %(without)s of %(members)s families")
            % {"without": now.without_sleepover, "members": now.quarter_members}
        )
    return words


def _started(item: Fidelity) -> dt.date:
    return first_of_month(item.constellation.start_date)


# -- the chart of nights per month (also on the constellation page) -----------------------------


def month_abbr(month: dt.date) -> str:
    """'jan 2026': Dutch month abbreviations are lowercase."""
    return date_text(month, "M Y", lower=True)


def _short(month: dt.date) -> str:
    return date_text(month, "M", lower=True)


def nights_chart(name: str, rows: list[tuple[dt.date, int, int]]) -> Chart:
    """Planned and unplanned nights per month as stacked bars; ``rows`` are (month, planned,
    unplanned). The page shows the same numbers as a table beside it."""
    planned, unplanned = _("Planned"), _("Unplanned")
    alt = _(
        "Bar chart of the respite nights per month at %(name)s from %(first)s to %(last)s: "
        "%(planned)s planned and %(unplanned)s unplanned nights in all. The table beside it "
        "gives the numbers per month."
    ) % {
        "name": name,
        "first": month_abbr(rows[0][0]),
        "last": month_abbr(rows[-1][0]),
        "planned": sum(r[1] for r in rows),
        "unplanned": sum(r[2] for r in rows),
    }
    return bar_chart(
        title=_("Nights per month"),
        # Up to a year the bars have room for "jan" only (the table gives the year); beyond it
        # the labels are turned and there is room for "jan 2026".
        labels=[month_abbr(r[0]) if len(rows) > 12 else _short(r[0]) for r in rows],
        series={planned: [r[1] for r in rows], unplanned: [r[2] for r in rows]},
        alt=alt,
    )


# -- the pages ----------------------------------------------------------------------------------


def fidelity_list(queryset, month: dt.date, today: dt.date) -> list[Fidelity]:
    """Each constellation's figures for ``month``, and the gatherings of the month before (a
    month without one falls short). Only what the list shows is counted: the month before's
    other figures were half of the query's work (its households most of all)."""
    before = (Month(add_months(month, -1), today),)
    return fidelity(list(queryset), [Month(month, today)], before=before)


def fidelity_detail(constellation: Constellation, months: list[Month]) -> dict:
    (item,) = fidelity([constellation], months)
    rows = [(m.month.first, m.planned, m.unplanned) for m in item.months]
    return {
        "fidelity": item,
        "columns": month_columns(),
        "table": month_table(item),
        "last_gathering": last_gathering_text(item),
        "chart": nights_chart(str(constellation), rows),
        "nights": nights_table(rows),
    }


def nights_table(rows: list[tuple[dt.date, int, int]]) -> list[dict]:
    return [
        {"month": m, "label": month_abbr(m), "planned": p, "unplanned": u, "total": p + u}
        for m, p, u in rows
    ]


# -- the pages' texts, put together once ------------------------------------------------------
#
# A list page shows 25 cards of eight figures and a month page 12 rows of seven: as template
# tags (a translated label, a filter and a lookup per cell, an include per card) rendering them
# took longer than computing them. So the texts are put together here, each label translated
# once per page, and the templates only place them (escaped, as any variable).


def last_gathering_text(item: Fidelity) -> str:
    """'21 dagen geleden (10-11-2026)', or 'nog niet bekend'."""
    if item.last_gathering is None:
        return _("none yet")
    days = item.days_since_gathering
    ago = ngettext("%(counter)s day ago", "%(counter)s days ago", days) % {"counter": days}
    return f"{ago} ({date_text(item.last_gathering, 'SHORT_DATE_FORMAT')})"


def _escaped(value) -> str:
    """``conditional_escape``: safe text as it is, any other escaped as Django escapes it."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def html_pairs(template: str, pairs) -> SafeString:
    """``format_html_join("", template, pairs)`` for pairs of texts, each escaped the same way;
    without its lazy-text wrappers, which for the 200 facts of a list page took longer than
    the rest of the card (a millisecond a page)."""
    return _joined(template.format(_escaped(a), _escaped(b)) for a, b in pairs)


def _joined(pieces) -> SafeString:
    """Pieces of HTML in which every text went through :func:`_escaped`, as one safe string."""
    # Safe: the templates are this module's constants and every value in them is escaped.
    return SafeString("".join(pieces))  # nosec B703


def _share(numerator: int, denominator: int, proportion: Proportion) -> str:
    return f"{numerator} / {denominator} · {proportion.percent_text()}"


@dataclass(frozen=True)
class Card:
    """A constellation on the list: its link, this month's figures as (label, text) and what
    falls short. The template places them: per card a link tag, a loop over the shortfalls and
    the lookups of a constellation were as much again as the facts."""

    item: Fidelity
    facts: list[tuple[str, str]]
    url: str
    # The facts as the items of a ``<dl>``, each escaped: 25 cards of 8 facts as template tags
    # were some 400 lookups and escapes a page, more than all the rest of the card.
    facts_html: SafeString

    @property
    def constellation(self) -> Constellation:
        return self.item.constellation

    @property
    def name(self) -> str:
        return self.item.constellation.name

    @property
    def follows_the_model(self) -> bool:
        """Nothing falls short, and it is not closed (a closed one is told nothing)."""
        return not self.item.shortfalls and self.constellation.status != Constellation.Status.CLOSED

    @property
    def shortfalls_html(self) -> SafeString:
        """What falls short as the items of a ``<ul>``, each escaped."""
        return _joined(f"<li>{_escaped(words)}</li>" for words in self.item.shortfalls)


def cards(items: list[Fidelity]) -> list[Card]:
    labels = [
        _("Member families"),
        _("Gatherings"),
        _("Households present"),
        _("Nights used"),
        _("Planned / unplanned"),
        _("Sleepover this quarter"),
        _("Support contacts"),
        _("Last gathering"),
    ]
    families = _("families")
    # Each label escaped once a page, not once a card; each card's link from the pattern of
    # the page's URL (Django's reverse() tried the patterns again for every card).
    heads = [f"<div><dt>{_escaped(label)}</dt><dd>" for label in labels]
    link = fast_urls.pattern("constellations:fidelity", 1, None)
    result = []
    for item in items:
        now = item.current
        texts = [
            str(now.members),
            str(now.gatherings),
            _share(now.households, now.members, now.presence),
            f"{now.nights} / {now.capacity} ({now.occupancy.percent_text()})",
            f"{now.planned} / {now.unplanned}",
            f"{now.quarter_sleepovers} / {now.quarter_members} {families}",
            str(now.contacts),
            last_gathering_text(item),
        ]
        facts_html = _joined(
            f"{head}{_escaped(text)}</dd></div>" for head, text in zip(heads, texts, strict=True)
        )
        pk = item.constellation.pk
        url = f"{link[0]}{pk}{link[1]}" if link else reverse("constellations:fidelity", args=[pk])
        card = Card(item, list(zip(labels, texts, strict=True)), url, facts_html)
        result.append(card)
    return result


def month_columns() -> list[str]:
    """The columns of a constellation's month table after the month."""
    return [
        _("Member families"),
        _("Gatherings"),
        _("Households present"),
        _("Nights used"),
        _("Occupancy"),
        _("Sleepover this quarter"),
        _("Support contacts"),
    ]


@dataclass(frozen=True)
class MonthRow:
    """A month of a constellation's month table: its name and its cells as (label, text); the
    label is each cell's ``data-label`` (a narrow screen shows the table as a list)."""

    month: str
    cells: list[tuple[str, str]]
    # The cells as ``<td>``s, each escaped (as :attr:`Card.facts_html`).
    cells_html: SafeString


def month_table(item: Fidelity) -> list[MonthRow]:
    labels = month_columns()
    heads = [f'<td data-label="{_escaped(label)}">' for label in labels]  # once, not per month
    rows = []
    for m in item.months:
        split = _("%(planned)s planned, %(unplanned)s unplanned") % {
            "planned": m.planned,
            "unplanned": m.unplanned,
        }
        texts = [
            str(m.members),
            str(m.gatherings),
            _share(m.households, m.members, m.presence),
            f"{m.nights} ({split})",
            _share(m.nights, m.capacity, m.occupancy),
            _share(m.quarter_sleepovers, m.quarter_members, m.sleepovers),
            str(m.contacts),
        ]
        cells_html = _joined(
            f"{head}{_escaped(text)}</td>" for head, text in zip(heads, texts, strict=True)
        )
        cells = list(zip(labels, texts, strict=True))
        rows.append(MonthRow(month_abbr(m.month.first), cells, cells_html))
    return rows


# -- the tables as CSV ----------------------------------------------------------------------------


def month_headers() -> list[str]:
    return [
        _("Month"),
        _("Member families"),
        _("Gatherings"),
        _("Households present"),
        _("Share of households present"),
        _("Planned nights"),
        _("Unplanned nights"),
        _("Nights used"),
        _("Capacity (beds x nights)"),
        _("Occupancy"),
        _("Families with a sleepover this quarter"),
        _("Member families this quarter"),
        _("Support contacts"),
    ]


def _month_cells(m: MonthFigures) -> list:
    return [
        m.members,
        m.gatherings,
        m.households,
        m.presence.percent_text(),
        m.planned,
        m.unplanned,
        m.nights,
        m.capacity,
        m.occupancy.percent_text(),
        m.quarter_sleepovers,
        m.quarter_members,
        m.contacts,
    ]


def month_rows(item: Fidelity) -> list[list]:
    return [[month_abbr(m.month.first), *_month_cells(m)] for m in item.months]


def list_headers() -> list[str]:
    return [
        _("Constellation"),
        _("Region"),
        *month_headers()[1:],
        _("Days since the last gathering"),
        _("Short of the model"),
    ]


def list_rows(items: list[Fidelity]) -> list[list]:
    return [
        [
            item.constellation.name,
            str(item.constellation.region),
            *_month_cells(item.current),
            item.days_since_gathering,
            "; ".join(item.shortfalls),
        ]
        for item in items
    ]
