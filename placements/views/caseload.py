from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from placements import selectors
from placements.forms import ATTENTION_LABELS, RULE_LABELS, CaseloadFilterForm
from pleegzorg.actions import log_view
from pleegzorg.audit import Action, Purpose
from pleegzorg.models import User
from pleegzorg.permissions import require_role
from pleegzorg.views.forms import template_for

CASELOAD_PAGE_SIZE = 25


@login_required
@vary_on_headers("HX-Request")  # with htmx the same URL answers only the results
def caseload(request):
    """'Mijn caseload': a caseworker's active placements; a team lead sees the team's."""
    require_role(request, User.Role.CASEWORKER, User.Role.TEAM_LEAD, purpose=Purpose.CARE)
    form = CaseloadFilterForm(request.GET or None)
    filters = form.filters()
    placements = selectors.CaseloadPlacements(request.user, **filters)
    page = Paginator(placements, CASELOAD_PAGE_SIZE).get_page(request.GET.get("pagina"))
    selectors.with_attention_labels(page.object_list, ATTENTION_LABELS)
    selectors.with_row_labels(page.object_list)
    if filters["search"]:
        log_view(
            request, person=None, action=Action.SEARCH, detail=f"caseload: {filters['search']}"
        )
    query = request.GET.copy()
    query.pop("pagina", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "filtered": any(v for key, v in filters.items() if key not in ("sort", "stage")),
        "reason": filters["reason"],
        "stage": filters["stage"],
        "reason_label": RULE_LABELS.get(filters["reason"], ""),
    }
    return render(request, template_for(request, "placements/caseload.html", "results"), context)
