"""Opening a file with a stated reason after its aftercare period ("break the glass"), and the
review of those openings by the team lead and the application manager."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from pleegzorg import permissions, selectors, services
from pleegzorg.actions import log_view
from pleegzorg.audit import Purpose
from pleegzorg.forms import BreakGlassForm
from pleegzorg.views.forms import submit, template_for


@login_required
@require_http_methods(["GET", "POST"])
def break_glass(request, kind, pk):
    """Ask why the user opens the file; with a reason, open it (read only) and go there."""
    spec = permissions.break_glass_kind(kind)
    record, visible = permissions.get_break_glass_record_or_404(spec, request, pk)
    if visible:
        return redirect(spec.url(record.pk))
    form = BreakGlassForm(request.POST or None)
    done = submit(
        request,
        form,
        partial(services.break_glass_open, record=record),
        success=lambda grant: (
            _("%(record)s is open to you until %(time)s, to read only. Your reason is recorded.")
            % {"record": record, "time": timezone.localtime(grant.valid_until).strftime("%H:%M")}
        ),
        redirect_to=lambda grant: spec.url(record.pk),
    )
    context = {"record": record, "form": form, "months": settings.AFTERCARE_MONTHS}
    context["hours"] = settings.BREAK_GLASS_HOURS
    return done or render(request, "pleegzorg/break_glass.html", context)


@login_required
@vary_on_headers("HX-Request")  # with htmx (the pages) the same URL answers only the list
def break_glass_review(request):
    """The files opened with a reason, for the team lead (their teams') and the application
    manager (all): not yet reviewed first, or all with ``alles``."""
    permissions.require_role(
        request, *permissions.break_glass_grants.roles_that_review, purpose=Purpose.AUDIT
    )
    show_all = request.GET.get("alles") == "1"
    log_view(request, person=None, purpose=Purpose.AUDIT, detail="geopend met reden: overzicht")
    grants = selectors.break_glass_grants(request.user, to_review=not show_all)
    page = Paginator(grants, settings.PAGE_SIZE).get_page(request.GET.get("pagina"))
    query = "alles=1" if show_all else ""
    context = {"page": page, "show_all": show_all, "query": query}
    template = template_for(request, "pleegzorg/break_glass_review.html", "results")
    return render(request, template, context)


@login_required
@require_POST
def break_glass_reviewed(request, pk):
    """Mark one opening as reviewed, then back to the list."""
    grant = permissions.get_visible_or_404(
        permissions.break_glass_grants, request, purpose=Purpose.AUDIT, pk=pk
    )
    grant = services.break_glass_review(actor=request.user, grant=grant, request=request)
    messages.success(request, _("Marked as reviewed: %(record)s.") % {"record": grant.record_label})
    back = "?alles=1" if request.POST.get("alles") == "1" else ""
    return redirect(reverse("pleegzorg:break_glass_review") + back)
