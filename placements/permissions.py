"""Who sees which case files.

A caseworker sees the placements where they are the current caseworker, and the children and
families reached through them; a team lead sees those of their team's caseworkers. Hub-home
parents, liaisons and application managers see no case files here (their view of a child comes with
constellations; application managers work in Django admin, where every read is logged too).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from placements.models import Child, FosterFamily, Meeting, Placement, YouthProtector
from pleegzorg.models import User
from pleegzorg.permissions import Policy


def _placement_condition(user: User) -> Q | None:
    if user.is_caseworker:
        return Q(caseworker=user)
    if user.is_team_lead:
        return Q(caseworker__team__lead=user)
    return None


def _led_team_ids(user: User) -> set[int]:
    if not hasattr(user, "_led_team_ids"):
        user._led_team_ids = set(user.led_teams.values_list("pk", flat=True))
    return user._led_team_ids


class PlacementPolicy(Policy[Placement]):
    model = Placement

    def visible_to(self, user: User) -> QuerySet[Placement]:
        condition = _placement_condition(user)
        if condition is None:
            return Placement.objects.none()
        return Placement.objects.filter(condition)

    def can_view(self, user: User, obj: Placement) -> bool:
        if user.is_caseworker:
            return obj.caseworker_id == user.pk
        if user.is_team_lead:
            return obj.caseworker.team_id in _led_team_ids(user)
        return False

    def can_change(self, user: User, obj: Placement) -> bool:
        return self.can_view(user, obj)


class ChildPolicy(Policy[Child]):
    model = Child

    def visible_to(self, user: User) -> QuerySet[Child]:
        placements = placements_policy.visible_to(user).filter(child=OuterRef("pk"))
        return Child.objects.filter(Exists(placements))

    def can_view(self, user: User, obj: Child) -> bool:
        return any(
            placements_policy.can_view(user, p) for p in obj.placements.select_related("caseworker")
        )

    def can_change(self, user: User, obj: Child) -> bool:
        return self.can_view(user, obj)


class FosterFamilyPolicy(Policy[FosterFamily]):
    model = FosterFamily

    def visible_to(self, user: User) -> QuerySet[FosterFamily]:
        placements = placements_policy.visible_to(user).filter(family=OuterRef("pk"))
        return FosterFamily.objects.filter(Exists(placements))

    def can_view(self, user: User, obj: FosterFamily) -> bool:
        return any(
            placements_policy.can_view(user, p) for p in obj.placements.select_related("caseworker")
        )

    def can_change(self, user: User, obj: FosterFamily) -> bool:
        return self.can_view(user, obj)


class YouthProtectorPolicy(Policy[YouthProtector]):
    """The register of youth protectors: caseworkers and team leads pick from it."""

    model = YouthProtector

    def visible_to(self, user: User) -> QuerySet[YouthProtector]:
        if user.is_caseworker or user.is_team_lead:
            return YouthProtector.objects.all()
        return YouthProtector.objects.none()

    def can_view(self, user: User, obj: YouthProtector) -> bool:
        return user.is_caseworker or user.is_team_lead


placements_policy = PlacementPolicy()
children = ChildPolicy()
families = FosterFamilyPolicy()
youth_protectors = YouthProtectorPolicy()


class MeetingPolicy(Policy[Meeting]):
    """Meetings follow their placement."""

    model = Meeting

    def visible_to(self, user: User) -> QuerySet[Meeting]:
        condition = _placement_condition(user)
        if condition is None:
            return Meeting.objects.none()
        prefixed = Q(
            *[(f"placement__{key}", value) for key, value in condition.children],
            _connector=condition.connector,
        )
        return Meeting.objects.filter(prefixed)

    def can_view(self, user: User, obj: Meeting) -> bool:
        return placements_policy.can_view(user, obj.placement)

    def can_change(self, user: User, obj: Meeting) -> bool:
        return self.can_view(user, obj)


meetings = MeetingPolicy()


# -- whom a placement may go to ---------------------------------------------------------------
# One definition each, used by the forms for their choices and by the services to refuse.


def start_candidates(user: User) -> QuerySet[User]:
    """Caseworkers a user may start a placement for: a caseworker themselves; a team lead the
    active caseworkers of the teams they lead."""
    if user.is_team_lead:
        return User.objects.filter(
            role=User.Role.CASEWORKER, is_active=True, team__lead=user
        ).order_by("first_name", "last_name")
    if user.is_caseworker:
        return User.objects.filter(pk=user.pk)
    return User.objects.none()


HANDOVER_REFUSED = _(
    "You cannot hand this placement over to this caseworker. Choose a caseworker from the list."
)


def handover_candidates(user: User, placement: Placement) -> QuerySet[User]:
    """Active caseworkers the placement can go to: the team of its current caseworker (a team
    lead may also choose from the other teams they lead)."""
    teams = Q(team=placement.caseworker.team_id)
    if user.is_team_lead:
        teams |= Q(team__lead=user)
    return (
        User.objects.filter(teams, role=User.Role.CASEWORKER, is_active=True)
        .exclude(pk=placement.caseworker_id)
        .order_by("first_name", "last_name")
    )
