from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from pleegzorg import navigation, permissions, selectors
from pleegzorg.audit import Action, Purpose, access_log_write
from pleegzorg.forms import AccessLogFilterForm
from pleegzorg.models import AccessLogEntry


@login_required
def start(request):
    user = request.user
    context = {
        "introduction": selectors.ROLE_INTRODUCTIONS.get(user.role, ""),
        "actions": navigation.start_actions_for(user),
        "teams": selectors.teams_for_start_page(user),
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
    filters = form.cleaned_data if form.is_valid() else {}
    # Log first, so the page shows this visit too and the count matches the rows.
    access_log_write(
        user=request.user,
        request=request,
        action=Action.SEARCH if any(filters.values()) else Action.VIEW,
        purpose=purpose,
        detail=_describe_filters(filters),
    )
    if form.errors:
        entries = AccessLogEntry.objects.none()  # never show unfiltered rows for a bad filter
    else:
        entries = selectors.access_log_entries(
            request.user,
            person=filters.get("person", ""),
            acting_user=filters.get("user"),
            action=filters.get("action", ""),
            period_start=filters.get("period_start"),
            period_end=filters.get("period_end"),
        )
    page = Paginator(entries, settings.PAGE_SIZE).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "pleegzorg/access_log.html"
    if request.htmx:
        # The form and its results swap together, so messages appear and disappear beside the
        # fields; htmx keeps the focus in the field being typed in (the inputs have ids).
        template += "#search"
    return render(request, template, context)


def _describe_filters(filters: dict) -> str:
    parts = [f"{key}={value}" for key, value in filters.items() if value]
    return "inzagelog " + " ".join(parts) if parts else "inzagelog"
