"""Reads of the team dashboard and of a caseworker's "Mijn werk".

Every figure is an aggregate in the database over the placements the viewer may count, one row
per caseworker, and it counts the caseload's own rules (``placements.selectors.rule_filter``):
a number on the dashboard and the caseload list it links to filter by the same ``Q``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.formats import number_format
from django.utils.html import escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext_lazy

from placements import permissions
from placements.forms import RULE_LABELS
from placements.models import CareKind, Child, Placement
from placements.selectors import due_within, rule_filter
from pleegzorg import compiled
from pleegzorg.db import Tally
from pleegzorg.models import Region, Team, User
from pleegzorg.permissions import Policy, get_visible_or_404
from pleegzorg.permissions import teams as team_policy

# The rules counted per caseworker, in the order of the columns; the second item says whether
# "due within DASHBOARD_DUE_DAYS" means something for it (a court measure without a youth
# protector, or a no-change period, does not become due by waiting).
DASHBOARD_RULES = (
    ("start_meeting_overdue", True),
    ("joint_meeting_overdue", True),
    ("report_missing", True),
    ("agreement_past_date", True),
    ("too_few_child_contacts", True),
    ("no_youth_protector", False),
    ("in_no_change_period", False),
    ("unstable", False),
)
BANDS = ((0, 9), (10, 19), (20, 29), (30, None))
TABLE_LIMIT = 100  # rows of the stability tables on the page; the CSV has them all


class RegionPolicy(Policy[Region]):
    """The regions of the teams the user may see on the dashboard."""

    model = Region

    def visible_to(self, user: User) -> QuerySet[Region]:
        return Region.objects.filter(teams__in=dashboard_teams(user)).distinct()

    def can_view(self, user: User, obj: Region) -> bool:
        return self.visible_to(user).filter(pk=obj.pk).exists()


regions = RegionPolicy()


def dashboard_teams(user: User) -> QuerySet[Team]:
    """A team lead's own teams; every team for an application manager."""
    if user.is_app_manager:
        return Team.objects.all()
    if user.is_team_lead:
        return Team.objects.filter(lead=user)
    return Team.objects.none()


@dataclass
class Scope:
    on: date
    teams: QuerySet[Team]
    team: Team | None = None
    region: Region | None = None
    caseworker: User | None = None  # "Mijn werk": one caseworker's own figures
    # Whether the viewer may open the lists behind the numbers and read children's names: an
    # application manager sees no case files, so only the numbers.
    linked: bool = True

    @property
    def period_start(self) -> date:
        """The first day of the 12 months up to ``on`` (both included)."""
        return self.on - timedelta(days=364)


def dashboard_scope(request: HttpRequest, filters: dict) -> Scope:
    """The teams the filters ask for. A team or region that exists but is not the user's
    answers 404 (logged as refused); one that does not exist the form has already refused."""
    user = request.user
    teams = dashboard_teams(user)
    scope = Scope(on=filters["on"], teams=teams, linked=not user.is_app_manager)
    purpose = "supervision"
    if filters.get("region"):
        scope.region = get_visible_or_404(regions, request, purpose=purpose, pk=filters["region"])
        teams = teams.filter(region=scope.region)
    if filters.get("team"):
        scope.team = get_visible_or_404(team_policy, request, purpose=purpose, pk=filters["team"])
        teams = teams.filter(pk=scope.team.pk)
    scope.teams = teams
    return scope


def counted_placements(user: User, scope: Scope) -> QuerySet[Placement]:
    """The placements of the scope's caseworkers that the user may count: those a team lead or
    caseworker may see; for an application manager, those of every team (numbers only)."""
    if user.is_app_manager:
        placements = Placement.objects.all()
    else:
        placements = permissions.placements_policy.visible_to(user)
    if scope.caseworker is not None:
        return placements.filter(caseworker=scope.caseworker)
    return placements.filter(caseworker__team__in=scope.teams)


