"""Bewaartermijn: the application manager reviews case files unchanged for 20 years and
deletes one only by confirming it."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from placements.retention import selectors, services
from placements.retention.forms import CaseFileDeleteForm
from placements.retention.rules import review_cutoff
from pleegzorg.actions import log_view
from pleegzorg.audit import Purpose
from pleegzorg.models import User
from pleegzorg.permissions import get_visible_or_404, require_role
from pleegzorg.views.forms import submit

ADMINISTRATION = Purpose.ADMINISTRATION


def _period() -> dict:
    return {
        "years": settings.CASE_FILE_RETENTION_YEARS,
        "cutoff": review_cutoff(timezone.localdate()),
    }


@login_required
def retention_review(request):
    """The case files due for review, the longest unchanged first."""
    require_role(request, User.Role.APP_MANAGER, purpose=ADMINISTRATION)
    files = selectors.files_for_review(request.user)
    page = Paginator(files, settings.PAGE_SIZE).get_page(request.GET.get("pagina"))
    log_view(request, person=None, purpose=ADMINISTRATION, detail="bewaartermijn: overzicht")
    return render(request, "placements/retention/review.html", {"page": page, **_period()})


@login_required
@require_http_methods(["GET", "POST"])
def retention_file(request, pk):
    """One file due for review: what it holds, and deleting it by confirming."""
    require_role(request, User.Role.APP_MANAGER, purpose=ADMINISTRATION)
    child = get_visible_or_404(
        selectors.review,
        request,
        queryset=selectors.file_for_review(request.user),
        purpose=ADMINISTRATION,
        pk=pk,
    )
    if request.method == "GET":
        log_view(request, person=child, purpose=ADMINISTRATION, detail="bewaartermijn: beoordelen")
    # Bound on every post: an unticked box posts no field at all.
    form = CaseFileDeleteForm(request.POST if request.method == "POST" else None)
    done = submit(
        request,
        form,
        partial(services.case_file_delete, child=child),
        success=lambda deleted: (
            _("The file has been deleted. The access log records this as “%(label)s”.")
            % {"label": deleted.label}
        ),
        redirect_to=lambda _deleted: reverse("placements:retention_review"),
    )
    context = {"child": child, "form": form, **_period()}
    return done or render(request, "placements/retention/file.html", context)
