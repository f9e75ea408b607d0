"""The child file: one page with its sections, each editable in place."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.html import format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from placements import forms, permissions, selectors, services
from placements.meetings import selectors as meeting_selectors
from placements.meetings.models import Agreement, JointMeetingRequest, Meeting, RoleAuthority
from placements.models import Placement
from pleegzorg import panels
from pleegzorg.actions import log_view, require_change
from pleegzorg.audit import Purpose
from pleegzorg.permissions import get_visible_or_404, offers_break_glass, raise_not_visible
from pleegzorg.versioning import StaleRecord, VersionedModelForm
from pleegzorg.views.forms import add_errors, submit


@dataclass(frozen=True)
class Section:
    title: str | Promise
    form_class: type[VersionedModelForm]
    save_label: str | Promise

    @property
    def in_aftercare(self) -> bool:
        """Whether it may change in aftercare (the life story: AFTERCARE_CHILD_FIELDS)."""
        return set(self.form_class._meta.fields) <= permissions.AFTERCARE_CHILD_FIELDS

    @property
    def policy(self):
        return permissions.children_in_aftercare if self.in_aftercare else permissions.children

    def editable(self, access: permissions.Access) -> bool:
        needed = permissions.Access.AFTERCARE if self.in_aftercare else permissions.Access.FULL
        return access >= needed


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


# A row of a section: as the template wrote it, {{ value|default:"—"|linebreaksbr }}.
FACT = "<div><dt>{}</dt><dd>{}</dd></div>"


def section_facts(rows: list[tuple[str, str]]) -> str:
    """The ``<div>``s of a section's ``<dl>``, one ``format_html`` per row: the four sections'
    28 rows were the template's hottest loop (three lookups and two filters a row)."""
    return format_html_join(
        "\n      ", FACT, ((label, linebreaksbr(value or "—", True)) for label, value in rows)
    )


def section_context(child, key: str, access=None) -> dict:
    """A section as the file shows it; with the user's ``access``, whether it shows "Change"."""
    spec = SECTIONS[key]
    return {
        "key": key,
        "title": spec.title,
        "save_label": spec.save_label,
        "facts": section_facts(section_rows(child, key)),
        "editable": access is not None and spec.editable(access),
    }


def with_labels(model, rows, *fields: str) -> None:
    """Give each of ``rows`` (instances of ``model``, or dicts of its fields) a
    ``<field>_label`` for each of ``fields``: what ``get_<field>_display()`` gives, from one
    dict per field per page. get_FOO_display builds a dict of every choice on each call,
    translating each label to hash it."""
    if not rows:
        return
    for name in fields:
        labels = {value: str(label) for value, label in model._meta.get_field(name).flatchoices}
        attribute = f"{name}_label"
        for row in rows:
            if isinstance(row, dict):
                row[attribute] = labels.get(row[name], row[name])
            else:
                value = getattr(row, name)
                setattr(row, attribute, labels.get(value, value))


def _child_or_404(request, pk, *, may=None, break_glass: bool = False):
    """The child if the user sees it (404 otherwise, or the page asking for a reason with
    ``break_glass``); with ``may`` (a policy) refused (403) unless it allows the change."""
    child = get_visible_or_404(
        permissions.children, request, purpose=Purpose.CARE, break_glass=break_glass, pk=pk
    )
    if may is not None:
        require_change(request.user, may, child, person=child)
    return child


def _section_or_404(key: str) -> Section:
    if key not in SECTIONS:
        raise Http404
    return SECTIONS[key]


def _in_file(child, anchor: str = "") -> str:
    """The child file, at one of its sections."""
    return reverse("placements:child", args=[child.pk]) + (f"#{anchor}" if anchor else "")


# The slot other apps add panels to (pleegzorg.panels), such as the respite stays.
CHILD_FILE_PANELS = "child_file"


