"""Who may see and change what: one policy per model, answering both questions.

A policy answers "may this user see / change this object" (``can_view``, ``can_change``) and
"which objects may this user see" (``visible_to``, a queryset). Views fetch records only through
``visible_to`` so that a record someone may not see answers 404, the same as one that does not
exist; tests check that the two answers agree for every role (tests/test_permissions.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from pleegzorg.audit import Action, Outcome, access_log_write
from pleegzorg.models import AccessLogEntry, Team, User

if TYPE_CHECKING:
    from django.http import HttpRequest

Role = User.Role


class Policy[M: Model]:
    model: ClassVar[type[Model]]

    def visible_to(self, user: User) -> QuerySet[M]:
        raise NotImplementedError

    def can_view(self, user: User, obj: M) -> bool:
        raise NotImplementedError

    def can_change(self, user: User, obj: M) -> bool:
        return False


def get_visible_or_404[M: Model](
    policy: Policy[M],
    request: HttpRequest,
    *,
    queryset: QuerySet[M] | None = None,
    purpose: str,
    person_of=None,
    **lookup,
) -> M:
    """Fetch one record through the policy. A record that exists but is not visible is logged as
    a denied attempt and answers 404 all the same, so that its existence is not revealed."""
    base = policy.visible_to(request.user) if queryset is None else queryset
    try:
        return base.get(**lookup)
    except policy.model.DoesNotExist:
        hidden = policy.model._default_manager.filter(**lookup).first()
        if hidden is not None:
            access_log_write(
                user=request.user,
                request=request,
                action=Action.VIEW,
                purpose=purpose,
                obj=hidden,
                person=person_of(hidden) if person_of else _as_person(hidden),
                outcome=Outcome.DENIED,
            )
        raise Http404 from None


def _as_person(obj: Model) -> Model | None:
    """A record that is itself a person in the log (a child) is its own subject."""
    return obj if type(obj) in _person_policies else None


class Refused(PermissionDenied):
    """A 403 that says what was refused, so that the access log can name the record.

    Raise it from a view or a service (``raise Refused(obj=placement, purpose=Purpose.CARE)``);
    :class:`pleegzorg.middleware.RefusalLogMiddleware` writes the denied entry for it, and for any
    plain ``PermissionDenied`` too, so that no refusal goes unlogged.
    """

    def __init__(
        self,
        *,
        obj: Model | None = None,
        person: Model | None = None,
        purpose: str = AccessLogEntry.Purpose.CARE,
        action: str = Action.VIEW,
        detail: str = "",
    ):
        super().__init__(detail)
        self.obj, self.person, self.purpose = obj, person, purpose
        self.action, self.detail = action, detail
        self.logged = False


def log_refusal(request: HttpRequest, refusal: PermissionDenied) -> None:
    """Write a denied entry for ``refusal`` once (a refusal re-raised further up is not logged
    twice)."""
    if getattr(refusal, "logged", False):
        return
    if isinstance(refusal, Refused):
        obj, person, purpose = refusal.obj, refusal.person, refusal.purpose
        action, detail = refusal.action, refusal.detail
    else:
        obj = person = None
        purpose, action, detail = AccessLogEntry.Purpose.CARE, Action.VIEW, ""
    if person is None and obj is not None:
        person = _as_person(obj)
    access_log_write(
        user=request.user,
        request=request,
        action=Action.CHANGE if request.method == "POST" and action == Action.VIEW else action,
        purpose=purpose,
        obj=obj,
        person=person,
        outcome=Outcome.DENIED,
        detail=detail or request.path,
    )
    refusal.logged = True


def require_role(request: HttpRequest, *roles: str, purpose: str, detail: str = "") -> None:
    """Refuse (403) and log a user whose role may not use a feature at all."""
    user = request.user
    if user.is_superuser or user.role in roles:
        return
    raise Refused(purpose=purpose, detail=detail)


# -- persons in the access log ----------------------------------------------------------------
# Apps register the policy of each model that a log entry can concern (a child, a parent), so
# that a team lead sees the log entries about the people in their team's care.
_person_policies: dict[type[Model], Policy] = {}


def register_person_policy(model: type[Model], policy: Policy) -> None:
    _person_policies[model] = policy


class TeamPolicy(Policy[Team]):
    model = Team

    def visible_to(self, user: User) -> QuerySet[Team]:
        teams = Team.objects.all()
        if user.is_app_manager:
            return teams
        if user.is_team_lead:
            return teams.filter(lead=user)
        if user.is_caseworker and user.team_id:
            return teams.filter(pk=user.team_id)
        return teams.none()

    def can_view(self, user: User, obj: Team) -> bool:
        if user.is_app_manager:
            return True
        if user.is_team_lead:
            return obj.lead_id == user.pk
        return user.is_caseworker and obj.pk == user.team_id

    def can_change(self, user: User, obj: Team) -> bool:
        return user.is_app_manager


class UserPolicy(Policy[User]):
    """Colleagues: a team lead sees their teams' members, a caseworker their team and its lead."""

    model = User

    def visible_to(self, user: User) -> QuerySet[User]:
        users = User.objects.all()
        if user.is_app_manager:
            return users
        if user.is_team_lead:
            return users.filter(Q(pk=user.pk) | Q(team__lead=user))
        if user.is_caseworker and user.team_id:
            return users.filter(Q(pk=user.pk) | Q(team=user.team_id) | Q(led_teams=user.team_id))
        return users.filter(pk=user.pk)

    def can_view(self, user: User, obj: User) -> bool:
        if user.is_app_manager or obj.pk == user.pk:
            return True
        if user.is_team_lead:
            return obj.team_id is not None and obj.team.lead_id == user.pk
        if user.is_caseworker and user.team_id:
            return obj.team_id == user.team_id or obj.led_teams.filter(pk=user.team_id).exists()
        return False

    def can_change(self, user: User, obj: User) -> bool:
        return user.is_app_manager


class AccessLogPolicy(Policy[AccessLogEntry]):
    """The access log: application managers see all of it; a team lead sees what their team's
    members did, what they did themselves, and every access to the people in their team's care.
    """

    model = AccessLogEntry
    roles_that_search = (Role.TEAM_LEAD, Role.APP_MANAGER)

    def visible_to(self, user: User) -> QuerySet[AccessLogEntry]:
        entries = AccessLogEntry.objects.all()
        if user.is_app_manager:
            return entries
        if not user.is_team_lead:
            return entries.none()
        condition = Q(user=user) | Q(user__team__lead=user)
        for model, policy in _person_policies.items():
            condition |= Q(
                person_type=ContentType.objects.get_for_model(model),
                person_id__in=policy.visible_to(user).values("pk"),
            )
        return entries.filter(condition)

    def can_view(self, user: User, obj: AccessLogEntry) -> bool:
        if user.is_app_manager:
            return True
        if not user.is_team_lead:
            return False
        if obj.user_id == user.pk:
            return True
        if obj.user is not None and obj.user.team_id and obj.user.team.lead_id == user.pk:
            return True
        if obj.person_type_id is None:
            return False
        model = obj.person_type.model_class()
        policy = _person_policies.get(model)
        if policy is None:
            return False
        person = model._default_manager.filter(pk=obj.person_id).first()
        return person is not None and policy.can_view(user, person)


teams = TeamPolicy()
users = UserPolicy()
access_log = AccessLogPolicy()
