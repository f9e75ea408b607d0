"""Reads of the case file: every one starts from what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import ngettext

from placements import permissions
from placements.invitations.selectors import account_state, foster_parents_with_accounts
from placements.meetings.selectors import meeting_flags, section_rows
from placements.models import (
    CareKind,
    CaseworkerAssignment,
    Child,
    Decision,
    FosterFamily,
    FosterParent,
    OwnChild,
    ParentChild,
    Placement,
    VoiceNote,
    YouthProtectorAssignment,
)
from placements.permissions import Access
from pleegzorg import compiled
from pleegzorg.db import RelatedRows
from pleegzorg.models import AccessLogEntry, BreakGlassGrant, User

PLANNED_END_WARNING_DAYS = 30

SORTS = {
    # The id last: children of the same name keep one order, so no page repeats or skips one.
    "naam": (Lower("child__last_name"), Lower("child__first_name"), "id"),
    "-naam": (Lower("child__last_name").desc(), Lower("child__first_name").desc(), "-id"),
    "start": ("start_date", "id"),
    "-start": ("-start_date", "-id"),
    "einde": ("planned_end_date", "id"),
    "-einde": ("-planned_end_date", "-id"),
}


def _planned_end(on: date) -> Q:
    return Q(planned_end_date__lte=on + timedelta(days=PLANNED_END_WARNING_DAYS))


# Why a placement needs attention on a day, by name, each built only when asked for: the
# caseload's flag and filter, and the dashboards, count exactly these. The meeting rules are
# the model's.
ATTENTION_RULES = {
    "planned_end": _planned_end,
    "no_youth_protector": Placement.no_youth_protector_condition,
    "no_trusted_person": lambda on: Q(child__trusted_person_name=""),
    "start_meeting_overdue": Placement.start_meeting_overdue_condition,
    "joint_meeting_overdue": Placement.joint_meeting_overdue_condition,
}


def attention_reasons(on: date | None = None) -> dict[str, Q]:
    """Why a placement needs attention on ``on`` (today), by name (:data:`ATTENTION_RULES`)."""
    on = on or timezone.localdate()
    return {name: build(on) for name, build in ATTENTION_RULES.items()}


ATTENTION_REASONS = tuple(ATTENTION_RULES)


def attention_condition(on: date | None = None) -> Q:
    """Any of the :func:`attention_reasons`."""
    condition = Q()
    for reason in attention_reasons(on).values():
        condition |= reason
    return condition


# Why the caseload lists a placement, by name: the attention reasons and the rules the team
# dashboard counts (placements.dashboard). A dashboard number and the list it links to filter by
# the very same entry here.
CASELOAD_RULE_BUILDERS = {
    **ATTENTION_RULES,
    "report_missing": Placement.report_missing_condition,
    "agreement_past_date": Placement.agreement_past_date_condition,
    "too_few_child_contacts": Placement.too_few_child_contacts_condition,
    "in_no_change_period": Placement.in_no_change_period_condition,
    "unstable": Placement.unstable_condition,
}


def caseload_rules(on: date | None = None) -> dict[str, Q]:
    on = on or timezone.localdate()
    return {name: build(on) for name, build in CASELOAD_RULE_BUILDERS.items()}


CASELOAD_RULES = tuple(CASELOAD_RULE_BUILDERS)


def due_within() -> timedelta:
    return timedelta(days=settings.DASHBOARD_DUE_DAYS)


def rule_filter(name: str, on: date, *, due: bool = False) -> Q:
    """The placements that meet rule ``name`` on ``on``; with ``due``, those that will meet it
    DASHBOARD_DUE_DAYS later but do not yet."""
    build = CASELOAD_RULE_BUILDERS[name]  # only this rule is built (a dashboard asks 13)
    if due:
        return build(on + due_within()) & ~build(on)
    return build(on)


def caseload(
    user: User,
    *,
    search: str = "",
    kind: str = "",
    legal_basis: str = "",
    attention: bool = False,
    reason: str = "",
    sort: str = "naam",
    caseworker: int | None = None,
    on: date | None = None,
    due: bool = False,
    stage: str = "",
) -> QuerySet[Placement]:
    """Placements the user may see that are active on ``on`` (today), with child, family and
    caseworker in one query, each with the :func:`attention_reasons` that apply to it
    (``attention_<name>``). ``attention`` keeps those that need attention; ``reason`` those
    that meet that one of the :data:`CASELOAD_RULES` (with ``due``: that will within
    DASHBOARD_DUE_DAYS); ``caseworker`` those of one caseworker. With ``stage`` "aftercare":
    those in their aftercare period on ``on`` instead of the active ones; "closed": those past
    it whose file the user may open with a reason (:func:`closed_placements`)."""
    on = on or timezone.localdate()
    reasons = attention_reasons(on)
    if stage == "closed":
        base = closed_placements(user, search)
    elif stage == "aftercare":
        base = permissions.placements_policy.visible_to(user).in_aftercare(on)
    else:
        base = permissions.placements_policy.visible_to(user).active(on)
    placements = base.select_related("child", "family", "caseworker", "youth_protector").annotate(
        needs_attention=Case(When(attention_condition(on), then=Value(True)), default=Value(False)),
        **{
            f"attention_{name}": Case(When(q, then=Value(True)), default=Value(False))
            for name, q in reasons.items()
        },
    )
    for word in search.split():
        placements = placements.filter(
            Q(child__first_name__icontains=word)
            | Q(child__last_name__icontains=word)
            | Q(family__name__icontains=word)
        )
    if kind:
        placements = placements.filter(kind=kind)
    if legal_basis:
        placements = placements.filter(legal_basis=legal_basis)
    if caseworker:
        placements = placements.filter(caseworker_id=caseworker)
    if attention:
        placements = placements.filter(attention_condition(on))
    if reason in CASELOAD_RULES:
        placements = placements.filter(rule_filter(reason, on, due=due))
    if reason == "too_few_child_contacts":
        placements = placements.annotate(
            last_child_contact=Placement.last_child_contact(on),
            days_since_contact=days_since(
                on, Coalesce(Placement.last_child_contact(on), F("start_date"))
            ),
        )
    if reason == "no_youth_protector":
        placements = placements.annotate(
            days_without_youth_protector=days_since(on, Placement.without_youth_protector_since(on))
        )
    if reason == "unstable":
        placements = placements.annotate(
            caseworker_changes=Placement.caseworker_changes_in_year(on)
        )
    return placements.order_by(*SORTS.get(sort, SORTS["naam"]))


class CaseloadPlacements:
    """The :func:`caseload` as its page reads it (a ``Paginator`` takes it as a list): how many
    there are, and the placements of one slice.

    Building the caseload's query (its visibility rules, five attention reasons and the
    filters) took longer than PostgreSQL took to run it, so each of its two queries is compiled
    once per process (``pleegzorg.compiled``) and run fresh every time. Its key is everything
    the SQL holds besides the data: the user's id, role and team, the ids of the children they
    opened with a reason (read once per request, as the rules do), the filters, the day and
    the slice."""

    def __init__(self, user: User, **filters):
        on = filters.pop("on", None) or timezone.localdate()
        granted = tuple(permissions.granted_id_list(user, Child))
        self._build = partial(caseload, user, on=on, **filters)
        self._key = (
            "caseload",
            user.pk,
            user.role,
            user.team_id,
            granted,
            on,
            *sorted(filters.items()),
        )

    def count(self) -> int:
        return compiled.aggregate(
            (*self._key, "count"), lambda: (self._build(), {"n": Count("pk")})
        )["n"]

    def __getitem__(self, part: slice) -> list[Placement]:
        return compiled.instances(
            (*self._key, part.start, part.stop), lambda: self._build()[part.start : part.stop]
        )


def closed_placements(user: User, search: str) -> QuerySet[Placement]:
    """The placements past aftercare whose file the user may open with a reason
    (``permissions.break_glass_condition``), only when searched by name: finding the one file the
    work asks for, without a list of every closed file."""
    condition = permissions.break_glass_condition(user)
    if condition is None or not search.split():
        return Placement.objects.none()
    return Placement.objects.filter(condition)


def days_since(on: date, day) -> ExpressionWrapper:
    """Days from ``day`` (an expression) to ``on``, computed in the database (a timedelta)."""
    return ExpressionWrapper(
        Value(on, output_field=DateField()) - day, output_field=DurationField()
    )


def with_row_labels(placements, on: date | None = None) -> None:
    """Give each placement of a page what its row writes as words: its kind and legal basis
    (``kind_label``, ``legal_basis_label``) and its child's age ("12 jaar", ``age_label``), each
    translated once per page: a row's ``get_kind_display`` builds the field's choices again, and
    a plural in the template costs more than the rest of its cell."""
    on = on or timezone.localdate()
    kinds, bases = dict(CareKind.choices), dict(Placement.LegalBasis.choices)
    ages: dict[int, str] = {}
    for placement in placements:
        placement.kind_label = kinds.get(placement.kind, placement.kind)
        placement.legal_basis_label = bases.get(placement.legal_basis, placement.legal_basis)
        age = placement.child.age(on)
        if age not in ages:
            ages[age] = ngettext("%(years)s year", "%(years)s years", age) % {"years": age}
        placement.age_label = ages[age]


def with_attention_labels(placements, labels: dict[str, str]) -> None:
    """Give each placement of a page the names of the attention reasons that apply to it, in
    the order of ``labels`` (read from the annotations: no query)."""
    for placement in placements:
        placement.attention_labels = [
            label for name, label in labels.items() if getattr(placement, f"attention_{name}")
        ]


@dataclass(frozen=True)
class ParentRow:
    """A parent of the child as its file shows them (from :data:`CHILD_ROWS`)."""

    pk: int  # of the link (ParentChild), which the file's "Change" edits
    relation: str  # its label, in the user's language
    name: str
    phone: str
    has_custody: bool
    participation: str


@dataclass
class ChildFile:
    child: Child
    placements: list[Placement]
    current: Placement | None
    parent_links: list[ParentRow]
    # What the child said, newest first: dicts of said_on and text.
    voice_notes: list[dict]
    # What the user may do with the file (permissions.Access), and the grant when they opened it
    # with a reason; the latest of their placements in aftercare, which the aftercare tasks
    # (a conversation with the child, the ending) are about.
    access: Access = Access.FULL
    grant: BreakGlassGrant | None = None
    aftercare: Placement | None = None

    @property
    def may_change(self) -> bool:
        return self.access == Access.FULL

    @property
    def in_aftercare(self) -> bool:
        return self.access == Access.AFTERCARE

    @property
    def read_only(self) -> bool:
        return self.access == Access.READ

    @property
    def access_detail(self) -> str:
        """What the access log adds to a view of the file: the reason it was opened with."""
        return access_detail(self.grant)


def access_detail(grant: BreakGlassGrant | None) -> str:
    return f"met reden: {grant.reason}" if grant else ""


# What the child file shows of each placement's related rows, as JSON columns of the one
# query of its placements (pleegzorg.db.RelatedRows): a list of dicts per placement, ordered.
ASSIGNMENT_FIELDS = ("start_date", "end_date", "handover_note", "family_informed")
PLACEMENT_ROWS = {
    "foster_parent_rows": RelatedRows(
        FosterParent,
        link="family__placements",
        fields=("first_name", "last_name", "phone"),
        order_by=("id",),
    ),
    "own_child_rows": RelatedRows(
        OwnChild,
        link="family__placements",
        fields=("first_name", "date_of_birth"),
        order_by=("date_of_birth",),
    ),
    "caseworker_rows": RelatedRows(
        CaseworkerAssignment,
        link="placement",
        fields=(
            *ASSIGNMENT_FIELDS,
            "no_change_of_course_until",
            "caseworker__first_name",
            "caseworker__last_name",
        ),
        order_by=("-start_date", "-id"),
    ),
    "youth_protector_rows": RelatedRows(
        YouthProtectorAssignment,
        link="placement",
        fields=(
            *ASSIGNMENT_FIELDS,
            "youth_protector__first_name",
            "youth_protector__last_name",
            "youth_protector__institution",
        ),
        order_by=("-start_date", "-id"),
    ),
    "decision_rows": RelatedRows(
        Decision,
        link="placement",
        fields=(
            "subject",
            "decided_on",
            "decided_by",
            "foster_parents_consulted",
            "foster_parents_view",
            "reason",
        ),
        order_by=("-decided_on", "-id"),
    ),
}


# What the child file shows of the child's own related rows, as JSON columns of the one query
# that finds the child for the user (file_child): its parents and what it said.
CHILD_ROWS = {
    "parent_rows": RelatedRows(
        ParentChild,
        link="child",
        fields=(
            "id",
            "relation",
            "has_custody",
            "participation",
            "parent__first_name",
            "parent__last_name",
            "parent__phone",
        ),
        # The id after the name: a mother and father of one name keep one order.
        order_by=("parent__last_name", "id"),
    ),
    "voice_rows": RelatedRows(
        VoiceNote, link="child", fields=("said_on", "text"), order_by=("-said_on", "-id")
    ),
}


def _file_child_by_work(
    *, user: int, child: int, team: int | None = None, role: str, on: date
) -> QuerySet[Child]:
    """The child ``child`` if the user ``user`` (of ``role``, in ``team``) sees it on ``on`` by
    their work (``permissions.children.by_work``), with its :data:`CHILD_ROWS`."""
    by_work = permissions.children.by_work(User(pk=user, role=role, team_id=team), on=on)
    if by_work is None:
        return Child.objects.none()
    return _file_child_rows(child=child).filter(by_work)


def file_child(user: User, pk: int) -> Child | None:
    """The child ``pk`` with what its file shows of its own rows (:data:`CHILD_ROWS`, parsed),
    if ``user`` sees it (``permissions.children.visible_to``), else None.

    A child of the user's work, the file opened nearly every time, is one query: building it
    (the role's access rules and two JSON subqueries) took longer than PostgreSQL took to run
    it, so it is compiled once per process for everything that changes its SQL (the role,
    whether a caseworker has a team, the day, the length of aftercare), with the ids of the
    user, their team and the child as its parameters. Any other child (opened with a reason,
    or refused) is asked of ``visible_to`` itself, in one more query."""
    today = timezone.localdate()
    ids = {"user": user.pk, "child": pk}
    if user.is_caseworker and user.team_id is not None:
        ids["team"] = user.team_id
    # Aftercare's length is a setting: it moves the dates in the SQL.
    key = ("child file child", user.role, "team" in ids, today, settings.AFTERCARE_MONTHS)
    build = partial(_file_child_by_work, role=user.role, on=today)
    found = compiled.instances(key, build, **ids)
    if found:
        child = found[0]
    else:
        visible = permissions.children.visible_to(user).filter(pk=pk)
        child = visible.annotate(**_child_rows()).first()
        if child is None:
            return None
    for name, rows in CHILD_ROWS.items():
        setattr(child, name, rows.parse(getattr(child, name)))
    return child


def _child_rows() -> dict:
    return {name: rows.subquery() for name, rows in CHILD_ROWS.items()}


def _file_child_rows(*, child: int) -> QuerySet[Child]:
    return Child.objects.filter(pk=child).annotate(**_child_rows()).order_by()


def _parent_rows(child: Child) -> list[ParentRow]:
    labels = dict(ParentChild._meta.get_field("relation").flatchoices)
    return [
        ParentRow(
            pk=row["id"],
            relation=str(labels.get(row["relation"], row["relation"])),
            name=f"{row['parent__first_name']} {row['parent__last_name']}",
            phone=row["parent__phone"],
            has_custody=row["has_custody"],
            participation=row["participation"],
        )
        for row in child.parent_rows
    ]


def child_file_placements(*, child: int, on: date) -> QuerySet[Placement]:
    """The placements of the child file, newest first, with what it shows of each (the
    :data:`PLACEMENT_ROWS` as JSON text, the meeting flags on ``on`` and the rows of the
    meetings section, which ``meetings_of`` reads from the current one)."""
    return (
        Placement.objects.filter(child_id=child)
        .select_related("family", "caseworker", "youth_protector", "team")
        .annotate(
            **{name: rows.subquery() for name, rows in PLACEMENT_ROWS.items()},
            **meeting_flags(on),
            **section_rows(),
        )
        .order_by("-start_date", "-id")
    )


def child_file(user: User, child: Child) -> ChildFile:
    """Everything the child file shows, in a fixed number of queries (one fewer for a child
    from :func:`file_child`, which brings its own rows)."""
    today = timezone.localdate()
    # Building this query (five JSON subqueries and the meeting rules) took longer than
    # PostgreSQL took to run it: it is compiled once a day per process, for every child.
    placements = compiled.instances(
        ("child file placements", today), partial(child_file_placements, on=today), child=child.pk
    )
    for placement in placements:
        placement.child = child
        for name, rows in PLACEMENT_ROWS.items():
            setattr(placement, name, rows.parse(getattr(placement, name)))
    current = next(
        (
            p
            for p in placements
            if p.start_date <= today and (p.end_date is None or p.end_date >= today)
        ),
        placements[0] if placements else None,
    )
    if not hasattr(child, "voice_rows"):  # not from file_child: its rows in one more query
        (with_rows,) = compiled.instances(("child file rows",), _file_child_rows, child=child.pk)
        for name, rows in CHILD_ROWS.items():
            setattr(child, name, rows.parse(getattr(with_rows, name)))
    access, grant = permissions.record_access(user, child, placements)
    for placement in placements:
        placement.own_access = permissions.own_access(user, placement, today)
        # Its ending can be added to while it is the user's, ended, and not past aftercare.
        placement.ending_editable = bool(placement.end_date) and placement.own_access >= (
            Access.AFTERCARE
        )
    aftercare = next((p for p in placements if p.own_access == Access.AFTERCARE), None)
    return ChildFile(
        child=child,
        placements=placements,
        current=current,
        parent_links=_parent_rows(child),
        voice_notes=child.voice_rows,
        access=access,
        grant=grant,
        aftercare=aftercare,
    )


def visible_children(user: User) -> QuerySet[Child]:
    return permissions.children.visible_to(user)


def families_for_matching(
    search: str = "", *, on: date | None = None, include: int | None = None, limit: int = 20
) -> list:
    """Active families to place a child with: name, town, care kinds and free places only (no
    case data), the places taken on ``on`` counted in the same query. ``include`` keeps an
    already chosen family in the list."""
    on = on or timezone.localdate()
    taken = (
        Placement.objects.active(on)
        .exclude(kind=CareKind.RESPITE)
        .filter(family=OuterRef("pk"))
        .order_by()
        .values("family")
        .annotate(n=Count("pk"))
        .values("n")
    )
    families = FosterFamily.objects.filter(status=FosterFamily.Status.ACTIVE).annotate(
        taken=Coalesce(Subquery(taken, output_field=IntegerField()), 0),
        free=F("places") - F("taken"),
    )
    matching = families
    for word in search.split():
        matching = matching.filter(
            Q(name__icontains=word) | Q(city__icontains=word) | Q(postcode__istartswith=word)
        )
    found = list(matching.order_by("-free", "name")[:limit])
    if include and all(family.pk != include for family in found):
        found = [*families.filter(pk=include), *found]
    return found


def family_page(user: User, family: FosterFamily) -> dict:
    """A family with its people, placements and status history, in a fixed number of queries;
    what the user may do with it (``access``: permissions.Access, and the ``grant`` when they
    opened it with a reason)."""
    placements = list(
        family.placements.select_related("child", "caseworker", "team").order_by(
            "-start_date", "-id"
        )
    )
    access, grant = permissions.record_access(user, family, placements)
    today = timezone.localdate()
    current = [
        p
        for p in placements
        if p.start_date <= today and (p.end_date is None or p.end_date >= today)
    ]
    return {
        "family": family,
        "may_change": access == Access.FULL,
        "read_only": access == Access.READ,
        "in_aftercare": access == Access.AFTERCARE,
        "grant": grant,
        "access_detail": access_detail(grant),
        "foster_parents": [
            (parent, account_state(parent)) for parent in foster_parents_with_accounts(family)
        ],
        "own_children": list(family.own_children.all()),
        "current": current,
        "past": [p for p in placements if p not in current],
        "status_changes": list(family.status_changes.select_related("changed_by")),
        "taken": sum(1 for p in current if p.kind != CareKind.RESPITE),
        # Other children in the family show by first name only, unless the user may open their file.
        "openable": set(
            permissions.children.visible_to(user)
            .filter(placements__family=family)
            .values_list("pk", flat=True)
        ),
    }


def placements_for_actions(user: User) -> QuerySet[Placement]:
    """The placements the user may see, with what the action pages show (child, family, the
    caseworker's team for the handover choices)."""
    return permissions.placements_policy.visible_to(user).select_related(
        "child", "family", "caseworker__team", "team"
    )


def latest_placement(child: Child) -> Placement | None:
    """The child's most recent placement: the one a new decision is about."""
    return child.placements.order_by("-start_date").select_related("family").first()


def parent_links(child: Child) -> QuerySet[ParentChild]:
    return child.parent_links.select_related("parent")


def child_access_log(child: Child) -> QuerySet[AccessLogEntry]:
    """'Wie heeft dit dossier bekeken': every access log entry about this child, newest first."""
    return AccessLogEntry.objects.filter(
        person_type__app_label="placements", person_type__model="child", person_id=child.pk
    ).select_related("on_behalf_of")