def counted_key(user: User, scope: Scope) -> tuple:
    """What the placements ``user`` may count in ``scope`` (:func:`counted_placements`) and the
    scope's caseworkers (:func:`caseworkers_in`) depend on besides the data: who the viewer is
    (id, role, superuser or not, team), what they may see today (the day, the aftercare period,
    the children's files they opened with a reason, read once per request as the rules read
    them), the scope's caseworker, team and region, and whether the viewer reads names: the
    inputs of the caseload's key (``placements.selectors.CaseloadPlacements``).

    A query built from these placements is compiled once per process under this key and the
    other inputs it reads (:mod:`pleegzorg.compiled`): a different viewer, scope or day is
    another key, never another's query. Keying by the placements' own SQL instead meant
    building and compiling the visibility rules on every request only to find the key."""
    granted = () if user.is_app_manager else tuple(permissions.granted_id_list(user, Child))
    parts = (scope.caseworker, scope.team, scope.region)
    return (
        user.pk,
        user.role,
        user.is_superuser,
        user.team_id,
        granted,
        timezone.localdate(),
        settings.AFTERCARE_MONTHS,
        *(None if part is None else part.pk for part in parts),
        scope.linked,
    )


def weighted_caseload() -> Sum:
    weights = settings.CASELOAD_WEIGHTS
    return Coalesce(
        Sum(
            Case(
                *[When(kind=kind, then=Value(Decimal(str(w)))) for kind, w in weights.items()],
                default=Value(Decimal("1")),
                output_field=DecimalField(max_digits=8, decimal_places=2),
            )
        ),
        Value(Decimal("0")),
        output_field=DecimalField(max_digits=8, decimal_places=2),
    )


def caseworker_load(user: User, scope: Scope) -> QuerySet:
    """One row per caseworker with active placements on the as-of date: how many, and the
    weighted caseload. One query over every caseworker of the scope (the bands and the norm
    need them all)."""
    return (
        counted_placements(user, scope)
        .active(scope.on)
        .order_by()
        .values("caseworker")
        .annotate(active=Count("pk"), weighted=weighted_caseload())
    )


def caseworker_load_rows(user: User, scope: Scope) -> list[dict]:
    """:func:`caseworker_load`'s rows, its SQL compiled once per process per viewer's counted
    placements, day and weights (:func:`pleegzorg.compiled.rows`), and prepared: PostgreSQL
    took longer to plan it than to run it."""
    key = (
        "dashboard_load",
        counted_key(user, scope),
        scope.on,
        tuple(settings.CASELOAD_WEIGHTS.items()),
        timezone.get_current_timezone_name(),
    )
    return compiled.rows(key, lambda: caseworker_load(user, scope), prepared=True)


def rule_figures(user: User, scope: Scope, caseworkers: list[int]) -> list[dict]:
    """One row per caseworker of ``caseworkers`` with active placements on the as-of date: the
    count of every rule today and due soon, and the longest waits. One query.

    Each placement's rules are computed once, as columns (``pleegzorg.db.tally_rows``): "due
    soon" is :func:`rule_filter`'s ``due`` (meets the rule DASHBOARD_DUE_DAYS later, not on
    the as-of date), counted from the same two columns as today's number.

    The 13 rules cost as much to compile as PostgreSQL takes to count them, so the query is
    compiled once (:func:`pleegzorg.compiled.tally`) per viewer's counted placements (who they
    are and whatever they may see; :func:`counted_key`), the caseworkers counted, and what the
    rules read besides the data (the day, the settings, the time zone). None counted (a scope
    that can match nothing): no rows."""
    on = scope.on

    def placements() -> QuerySet[Placement]:
        return (
            counted_placements(user, scope).active(on).filter(caseworker__in=caseworkers).order_by()
        )

    key = (
        "rule_figures",
        counted_key(user, scope),
        tuple(caseworkers),
        on,
        due_within(),
        settings.START_MEETING_DUE_DAYS,
        settings.CHILD_CONTACTS_PER_YEAR,
        Placement.UNSTABLE_CASEWORKER_CHANGES,
        timezone.get_current_timezone_name(),
    )
    try:
        return compiled.tally(key, lambda: _rule_rows(placements(), on))
    except EmptyResultSet:
        return []


