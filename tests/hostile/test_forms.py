"""Every form of the project, fed hostile input: validating never raises; a refusal is in Dutch
(each message differs from its English source), and what was typed stays on the form; nothing
typed comes back as markup.

The forms are found by walking the project's modules, so a new form is tried without anyone
adding it here. A form whose constructor needs something this file cannot build fails loudly.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from typing import Any

import pytest
from django import forms
from django.forms import widgets
from django.forms.formsets import BaseFormSet
from django.forms.models import BaseModelForm
from django.http import QueryDict
from django.test import RequestFactory
from django.utils import timezone, translation
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st

from constellations import selectors as constellation_selectors
from placements import permissions as placement_permissions
from placements.models import Child, FosterFamily
from tests.hostile import strategies as hostile
from tests.hostile.conftest import COVERED, TRIED, World, examples, rolled_back

PROJECT_PACKAGES = ("pleegzorg", "placements", "constellations")


def project_modules():
    for package_name in PROJECT_PACKAGES:
        package = importlib.import_module(package_name)
        yield package
        for info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            if ".migrations" not in info.name:
                yield importlib.import_module(info.name)


def project_forms() -> dict[str, type]:
    """Every form and formset class defined in the project's modules, by dotted name. Left out:
    a ModelForm base without a model (``VersionedModelForm``), which no page uses itself."""
    found = {}
    for module in project_modules():
        for name, obj in vars(module).items():
            if not isinstance(obj, type):
                continue
            if issubclass(obj, forms.BaseForm) and obj.__module__ == module.__name__:
                if issubclass(obj, BaseModelForm) and obj._meta.model is None:
                    continue
                found[f"{module.__name__}.{obj.__qualname__}"] = obj
            elif issubclass(obj, BaseFormSet) and obj.form.__module__ == module.__name__:
                found[f"{module.__name__}.{name}"] = obj
    return dict(sorted(found.items()))


FORMS = project_forms()


def test_the_walk_finds_the_forms_of_every_app():
    assert len(FORMS) > 30, FORMS
    for expected in (
        "pleegzorg.forms.LoginForm",
        "placements.forms.FamilyForm",
        "placements.meetings.forms.AgreementFormSet",
        "constellations.forms.StayForm",
        "constellations.outcomes.forms.OutcomeFilterForm",
        "placements.dashboard.forms.DashboardFilterForm",
    ):
        assert expected in FORMS


# -- building each form as its view does -------------------------------------------------------

Builder = Callable[[World, type], Any]

# What each constructor argument is, by the name the forms give it; (form, argument) where two
# forms mean different things by one name.
ARGUMENTS: dict[str | tuple[str, str], Builder] = {
    "viewer": lambda w, _cls: w.users["caseworker"],
    "user": lambda w, _cls: w.users["caseworker"],
    "placement": lambda w, _cls: w.placement,
    "meeting": lambda w, _cls: w.joint_meeting,
    ("HeldForm", "meeting"): lambda w, _cls: w.start_meeting,
    "children": lambda w, _cls: placement_permissions.children.visible_to(w.users["caseworker"]),
    ("StayForm", "children"): lambda w, _cls: constellation_selectors.stay_choices(w.constellation)[
        "children"
    ],
    "beds": lambda w, _cls: constellation_selectors.stay_choices(w.constellation)["beds"],
    "families": lambda w, _cls: constellation_selectors.member_candidates(w.constellation),
    ("SupportContactForm", "families"): lambda w, _cls: constellation_selectors.member_families(
        w.constellation
    ),
    "shown": lambda w, _cls: constellation_selectors.member_candidates_shown(
        constellation_selectors.member_candidates(w.constellation), search="a"
    ),
    "parents": lambda w, _cls: constellation_selectors.parents_who_may_take_part(w.constellation),
    "people": lambda w, _cls: constellation_selectors.attendance_choices(
        w.constellation, timezone.localdate()
    ),
    "current_weeks": lambda w, _cls: w.placement.joint_meeting_interval_weeks,
    "has_planned_meeting": lambda w, _cls: False,
    # The login form authenticates, and django-axes needs the request for that.
    "request": lambda w, _cls: _login_request(),
    "instance": lambda w, cls: _instance(w, cls),
}


def _login_request():
    request = RequestFactory().post("/inloggen/", REMOTE_ADDR="192.0.2.1")
    request.session = {}
    return request


def _instance(world: World, form_class):
    model = getattr(getattr(form_class, "_meta", None), "model", None)
    return {Child: world.child, FosterFamily: world.placement.family}.get(model)


def constructor_parameters(form_class) -> dict[str, inspect.Parameter]:
    """The named parameters of every ``__init__`` on the way up (a form's own ``*args,
    **kwargs`` pass them on), nearest first."""
    parameters = {}
    for klass in form_class.__mro__:
        if "__init__" in vars(klass):
            for name, parameter in list(inspect.signature(klass.__init__).parameters.items())[1:]:
                if parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                    parameters.setdefault(name, parameter)
    return parameters


def form_arguments(form_class, world: World) -> dict:
    """The keyword arguments the form's view passes, built from the world."""
    if issubclass(form_class, BaseFormSet):
        return {"prefix": "f"}
    arguments = {}
    for name, parameter in constructor_parameters(form_class).items():
        if name == "data":
            continue
        builder = ARGUMENTS.get((form_class.__name__, name)) or ARGUMENTS.get(name)
        if builder is not None:
            arguments[name] = builder(world, form_class)
        elif parameter.default is parameter.empty:
            pytest.fail(f"{form_class.__name__} needs {name!r}: say how to build it in ARGUMENTS")
    return arguments


