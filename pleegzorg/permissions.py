"""Who may see and change what: one policy per model, answering both questions.

A policy answers "may this user see / change this object" (``can_view``, ``can_change``) and
"which objects may this user see" (``visible_to``, a queryset). Views fetch records only through
``visible_to`` so that a record someone may not see answers 404, the same as one that does not
exist; tests check that the two answers agree for every role (tests/test_permissions.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, ClassVar, NoReturn

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from pleegzorg.audit import Action, Outcome, Purpose, access_log_write
from pleegzorg.models import AccessLogEntry, BreakGlassGrant, Team, User

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

    def refusal_message(self, user: User, obj: M) -> str:
        """What the 403 page tells a user refused a change to ``obj`` ("" : the general text)."""
        return ""

    def can_break_glass(self, user: User, obj: M) -> bool:
        """Whether ``user``, who may not see ``obj``, may open it by stating a reason (see
        :func:`register_break_glass`). Most records: never."""
        return False

    def break_glass_team(self, user: User, obj: M) -> Team | None:
        """The team whose lead reviews ``user`` opening ``obj`` with a reason."""
        return None


class BreakGlassNeeded(Http404):
    """The record exists and the user may open it, but only by stating a reason.

    Raised by ``get_visible_or_404(..., break_glass=True)``; a view decorated with
    :func:`offers_break_glass` answers it with the page that asks for the reason. Anywhere else
    it is what it derives from: a 404, so that forgetting the decorator reveals nothing.
    """

    def __init__(self, url: str):
        super().__init__()
        self.url = url


def offers_break_glass(view):
    """Send a user whom ``get_visible_or_404(..., break_glass=True)`` asks for a reason to the
    page where they give it."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except BreakGlassNeeded as needed:
            return redirect(needed.url)

    return wrapper


def get_visible_or_404[M: Model](
    policy: Policy[M],
    request: HttpRequest,
    *,
    queryset: QuerySet[M] | None = None,
    purpose: str,
    person_of=None,
    break_glass: bool = False,
    **lookup,
) -> M:
    """Fetch one record through the policy. A record that exists but is not visible is logged as
    a denied attempt and answers 404 all the same, so that its existence is not revealed.

    With ``break_glass``, a record the policy lets this user open with a stated reason raises
    :class:`BreakGlassNeeded` instead (logged as denied as well: not without a reason)."""
    base = policy.visible_to(request.user) if queryset is None else queryset
    try:
        return base.get(**lookup)
    except policy.model.DoesNotExist:
        pass
    raise_not_visible(
        policy, request, purpose=purpose, person_of=person_of, break_glass=break_glass, **lookup
    )


def raise_not_visible(
    policy: Policy,
    request: HttpRequest,
    *,
    purpose: str,
    person_of=None,
    break_glass: bool = False,
    **lookup,
) -> NoReturn:
    """What :func:`get_visible_or_404` does when the user does not see the record, for a view
    that looked it up another way (a compiled query): log a record that exists as a denied
    attempt, and raise 404 (or :class:`BreakGlassNeeded`)."""
    hidden = policy.model._default_manager.filter(**lookup).first()
    if hidden is None:
        raise Http404
    glass = (
        break_glass
        and break_glass_kind_of(type(hidden)) is not None
        and policy.can_break_glass(request.user, hidden)
    )
    access_log_write(
        user=request.user,
        request=request,
        action=Action.VIEW,
        purpose=purpose,
        obj=hidden,
        person=person_of(hidden) if person_of else as_person(hidden),
        outcome=Outcome.DENIED,
        detail="reden gevraagd" if glass else "",
    )
    if glass:
        raise BreakGlassNeeded(break_glass_url(hidden))
    raise Http404


def as_person(obj: Model) -> Model | None:
    """A record that is itself a person in the log (a child, a family) is its own subject."""
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
        message: str = "",
    ):
        # ``message`` is what the 403 page tells the user (Dutch, through i18n); ``detail`` what
        # the access log records.
        super().__init__(str(message))
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
        person = as_person(obj)
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


# -- opening a file with a stated reason ("break the glass") ------------------------------------
# Apps register the records that a user the policy allows may open with a reason once their
# ordinary access has ended (a child's file after the aftercare period). The core asks for the
# reason, stores the grant, logs it and lists it for review; the policy decides who may.


@dataclass(frozen=True)
class BreakGlassKind:
    slug: str  # in the URL of the page that asks for the reason
    model: type[Model]
    policy: Policy
    url_name: str  # the record's own page, taking its pk

    def url(self, pk: int) -> str:
        return reverse(self.url_name, args=[pk])


_break_glass_kinds: dict[str, BreakGlassKind] = {}


