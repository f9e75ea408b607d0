from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from placements.dashboard import exports, selectors
from placements.dashboard.forms import DashboardFilterForm
from placements.forms import RULE_LABELS
from pleegzorg.actions import log_view
from pleegzorg.audit import Purpose
from pleegzorg.models import User
from pleegzorg.permissions import require_role
from pleegzorg.views.forms import template_for


@login_required
@vary_on_headers("HX-Request")  # with htmx the same URL answers only the figures
def team_dashboard(request):
    """The team lead's view of the work: caseloads, what is overdue, stability. An application
    manager sees every team's numbers (without the lists behind them)."""
    require_role(request, User.Role.TEAM_LEAD, User.Role.APP_MANAGER, purpose=Purpose.SUPERVISION)
    form = DashboardFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    dashboard = None
    if filters is not None:
        scope = selectors.dashboard_scope(request, filters)
        dashboard = selectors.team_dashboard(request.user, scope, request.GET.get("pagina"))
        if request.GET.get("formaat") == "csv":
            return exports.dashboard_csv(request, dashboard, request.GET.get("tabel", ""))
        log_view(request, person=None, purpose=Purpose.SUPERVISION, detail="team dashboard")
    query = request.GET.copy()
    query.pop("formaat", None)
    query.pop("tabel", None)
    query.pop("pagina", None)
    context = {
        "form": form,
        "dashboard": dashboard,
        "rules": RULE_LABELS,
        "query": query.urlencode(),
    }
    template = template_for(request, "placements/dashboard/team.html", "figures")
    return render(request, template, context)
