"""The right of access to a child's file (AVG art. 15, *inzage*): for whom, and what goes in.

A team lead makes, for one person, an overview of everything the product holds about them: a
printable page and a JSON file, both from the one :class:`~pleegzorg.access_request.AccessExport`
that :func:`gather` builds. Each page and each download is written to the access log (purpose
*inzageverzoek*, action *export*) and listed on the child's file (*Inzageverzoeken*).

For whom
--------
* **The child, from 12** (on the day the overview is made): Dutch youth-care law (the Jeugdwet,
  after the WGBO) gives a child of 12 or older their own right to see their file.
* **A parent with custody** (``ParentChild.has_custody``) **while the child is under 16**: the
  parent acts for the child, and sees the child's file as well as their own details. From 16 the
  child decides who sees their file.

Anyone else is refused with a message that says why, and the refusal is logged: a child under 12
(a parent with custody can ask for them), a parent without custody, a parent of a child of 16 or
older. A parent who only wants their own details (without custody, or of a child of 16 or older)
is not served here: that goes to the organisation's privacy officer.

Who makes it
------------
A team lead who may see the child's file: the lead of the team of the child's placement, by the
file's own policy (``placements.permissions.children``). Whoever else may see the file (the
caseworker) is refused (403); whoever may not see it gets 404, as for the file itself.

What goes in
------------
Everything recorded about the child: the child's details, the parents (for the child), every
placement with its foster family's *name*, the caseworkers and youth protectors with their
handover notes, decisions (with the foster parents' view), meetings with their reports, the
start meeting's answers, agreements, who decides on what, requests for a joint meeting,
conversations with the child, the child's own words, what other apps hold (the respite stays and
gatherings of constellations, through :func:`pleegzorg.access_request.register_part`), and the
file's access log: who read or changed it, when, in which role and for what purpose (NEN 7513
asks that the person can learn this). For a parent, first their own details: name, phone, email,
address, relation, custody and how they take part. Free text goes in as written: the team lead
reads the overview before handing it over (the page says so).

People who act for an organisation appear by name: caseworkers, team leads and other users (in
the records and the access log) and youth protectors with their institution. The child appears by
name in a parent's overview and a parent in their own; the child's parents in the child's.

What stays out, and why
-----------------------
The overview leaves the building, and may be passed on: it holds no more of other people than the
person needs to understand their own file. :func:`left_out` lists these in the overview itself.

* The foster family's (and the hub home's) address, postcode and town: never, for the child too —
  the child knows where they live, and a parent may not learn it.
* The foster family's own children: not their names, birth dates or notes. Other foster children:
  nothing (the queries start from this child and read no other child's rows).
* The foster parents' names, phone numbers and email addresses: the family shows by its family
  name, as the placement does.
* The trusted person's contact details and the emergency contacts: other people's phone numbers.
* Where meetings and gatherings took place (that may be the foster family's home), participants'
  email addresses, and the names of participants who do not take part for an organisation
  (a foster parent always shows as "foster parent"; a parent by name only in the child's
  overview, or a parent's own name in theirs). The names of hub-home beds, notes of gatherings.
* In the access log: which other record an entry touched (its label can name someone else), its
  detail text and IP addresses. What remains says who, when, what kind of record, what and why.
* For a parent: the other parent's details, and anything about their other children (those are in
  the children's own files).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.apps import apps
from django.db.models import Model, Q, Value
from django.http import Http404
from django.utils import timezone
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _

from placements import permissions
from placements.models import (
    Agreement,
    CaseworkerAssignment,
    Child,
    ChildContact,
    Decision,
    JointMeetingRequest,
    Meeting,
    MeetingParticipant,
    Parent,
    ParentChild,
    Party,
    Placement,
    RoleAuthority,
    StartMeetingAnswer,
    VoiceNote,
    YouthProtectorAssignment,
)
from pleegzorg import access_request, compiled
from pleegzorg.access_request import (
    AccessExport,
    Audience,
    Item,
    Part,
    facts,
    field_label,
    values_of,
)
from pleegzorg.actions import log_change
from pleegzorg.audit import Action, Purpose
from pleegzorg.db import RelatedRows
from pleegzorg.models import AccessLogEntry, User
from pleegzorg.permissions import Refused

CHILD_FROM_AGE = 12
PARENT_UNTIL_AGE = 16
CHILD_KEY = "kind"
PARENT_KEY_PREFIX = "ouder-"
# The slot of pleegzorg.access_request that other apps add a child's parts to.
SLOT = "child"
FORMATS = {"html": "HTML", "json": "JSON"}

CHILD_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "gender",
    "bsn",
    "school",
    "trusted_person_name",
    "trusted_person_relation",
    "allergies",
    "medication",
    "diet",
    "life_story_status",
)


# -- for whom ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """Someone an overview of the child's file can be made for, and why not, if it cannot."""

    key: str  # in the URL: "kind", "ouder-<ParentChild id>"
    person: Child | Parent
    role: str
    audience: Audience
    refusal: str = ""
    link: ParentChild | None = None

    @property
    def name(self) -> str:
        return str(self.person)


