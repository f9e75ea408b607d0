"""Who sees which case files: access follows the work (need-to-know, NEN 7510).

A placement belongs to its caseworker and to the team it belongs to (``Placement.team``: the
caseworker's team at the start or at the last handover), whose lead watches over it. What they
may do depends on the placement's stage on the day (``Placement.stage_on``, one rule on the
model):

* **not ended** (running, or still to start): read and change (:attr:`Access.FULL`);
* **in aftercare** (up to ``AFTERCARE_MONTHS`` after the last day): read, and only the changes
  aftercare needs (:attr:`Access.AFTERCARE`, :data:`AFTERCARE_TASKS`);
* **past aftercare**: nothing, until the user opens the child's file or the family with a stated
  reason ("break the glass", ``pleegzorg.services.break_glass_open``): then read only, for
  ``BREAK_GLASS_HOURS`` (:attr:`Access.READ`).

A caseworker who moves to another team keeps their running placements (they are still their
caseworker until a handover) but not the ended ones of the old team: aftercare and the reason to
open a closed file need the caseworker to be in the team the placement belongs to. The team lead's
view follows the placement's team, so the new team's lead does not inherit the old team's files.

Hub-home parents, liaisons and application managers see no case files here (their view of a child
comes with constellations; application managers work in Django admin, where every read is logged).
"""

from __future__ import annotations

from enum import IntEnum

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from placements.models import (
    Agreement,
    Child,
    FosterFamily,
    FosterParent,
    Meeting,
    Party,
    Placement,
    YouthProtector,
)
from pleegzorg.models import BreakGlassGrant, Team, User
from pleegzorg.permissions import Policy, granted_id_list, granted_ids, open_grant


class Access(IntEnum):
    """What a user may do with a placement, a child's file or a family, from less to more."""

    NONE = 0
    READ = 1  # opened with a stated reason after the aftercare period: read only
    AFTERCARE = 2  # in aftercare: read, and the changes of AFTERCARE_TASKS
    FULL = 3  # not ended: read and change


# The changes aftercare needs, and the only ones it allows: a conversation with the child after
# the ending (the follow-up talk), the life story (every child leaves with one; it is often handed
# over after the ending), and the ending's own details (reason, who ended it, the note) as they
# become clear. Everything else about an ended placement (the child's details, parents,
# decisions, meetings, the family) is read only.
AFTERCARE_TASKS = ("child_contact", "life_story", "ending")
# The fields of the child's file that the life story task changes.
AFTERCARE_CHILD_FIELDS = frozenset({"life_story_status"})

AFTERCARE_REFUSED = _(
    "This placement has ended and is in aftercare. You can read the file; in aftercare you can "
    "only record a conversation with the child, update the life story and add to the details "
    "of the ending."
)
READ_ONLY_REFUSED = _(
    "You opened this file with a reason after its aftercare period. You can read it, but not "
    "change it."
)


def _own(user: User, prefix: str = "") -> Q | None:
    """The placements a user works on, whatever their stage: a caseworker's own, a team lead's
    team's."""
    if user.is_caseworker:
        return Q(**{f"{prefix}caseworker": user})
    if user.is_team_lead:
        return Q(**{f"{prefix}team__lead": user})
    return None


def _own_after_ending(user: User, prefix: str = "") -> Q | None:
    """Of :func:`_own`, those the user still answers for once they have ended: a caseworker only
    those of the team they are in now."""
    own = _own(user, prefix)
    if own is not None and user.is_caseworker:
        if user.team_id is None:
            return own & Q(**{f"{prefix}team__isnull": True})
        return own & Q(**{f"{prefix}team": user.team_id})
    return own


def access_condition(user: User, on=None, *, prefix: str = "") -> Q | None:
    """The placements a user may see on ``on`` (today) by their work, without a stated reason:
    not ended, or in aftercare. None: none at all (not a caseworker or team lead)."""
    on = on or timezone.localdate()
    own = _own(user, prefix)
    if own is None:
        return None
    return (own & Placement.not_ended_condition(on, prefix=prefix)) | (
        _own_after_ending(user, prefix) & Placement.in_aftercare_condition(on, prefix=prefix)
    )


