"""The child file: one page with its sections, each editable in place."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from placements import forms, permissions, selectors, services
from pleegzorg.audit import Action, Purpose, access_log_write
from pleegzorg.models import AccessLogEntry
from pleegzorg.permissions import get_visible_or_404
from pleegzorg.views.forms import add_errors


@dataclass(frozen=True)
class Section:
    title: str | Promise
    form_class: type[forms.VersionedModelForm]
    save_label: str | Promise


SECTIONS = {
    "kind": Section(
        gettext_lazy("The child"), forms.ChildDetailsForm, gettext_lazy("Save the child's details")
    ),
    "zorg": Section(
        gettext_lazy("Care during a stay"), forms.CareFactsForm, gettext_lazy("Save care facts")
    ),
    "vertrouwenspersoon": Section(
        gettext_lazy("Trusted person"), forms.TrustedPersonForm, gettext_lazy("Save trusted person")
    ),
    "levensverhaal": Section(
        gettext_lazy("Life story"), forms.LifeStoryForm, gettext_lazy("Save life story")
    ),
}


def section_rows(child, key: str) -> list[tuple[str, str]]:
    """Label and display value of each field of a section, as the file shows them."""
    rows = []
    for name in SECTIONS[key].form_class._meta.fields:
        field = child._meta.get_field(name)
        value = getattr(child, f"get_{name}_display")() if field.choices else getattr(child, name)
        if hasattr(value, "strftime"):
            value = date_format(value, "SHORT_DATE_FORMAT")
        rows.append((capfirst(field.verbose_name), value))
    return rows


def section_context(child, key: str) -> dict:
    spec = SECTIONS[key]
    return {
        "key": key,
        "title": spec.title,
        "save_label": spec.save_label,
        "rows": section_rows(child, key),
    }


def _child_or_404(request, pk):
    return get_visible_or_404(permissions.children, request, purpose=Purpose.CARE, pk=pk)


@login_required
def child_file(request, pk):
    child = _child_or_404(request, pk)
    access_log_write(
        user=request.user, request=request, action=Action.VIEW, purpose=Purpose.CARE, person=child
    )
    from constellations.selectors import child_stays

    file = selectors.child_file(request.user, child)
    context = {
        "file": file,
        "meetings": selectors.meetings_of(file.current) if file.current else None,
        "stays": child_stays(child),
        "child": child,
        "tab": "file",
        "sections": [section_context(child, key) for key in SECTIONS],
    }
    return render(request, "placements/child_file.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def child_section_edit(request, pk, section):
    """GET shows the section's form; POST saves it. With htmx only the section is swapped."""
    if section not in SECTIONS:
        raise Http404
    child = _child_or_404(request, pk)
    spec = SECTIONS[section]
    form = spec.form_class(request.POST or None, instance=child)
    stale_rows = None  # what is saved now, when someone else saved in the meantime
    if request.method == "POST" and form.is_valid():
        try:
            child = services.child_update(
                actor=request.user,
                child=child,
                version=form.cleaned_data["version"],
                changes=form.changes(),
                request=request,
            )
        except ValidationError as error:
            if isinstance(error, services.StaleRecord):
                # Show what is saved now; keep what the user typed in the form.
                current = type(child).objects.get(pk=child.pk)
                stale_rows = section_rows(current, section)
                form = spec.form_class(request.POST, instance=current)
                form.data = form.data.copy()
                form.data["version"] = current.version
                form.is_valid()
            form.add_error(None, error)
        else:
            if request.htmx:
                context = {
                    "child": child,
                    "section": section_context(child, section),
                    "saved": True,
                }
                return render(request, "placements/child_file.html#section-view", context)
            return redirect(reverse("placements:child", args=[child.pk]) + f"#{section}")
    else:
        access_log_write(
            user=request.user,
            request=request,
            action=Action.VIEW,
            purpose=Purpose.CARE,
            person=child,
            detail=f"bewerken: {section}",
        )
    context = {
        "child": child,
        "section": section_context(child, section),
        "form": form,
        "stale_rows": stale_rows,
    }
    template = "placements/child_section_edit.html"
    if request.htmx:
        template = "placements/child_file.html#section-form"
    return render(request, template, context)


@login_required
def child_section(request, pk, section):
    """One section as shown on the file: what 'Annuleren' swaps back in with htmx."""
    if section not in SECTIONS:
        raise Http404
    child = _child_or_404(request, pk)
    context = {"child": child, "section": section_context(child, section)}
    return render(request, "placements/child_file.html#section-view", context)


@login_required
def child_access_log(request, pk):
    """'Wie heeft dit dossier bekeken': this child's access log, for its caseworker and lead."""
    child = _child_or_404(request, pk)
    access_log_write(
        user=request.user,
        request=request,
        action=Action.VIEW,
        purpose=Purpose.AUDIT,
        person=child,
        detail="wie heeft dit dossier bekeken",
    )
    entries = AccessLogEntry.objects.filter(
        person_type__app_label="placements", person_type__model="child", person_id=child.pk
    ).select_related("on_behalf_of")
    page = Paginator(entries, 50).get_page(request.GET.get("pagina"))
    context = {"child": child, "page": page, "tab": "log", "query": ""}
    return render(request, "placements/child_access_log.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def decision_new(request, pk):
    child = _child_or_404(request, pk)
    placement = child.placements.order_by("-start_date").select_related("family").first()
    form = forms.DecisionForm(request.POST or None, initial={"decided_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_record(
                actor=request.user, placement=placement, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Decision recorded: %(subject)s") % form.cleaned_data)
            return redirect(reverse("placements:child", args=[child.pk]) + "#besluiten")
    context = {
        "child": child,
        "form": form,
        "title": _("Record a decision"),
        "submit": _("Save decision"),
    }
    return render(request, "placements/child_add.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def voice_note_new(request, pk):
    child = _child_or_404(request, pk)
    form = forms.VoiceNoteForm(request.POST or None, initial={"said_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.voice_note_add(
                actor=request.user, child=child, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, _("What %(child)s said has been recorded.") % {"child": child}
            )
            return redirect(reverse("placements:child", args=[child.pk]) + "#stem")
    context = {
        "child": child,
        "form": form,
        "title": _("Record the voice of the child"),
        "submit": _("Save what the child said"),
    }
    return render(request, "placements/child_add.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def parent_edit(request, pk, link_pk=None):
    """Add a parent to the child (no ``link_pk``) or change one."""
    child = _child_or_404(request, pk)
    link = None
    if link_pk is not None:
        link = get_object_or_404(child.parent_links.select_related("parent"), pk=link_pk)
    initial = forms.ParentForm.initial_for(link) if link else {}
    form = forms.ParentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.parent_save(
                actor=request.user,
                child=child,
                data=data,
                link=link,
                version=data.get("version"),
                request=request,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s saved.") % {"name": f"{data['first_name']} {data['last_name']}"},
            )
            return redirect(reverse("placements:child", args=[child.pk]) + "#ouders")
    context = {
        "child": child,
        "form": form,
        "title": _("Change parent") if link else _("Add a parent"),
        "submit": _("Save parent"),
    }
    return render(request, "placements/child_add.html", context)