def recipients(child: Child, on=None) -> list[Recipient]:
    """The child and each of their parents, each with the reason an overview cannot be made for
    them ('' when it can). One query (the parents)."""
    on = on or timezone.localdate()
    age = child.age(on)
    found = [
        Recipient(
            key=CHILD_KEY,
            person=child,
            role=_("foster child"),
            audience=Audience.SELF,
            refusal=_child_refusal(child, age),
        )
    ]
    links = child.parent_links.select_related("parent").order_by(
        "parent__last_name", "parent__first_name", "pk"
    )
    for link in links:
        custody = _("with custody") if link.has_custody else _("without custody")
        found.append(
            Recipient(
                key=f"{PARENT_KEY_PREFIX}{link.pk}",
                person=link.parent,
                role=f"{link.get_relation_display()}, {custody}",
                audience=Audience.REPRESENTATIVE,
                refusal=_parent_refusal(child, link, age),
                link=link,
            )
        )
    return found


def _child_refusal(child: Child, age: int) -> str:
    if age >= CHILD_FROM_AGE:
        return ""
    return _(
        "%(name)s is %(age)s. A child can see their own file from the age of 12; until then, a "
        "parent with custody can ask for it."
    ) % {"name": child, "age": age}


def _parent_refusal(child: Child, link: ParentChild, age: int) -> str:
    if not link.has_custody:
        return _(
            "%(name)s has no custody of %(child)s. Only a parent with custody can see the "
            "child's file."
        ) % {"name": link.parent, "child": child}
    if age >= PARENT_UNTIL_AGE:
        return _(
            "%(child)s is %(age)s. From 16, %(child)s decides who sees the file: make the "
            "overview for %(child)s."
        ) % {"child": child, "age": age}
    return ""


def recipient_for(child: Child, key: str, on=None) -> Recipient:
    """The recipient named ``key`` in the URL; 404 for anyone who is not the child or a parent
    of this child."""
    for recipient in recipients(child, on):
        if recipient.key == key:
            return recipient
    raise Http404


# -- who makes it --------------------------------------------------------------------------------


def may_make(user: User, child: Child) -> bool:
    """A team lead who may see the child's file (the file's own policy): the lead of the team of
    the child's placement."""
    return user.is_team_lead and permissions.children.can_view(user, child)


def require_may_make(user: User, child: Child) -> None:
    """Refuse (403, logged as denied) anyone but the team lead of the child's placement."""
    if not may_make(user, child):
        raise Refused(obj=child, purpose=Purpose.ACCESS_REQUEST, action=Action.EXPORT)


class RecipientRefused(Refused):
    """The overview may not be made for this person: the message says why, in Dutch."""