def break_glass_condition(user: User, on=None) -> Q | None:
    """The placements past aftercare on ``on`` whose file the user may open with a reason: those
    they would still answer for (:func:`_own_after_ending`)."""
    own = _own_after_ending(user)
    if own is None:
        return None
    return own & Placement.past_aftercare_condition(on or timezone.localdate())


def _led_team_ids(user: User) -> set[int]:
    if not hasattr(user, "_led_team_ids"):
        user._led_team_ids = set(user.led_teams.values_list("pk", flat=True))
    return user._led_team_ids


def _leads_team_of(user: User, placement: Placement) -> bool:
    """Whether the team lead leads the placement's team: from the team when the caller fetched
    it with the placement (no query), else from the teams they lead (one query per user)."""
    if Placement.team.is_cached(placement):
        return placement.team is not None and placement.team.lead_id == user.pk
    return placement.team_id in _led_team_ids(user)


def own_access(user: User, placement: Placement, on=None) -> Access:
    """:func:`access_condition` for a placement in hand (for a team lead one query for their
    teams, unless the placement comes with its team): FULL, AFTERCARE or NONE."""
    on = on or timezone.localdate()
    if user.is_caseworker:
        own = placement.caseworker_id == user.pk
        still_answers = own and placement.team_id == user.team_id
    elif user.is_team_lead:
        own = still_answers = _leads_team_of(user, placement)
    else:
        return Access.NONE
    stage = placement.stage_on(on)
    if own and stage == Placement.Stage.NOT_ENDED:
        return Access.FULL
    if still_answers and stage == Placement.Stage.AFTERCARE:
        return Access.AFTERCARE
    return Access.NONE


def may_break_glass(user: User, placement: Placement, on=None) -> bool:
    """:func:`break_glass_condition` for a placement in hand."""
    on = on or timezone.localdate()
    if placement.stage_on(on) != Placement.Stage.CLOSED:
        return False
    if user.is_caseworker:
        return placement.caseworker_id == user.pk and placement.team_id == user.team_id
    return user.is_team_lead and _leads_team_of(user, placement)


def record_access(
    user: User, obj: Child | FosterFamily, placements
) -> tuple[Access, BreakGlassGrant | None]:
    """The user's access to a child's file or a family: the most any of its ``placements``
    gives (in hand: no query), else READ by an open grant (one query), with that grant."""
    if not (user.is_caseworker or user.is_team_lead):
        return Access.NONE, None
    own = max((own_access(user, p) for p in placements), default=Access.NONE)
    if own:
        return own, None
    grant = open_grant(user, obj)
    return (Access.READ, grant) if grant else (Access.NONE, None)


def refusal_for(access: Access) -> str:
    """Why a change is refused, in the user's words, for the access they have."""
    if access == Access.AFTERCARE:
        return str(AFTERCARE_REFUSED)
    if access == Access.READ:
        return str(READ_ONLY_REFUSED)
    return ""


class AccessPolicy[M](Policy[M]):
    """A policy whose answers come from one :class:`Access` level per record."""

    def access(self, user: User, obj: M) -> Access:
        raise NotImplementedError

    def can_view(self, user: User, obj: M) -> bool:
        return self.access(user, obj) >= Access.READ

    def can_change(self, user: User, obj: M) -> bool:
        return self.access(user, obj) == Access.FULL

    def refusal_message(self, user: User, obj: M) -> str:
        return refusal_for(self.access(user, obj))


class PlacementPolicy(AccessPolicy[Placement]):
    model = Placement

    def visible_to(self, user: User) -> QuerySet[Placement]:
        condition = access_condition(user)
        if condition is None:
            return Placement.objects.none()
        # A child's file opened with a reason shows its placements (read only).
        return Placement.objects.filter(condition | Q(child__in=granted_id_list(user, Child)))

    def access(self, user: User, obj: Placement) -> Access:
        if not (user.is_caseworker or user.is_team_lead):
            return Access.NONE
        own = own_access(user, obj)
        if own:
            return own
        return Access.READ if open_grant(user, obj.child) else Access.NONE


