"""Fidelity pages: the list of constellations with this month's figures, and a constellation's
month table with its chart; both as CSV. Thin: parse the period, call a selector, render.

Who: the liaison (their constellations), the hub-home parents (their own) and the team lead (the
constellations of their teams' regions), through the constellations policy; another
constellation answers 404 (logged). Caseworkers and application managers get 403: a caseworker
sees a constellation for the families of their caseload, not to supervise how it runs, and the
application manager does no constellation work (the same as on the other constellation pages).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers

from constellations import selectors as constellation_selectors
from constellations.fidelity import selectors
from constellations.models import Constellation
from constellations.permissions import constellations
from pleegzorg.actions import log_view
from pleegzorg.audit import Purpose
from pleegzorg.export import csv_response
from pleegzorg.models import User
from pleegzorg.pagination import OneQueryPaginator
from pleegzorg.permissions import get_visible_or_404, require_role
from pleegzorg.views.forms import template_for

Role = User.Role
ROLES = (Role.TEAM_LEAD, Role.LIAISON, Role.HUB_HOME_PARENT)
PAGE_SIZE = 25


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date
    error: str = ""

    @property
    def query(self) -> str:
        return f"van={self.first:%Y-%m}&tot={self.last:%Y-%m}"


def _month(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(f"{value}-01") if value else None
    except ValueError:
        return None


def period_from(params, today: dt.date) -> Period:
    """``van`` and ``tot`` as jjjj-mm: the last 12 months by default; never past this month and
    at most 24 months. Bad input gives the default period and a message saying why."""
    this_month = today.replace(day=1)
    default = Period(selectors.add_months(this_month, -(selectors.DEFAULT_MONTHS - 1)), this_month)
    raw_first, raw_last = params.get("van", "").strip(), params.get("tot", "").strip()
    first, last = _month(raw_first), _month(raw_last)
    if (raw_first and first is None) or (raw_last and last is None):
        return Period(default.first, default.last, _("Type a month as yyyy-mm, e.g. 2026-01."))
    last = min(last or this_month, this_month)
    first = first or selectors.add_months(last, -(selectors.DEFAULT_MONTHS - 1))
    if first > last:
        return Period(default.first, default.last, _("The first month is after the last month."))
    if selectors.add_months(first, selectors.MAX_MONTHS - 1) < last:
        first = selectors.add_months(last, -(selectors.MAX_MONTHS - 1))
        return Period(first, last, _("At most 24 months: the period starts at %(month)s.")
                      % {"month": selectors.month_name(first)})  # fmt: skip
    return Period(first, last)


# What the fidelity pages read of a constellation (the figures come from the selector): without
# the rest of the row and its joins (region, liaison, hub home), its query plans and loads in a
# fraction of the time.
FIGURE_FIELDS = ("name", "status", "start_date")


def _visible(request):
    require_role(request, *ROLES, purpose=Purpose.SUPERVISION)
    return constellations.visible_to(request.user)


def _constellation_or_404(request, pk) -> Constellation:
    """Found by SQL compiled once per process (constellations.selectors.visible_constellation);
    not found there, asked of the ORM as every record is (``get_visible_or_404``), which logs a
    look at one that exists as denied and answers 404."""
    require_role(request, *ROLES, purpose=Purpose.SUPERVISION)
    constellation = constellation_selectors.visible_constellation(
        request.user, pk, on=timezone.localdate(), only=FIGURE_FIELDS
    )
    if constellation is None:
        queryset = _visible(request).only(*FIGURE_FIELDS)
        constellation = get_visible_or_404(
            constellations, request, queryset=queryset, purpose=Purpose.SUPERVISION, pk=pk
        )
    log_view(request, person=None, obj=constellation, purpose=Purpose.SUPERVISION,
             detail="modeltrouw")  # fmt: skip
    return constellation


def _this_month(request) -> tuple[dt.date, dt.date, str]:
    today = timezone.localdate()
    month = _month(request.GET.get("maand", "").strip())
    if request.GET.get("maand") and month is None:
        return today, today.replace(day=1), _("Type a month as yyyy-mm, e.g. 2026-01.")
    return today, min(month or today, today).replace(day=1), ""


@login_required
@vary_on_headers("HX-Request")
def fidelity_list(request):
    require_role(request, *ROLES, purpose=Purpose.SUPERVISION)
    today, month, error = _this_month(request)
    # The page's rows by SQL compiled once per process. The queryset answers past the end
    # only, so it is built only then: building the rule's queryset took as long as reading the
    # page (a team lead's regions are a subquery of it).
    queryset = SimpleLazyObject(
        lambda: constellations.visible_to(request.user).only(*FIGURE_FIELDS).order_by("name", "pk")
    )
    rows = partial(constellation_selectors.visible_page, request.user, on=today, only=FIGURE_FIELDS)
    page = OneQueryPaginator(queryset, PAGE_SIZE, rows=rows).get_page(request.GET.get("pagina"))
    items = selectors.fidelity_list(page.object_list, month, today)
    context = {
        "page": page,
        "items": items,
        "cards": selectors.cards(items),
        "month": month,
        "error": error,
        "query": f"maand={month:%Y-%m}",
    }
    template = template_for(request, "constellations/fidelity/list.html", "results")
    return render(request, template, context)


@login_required
def fidelity_list_export(request):
    today, month, _error = _this_month(request)
    queryset = _visible(request).select_related("region").order_by("name", "pk")
    items = selectors.fidelity_list(queryset, month, today)
    return csv_response(
        request,
        filename=f"modeltrouw-{month:%Y-%m}.csv",
        headers=selectors.list_headers(),
        rows=selectors.list_rows(items),
    )


@login_required
@vary_on_headers("HX-Request")
def fidelity_detail(request, pk):
    constellation = _constellation_or_404(request, pk)
    today = timezone.localdate()
    period = period_from(request.GET, today)
    months = selectors.month_list(period.first, period.last, today)
    context = {"constellation": constellation, "period": period, "today": today,
               **selectors.fidelity_detail(constellation, months)}  # fmt: skip
    template = template_for(request, "constellations/fidelity/detail.html", "table")
    return render(request, template, context)


@login_required
def fidelity_export(request, pk):
    constellation = _constellation_or_404(request, pk)
    today = timezone.localdate()
    period = period_from(request.GET, today)
    months = selectors.month_list(period.first, period.last, today)
    item = selectors.fidelity_detail(constellation, months)["fidelity"]
    return csv_response(
        request,
        filename=f"modeltrouw-{constellation.pk}-{period.first:%Y-%m}-{period.last:%Y-%m}.csv",
        headers=selectors.month_headers(),
        rows=selectors.month_rows(item),
    )