def filename(export: AccessExport) -> str:
    """The JSON file's name: whose overview, for whom, and the day it was made."""
    day = timezone.localtime(export.made_at).date().isoformat()
    whom = slugify(export.about)
    if export.audience == Audience.REPRESENTATIVE:
        whom += f"-voor-{slugify(export.recipient)}"
    return f"inzage-{whom}-{day}.json"


def access_export_make(
    *, actor: User, child: Child, key: str, fmt: str, request=None, on=None
) -> AccessExport:
    """The overview of ``child``'s file for the recipient ``key`` in format ``fmt`` ("html" or
    "json"), written to the access log first (so that the overview's own log shows it).

    Refuses the actor who may not make it (:func:`require_may_make`) and a recipient who may not
    have it (:class:`RecipientRefused`, with the reason). ``child`` comes through the file's
    policy (the caller has checked that the actor may see it)."""
    require_may_make(actor, child)
    recipient = recipient_for(child, key, on)
    if recipient.refusal:
        raise RecipientRefused(
            obj=recipient.person,
            person=child,
            purpose=Purpose.ACCESS_REQUEST,
            action=Action.EXPORT,
            detail=recipient.refusal,
        )
    log_change(
        actor=actor,
        request=request,
        person=child,
        obj=recipient.person,
        action=Action.EXPORT,
        purpose=Purpose.ACCESS_REQUEST,
        detail=FORMATS[fmt],
    )
    return gather(child, recipient, made_by=actor)


@dataclass(frozen=True)
class AccessRequestMade:
    """One overview made of the child's file, as the file lists it."""

    at: datetime
    made_by: str
    recipient: str
    recipient_kind: str  # "pleegkind", "ouder"
    format: str  # "HTML", "JSON"


def _access_requests(*, child: int, limit: int):
    return AccessLogEntry.objects.filter(
        person_type__app_label="placements",
        person_type__model="child",
        # As an expression: the same SQL, but Django does not answer "nothing" without SQL for
        # the negative id that compiled.instances compiles with to find where the id goes.
        person_id=Value(child),
        purpose=Purpose.ACCESS_REQUEST,
        action=Action.EXPORT,
        outcome=AccessLogEntry.Outcome.ALLOWED,
    ).select_related("object_type")[:limit]


def access_requests_of(child: Child, *, limit: int = 20) -> list[AccessRequestMade]:
    """The overviews made of the child's file, newest first: who made one, for whom, when, in
    which format. Read from the access log, the one record of them. One query, compiled once
    per process (it is on every child file) and run with the child's id."""
    entries = compiled.instances(
        ("access requests of", limit), partial(_access_requests, limit=limit), child=child.pk
    )
    return [
        AccessRequestMade(
            at=entry.at,
            made_by=entry.user_label,
            recipient=entry.object_label,
            recipient_kind=_record_kind(entry.object_type.app_label, entry.object_type.model)
            if entry.object_type
            else "",
            format=entry.detail,
        )
        for entry in entries
    ]


def access_requests_panel(user: User, child: Child) -> dict:
    """The child file's "Inzageverzoeken" (pleegzorg.panels): the overviews made, and for the
    team lead the way to make one. The file has checked that the user may see the child."""
    return {"child": child, "made": access_requests_of(child), "can_make": user.is_team_lead}


# -- what goes in --------------------------------------------------------------------------------

USER_NAME = ("first_name", "last_name", "username")


def _user(prefix: str) -> tuple[str, ...]:
    return tuple(f"{prefix}__{name}" for name in USER_NAME)


# What the overview shows of a placement (besides family, caseworker and youth protector).
PLACEMENT_FACTS = (
    "kind",
    "legal_basis",
    "start_date",
    "planned_end_date",
    "end_date",
    "end_reason",
    "ended_by",
    "end_note",
    "perspective",
    "joint_meeting_interval_weeks",
    "next_joint_meeting_on",
)