def _rule_rows(placements: QuerySet[Placement], on: date):
    later = on + due_within()
    columns = {
        "cw": F("caseworker_id"),
        "contact_since": Coalesce(Placement.last_child_contact(on), F("start_date")),
        "protector_since": Placement.without_youth_protector_since(on),
    }
    tallies = {
        "oldest_contact": Tally(
            "MIN", "contact_since", where=("now_too_few_child_contacts",), field=DateField()
        ),
        "without_youth_protector_since": Tally(
            "MIN", "protector_since", where=("now_no_youth_protector",), field=DateField()
        ),
    }
    for name, has_due in DASHBOARD_RULES:
        columns[f"now_{name}"] = ExpressionWrapper(rule_filter(name, on), BooleanField())
        tallies[name] = Tally(where=(f"now_{name}",))
        if has_due:
            columns[f"later_{name}"] = ExpressionWrapper(rule_filter(name, later), BooleanField())
            tallies[f"{name}_due"] = Tally(where=(f"later_{name}",), unless=(f"now_{name}",))
    return placements.annotate(**columns).values(*columns), "cw", tallies


@dataclass(frozen=True)
class Cell:
    """One number of a caseworker's row, and the caseload list behind it (None: no link, for a
    viewer who may not open the list)."""

    rule: str
    label: str
    today: int
    due: int | None
    today_url: str | None
    due_url: str | None
    longest: int | None = None  # the longest wait in days, for the rules that name one
    heading: str = ""  # the label as a column's heading

    @property
    def longest_text(self) -> str:
        """The longest wait in words ("" for none), in the language of the request."""
        if self.longest is None:
            return ""
        return str(LONGEST_WAIT[self.rule] % {"days": self.longest})

    def add_td(self, parts: list[str], values: list, link: SafeString | None, within) -> None:
        """Add the cell to a row's format and its values (:attr:`CaseworkerRow.cells_html`):
        today's number, the number due ``within`` (the words) and the longest wait, each number
        a link to its list (``link``: the row's caseload link, escaped) where the viewer may
        open it."""
        parts.append('<td data-label="{}" data-rule="{}">')
        values += (self.heading, self.rule)
        today, due = (_RULE_QUERIES_HTML[self.rule, due] for due in (False, True))
        _add_number(parts, values, self.today, link and link + today)
        if self.due is not None:
            parts.append(' <span class="muted">· ')
            _add_number(parts, values, self.due, link and link + due)
            parts.append(" {}</span>")
            values.append(within)
        if self.longest is not None:
            parts.append(' <span class="muted">({})</span>')
            values.append(self.longest_text)
        parts.append("</td>")


# The words of a cell's longest wait, per rule that names one.
LONGEST_WAIT = {
    "too_few_child_contacts": ngettext_lazy(
        "longest %(days)s day without a conversation",
        "longest %(days)s days without a conversation",
        "days",
    ),
    "no_youth_protector": ngettext_lazy("longest %(days)s day", "longest %(days)s days", "days"),
}


def _add_number(parts: list[str], values: list, count: int, url: SafeString | None) -> None:
    if url:
        parts.append('<a href="{}" class="number">{}</a>')
        values.append(url)
    else:
        parts.append("{}")
    values.append(count)


def caseload_url(
    caseworker: User, on: date, rule: str = "", *, due: bool = False, base: str = ""
) -> str:
    """The caseload filtered to exactly the placements a dashboard number counts."""
    query = {"medewerker": caseworker.pk, "op": on.isoformat()}
    if rule:
        query["reden"] = rule
    if due:
        query["straks"] = "on"
    return f"{base or reverse('placements:caseload')}?{urlencode(query)}"


# The rule's part of :func:`caseload_url`'s query string, after the caseworker's and the day's:
# a row's 14 links are one prefix and these (a test holds them equal to caseload_url's).
_RULE_QUERIES = {
    (name, due): "&" + urlencode({"reden": name} | ({"straks": "on"} if due else {}))
    for name, _ in DASHBOARD_RULES
    for due in (False, True)
}
_RULE_QUERIES_HTML = {key: escape(query) for key, query in _RULE_QUERIES.items()}