# -- hostile data for a form ---------------------------------------------------------------------


def field_kind(field: forms.Field) -> str:
    if isinstance(field, forms.BooleanField):
        return "bool"
    if isinstance(field, (forms.ChoiceField, forms.ModelChoiceField)):
        return "choice"
    if isinstance(field, forms.DateField):
        return "date"
    if isinstance(field, forms.TimeField):
        return "time"
    if isinstance(field, (forms.IntegerField, forms.DecimalField, forms.FloatField)):
        return "number"
    if isinstance(field, forms.EmailField):
        return "email"
    return "text"


def plausible(field: forms.Field, kind: str) -> st.SearchStrategy[str]:
    """A value the field may accept, with text that is markup or SQL all the same."""
    if kind == "choice":
        values = [str(value) for value, _label in list(field.choices)[:50] if value != ""]
        return st.sampled_from(values) if values else st.just("")
    return {
        "bool": st.sampled_from(["on", "1", ""]),
        "date": hostile.plausible_date(),
        "time": st.sampled_from(["10:00", "00:00", "23:59"]),
        "number": st.integers(-2, 30).map(str),
        "email": st.just("ouder@example.org"),
    }.get(kind, hostile.short_payload())


def value_for(draw, field: forms.Field, world: World) -> str | list[str] | None:
    """One field's input: plausible, hostile, someone else's id, or left out (None)."""
    kind = field_kind(field)
    choices = [plausible(field, kind), hostile.hostile_for(kind)]
    if kind in ("choice", "number"):
        choices.append(st.sampled_from(world.foreign_ids).map(str))
    one = st.one_of(*choices)
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return draw(st.one_of(st.none(), st.lists(one, max_size=4)))
    return draw(st.one_of(st.none(), one))


def bound_fields(form_class, arguments) -> list[tuple[str, forms.Field]]:
    """(name as posted, field) of every field, the management form's included."""
    data = constructor_parameters(form_class).get("data")
    needs_data = data is not None and data.default is data.empty
    unbound = form_class(**arguments, **({"data": QueryDict()} if needs_data else {}))
    if isinstance(unbound, BaseFormSet):
        parts = [unbound.management_form, *unbound.forms, unbound.empty_form]
        parts[-1].prefix = unbound.add_prefix(len(unbound.forms))  # one more row than shown
    else:
        parts = [unbound]
    return [(part.add_prefix(name), field) for part in parts for name, field in part.fields.items()]


def as_query_dict(values: dict) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in values.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    return data


# -- what every form must do ---------------------------------------------------------------------


def error_messages(form) -> list[str]:
    """Every message on a form or formset, as text in the active language."""
    if isinstance(form, BaseFormSet):
        return [*form.non_form_errors(), *(m for f in form.forms for m in error_messages(f))]
    return [str(message) for errors in form.errors.values() for message in errors]


def parts_of(form) -> list:
    return [form.management_form, *form.forms] if isinstance(form, BaseFormSet) else [form]


KEPT_WIDGETS = (widgets.Input, forms.Textarea)
NOT_KEPT = (forms.CheckboxInput, forms.PasswordInput, forms.MultipleHiddenInput, forms.FileInput)


def check_form(form_class, arguments: dict, values: dict) -> None:
    build = lambda: form_class(data=as_query_dict(values), **arguments)  # noqa: E731
    form = build()
    valid = form.is_valid()
    rendered = str(form)
    for marker in hostile.RAW_MARKERS:
        assert marker not in rendered, f"{marker!r} shown as markup"
    if valid:
        return
    dutch = error_messages(form)
    assert dutch or isinstance(form, BaseFormSet), "invalid without a message"
    with translation.override("en"):
        english_form = build()
        english_form.is_valid()
        english = error_messages(english_form)
    untranslated = [nl for nl, en in zip(dutch, english, strict=True) if nl == en]
    assert not untranslated, f"not in Dutch: {untranslated}"
    for part in parts_of(form):
        for name, field in part.fields.items():
            key = part.add_prefix(name)
            widget = field.widget
            if key not in values or not isinstance(widget, KEPT_WIDGETS):
                continue
            if isinstance(widget, NOT_KEPT):
                continue
            assert escape(values[key]) in str(part[name]), f"{key}: what was typed is gone"


@pytest.mark.parametrize("name", FORMS)
def test_hostile_input_never_breaks_a_form(name, world):
    form_class = FORMS[name]
    arguments = form_arguments(form_class, world)
    fields = bound_fields(form_class, arguments)
    COVERED["forms"].add(name)

    @examples(8)
    @given(st.data())
    def property_(data):
        values = {}
        for key, field in fields:
            value = value_for(data.draw, field, world)
            if value is not None:
                values[key] = value
        TRIED["form inputs"] += 1
        with rolled_back():
            check_form(form_class, arguments, values)

    property_()
