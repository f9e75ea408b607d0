from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from placements import permissions, selectors, services
from placements.forms import FamilyForm
from pleegzorg.audit import Action, Purpose, access_log_write
from pleegzorg.permissions import get_visible_or_404
from pleegzorg.views.forms import add_errors


@login_required
def family_detail(request, pk):
    family = get_visible_or_404(permissions.families, request, purpose=Purpose.CARE, pk=pk)
    access_log_write(
        user=request.user, request=request, action=Action.VIEW, purpose=Purpose.CARE, person=family
    )
    return render(
        request, "placements/family_detail.html", selectors.family_page(request.user, family)
    )


@login_required
@require_http_methods(["GET", "POST"])
def family_edit(request, pk):
    family = get_visible_or_404(permissions.families, request, purpose=Purpose.CARE, pk=pk)
    form = FamilyForm(request.POST or None, instance=family)
    if request.method == "POST" and form.is_valid():
        try:
            family = services.family_update(
                actor=request.user,
                family=family,
                version=form.cleaned_data["version"],
                changes=form.changes(),
                request=request,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("%(family)s saved.") % {"family": family})
            return redirect("placements:family", family.pk)
    return render(request, "placements/family_edit.html", {"family": family, "form": form})