def register_break_glass(slug: str, model: type[Model], policy: Policy, *, url_name: str) -> None:
    _break_glass_kinds[slug] = BreakGlassKind(slug, model, policy, url_name)


def break_glass_kind(slug: str) -> BreakGlassKind:
    if slug not in _break_glass_kinds:
        raise Http404
    return _break_glass_kinds[slug]


def break_glass_kind_of(model: type[Model]) -> BreakGlassKind | None:
    return next((kind for kind in _break_glass_kinds.values() if kind.model is model), None)


def break_glass_url(obj: Model) -> str:
    kind = break_glass_kind_of(type(obj))
    return reverse("pleegzorg:break_glass", args=[kind.slug, obj.pk])


def open_grants(user: User, model: type[Model]) -> QuerySet[BreakGlassGrant]:
    """The grants of ``user`` on records of ``model`` that are open now."""
    return BreakGlassGrant.objects.filter(
        user=user,
        record_type=ContentType.objects.get_for_model(model),
        valid_until__gt=timezone.now(),
    )


def granted_ids(user: User, model: type[Model]) -> QuerySet:
    """The ids of the records of ``model`` that ``user`` opened with a reason and may still
    read (a subquery for a policy's ``visible_to``)."""
    return open_grants(user, model).values("record_id")


def granted_id_list(user: User, model: type[Model]) -> list[int]:
    """:func:`granted_ids` as a list, read once per request (the user object is the request's):
    a list of ids beside a user's own records lets PostgreSQL read both through their indexes,
    where a subquery beside them makes it scan every row. Usually empty."""
    memo = _granted_memo(user)
    if model not in memo:
        memo[model] = list(granted_ids(user, model).values_list("record_id", flat=True))
    return memo[model]


def _granted_memo(user: User) -> dict:
    memo = getattr(user, "_granted_id_lists", None)
    if memo is None:
        memo = user._granted_id_lists = {}
    return memo


def remember_granted_ids(user: User, model: type[Model], ids: list[int]) -> None:
    """What :func:`granted_id_list` answers for ``user`` and ``model`` from now on, without a
    query: for a user object standing in for another of the same grants (a compiled query's
    second build, ``pleegzorg.compiled.instances``)."""
    _granted_memo(user)[model] = ids


def forget_granted_ids(user: User) -> None:
    """After a grant is made: the next :func:`granted_id_list` reads the grants again."""
    user._granted_id_lists = None


def get_break_glass_record_or_404(
    kind: BreakGlassKind, request: HttpRequest, pk: int
) -> tuple[Model, bool]:
    """The record a user asks to open with a reason, and whether they may see it already: 404
    when it does not exist, and when the user may neither see it nor open it with a reason
    (logged as denied, as :func:`get_visible_or_404` does)."""
    record = kind.model._default_manager.filter(pk=pk).first()
    if record is None:
        raise Http404
    user = request.user
    if kind.policy.can_view(user, record):
        return record, True
    if not kind.policy.can_break_glass(user, record):
        access_log_write(
            user=user,
            request=request,
            action=Action.VIEW,
            purpose=Purpose.CARE,
            obj=record,
            person=as_person(record),
            outcome=Outcome.DENIED,
            detail="openen met reden",
        )
        raise Http404
    return record, False


def open_grant(user: User, obj: Model) -> BreakGlassGrant | None:
    """The open grant (the latest) by which ``user`` may read ``obj``, or None."""
    return open_grants(user, type(obj)).filter(record_id=obj.pk).order_by("-valid_until").first()


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


class BreakGlassGrantPolicy(Policy[BreakGlassGrant]):
    """Files opened with a reason, for review: the application manager (who reads the whole
    access log, and stands in for the privacy officer, for which there is no role) sees them
    all; a team lead those on their teams' files. A reviewer never signs off their own."""

    model = BreakGlassGrant
    roles_that_review = (Role.TEAM_LEAD, Role.APP_MANAGER)

    def visible_to(self, user: User) -> QuerySet[BreakGlassGrant]:
        grants = BreakGlassGrant.objects.all()
        if user.is_app_manager:
            return grants
        if user.is_team_lead:
            return grants.filter(team__lead=user)
        return grants.none()

    def can_view(self, user: User, obj: BreakGlassGrant) -> bool:
        if user.is_app_manager:
            return True
        return user.is_team_lead and obj.team_id is not None and obj.team.lead_id == user.pk

    def can_change(self, user: User, obj: BreakGlassGrant) -> bool:
        """Mark it reviewed: who sees it, except the one who opened the file."""
        return obj.user_id != user.pk and self.can_view(user, obj)


teams = TeamPolicy()
users = UserPolicy()
access_log = AccessLogPolicy()
break_glass_grants = BreakGlassGrantPolicy()
