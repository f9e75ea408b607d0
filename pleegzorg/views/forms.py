"""Helpers every app's form views share: service refusals onto the form, the post-redirect
step, and the partial template an htmx request asks for."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect


def add_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: per field where the field exists, or where
    the form's ``error_fields`` maps the service's name to one (``{"planned_at": "day"}``)."""
    if hasattr(error, "error_dict"):
        renamed = getattr(form, "error_fields", {})
        for field, messages_ in error.message_dict.items():
            field = renamed.get(field, field)
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error)


def submit(
    request,
    form,
    action: Callable[..., Any],
    *,
    success: Callable[[Any], str],
    redirect_to: Callable[[Any], str],
) -> HttpResponse | None:
    """For a valid posted form: run the service ``action`` with the actor, the request and the
    cleaned data; on success say ``success(result)`` and redirect to ``redirect_to(result)``.
    A refusal puts its messages on the form; None means: show the form again, input kept."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = action(actor=request.user, request=request, **form.cleaned_data)
    except ValidationError as error:
        add_errors(form, error)
        return None
    messages.success(request, success(result))
    return redirect(redirect_to(result))


def template_for(request, template: str, partial: str) -> str:
    """The named partial for an htmx request that asked for one (not a boosted page load)."""
    if request.htmx and not request.htmx.boosted:
        return f"{template}#{partial}"
    return template


def submit_changes(
    request,
    form,
    action: Callable[..., Any],
    *,
    success: Callable[[Any], str],
    redirect_to: Callable[[Any], str],
) -> HttpResponse | None:
    """``submit`` for a form of changes to a versioned record
    (``pleegzorg.versioning.VersionedModelForm``): the service ``action`` gets the actor, the
    request, and the version the user saw with the changed fields, rather than every field."""

    def save_changes(*, actor, request, **_cleaned):
        return action(actor=actor, request=request, **form.versioned_changes())

    return submit(request, form, save_changes, success=success, redirect_to=redirect_to)