ROWS = {
    "parents": RelatedRows(
        ParentChild,
        link="child",
        fields=(
            "id",
            "relation",
            "has_custody",
            "participation",
            "parent__first_name",
            "parent__last_name",
        ),
    ),
    "placements": RelatedRows(
        Placement,
        link="child",
        fields=(
            "family__name",
            *_user("caseworker"),
            "youth_protector__first_name",
            "youth_protector__last_name",
            "youth_protector__institution",
            *PLACEMENT_FACTS,
        ),
    ),
    "caseworkers": RelatedRows(
        CaseworkerAssignment,
        link="placement__child",
        fields=(
            "placement__family__name",
            *_user("caseworker"),
            "start_date",
            "end_date",
            "handover_note",
            "family_informed",
            "no_change_of_course_until",
        ),
    ),
    "youth_protectors": RelatedRows(
        YouthProtectorAssignment,
        link="placement__child",
        fields=(
            "placement__family__name",
            "youth_protector__first_name",
            "youth_protector__last_name",
            "youth_protector__institution",
            "start_date",
            "end_date",
            "handover_note",
            "family_informed",
            "no_change_of_course_until",
        ),
    ),
    "decisions": RelatedRows(
        Decision,
        link="placement__child",
        fields=(
            "placement__family__name",
            "decided_on",
            "subject",
            "decided_by",
            "foster_parents_consulted",
            "foster_parents_view",
            "reason",
            *_user("recorded_by"),
        ),
    ),
    "voice_notes": RelatedRows(
        VoiceNote, link="child", fields=("said_on", "text", *_user("recorded_by"))
    ),
    "child_contacts": RelatedRows(
        ChildContact,
        link="placement__child",
        fields=("contact_on", *_user("caseworker"), "note"),
    ),
    "meetings": RelatedRows(
        Meeting,
        link="placement__child",
        fields=(
            "id",
            "kind",
            "status",
            "planned_at",
            "held_on",
            "going_with_you",
            "going_with_us",
            "going_with_child",
            "going_well",
            "could_be_better",
            "satisfied_when",
            "next_date",
        ),
    ),
    "participants": RelatedRows(
        MeetingParticipant,
        link="meeting__placement__child",
        fields=("id", "meeting", "party", "name", "attended"),
    ),
    "answers": RelatedRows(
        StartMeetingAnswer,
        link="meeting__placement__child",
        fields=(
            "id",
            "meeting__planned_at",
            "party",
            *(name for name, _question in StartMeetingAnswer.QUESTIONS),
        ),
    ),
    "agreements": RelatedRows(
        Agreement,
        link="placement__child",
        fields=("id", "what", "owner", "due_on", "status", "closed_on"),
    ),
    "authorities": RelatedRows(
        RoleAuthority, link="placement__child", fields=("subject", "decides", "note")
    ),
    "requests": RelatedRows(
        JointMeetingRequest,
        link="placement__child",
        fields=("id", "requested_on", "requested_by", "requester_name", "reason"),
    ),
    "access_log": RelatedRows(
        AccessLogEntry,
        link="person_id",
        condition=Q(person_type__app_label="placements", person_type__model="child"),
        fields=(
            "id",
            "at",
            "user_label",
            "role",
            "action",
            "purpose",
            "outcome",
            "object_type__app_label",
            "object_type__model",
        ),
    ),
}