@login_required
@offers_break_glass
def child_file(request, pk):
    child = selectors.file_child(request.user, pk)
    if child is None:
        # Logged as a denied attempt, and answered 404 or the page asking for a reason, as
        # _child_or_404 does.
        raise_not_visible(
            permissions.children, request, purpose=Purpose.CARE, break_glass=True, pk=pk
        )
    file = selectors.child_file(request.user, child)
    log_view(request, person=child, detail=file.access_detail)
    labels = ("kind", "legal_basis", "perspective", "end_reason", "ended_by")
    with_labels(Placement, file.placements, *labels)
    meetings = meeting_selectors.meetings_of(file.current) if file.current else None
    if meetings:
        with_labels(Meeting, meetings["meetings"], "kind", "status")
        with_labels(Agreement, meetings["agreements"], "owner", "status")
        with_labels(RoleAuthority, meetings["authorities"], "subject", "decides")
        with_labels(JointMeetingRequest, meetings["requests"], "requested_by")
    context = {
        "file": file,
        "meetings": meetings,
        "panels": panels.for_page(CHILD_FILE_PANELS, request.user, child),
        "child": child,
        "tab": "file",
        "sections": [section_context(child, key, file.access) for key in SECTIONS],
    }
    return render(request, "placements/child_file.html", context)


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def child_section_edit(request, pk, section):
    """GET shows the section's form; POST saves it. With htmx only the section is swapped."""
    spec = _section_or_404(section)
    child = _child_or_404(request, pk, may=spec.policy)
    form = spec.form_class(request.POST or None, instance=child)
    context = {"child": child, "section": section_context(child, section), "stale_rows": None}
    if request.method == "GET":
        log_view(request, person=child, detail=f"bewerken: {section}")
    elif form.is_valid():
        try:
            child = services.child_update(
                actor=request.user, child=child, request=request, **form.versioned_changes()
            )
        except ValidationError as error:
            if isinstance(error, StaleRecord):
                # Show what is saved now; keep what the user typed in the form.
                form = form.over_current()
                context["stale_rows"] = section_rows(form.saved_now, section)
            add_errors(form, error)
        else:
            return _section_saved(request, child, section)
    context["form"] = form
    if request.htmx:
        return render(request, "placements/child_file.html#section-form", context)
    return render(request, "placements/child_section_edit.html", context)


def _section_saved(request, child, section: str):
    """After a save: with htmx the section as the file shows it, else back to the file."""
    if not request.htmx:
        return redirect(_in_file(child, section))
    access = permissions.children.access(request.user, child)
    context = {"child": child, "section": section_context(child, section, access), "saved": True}
    return render(request, "placements/child_file.html#section-view", context)


@login_required
def child_section(request, pk, section):
    """One section as shown on the file: what 'Annuleren' swaps back in with htmx."""
    _section_or_404(section)
    child = _child_or_404(request, pk)
    access = permissions.children.access(request.user, child)
    context = {"child": child, "section": section_context(child, section, access)}
    return render(request, "placements/child_file.html#section-view", context)


@login_required
def child_access_log(request, pk):
    """'Wie heeft dit dossier bekeken': this child's access log, for its caseworker and lead."""
    child = _child_or_404(request, pk)
    log_view(request, person=child, purpose=Purpose.AUDIT, detail="wie heeft dit dossier bekeken")
    entries = selectors.child_access_log(child)
    page = Paginator(entries, 50).get_page(request.GET.get("pagina"))
    context = {"child": child, "page": page, "tab": "log", "query": ""}
    return render(request, "placements/child_access_log.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def decision_new(request, pk):
    child = _child_or_404(request, pk, may=permissions.children)
    placement = selectors.latest_placement(child)
    form = forms.DecisionForm(request.POST or None, initial={"decided_on": timezone.localdate()})
    done = submit(
        request,
        form,
        partial(services.decision_record, placement=placement),
        success=lambda decision: (
            _("Decision recorded: %(subject)s") % {"subject": decision.subject}
        ),
        redirect_to=lambda decision: _in_file(child, "besluiten"),
    )
    return done or _child_add_page(
        request, child, form, title=_("Record a decision"), button=_("Save decision")
    )


@login_required
@require_http_methods(["GET", "POST"])
def voice_note_new(request, pk):
    child = _child_or_404(request, pk, may=permissions.children)
    form = forms.VoiceNoteForm(request.POST or None, initial={"said_on": timezone.localdate()})
    done = submit(
        request,
        form,
        partial(services.voice_note_add, child=child),
        success=lambda note: _("What %(child)s said has been recorded.") % {"child": child},
        redirect_to=lambda note: _in_file(child, "stem"),
    )
    return done or _child_add_page(
        request,
        child,
        form,
        title=_("Record the voice of the child"),
        button=_("Save what the child said"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def parent_edit(request, pk, link_pk=None):
    """Add a parent to the child (no ``link_pk``) or change one."""
    child = _child_or_404(request, pk, may=permissions.children)
    link = None
    if link_pk is not None:
        link = get_object_or_404(selectors.parent_links(child), pk=link_pk)
    initial = forms.ParentForm.initial_for(link) if link else {}
    form = forms.ParentForm(request.POST or None, initial=initial)
    done = submit(
        request,
        form,
        partial(_parent_save, child=child, link=link),
        success=lambda saved: _("%(name)s saved.") % {"name": saved.parent},
        redirect_to=lambda saved: _in_file(child, "ouders"),
    )
    title = _("Change parent") if link else _("Add a parent")
    return done or _child_add_page(request, child, form, title=title, button=_("Save parent"))


def _parent_save(*, actor, request, child, link, **data):
    return services.parent_save(
        actor=actor, child=child, data=data, link=link, version=data.get("version"), request=request
    )


def _child_add_page(request, child, form, *, title, button):
    """The page of a small form about the child: a decision, a voice note, a parent."""
    context = {"child": child, "form": form, "title": title, "submit": button}
    return render(request, "placements/child_add.html", context)
