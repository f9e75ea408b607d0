"""When a case file last changed, defined once, and the parts that make up a file.

A child's case file is the child's record and everything recorded about the child: parents,
placements and what happened in them (meetings, agreements, decisions, conversations, requests,
caseworker and youth-protector history), the child's voice, and what other apps keep about the
child (respite stays, gatherings attended: ``constellations.retention``). Each part says, as an
expression for the child at ``OuterRef("pk")``, the last day it changed; the file changed on the
latest of those days. A day counts when a row was written (``created_at``, ``updated_at``) or
when what it records took place (a meeting's day, a placement's end); a placement without an end
is the file changing every day, so a file with a running placement is never due.

A part may also ``erase`` its rows of given children before the children are deleted, where a
foreign key protects them (``RespiteStay.child`` is PROTECT). Apps register parts from ready().
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import DateField, Expression, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest, TruncDate

# Before any day a file can hold: a part with no rows counts as never changed.
NEVER = dt.date(1900, 1, 1)
# After any real day: a placement that has not ended changes the file "today" for ever.
OPEN_ENDED = dt.date(9999, 12, 31)


@dataclass(frozen=True)
class FilePart:
    name: str
    last_change: Callable[[], Expression]
    erase: Callable[[list[int]], object] | None = None


_parts: dict[str, FilePart] = {}


def register_file_part(
    name: str,
    *,
    last_change: Callable[[], Expression],
    erase: Callable[[list[int]], object] | None = None,
) -> None:
    """Add a part of a child's case file (again under the same name: replaced)."""
    _parts[name] = FilePart(name, last_change, erase)


def file_parts() -> list[FilePart]:
    return list(_parts.values())


def latest_day(rows: QuerySet, day: Expression) -> Subquery:
    """The latest ``day`` over ``rows`` (already filtered to the child at ``OuterRef("pk")``)."""
    ordered = rows.annotate(day=day).order_by(F("day").desc(nulls_last=True)).values("day")[:1]
    return Subquery(ordered, output_field=DateField())


def day_of(field: str) -> TruncDate:
    """The day (in Amsterdam) of a moment."""
    return TruncDate(field)


def file_changed_on() -> Expression:
    """The day the case file of the child at hand last changed: the latest over every part."""
    days = [
        Coalesce(part.last_change(), Value(NEVER), output_field=DateField())
        for part in _parts.values()
    ]
    if len(days) == 1:
        return days[0]
    return Greatest(*days, output_field=DateField())


def review_cutoff(on: dt.date) -> dt.date:
    """A file that last changed on this day or before is due for review on ``on``: the same day
    ``CASE_FILE_RETENTION_YEARS`` years earlier (29 February becomes the 28th)."""
    years = settings.CASE_FILE_RETENTION_YEARS
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


def erase_parts(child_ids: Iterable[int]) -> None:
    """Let every part remove its protected rows of these children (before they are deleted)."""
    ids = list(child_ids)
    for part in _parts.values():
        if part.erase is not None:
            part.erase(ids)


# -- the placements app's own parts -----------------------------------------------------------


def _register_own_parts() -> None:
    from placements.models import (
        Agreement,
        CaseworkerAssignment,
        ChildContact,
        Decision,
        JointMeetingRequest,
        Meeting,
        Parent,
        Placement,
        VoiceNote,
        YouthProtectorAssignment,
    )

    child = OuterRef("pk")
    in_placements = {"placement__child": child}

    def placements_erase(ids: list[int]) -> None:
        # Placement.child is PROTECT; meetings, agreements, decisions and the rest cascade.
        Placement.objects.filter(child_id__in=ids).delete()

    def assignments(model):
        return lambda: latest_day(
            model.objects.filter(**in_placements),
            Greatest(day_of("created_at"), F("start_date"), Coalesce("end_date", "start_date")),
        )

    register_file_part("child", last_change=lambda: day_of("updated_at"))
    register_file_part(
        "voice_notes",
        last_change=lambda: latest_day(
            VoiceNote.objects.filter(child=child), Greatest(day_of("created_at"), F("said_on"))
        ),
    )
    register_file_part(
        "parents",
        last_change=lambda: latest_day(
            Parent.objects.filter(child_links__child=child), day_of("updated_at")
        ),
    )
    register_file_part(
        "placements",
        last_change=lambda: latest_day(
            Placement.objects.filter(child=child),
            Greatest(
                day_of("updated_at"),
                Coalesce("end_date", Value(OPEN_ENDED), output_field=DateField()),
            ),
        ),
        erase=placements_erase,
    )
    register_file_part(
        "meetings",
        last_change=lambda: latest_day(
            Meeting.objects.filter(**in_placements),
            Greatest(day_of("updated_at"), day_of("planned_at")),
        ),
    )
    register_file_part(
        "agreements",
        last_change=lambda: latest_day(
            Agreement.objects.filter(**in_placements),
            Greatest(day_of("created_at"), F("due_on"), Coalesce("closed_on", "due_on")),
        ),
    )
    register_file_part(
        "decisions",
        last_change=lambda: latest_day(
            Decision.objects.filter(**in_placements),
            Greatest(day_of("created_at"), F("decided_on")),
        ),
    )
    register_file_part(
        "child_contacts",
        last_change=lambda: latest_day(
            ChildContact.objects.filter(**in_placements), F("contact_on")
        ),
    )
    register_file_part(
        "meeting_requests",
        last_change=lambda: latest_day(
            JointMeetingRequest.objects.filter(**in_placements), F("requested_on")
        ),
    )
    register_file_part("caseworker_history", last_change=assignments(CaseworkerAssignment))
    register_file_part("youth_protector_history", last_change=assignments(YouthProtectorAssignment))


_register_own_parts()