def rule_headings() -> dict[str, str]:
    """Each rule's label as a heading, in the language of the request."""
    return {name: str(capfirst(RULE_LABELS[name])) for name, _ in DASHBOARD_RULES}


@dataclass
class CaseworkerRow:
    caseworker: User
    active: int = 0
    weighted: Decimal = Decimal("0")
    counts: dict = field(default_factory=dict)
    days_since_contact: int | None = None
    days_without_youth_protector: int | None = None
    cells: list[Cell] = field(default_factory=list)
    active_url: str | None = None

    def make_cells(
        self, on: date, *, linked: bool, base: str = "", headings: dict | None = None
    ) -> None:
        """The row's numbers and the lists behind them (:func:`caseload_url`; ``base`` the
        caseload's path and ``headings`` the rules' headings, made once for every row)."""
        headings = headings or rule_headings()
        prefix = caseload_url(self.caseworker, on, base=base) if linked else None
        self.active_url = prefix
        longest = {
            "too_few_child_contacts": self.days_since_contact,
            "no_youth_protector": self.days_without_youth_protector,
        }
        self.cells = [
            Cell(
                rule=name,
                label=RULE_LABELS[name],
                today=self.counts[name],
                due=self.counts[f"{name}_due"] if has_due else None,
                today_url=prefix and prefix + _RULE_QUERIES[name, False],
                due_url=prefix and prefix + _RULE_QUERIES[name, True] if has_due else None,
                longest=longest.get(name),
                heading=headings[name],
            )
            for name, has_due in DASHBOARD_RULES
        ]

    @property
    def cells_html(self) -> SafeString:
        """The row's cells as ``<td>``s (:meth:`Cell.add_td`), one ``format_html`` of the
        row (every value escaped, the caseload link once): 50 rows of 8 cells as template tags
        were some 2,000 lookups, conditions and escapes a page."""
        parts: list[str] = []
        values: list = []
        link = escape(self.active_url) if self.active_url else None
        within = gettext("within 14 days")
        for cell in self.cells:
            cell.add_td(parts, values, link, within)
        return format_html("".join(parts), *values)

    @property
    def norm(self) -> Decimal:
        return (Decimal(settings.CASELOAD_NORM_FTE) * self.caseworker.fte).quantize(Decimal("0.1"))

    @property
    def over_norm(self) -> bool:
        return self.weighted > self.norm


@dataclass
class TeamDashboard:
    user: User
    scope: Scope
    rows: list[CaseworkerRow]  # every caseworker of the scope, with their caseload
    page: Page  # the caseworkers on this page of the tables, with their rule counts

    @property
    def norm_fte(self) -> int:
        return settings.CASELOAD_NORM_FTE

    @property
    def weights(self) -> list[tuple[str, str]]:
        return [
            (CareKind(kind).label, number_format(weight))
            for kind, weight in settings.CASELOAD_WEIGHTS.items()
        ]

    @cached_property
    def bands(self) -> list[tuple[str, int]]:
        return bands_of(self.rows)

    @cached_property
    def totals(self) -> dict:
        return {
            "active": sum(r.active for r in self.rows),
            "over_norm": sum(1 for r in self.rows if r.over_norm),
        }

    @cached_property
    def counted_rows(self) -> list[CaseworkerRow]:
        """Every row with its rule counts, for the CSV (one more query for the rows not on
        this page)."""
        count_rules(self.user, self.scope, [r for r in self.rows if not r.cells])
        return self.rows

    @cached_property
    def unstable_all(self) -> QuerySet[Placement]:
        """Every unstable placement, for the CSV."""
        return unstable_placements(self.user, self.scope)

    @cached_property
    def ended_early_all(self) -> QuerySet[Placement]:
        """Every placement ended early, for the CSV."""
        return ended_early_placements(self.user, self.scope)

    @cached_property
    def unstable(self) -> list[TableRow]:
        return table_rows(
            "unstable", self.user, self.scope, unstable_placements, "caseworker_changes"
        )

    @cached_property
    def unstable_count(self) -> int:
        return self.unstable[0].rows_in_all if self.unstable else 0

    @cached_property
    def ended_early(self) -> list[TableRow]:
        return table_rows("ended_early", self.user, self.scope, ended_early_placements)

    @cached_property
    def ended_early_count(self) -> int:
        return self.ended_early[0].rows_in_all if self.ended_early else 0


