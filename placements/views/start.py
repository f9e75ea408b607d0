"""Start a placement: a guided flow in four steps that works without JavaScript.

Each step posts the earlier steps' answers along as hidden fields, so nothing is stored on the
server until the last step starts the placement in one transaction.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from placements import forms, permissions, selectors, services
from pleegzorg.audit import Purpose
from pleegzorg.models import User
from pleegzorg.permissions import require_role

STEPS = [
    ("s0", gettext_lazy("Child")),
    ("s1", gettext_lazy("Foster family")),
    ("s2", gettext_lazy("Placement")),
    ("s3", gettext_lazy("Guidance")),
]
# Which step shows a refusal from the service, by the field it concerns.
FIELD_STEP = {"family": 1, "kind": 2, "start_date": 2, "planned_end_date": 2, "caseworker": 3}


def caseworkers_for(user: User):
    if user.is_team_lead:
        return User.objects.filter(
            role=User.Role.CASEWORKER, is_active=True, team__lead=user
        ).order_by("first_name", "last_name")
    return User.objects.filter(pk=user.pk)


def build_forms(user: User, data, submitted: int):
    """Steps up to ``submitted`` are bound to the posted data; later ones start from it."""
    classes = [
        (
            forms.ChildStepForm,
            {"children": permissions.children.visible_to(user).order_by("first_name")},
        ),
        (forms.FamilyStepForm, {}),
        (forms.PlacementStepForm, {}),
        (forms.GuidanceStepForm, {"caseworkers": caseworkers_for(user)}),
    ]
    built = []
    for index, ((prefix, _title), (form_class, kwargs)) in enumerate(
        zip(STEPS, classes, strict=True)
    ):
        if data is not None and index <= submitted:
            built.append(form_class(data, prefix=prefix, **kwargs))
        else:
            initial = {}
            if data is not None:
                initial = {
                    key.removeprefix(f"{prefix}-"): value
                    for key, value in data.items()
                    if key.startswith(f"{prefix}-")
                }
            built.append(form_class(prefix=prefix, initial=initial, **kwargs))
    return built


@login_required
@require_http_methods(["GET", "POST"])
def placement_new(request):
    require_role(request, User.Role.CASEWORKER, User.Role.TEAM_LEAD, purpose=Purpose.CARE)
    data = request.POST if request.method == "POST" else None
    submitted = int(data.get("step", 0)) if data else 0
    submitted = min(max(submitted, 0), len(STEPS) - 1)
    action = data.get("action", "next") if data else "show"
    # Going back or searching for a family does not check the step being left.
    bound_upto = submitted - 1 if action in {"back", "search"} else submitted
    step_forms = build_forms(request.user, data, bound_upto)
    step = submitted

    if action == "back":
        step = max(submitted - 1, 0)
    elif action == "next":
        invalid = next((i for i in range(submitted + 1) if not step_forms[i].is_valid()), None)
        if invalid is not None:
            step = invalid
        elif submitted < len(STEPS) - 1:
            step = submitted + 1
        else:
            try:
                placement = _start(request, step_forms)
            except ValidationError as error:
                step = _show_refusal(step_forms, error)
            else:
                messages.success(
                    request,
                    _("The placement of %(child)s with %(family)s starts on %(day)s.")
                    % {
                        "child": placement.child,
                        "family": placement.family,
                        "day": date_format(placement.start_date, "SHORT_DATE_FORMAT"),
                    },
                )
                return redirect("placements:child", placement.child_id)

    chosen = (data or {}).get("s1-family", "")
    families = selectors.families_for_matching(
        (data or {}).get("s1-search", ""), include=int(chosen) if chosen.isdigit() else None
    )
    context = {
        "steps": [title for _prefix, title in STEPS],
        "step": step,
        "form": step_forms[step],
        "carried": _carried(data, keep=STEPS[step][0]),
        "families": families,
        "chosen_family": chosen,
        "summary": _summary(step_forms, data, step),
    }
    template = "placements/placement_new.html"
    if request.htmx and action == "search":
        template += "#family-choices"
    return render(request, template, context)


@transaction.atomic
def _start(request, step_forms):
    child_form, family_form, placement_form, guidance_form = step_forms
    child = child_form.cleaned_data.get("existing")
    if child is None:
        child = services.child_create(
            actor=request.user, request=request, **child_form.new_child_fields()
        )
    return services.placement_start(
        actor=request.user,
        child=child,
        family=family_form.cleaned_data["family"],
        request=request,
        **placement_form.cleaned_data,
        **guidance_form.cleaned_data,
    )


def _show_refusal(step_forms, error: ValidationError) -> int:
    """Put each message on its field, in its step; show the first step with a message."""
    if not hasattr(error, "error_dict"):
        step_forms[-1].add_error(None, error)
        return len(step_forms) - 1
    steps = []
    for field, messages_ in error.message_dict.items():
        step = FIELD_STEP.get(field, 0)
        form = step_forms[step]
        form.add_error(field if field in form.fields else None, messages_)
        steps.append(step)
    return min(steps)


def _carried(data, *, keep: str) -> list[tuple[str, str]]:
    """The other steps' answers, posted along as hidden fields."""
    if not data:
        return []
    return [
        (key, value)
        for key, values in data.lists()
        if key[:3] in {"s0-", "s1-", "s2-", "s3-"} and not key.startswith(f"{keep}-")
        for value in values
    ]


def _summary(step_forms, data, step: int) -> list[tuple[str, str]]:
    """What has been chosen in the steps before this one, to show above the form."""
    rows = []
    for index in range(step):
        form = step_forms[index]
        if not form.is_bound or not form.is_valid():
            continue
        if index == 0:
            child = form.cleaned_data.get("existing")
            rows.append(
                (
                    str(STEPS[0][1]),
                    str(child) if child else "{first_name} {last_name}".format(**form.cleaned_data),
                )
            )
        elif index == 1:
            rows.append((str(STEPS[1][1]), str(form.cleaned_data["family"])))
        elif index == 2:
            cleaned = form.cleaned_data
            rows.append(
                (
                    str(STEPS[2][1]),
                    f"{dict(form.fields['kind'].choices)[cleaned['kind']]}, "
                    f"{date_format(cleaned['start_date'], 'SHORT_DATE_FORMAT')}",
                )
            )
    return rows