class ChildPolicy(AccessPolicy[Child]):
    model = Child

    def visible_to(self, user: User) -> QuerySet[Child]:
        by_work = self.by_work(user)
        if by_work is None:
            return Child.objects.none()
        return Child.objects.filter(by_work | Q(pk__in=granted_ids(user, Child)))

    def by_work(self, user: User, *, on=None) -> Q | None:
        """Of :meth:`visible_to`, the children ``user`` sees on ``on`` (today) by their work,
        without a stated reason (None: none at all)."""
        condition = access_condition(user, on)
        if condition is None:
            return None
        return Q(Exists(Placement.objects.filter(condition, child=OuterRef("pk"))))

    def access(self, user: User, obj: Child) -> Access:
        return record_access(user, obj, obj.placements.select_related("team"))[0]

    def can_break_glass(self, user: User, obj: Child) -> bool:
        condition = break_glass_condition(user)
        return condition is not None and obj.placements.filter(condition).exists()

    def break_glass_team(self, user: User, obj: Child) -> Team | None:
        return _latest_team(obj.placements.filter(break_glass_condition(user)))


class FosterFamilyPolicy(AccessPolicy[FosterFamily]):
    model = FosterFamily

    def visible_to(self, user: User) -> QuerySet[FosterFamily]:
        condition = access_condition(user)
        if condition is None:
            return FosterFamily.objects.none()
        own = Placement.objects.filter(condition, family=OuterRef("pk"))
        return FosterFamily.objects.filter(
            Q(Exists(own)) | Q(pk__in=granted_ids(user, FosterFamily))
        )

    def access(self, user: User, obj: FosterFamily) -> Access:
        return record_access(user, obj, obj.placements.select_related("team"))[0]

    def can_change(self, user: User, obj: FosterFamily) -> bool:
        """The family's details and status: only with a running placement in it (aftercare
        changes nothing about the family)."""
        return self.access(user, obj) == Access.FULL

    def refusal_message(self, user: User, obj: FosterFamily) -> str:
        access = self.access(user, obj)
        if access == Access.AFTERCARE:
            return gettext(
                "Your placements with this family have ended. You can read its details, but "
                "not change them."
            )
        return refusal_for(access)

    def can_break_glass(self, user: User, obj: FosterFamily) -> bool:
        condition = break_glass_condition(user)
        return condition is not None and obj.placements.filter(condition).exists()

    def break_glass_team(self, user: User, obj: FosterFamily) -> Team | None:
        return _latest_team(obj.placements.filter(break_glass_condition(user)))


def _latest_team(placements: QuerySet[Placement]) -> Team | None:
    """The team of the placement that ended last."""
    latest = placements.select_related("team").order_by("-end_date", "-pk").first()
    return latest.team if latest else None


class AftercarePolicy[M](AccessPolicy[M]):
    """A policy's view for the changes aftercare needs (:data:`AFTERCARE_TASKS`): allowed with
    FULL or AFTERCARE access. Services of those tasks check it instead of the policy itself."""

    def __init__(self, policy: AccessPolicy[M]):
        self.policy = policy
        self.model = policy.model

    def visible_to(self, user: User) -> QuerySet[M]:
        return self.policy.visible_to(user)

    def access(self, user: User, obj: M) -> Access:
        return self.policy.access(user, obj)

    def can_change(self, user: User, obj: M) -> bool:
        return self.access(user, obj) >= Access.AFTERCARE


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
# The changes aftercare needs: a conversation with the child and the ending (on the placement),
# the life story (on the child).
placements_in_aftercare = AftercarePolicy(placements_policy)
children_in_aftercare = AftercarePolicy(children)


