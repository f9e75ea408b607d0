"""Access requests (AVG art. 15, *inzage*): the team lead makes an overview of a child's file for
the child or a parent with custody, as a printable page or a JSON file (placements.inzage)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from placements import inzage, permissions
from pleegzorg.access_request import as_json
from pleegzorg.actions import log_view
from pleegzorg.audit import Purpose
from pleegzorg.permissions import get_visible_or_404, log_refusal


def _child_or_404(request, pk):
    return get_visible_or_404(permissions.children, request, purpose=Purpose.ACCESS_REQUEST, pk=pk)


@login_required
def access_request(request, pk):
    """For whom: the child and each parent, and why an overview cannot be made for some."""
    child = _child_or_404(request, pk)
    inzage.require_may_make(request.user, child)
    log_view(request, person=child, purpose=Purpose.ACCESS_REQUEST, detail="inzageverzoek")
    return _choose(request, child)


def _choose(request, child, *, refusal: str = "", status: int = 200):
    context = {"child": child, "recipients": inzage.recipients(child), "refusal": refusal}
    return render(request, "placements/access_request.html", context, status=status)


def _refused(request, child, refusal: inzage.RecipientRefused):
    """The overview may not be made for this person: say why, on the page to choose from."""
    log_refusal(request, refusal)
    return _choose(request, child, refusal=refusal.detail, status=403)


@never_cache
@login_required
def access_export(request, pk, key):
    """The overview as a page to read and print."""
    child = _child_or_404(request, pk)
    try:
        export = inzage.access_export_make(
            actor=request.user, child=child, key=key, fmt="html", request=request
        )
    except inzage.RecipientRefused as refusal:
        return _refused(request, child, refusal)
    context = {"child": child, "export": export, "key": key}
    return render(request, "placements/access_export.html", context)


@never_cache
@login_required
def access_export_json(request, pk, key):
    """The same overview as a JSON file to download."""
    child = _child_or_404(request, pk)
    try:
        export = inzage.access_export_make(
            actor=request.user, child=child, key=key, fmt="json", request=request
        )
    except inzage.RecipientRefused as refusal:
        return _refused(request, child, refusal)
    response = JsonResponse(as_json(export), json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{inzage.filename(export)}"'
    return response