@dataclass(frozen=True)
class TableRow:
    """What a stability table shows of a placement (the CSV reads the placements themselves)."""

    pk: int
    child_id: int
    child_first_name: str
    child_last_name: str
    caseworker_first_name: str
    caseworker_last_name: str
    caseworker_username: str
    start_date: date
    end_date: date | None
    ended_by: str
    end_note: str
    rows_in_all: int
    caseworker_changes: int | None = None

    @property
    def child_name(self) -> str:  # as Child.__str__
        return f"{self.child_first_name} {self.child_last_name}"

    @property
    def caseworker_name(self) -> str:  # as User.__str__
        full = f"{self.caseworker_first_name} {self.caseworker_last_name}".strip()
        return full or self.caseworker_username

    def get_ended_by_display(self) -> str | None:  # as Placement.get_ended_by_display
        return force_str(ENDED_BY.get(self.ended_by, self.ended_by), strings_only=True)


ENDED_BY = dict(Placement._meta.get_field("ended_by").flatchoices)

# The columns of TableRow, as values() names them.
TABLE_COLUMNS = {
    "id": "pk",
    "child_id": "child_id",
    "child__first_name": "child_first_name",
    "child__last_name": "child_last_name",
    "caseworker__first_name": "caseworker_first_name",
    "caseworker__last_name": "caseworker_last_name",
    "caseworker__username": "caseworker_username",
    "start_date": "start_date",
    "end_date": "end_date",
    "ended_by": "ended_by",
    "end_note": "end_note",
    "rows_in_all": "rows_in_all",
    "caseworker_changes": "caseworker_changes",
}


def table_rows(
    name: str,
    user: User,
    scope: Scope,
    placements: Callable[[User, Scope], QuerySet[Placement]],
    *annotations: str,
) -> list[TableRow]:
    """The first TABLE_LIMIT rows of ``placements(user, scope)``, each with how many rows there
    are in all (``rows_in_all``, a window over the whole list): the table and its count in one
    query.

    Building these querysets (the rules, the annotations) took longer than PostgreSQL took to
    run them, so the query is compiled once per process (:func:`pleegzorg.compiled.rows`) under
    the viewer's counted placements (:func:`counted_key`), the day and the rules' settings;
    the rows come fresh from the database every time. Prepared: PostgreSQL took longer to plan
    these than to run them."""
    key = (
        f"dashboard_{name}",
        counted_key(user, scope),
        scope.on,
        Placement.UNSTABLE_CASEWORKER_CHANGES,
        TABLE_LIMIT,
        timezone.get_current_timezone_name(),
    )

    def build() -> QuerySet:
        columns = [c for c in TABLE_COLUMNS if c not in ("rows_in_all", "caseworker_changes")]
        return first_rows(placements(user, scope).values(*columns, *annotations))

    return [
        TableRow(**{TABLE_COLUMNS[column]: value for column, value in row.items()})
        for row in compiled.rows(key, build, prepared=True)
    ]


def first_rows(placements: QuerySet[Placement]) -> QuerySet[Placement]:
    """The first TABLE_LIMIT rows, each with how many rows there are in all (``rows_in_all``, a
    window over the whole list)."""
    return placements.annotate(rows_in_all=Window(Count("pk")))[:TABLE_LIMIT]


def caseworkers_in(scope: Scope) -> QuerySet[User]:
    if scope.caseworker is not None:
        return User.objects.filter(pk=scope.caseworker.pk)
    return (
        User.objects.filter(role=User.Role.CASEWORKER, team__in=scope.teams, is_active=True)
        .select_related("team")
        .order_by("team__name", "first_name", "last_name")
    )


