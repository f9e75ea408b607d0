"""The outcome monitor's page and its CSV export. Thin: parse the filters, call the report,
render; who may see which region is in constellations.outcomes.permissions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from constellations.outcomes.forms import OutcomeFilterForm
from constellations.outcomes.permissions import ROLES, regions
from constellations.outcomes.report import csv_tables, outcome_report
from pleegzorg.actions import log_view
from pleegzorg.audit import Purpose
from pleegzorg.export import csv_response
from pleegzorg.permissions import get_visible_or_404, require_role
from pleegzorg.views.forms import template_for

TEMPLATE = "constellations/outcomes/monitor.html"


def _filtered(request):
    """The filter form and, when it is valid, the report (a region not theirs: 404, logged)."""
    require_role(request, *ROLES, purpose=Purpose.SUPERVISION, detail="uitkomsten")
    form = OutcomeFilterForm(request.GET, viewer=request.user)
    if not form.is_valid():
        return form, None
    region = form.cleaned_data["region"]
    if region is not None:
        get_visible_or_404(regions, request, purpose=Purpose.SUPERVISION, pk=region.pk)
    chosen = [region.pk] if region else [r.pk for r in form.visible_regions]
    return form, outcome_report(chosen, form.period())


@login_required
@vary_on_headers("HX-Request")  # with htmx the same URL answers only the results
def monitor(request):
    form, report = _filtered(request)
    log_view(request, person=None, purpose=Purpose.SUPERVISION, detail="uitkomsten")
    context = {"form": form, "report": report, "query": request.GET.urlencode()}
    return render(request, template_for(request, TEMPLATE, "results"), context)


@login_required
def export(request, table: str):
    form, report = _filtered(request)
    if report is None:
        return render(request, TEMPLATE, {"form": form, "report": None}, status=400)
    tables = csv_tables(report, table)
    if tables is None:
        raise Http404
    headers, rows = tables
    return csv_response(request, filename=f"uitkomsten-{table}.csv", headers=headers, rows=rows)