def gather(child: Child, recipient: Recipient, *, made_by: User, made_at=None) -> AccessExport:
    """Everything held about ``child`` for ``recipient``, leaving out what the module docstring
    says. One query for the whole file — every table a :class:`~pleegzorg.db.RelatedRows`
    column of one SELECT on the child — plus a fixed few for the parts other apps add; none of
    them grows with the amount of data."""
    # Named apart from the child's relations ("parents", "placements"), which they would clash with.
    columns = {f"rows_{name}": rows.subquery() for name, rows in ROWS.items()}
    row = Child.objects.filter(pk=child.pk).annotate(**columns).values(*columns).get()
    data = {name: rows.parse(row[f"rows_{name}"]) for name, rows in ROWS.items()}
    parts = []
    if recipient.audience == Audience.REPRESENTATIVE:
        parts.append(_parent_part(recipient))
    parts.append(_child_part(child))
    if recipient.audience == Audience.SELF:
        parts.append(_parents_part(data["parents"]))
    parts += [
        _placements_part(data["placements"]),
        _workers_part(data["caseworkers"], data["youth_protectors"]),
        _decisions_part(data["decisions"]),
        _voice_part(data["voice_notes"]),
        _contacts_part(data["child_contacts"]),
        _meetings_part(data["meetings"], data["participants"], recipient),
        _answers_part(data["answers"]),
        _agreements_part(data["agreements"]),
        _authorities_part(data["authorities"]),
        _requests_part(data["requests"], recipient),
        *access_request.parts_for(SLOT, child, recipient.person, recipient.audience),
        _access_log_part(data["access_log"]),
    ]
    return AccessExport(
        about=str(child),
        recipient=recipient.name,
        recipient_role=recipient.role,
        audience=recipient.audience,
        made_at=made_at or timezone.now(),
        made_by=f"{made_by} ({made_by.get_role_display()})",
        parts=parts,
        left_out=left_out(recipient.audience),
    )


def left_out(audience: Audience) -> list[str]:
    """What the overview leaves out, in the overview's own words (see the module docstring)."""
    reasons = [
        _("The address, postcode and town of the foster family and of the hub home."),
        _("The foster family's own children, and other foster children."),
        _(
            "The names, phone numbers and email addresses of the foster parents: the foster "
            "family is named by its family name."
        ),
        _("The contact details of the trusted person, and the emergency contacts."),
        _(
            "Where meetings and gatherings took place, the email addresses of participants, and "
            "the names of participants who do not take part for an organisation."
        ),
        _("In the access log: which other record was touched, the detail text and the IP address."),
    ]
    if audience == Audience.REPRESENTATIVE:
        reasons.append(
            _("The details of the other parent, and anything about other children of the parent.")
        )
    return reasons


# -- the parts -----------------------------------------------------------------------------------


def _name(row: dict, prefix: str) -> str:
    first, last, username = (row.get(f"{prefix}__{name}") or "" for name in USER_NAME)
    return f"{first} {last}".strip() or username


def _title(model: type[Model]) -> str:
    return capfirst(str(model._meta.verbose_name_plural))


def _nothing() -> str:
    return _("Nothing recorded.")


def _child_part(child: Child) -> Part:
    labels = {"trusted_person_relation": _("Relation of the trusted person to the child")}
    items = facts(Child, values_of(child, CHILD_FIELDS), CHILD_FIELDS, labels)
    return Part(key="child", title=_("Details of the child"), items=items)


def _parent_part(recipient: Recipient) -> Part:
    parent, link = recipient.person, recipient.link
    own = ("first_name", "last_name", "phone", "email", "address")
    items = facts(Parent, values_of(parent, own), own)
    linked = ("relation", "has_custody", "participation")
    items += facts(ParentChild, values_of(link, linked), linked)
    return Part(key="parent", title=_("Details of the parent"), items=items)


def _parents_part(rows: list[dict]) -> Part:
    rows = sorted(rows, key=lambda r: (r["parent__last_name"], r["parent__first_name"], r["id"]))
    records = tuple(
        (
            Item("name", _("Name"), f"{r['parent__first_name']} {r['parent__last_name']}"),
            *facts(ParentChild, r, ("relation", "has_custody", "participation")),
        )
        for r in rows
    )
    return Part(key="parents", title=_("Parents"), records=records, empty=_nothing())


def _youth_protector(row: dict, prefix: str = "youth_protector") -> str | None:
    if not row[f"{prefix}__last_name"]:
        return None
    name = f"{row[f'{prefix}__first_name']} {row[f'{prefix}__last_name']}"
    return f"{name}, {row[f'{prefix}__institution']}"


