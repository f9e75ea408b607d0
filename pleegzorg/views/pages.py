from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from pleegzorg import navigation, panels, permissions, selectors
from pleegzorg.actions import log_view
from pleegzorg.audit import Action, Purpose
from pleegzorg.forms import AccessLogFilterForm
from pleegzorg.pagination import CappedPaginator
from pleegzorg.views.forms import template_for

START_PANELS = "start"


@login_required
def start(request):
    user = request.user
    context = {
        "introduction": selectors.ROLE_INTRODUCTIONS.get(user.role, ""),
        "actions": navigation.start_actions_for(user),
        "teams": selectors.teams_for_start_page(user),
        # Sections other apps add to the start page (pleegzorg.panels), such as "Mijn werk".
        "panels": panels.for_page(START_PANELS, user, None),
    }
    return render(request, "pleegzorg/start.html", context)


@login_required
@vary_on_headers("HX-Request")  # with htmx the same URL answers only the search
def access_log(request):
    """Search the access log. Looking at the log is itself logged."""
    purpose = Purpose.AUDIT
    permissions.require_role(
        request, *permissions.access_log.roles_that_search, purpose=purpose, detail="inzagelog"
    )
    form = AccessLogFilterForm(request.GET or None, viewer=request.user)
    # Log first, so the page shows this visit too and the count matches the rows.
    action = Action.SEARCH if form.filters() else Action.VIEW
    log_view(request, person=None, action=action, purpose=purpose, detail=form.description())
    entries = selectors.access_log_search(request.user, form)
    # Counted up to a bound: the log only grows, and a count of every match would too.
    paginator = CappedPaginator(entries, settings.PAGE_SIZE, most=selectors.ACCESS_LOG_MOST_COUNTED)
    page = paginator.get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    # The form and its results swap together, so messages appear and disappear beside the
    # fields; htmx keeps the focus in the field being typed in (the inputs have ids).
    return render(request, template_for(request, "pleegzorg/access_log.html", "search"), context)