class MeetingPolicy(AccessPolicy[Meeting]):
    """Meetings follow their placement (planning, holding and moving them are not aftercare)."""

    model = Meeting

    def visible_to(self, user: User) -> QuerySet[Meeting]:
        condition = access_condition(user, prefix="placement__")
        if condition is None:
            return Meeting.objects.none()
        granted = Q(placement__child__in=granted_ids(user, Child))
        return Meeting.objects.filter(condition | granted)

    def access(self, user: User, obj: Meeting) -> Access:
        return placements_policy.access(user, obj.placement)


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
    """Active caseworkers the placement can go to: the team it belongs to (a team lead may also
    choose from the other teams they lead)."""
    teams = Q(team=placement.team_id)
    if user.is_team_lead:
        teams |= Q(team__lead=user)
    return (
        User.objects.filter(teams, role=User.Role.CASEWORKER, is_active=True)
        .exclude(pk=placement.caseworker_id)
        .order_by("first_name", "last_name")
    )


# -- foster parents (issue 13, "Mijn pleeggezin") ------------------------------------------------


def foster_parent_of(user: User):
    """The foster parent record of a foster parent's account (with its family), or None: for
    any other role, and for an account no record points to. Read once per request."""
    if not user.is_authenticated or not user.is_foster_parent:
        return None
    if not hasattr(user, "_foster_parent_record"):
        user._foster_parent_record = (
            FosterParent.objects.select_related("family").filter(account=user).first()
        )
    return user._foster_parent_record


def foster_parent_placements(user: User, on=None) -> QuerySet[Placement]:
    """The placements a foster parent takes part in on ``on`` (today): those of their own family
    that have not ended, or are in aftercare. Never another family's, never one past aftercare,
    nothing for any other role."""
    on = on or timezone.localdate()
    record = foster_parent_of(user)
    if record is None:
        return Placement.objects.none()
    return Placement.objects.filter(family=record.family_id).filter(
        Placement.not_ended_condition(on) | Placement.in_aftercare_condition(on)
    )


class _FosterParentPolicy[M](Policy[M]):
    """A record a foster parent sees through :func:`foster_parent_placements`."""

    def can_view(self, user: User, obj: M) -> bool:
        return self.visible_to(user).filter(pk=obj.pk).exists()


class FosterParentMeetingPolicy(_FosterParentPolicy[Meeting]):
    """The planned meetings of a foster parent's own placements (:func:`foster_parent_placements`):
    what 'Mijn pleeggezin' lists and lets them put in their calendar."""

    model = Meeting

    def visible_to(self, user: User) -> QuerySet[Meeting]:
        return Meeting.objects.filter(
            status=Meeting.Status.PLANNED, placement__in=foster_parent_placements(user)
        )


foster_parent_meetings = FosterParentMeetingPolicy()


class FosterParentAgreementPolicy(_FosterParentPolicy[Agreement]):
    """The agreements of a foster parent's own placements: they see them all, and mark their
    own (owner: the foster parents) done while they are open."""

    model = Agreement

    def visible_to(self, user: User) -> QuerySet[Agreement]:
        return Agreement.objects.filter(placement__in=foster_parent_placements(user))

    def can_change(self, user: User, obj: Agreement) -> bool:
        return (
            obj.owner == Party.FOSTER_PARENTS
            and obj.status == Agreement.Status.OPEN
            and self.can_view(user, obj)
        )

    def refusal_message(self, user: User, obj: Agreement) -> str:
        return gettext("Only the foster parents' own open agreements can be marked done here.")


foster_parent_agreements = FosterParentAgreementPolicy()


class FosterParentRequestPolicy(_FosterParentPolicy[Placement]):
    """A foster parent may ask for a joint meeting about a placement of their own family that
    runs (not one in aftercare: that has no joint meetings any more)."""

    model = Placement

    def visible_to(self, user: User) -> QuerySet[Placement]:
        return foster_parent_placements(user)

    def can_change(self, user: User, obj: Placement) -> bool:
        return self.visible_to(user).filter(pk=obj.pk).not_ended().exists()


foster_parent_requests = FosterParentRequestPolicy()