def _placements_part(rows: list[dict]) -> Part:
    """Each placement with its foster family's name, its caseworker and youth protector now."""
    rows = sorted(rows, key=lambda r: r["start_date"], reverse=True)
    records = tuple(
        (
            Item("foster_family", _("Foster family"), r["family__name"]),
            Item("caseworker", _("Caseworker"), _name(r, "caseworker")),
            Item("youth_protector", _("Youth protector"), _youth_protector(r)),
            *facts(Placement, r, PLACEMENT_FACTS),
        )
        for r in rows
    )
    return Part(key="placements", title=_title(Placement), records=records, empty=_nothing())


def _workers_part(caseworkers: list[dict], youth_protectors: list[dict]) -> Part:
    """Caseworkers and youth protectors, by name: they act for their organisation."""
    people = [(r, _name(r, "caseworker"), _("caseworker")) for r in caseworkers] + [
        (r, _youth_protector(r), _("youth protector")) for r in youth_protectors
    ]
    people.sort(key=lambda p: p[0]["start_date"], reverse=True)
    paths = (
        "start_date",
        "end_date",
        "handover_note",
        "family_informed",
        "no_change_of_course_until",
    )
    records = tuple(
        (
            Item("name", _("Name"), name),
            Item("role", _("Role"), role),
            Item("foster_family", _("Foster family"), r["placement__family__name"]),
            *facts(CaseworkerAssignment, r, paths),
        )
        for r, name, role in people
    )
    return Part(
        key="workers",
        title=_("Caseworkers and youth protectors"),
        records=records,
        empty=_nothing(),
    )


def _decisions_part(rows: list[dict]) -> Part:
    rows = sorted(rows, key=lambda r: r["decided_on"], reverse=True)
    paths = (
        "decided_on",
        "subject",
        "decided_by",
        "foster_parents_consulted",
        "foster_parents_view",
        "reason",
    )
    records = tuple(
        (
            *facts(Decision, r, paths),
            Item("foster_family", _("Foster family"), r["placement__family__name"]),
            Item("recorded_by", field_label(Decision, "recorded_by"), _name(r, "recorded_by")),
        )
        for r in rows
    )
    return Part(key="decisions", title=_title(Decision), records=records, empty=_nothing())


def _voice_part(rows: list[dict]) -> Part:
    rows = sorted(rows, key=lambda r: r["said_on"], reverse=True)
    records = tuple(
        (
            *facts(VoiceNote, r, ("said_on", "text")),
            Item("recorded_by", field_label(VoiceNote, "recorded_by"), _name(r, "recorded_by")),
        )
        for r in rows
    )
    return Part(key="voice", title=_("Voice of the child"), records=records, empty=_nothing())


def _contacts_part(rows: list[dict]) -> Part:
    rows = sorted(rows, key=lambda r: r["contact_on"], reverse=True)
    records = tuple(
        (
            *facts(ChildContact, r, ("contact_on",)),
            Item("caseworker", _("Caseworker"), _name(r, "caseworker")),
            *facts(ChildContact, r, ("note",)),
        )
        for r in rows
    )
    return Part(key="child_contacts", title=_title(ChildContact), records=records, empty=_nothing())


NAMED_PARTIES = frozenset({Party.CASEWORKER, Party.YOUTH_PROTECTOR, Party.CHILD})


def _one_of(party: str) -> str:
    """The role of one person of a party ("ouder", where the party is "ouders")."""
    one = {Party.PARENTS: _("parent"), Party.FOSTER_PARENTS: _("foster parent")}
    return one.get(party) or (str(Party(party).label) if party in Party.values else party)


def _as_party(party: str, name: str, recipient: Recipient) -> str:
    """A participant as the overview names them: people who take part for an organisation and
    the child by name; the parents by name in the child's overview (a parent sees only their own
    name); the foster parents never — by their role only."""
    role = _one_of(party)
    named = party in NAMED_PARTIES or (
        party == Party.PARENTS
        and (
            recipient.audience == Audience.SELF
            or name.strip().casefold() == recipient.name.casefold()
        )
    )
    return f"{name} ({role})" if named and name else role


