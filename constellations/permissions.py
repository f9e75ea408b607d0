"""Who sees which constellation, and which children's care facts.

* The liaison sees the constellations they run; hub-home parents the one of their hub home. Of the
  member families' foster children they see only the care facts needed for a stay (name, age,
  allergies, medication, diet, emergency contacts): never the case file, the parents' details or
  decisions.
* A caseworker sees the constellations that a family of their caseload is a member of.
* A team lead sees every constellation in the regions of the teams they lead.
* Application managers work in Django admin; everyone else sees none (404).

Changing: the liaison and the team lead manage members, parents taking part and gatherings; the
hub-home parents and the liaison book stays and log support contacts (a team lead may too).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils import timezone

from constellations.models import Constellation, Membership, RespiteStay
from placements.models import Child, Placement
from placements.permissions import Access, children
from pleegzorg import request_queries
from pleegzorg.audit import Action, Purpose
from pleegzorg.models import Team, User
from pleegzorg.permissions import Policy, Refused


def _region_ids(user: User) -> set[int]:
    """The regions of the teams the user leads: asked once per request, by SQL compiled once
    per process (``pleegzorg.request_queries``; the user's id its only parameter)."""
    if not hasattr(user, "_led_region_ids"):
        rows = request_queries.fetch("led region ids", _led_region_ids, (user.pk,))
        user._led_region_ids = {region for (region,) in rows}
    return user._led_region_ids


def _led_region_ids(user_id: int) -> QuerySet:
    return Team.objects.filter(lead=user_id).values_list("region_id").order_by()


def _hub_constellation_ids(user: User) -> set[int]:
    """The constellations whose hub home the user is a parent of: asked once per request (a
    page asks whether they may view, book and read care facts), by SQL compiled once per
    process (the user's id its only parameter)."""
    if not hasattr(user, "_hub_constellation_ids"):
        rows = request_queries.fetch("hub constellation ids", _hub_constellations, (user.pk,))
        user._hub_constellation_ids = {pk for (pk,) in rows}
    return user._hub_constellation_ids


def _hub_constellations(user_id: int) -> QuerySet:
    return Constellation.objects.filter(hub__parents=user_id).values_list("pk").order_by()


def _caseload_memberships(user_id: int, on: dt.date) -> QuerySet[Membership]:
    caseload = Placement.objects.active(on).filter(caseworker=user_id, family=OuterRef("family"))
    return Membership.objects.current(on).filter(Exists(caseload))


class ConstellationPolicy(Policy[Constellation]):
    model = Constellation

    def condition(
        self, user: User, *, user_id: int | None = None, on: dt.date | None = None
    ) -> Q | None:
        """Which constellations ``user`` sees on ``on`` (today), or None: none. ``user_id``
        stands in for the user's own id, so that the SQL of this condition can be compiled
        once for every user of the same :meth:`compiled_key` (``pleegzorg.compiled.instances``
        finds where the id goes by changing it)."""
        uid = user.pk if user_id is None else user_id
        if user.is_liaison:
            return Q(liaison=uid)
        if user.is_hub_home_parent:
            return Q(hub__parents=uid)
        if user.is_team_lead:
            # The regions of their teams as a subquery of their id, not a list asked first:
            # a list page (the fidelity list) is then one query less, and its SQL one for
            # every team lead (compiled_key).
            return Q(region__in=_led_region_ids(uid))
        if user.is_caseworker:
            on = on or timezone.localdate()
            caseload = _caseload_memberships(uid, on).filter(constellation=OuterRef("pk"))
            return Q(Exists(caseload))
        return None

    def compiled_key(self, user: User, on: dt.date) -> tuple[tuple, bool] | None:
        """Everything the SQL of :meth:`condition` on ``on`` depends on besides the data and
        the user's id (the key of a query of it compiled once per process), and whether the
        user's id is one of its parameters; None for a user who sees none.

        A key that left out something the condition reads would show one user the
        constellations of another: the role decides the condition's shape; the team lead's
        reads their regions by their id; the caseworker's holds the day.
        (tests/constellations/test_compiled_pages.py asks for each role after another.)"""
        if user.is_liaison:
            return ("liaison",), True
        if user.is_hub_home_parent:
            return ("hub home parent",), True
        if user.is_team_lead:
            return ("team lead",), True
        if user.is_caseworker:
            return ("caseworker", on), True
        return None

    def visible_to(self, user: User) -> QuerySet[Constellation]:
        condition = self.condition(user)
        if condition is None:
            return Constellation.objects.none()
        return Constellation.objects.filter(condition)

    def can_view(self, user: User, obj: Constellation) -> bool:
        if user.is_liaison:
            return obj.liaison_id == user.pk
        if user.is_hub_home_parent:
            return obj.pk in _hub_constellation_ids(user)
        if user.is_team_lead:
            return obj.region_id in _region_ids(user)
        if user.is_caseworker:
            memberships = _caseload_memberships(user.pk, timezone.localdate())
            return memberships.filter(constellation=obj).exists()
        return False

    def can_change(self, user: User, obj: Constellation) -> bool:
        """Members, parents taking part, gatherings."""
        if user.is_liaison:
            return obj.liaison_id == user.pk
        return user.is_team_lead and obj.region_id in _region_ids(user)

    def can_book(self, user: User, obj: Constellation) -> bool:
        """Stays and support contacts: the hub home, the liaison, the team lead."""
        if user.is_hub_home_parent:
            return self.can_view(user, obj)
        return self.can_change(user, obj)

    def sees_care_facts(self, user: User, obj: Constellation) -> bool:
        """The liaison and the hub-home parents care for the children during a stay."""
        return (user.is_liaison or user.is_hub_home_parent) and self.can_view(user, obj)


constellations = ConstellationPolicy()


def refuse_unless(
    allowed: bool,
    *,
    obj: Model,
    person: Model | None = None,
    action: str = Action.VIEW,
) -> None:
    """Refuse (403) what a policy does not allow, naming the record (and the person it concerns)
    so that the access log shows what was refused."""
    if not allowed:
        raise Refused(obj=obj, person=person, purpose=Purpose.CARE, action=action)


def refuse_care_facts_unless_allowed(user: User, constellation: Constellation, child_pk) -> None:
    """The care facts page: refuse (403) who may not read care facts in this constellation. The
    log entry names the child when it is one of the constellation's."""
    if constellations.sees_care_facts(user, constellation):
        return
    child = member_children(constellation).filter(pk=child_pk).first()
    raise Refused(obj=child or constellation, person=child, purpose=Purpose.CARE)


def member_children(constellation: Constellation, on=None) -> QuerySet[Child]:
    """The foster children placed, on ``on``, in the constellation's member families."""
    on = on or timezone.localdate()
    members = Membership.objects.current(on).filter(constellation=constellation)
    placed = Placement.objects.active(on).filter(
        child=OuterRef("pk"), family__in=members.values("family")
    )
    return Child.objects.filter(Exists(placed))


class StayPolicy(Policy[RespiteStay]):
    """A stay is seen by whoever sees its constellation and may read the child's name there: the
    liaison and hub home always, a caseworker or team lead for the children of their caseload."""

    model = RespiteStay

    @staticmethod
    def _cares_for_every_child(user: User) -> bool:
        return user.is_liaison or user.is_hub_home_parent

    def visible_to(self, user: User) -> QuerySet[RespiteStay]:
        stays = RespiteStay.objects.filter(constellation__in=constellations.visible_to(user))
        if self._cares_for_every_child(user):
            return stays
        return stays.filter(child__in=children.visible_to(user))

    def can_view(self, user: User, obj: RespiteStay) -> bool:
        if not constellations.can_view(user, obj.constellation):
            return False
        return self._cares_for_every_child(user) or children.can_view(user, obj.child)

    def readable_child_ids(self, user: User, visible_stays: list[RespiteStay]) -> set[int]:
        """Of stays in a constellation ``user`` sees, the children whose name they may read (on
        the calendar the others show as "taken"). One query at most."""
        ids = {stay.child_id for stay in visible_stays}
        if self._cares_for_every_child(user) or not ids:
            return ids
        return set(children.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))

    def can_change(self, user: User, obj: RespiteStay) -> bool:
        """Who books in the constellation; but a team lead who holds the child's file only in
        aftercare, or opened it with a reason, reads its stays without changing them
        (placements.permissions.Access)."""
        if not constellations.can_book(user, obj.constellation):
            return False
        if self._cares_for_every_child(user):
            return True
        return children.access(user, obj.child) not in (Access.AFTERCARE, Access.READ)


stays = StayPolicy()


class MembershipPolicy(Policy[Membership]):
    """A membership, current or ended, is seen and changed with its constellation."""

    model = Membership

    def visible_to(self, user: User) -> QuerySet[Membership]:
        return Membership.objects.filter(constellation__in=constellations.visible_to(user))

    def can_view(self, user: User, obj: Membership) -> bool:
        return constellations.can_view(user, obj.constellation)

    def can_change(self, user: User, obj: Membership) -> bool:
        return constellations.can_change(user, obj.constellation)


memberships = MembershipPolicy()
