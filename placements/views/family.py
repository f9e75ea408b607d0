from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from placements import permissions, selectors
from pleegzorg.audit import Action, Purpose, access_log_write
from pleegzorg.permissions import get_visible_or_404


@login_required
def family_detail(request, pk):
    family = get_visible_or_404(permissions.families, request, purpose=Purpose.CARE, pk=pk)
    access_log_write(
        user=request.user, request=request, action=Action.VIEW, purpose=Purpose.CARE, person=family
    )
    return render(
        request, "placements/family_detail.html", selectors.family_page(request.user, family)
    )