def _meetings_part(meetings: list[dict], participants: list[dict], recipient: Recipient) -> Part:
    present = _("attended")
    by_meeting: dict[int, list[str]] = {}
    for p in sorted(participants, key=lambda p: p["id"]):
        shown = _as_party(p["party"], p["name"], recipient)
        by_meeting.setdefault(p["meeting"], []).append(
            f"{shown}, {present}" if p["attended"] else shown
        )
    meetings = sorted(meetings, key=lambda m: m["planned_at"], reverse=True)
    head = ("kind", "status", "planned_at", "held_on")
    report = (
        "going_with_you",
        "going_with_us",
        "going_with_child",
        "going_well",
        "could_be_better",
        "satisfied_when",
        "next_date",
    )
    records = tuple(
        (
            *facts(Meeting, m, head),
            Item("participants", _("Participants"), by_meeting.get(m["id"], [])),
            *facts(Meeting, m, report),
        )
        for m in meetings
    )
    return Part(key="meetings", title=_("Meetings"), records=records, empty=_nothing())


def _answers_part(rows: list[dict]) -> Part:
    rows = sorted(rows, key=lambda r: (r["meeting__planned_at"], r["id"]), reverse=True)
    questions = tuple(name for name, _question in StartMeetingAnswer.QUESTIONS)
    labels = {"meeting__planned_at": _("Start meeting")}
    records = tuple(
        facts(StartMeetingAnswer, r, ("meeting__planned_at", "party", *questions), labels)
        for r in rows
    )
    return Part(
        key="start_answers",
        title=_("Answers in the start meeting"),
        records=records,
        empty=_nothing(),
    )


def _agreements_part(rows: list[dict]) -> Part:
    rows = sorted(rows, key=lambda r: (r["due_on"], r["id"]))
    paths = ("what", "owner", "due_on", "status", "closed_on")
    records = tuple(facts(Agreement, r, paths) for r in rows)
    return Part(key="agreements", title=_title(Agreement), records=records, empty=_nothing())


def _authorities_part(rows: list[dict]) -> Part:
    rows = sorted(rows, key=lambda r: r["subject"])
    records = tuple(facts(RoleAuthority, r, ("subject", "decides", "note")) for r in rows)
    return Part(
        key="authorities", title=_("Who decides on what"), records=records, empty=_nothing()
    )


def _requests_part(rows: list[dict], recipient: Recipient) -> Part:
    rows = sorted(rows, key=lambda r: (r["requested_on"], r["id"]), reverse=True)
    records = tuple(
        (
            *facts(JointMeetingRequest, r, ("requested_on",)),
            Item(
                "requested_by",
                field_label(JointMeetingRequest, "requested_by"),
                _as_party(r["requested_by"], r["requester_name"], recipient),
            ),
            *facts(JointMeetingRequest, r, ("reason",)),
        )
        for r in rows
    )
    return Part(
        key="meeting_requests",
        title=_title(JointMeetingRequest),
        records=records,
        empty=_nothing(),
    )


def _record_kind(app_label: str | None, model: str | None) -> str:
    if not app_label or not model:
        return ""
    try:
        return str(apps.get_model(app_label, model)._meta.verbose_name)
    except LookupError:
        return model


def _access_log_part(rows: list[dict]) -> Part:
    """Who read or changed the file, when, in which role, what and why (NEN 7513)."""
    rows = sorted(rows, key=lambda r: (r["at"], r["id"]), reverse=True)
    records = tuple(
        (
            *facts(AccessLogEntry, r, ("at", "user_label", "role", "action")),
            Item(
                "record_kind",
                _("Kind of record"),
                _record_kind(r["object_type__app_label"], r["object_type__model"]),
            ),
            *facts(AccessLogEntry, r, ("purpose", "outcome")),
        )
        for r in rows
    )
    return Part(
        key="access_log",
        title=_("Who viewed this file"),
        records=records,
        empty=_nothing(),
        as_table=True,
    )
