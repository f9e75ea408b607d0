"""What a child's case file holds in this app, for its retention (``placements.retention``):
respite stays and gatherings attended. Registered from ready()."""

from __future__ import annotations

from django.db.models import F, OuterRef
from django.db.models.functions import Greatest

from constellations.models import Attendance, RespiteStay
from placements.retention.rules import day_of, latest_day, register_file_part


def _stays_erase(child_ids: list[int]) -> None:
    # RespiteStay.child is PROTECT, so that no stay goes with a child by accident; here the
    # file is deleted on purpose, after its review.
    RespiteStay.objects.filter(child_id__in=child_ids).delete()


register_file_part(
    "respite_stays",
    last_change=lambda: latest_day(
        RespiteStay.objects.filter(child=OuterRef("pk")),
        Greatest(day_of("updated_at"), F("departure")),
    ),
    erase=_stays_erase,
)
# Attendance rows go with the child (CASCADE); the day they record counts as a change.
register_file_part(
    "gatherings",
    last_change=lambda: latest_day(
        Attendance.objects.filter(child=OuterRef("pk")), F("gathering__date")
    ),
)