def caseworker_rows(user: User, scope: Scope) -> list[CaseworkerRow]:
    """Every caseworker of the scope, also those without placements, with their caseload (two
    queries: the caseworkers, and their load). :func:`count_rules` adds the rest."""
    load = {row["caseworker"]: row for row in caseworker_load_rows(user, scope)}
    # Compiled once per process under the key of the scope's caseworkers (counted_key's
    # viewer and scope), the users built from fresh rows every time.
    caseworkers = compiled.instances(
        ("dashboard_caseworkers", counted_key(user, scope)), lambda: caseworkers_in(scope)
    )
    rows = []
    for caseworker in caseworkers:
        figure = load.get(caseworker.pk, {})
        rows.append(
            CaseworkerRow(
                caseworker=caseworker,
                active=figure.get("active", 0),
                weighted=figure.get("weighted", Decimal("0")),
            )
        )
    return rows


def count_rules(user: User, scope: Scope, rows: list[CaseworkerRow]) -> None:
    """Fill in the rule counts of ``rows`` and their cells (one query; none without rows)."""
    if not rows:
        return
    figures = {row["cw"]: row for row in rule_figures(user, scope, [r.caseworker.pk for r in rows])}
    base = reverse("placements:caseload")
    headings = rule_headings()
    for row in rows:
        figure = figures.get(row.caseworker.pk, {})
        row.counts = {name: figure.get(name, 0) for name, _ in DASHBOARD_RULES}
        row.counts |= {
            f"{name}_due": figure.get(f"{name}_due", 0) for name, due in DASHBOARD_RULES if due
        }
        row.days_since_contact = _days(scope.on, figure.get("oldest_contact"))
        row.days_without_youth_protector = _days(
            scope.on, figure.get("without_youth_protector_since")
        )
        row.make_cells(scope.on, linked=scope.linked, base=base, headings=headings)


def _days(on: date, since: date | None) -> int | None:
    return None if since is None else (on - since).days


def band_label(low: int, high: int | None) -> str:
    return f"{low}\u2013{high}" if high is not None else f"{low}+"


def bands_of(rows: list[CaseworkerRow]) -> list[tuple[str, int]]:
    """How many caseworkers have a caseload (active placements) in each band."""
    return [
        (
            band_label(low, high),
            sum(1 for r in rows if r.active >= low and (high is None or r.active <= high)),
        )
        for low, high in BANDS
    ]


def unstable_placements(user: User, scope: Scope) -> QuerySet[Placement]:
    """Active placements with 2 or more caseworker changes in the 12 months up to the as-of
    date: the caseload's ``unstable`` rule."""
    on = scope.on
    return (
        counted_placements(user, scope)
        .active(on)
        .filter(rule_filter("unstable", on))
        .annotate(caseworker_changes=Placement.caseworker_changes_in_year(on))
        .select_related("child", "caseworker")
        .order_by("-caseworker_changes", "start_date", "pk")
    )


def ended_early_placements(user: User, scope: Scope) -> QuerySet[Placement]:
    """Placements ended prematurely in the 12 months up to the as-of date, with why and who."""
    return (
        counted_placements(user, scope)
        .ended_early(scope.period_start, scope.on)
        .select_related("child", "caseworker")
        .order_by("-end_date", "pk")
    )


def team_dashboard(user: User, scope: Scope, page: str | int | None = None) -> TeamDashboard:
    """The whole dashboard in a fixed number of queries (7), whatever the number of rows: the
    caseload of every caseworker of the scope, and the rules of those on ``page`` (PAGE_SIZE
    caseworkers a page: an application manager's scope is the whole sector)."""
    rows = caseworker_rows(user, scope)
    shown = Paginator(rows, settings.PAGE_SIZE).get_page(page)
    count_rules(user, scope, list(shown.object_list))
    return TeamDashboard(
        user=user,
        scope=scope,
        rows=rows,
        page=shown,
    )


def my_work(user: User, on: date) -> CaseworkerRow:
    """A caseworker's own figures for their start page: the dashboard's row for them."""
    scope = Scope(on=on, teams=Team.objects.none(), caseworker=user)
    rows = caseworker_rows(user, scope)
    count_rules(user, scope, rows)
    return rows[0]
