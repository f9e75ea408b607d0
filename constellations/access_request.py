"""What constellations hold about a child and their parent, for the overview of an access
request (AVG art. 15, ``placements.inzage``). Registered with ``pleegzorg.access_request`` in
``ConstellationsConfig.ready``, so that placements never imports this app.

Left out, as everywhere in the overview: the hub home's family and address, where gatherings took
place (it may be the hub home), the names of beds (free text that may name someone), the notes of
gatherings (about everyone there) and who else was there.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from constellations.models import Attendance, Gathering, ParentParticipation, RespiteStay
from placements.models import Child, Parent
from pleegzorg.access_request import Audience, Item, Part, facts, values_of


def _nothing() -> str:
    return _("Nothing recorded.")


def child_stays_part(child: Child, recipient, audience: Audience) -> Part:
    """The child's respite stays at hub homes: nights, constellation, planned or not, reason,
    status and notes. One query."""
    stays = (
        RespiteStay.objects.filter(child=child)
        .select_related("constellation")
        .order_by("-arrival", "-id")
    )
    paths = ("arrival", "departure", "planned", "reason", "status", "notes")
    records = tuple(
        (
            Item("constellation", _("Constellation"), stay.constellation.name),
            *facts(RespiteStay, values_of(stay, paths), paths),
        )
        for stay in stays
    )
    return Part(
        key="respite_stays",
        title=capfirst(str(RespiteStay._meta.verbose_name_plural)),
        records=records,
        empty=_nothing(),
    )


def gatherings_part(child: Child, recipient, audience: Audience) -> Part:
    """The gatherings the child went to and, in a parent's overview, those the parent went to
    themselves. One query."""
    whom = Q(child=child)
    if isinstance(recipient, Parent):
        whom |= Q(parent=recipient)
    attended = (
        Attendance.objects.filter(whom)
        .select_related("gathering__constellation")
        .order_by("-gathering__date", "-gathering_id", "id")
    )
    records = tuple(
        (
            *facts(Gathering, values_of(a.gathering, ("date", "kind")), ("date", "kind")),
            Item("constellation", _("Constellation"), a.gathering.constellation.name),
            Item("who", _("Who went"), str(child if a.child_id else recipient)),
        )
        for a in attended
    )
    return Part(
        key="gatherings",
        title=capfirst(str(Gathering._meta.verbose_name_plural)),
        records=records,
        empty=_nothing(),
    )


def parent_participation_part(child: Child, recipient, audience: Audience) -> Part | None:
    """In a parent's overview: the constellations the parent takes or took part in. One
    query; nothing in the child's overview (the parents' own data is theirs)."""
    if not isinstance(recipient, Parent):
        return None
    participations = ParentParticipation.objects.filter(parent=recipient).select_related(
        "constellation"
    )
    records = tuple(
        (
            Item("constellation", _("Constellation"), p.constellation.name),
            *facts(ParentParticipation, values_of(p, ("since", "until")), ("since", "until")),
        )
        for p in participations
    )
    return Part(
        key="parent_participation",
        title=_("Taking part in a constellation"),
        records=records,
        empty=_nothing(),
    )
