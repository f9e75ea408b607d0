"""The reminders of the meeting domain, registered with the core's engine (``pleegzorg.reminders``).

"no_next_joint", "joint_overdue" and "start_overdue" are exactly the placements that
``Placement.objects.joint_meeting_overdue()`` and ``start_meeting_overdue()`` return, the rules the
caseload's flag and "Mijn overleggen" show (tests/placements/test_rule_agreement.py).

The rules (only active placements; only the placement's current caseworker; days from settings):

==========================  ===============================================  =====================
key                         falls due                                        told
==========================  ===============================================  =====================
start_unplanned:P           no start meeting planned (cancelled ones do not  caseworker
                            count) START_MEETING_PLAN_REMINDER_DAYS after
                            the placement started
meeting_soon:M:T            a planned meeting starts within                  caseworker
                            MEETING_INVITATION_DAYS (T: its time, UTC ISO)
invite:M:PP:T               the same, for each participant PP with an        email with ICS
                            email address
report_missing:M            the meeting day is over and the meeting is       caseworker
                            still "planned" (no report), or a joint meeting
                            was held without a next date
report_escalated:M          the same, MEETING_ESCALATION_DAYS after the      team lead
                            meeting day
no_next_joint:P:S           no next joint meeting date, nothing planned and  caseworker
                            no report open; S: the day of the last held
                            meeting, or "start" (then it falls due
                            START_MEETING_DUE_DAYS after the start)
no_next_joint_escalated:P:S the same, MEETING_ESCALATION_DAYS later          team lead
joint_overdue:P:D           the next joint meeting date D has passed and     caseworker
                            nothing is planned and no report open
joint_overdue_escalated:P:D the same, MEETING_ESCALATION_DAYS later          team lead
start_overdue:P             no start meeting held START_MEETING_DUE_DAYS     caseworker
                            after the placement started
agreement_overdue:A:D       an agreement still open after its date D         caseworker
request_unanswered:R        a joint meeting that a foster parent asked for   caseworker
                            (R) has no date JOINT_REQUEST_ANSWER_DAYS after
                            the request
request_escalated:R         the same, MEETING_ESCALATION_DAYS later          team lead
==========================  ===============================================  =====================

A moved meeting gets a new time T, so it is invited again; a postponed agreement gets a new D.
The team lead is the lead of the team the placement belongs to (``Placement.team``: the lead
who may open it); without one there is no escalation.
Invitations name the meeting as their subject (``Reminder.subject_id``); the ICS file is built
from it when the email is written, so a moved or cancelled meeting is never sent stale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.conf import settings
from django.core import mail
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from placements.meetings import ics
from placements.meetings.models import (
    Agreement,
    JointMeetingRequest,
    Meeting,
    MeetingParticipant,
    Party,
)
from placements.models import Placement
from pleegzorg import reminders as engine
from pleegzorg.models import Reminder
from pleegzorg.reminders import DueReminder, Scan, register_reminder_source

START_UNPLANNED = "start_unplanned"
MEETING_SOON = "meeting_soon"
INVITE = "invite"
REPORT_MISSING = "report_missing"
REPORT_ESCALATED = "report_escalated"
NO_NEXT_JOINT = "no_next_joint"
NO_NEXT_JOINT_ESCALATED = "no_next_joint_escalated"
AGREEMENT_OVERDUE = "agreement_overdue"
START_OVERDUE = "start_overdue"
JOINT_OVERDUE = "joint_overdue"
JOINT_OVERDUE_ESCALATED = "joint_overdue_escalated"
REQUEST_UNANSWERED = "request_unanswered"
REQUEST_ESCALATED = "request_escalated"

Status = Meeting.Status

# Names for the notice texts, the same in every query.
_CHILD = {"child_first": F("child__first_name"), "child_last": F("child__last_name")}
_PLACEMENT_CHILD = {
    "child_first": F("placement__child__first_name"),
    "child_last": F("placement__child__last_name"),
}
_CASEWORKER = {
    "caseworker_first": F("caseworker__first_name"),
    "caseworker_last": F("caseworker__last_name"),
    "caseworker_username": F("caseworker__username"),
}
_PLACEMENT_CASEWORKER = {
    "caseworker_first": F("placement__caseworker__first_name"),
    "caseworker_last": F("placement__caseworker__last_name"),
    "caseworker_username": F("placement__caseworker__username"),
}


def invitation_emails(
    reminders: list[Reminder], now: dt.datetime
) -> dict[int, mail.EmailMessage | None]:
    """The invitation email with its ICS file for each reminder, or None where the meeting was
    cancelled, moved (it has a new invitation), has begun, or its placement ended."""
    meetings = Meeting.objects.select_related(
        "placement__child", "placement__caseworker", "placement__family"
    ).in_bulk({r.subject_id for r in reminders if r.subject_id})
    # The key (invite:M:PP:T) holds the invited participant's id.
    participant_of = {r.pk: int(r.key.split(":")[2]) for r in reminders if r.kind == INVITE}
    invited = {
        pk: (name, party)
        for pk, name, party in MeetingParticipant.objects.filter(
            pk__in=participant_of.values()
        ).values_list("pk", "name", "party")
    }
    return {
        r.pk: _invitation_email(
            r, meetings.get(r.subject_id), *invited.get(participant_of.get(r.pk), ("", "")), now
        )
        for r in reminders
    }


def greeting_name(name: str) -> str:
    """The first name of whoever is invited, for "Beste Jan,": a full name would put the
    child's surname in the mail whenever a parent shares it. Empty for an initial or a title
    ("J. de Vries", "mevr. Bakker"): the mail then says "Hallo,"."""
    first = name.split()[0] if name.split() else ""
    return "" if "." in first else first


def _invitation_email(
    reminder: Reminder, meeting: Meeting | None, name: str, party: str, now: dt.datetime
) -> mail.EmailMessage | None:
    """Email is not a safe channel: of the child only the first name goes out, of the
    invited person only theirs, and to a parent never a place that gives away the foster
    family's address (the services refuse one; this covers a family that moved since)."""
    if reminder.kind != INVITE or meeting is None or not reminder.email_to:
        return None
    moment = meeting.planned_at.astimezone(dt.UTC).isoformat()
    if (
        meeting.status != Status.PLANNED
        or not reminder.key.endswith(f":{moment}")
        or meeting.planned_at <= now
        or not meeting.placement.is_active
    ):
        return None
    planned_at = timezone.localtime(meeting.planned_at)
    caseworker = meeting.placement.caseworker
    place = meeting.place
    if party == Party.PARENTS and meeting.placement.family.address_in(place):
        place = _("a place your foster-care worker will tell you")
    names = {
        "meeting": meeting.get_kind_display(),
        "child": meeting.placement.child.first_name,
        "day": engine.day_text(planned_at.date()),
        "time": planned_at.strftime("%H:%M"),
        "place": place,
        "caseworker": caseworker.get_full_name() or caseworker.username,
    }
    first_name = greeting_name(name)
    greeting = _("Dear %(name)s,") % {"name": first_name} if first_name else _("Hello,")
    body = "\n\n".join(
        [
            greeting,
            _(
                "You are invited to the %(meeting)s for %(child)s on %(day)s at %(time)s, "
                "at %(place)s."
            )
            % names,
            _("The invitation is attached: open it to add the meeting to your calendar."),
            _("Questions? Contact %(caseworker)s, foster-care worker.") % names,
        ]
    )
    message = mail.EmailMessage(
        subject=_("Invitation: %(summary)s, %(day)s %(time)s")
        % {"summary": ics.meeting_summary(meeting), **names},
        body=body,
        to=[reminder.email_to],
        reply_to=[caseworker.email] if caseworker.email else None,
    )
    message.attach(
        ics.invitation_attachment(
            ics.meeting_invitation(
                meeting,
                attendee_email=reminder.email_to,
                attendee_name=first_name,
                location=place,
                now=now,
            )
        )
    )
    return message


@register_reminder_source(START_UNPLANNED)
def start_unplanned(scan: Scan) -> Iterator[DueReminder]:
    today = scan.today
    days = settings.START_MEETING_PLAN_REMINDER_DAYS
    start_meeting = Meeting.objects.filter(
        placement=OuterRef("pk"), kind=Meeting.Kind.START
    ).exclude(status=Status.CANCELLED)
    rows = (
        Placement.objects.active(today)
        .filter(start_date__lte=today - dt.timedelta(days=days))
        .filter(~Exists(start_meeting))
        .annotate(reminder_key=engine.key(START_UNPLANNED, "pk"))
        .filter(~engine.stored("reminder_key"))
        .values("pk", "reminder_key", "start_date", "caseworker_id", **_CHILD)
        .order_by("start_date", "pk")
    )
    for row in engine.batch(rows, scan):
        yield DueReminder(
            key=row["reminder_key"],
            kind=START_UNPLANNED,
            due_on=row["start_date"] + dt.timedelta(days=days),
            recipient_id=row["caseworker_id"],
            url=engine.url("placements:meeting_plan", row["pk"]) + "?soort=start",
            text=_("No start meeting has been planned yet for %(child)s, placed on %(day)s.")
            % {"child": engine.full_name(row, "child"), "day": engine.day_text(row["start_date"])},
        )


@register_reminder_source(INVITE, MEETING_SOON, write_emails=invitation_emails)
def meetings_soon(scan: Scan) -> Iterator[DueReminder]:
    """Invitations by email to each participant with an address, and a notice to the
    caseworker, for planned meetings from now up to and including the invitation day."""
    now, today = scan.now, scan.today
    days = settings.MEETING_INVITATION_DAYS
    meetings = Meeting.objects.filter(
        Placement.active_condition(today, prefix="placement__"),
        status=Status.PLANNED,
        planned_at__gt=now,
        planned_at__lt=engine.start_of(today + dt.timedelta(days=days + 1)),
    )
    rows = meetings.values(
        "pk",
        "kind",
        "planned_at",
        "place",
        "placement__caseworker_id",
        "participants__pk",
        "participants__name",
        "participants__email",
        **_PLACEMENT_CHILD,
    ).order_by("pk", "participants__pk")
    by_meeting: dict[int, list[dict]] = {}
    for row in rows:
        by_meeting.setdefault(row["pk"], []).append(row)
    if not by_meeting:
        return
    stored = engine.stored_keys([INVITE, MEETING_SOON], meetings.values("pk"))
    for meeting_id, participants in by_meeting.items():
        first = participants[0]
        planned_at = first["planned_at"]
        moment = planned_at.astimezone(dt.UTC).isoformat()
        due_on = timezone.localdate(planned_at) - dt.timedelta(days=days)
        names = {
            "meeting": Meeting.Kind(first["kind"]).label,
            "child": engine.full_name(first, "child"),
            "day": engine.day_text(timezone.localdate(planned_at)),
            "time": timezone.localtime(planned_at).strftime("%H:%M"),
        }
        with_email = [p for p in participants if p["participants__email"]]
        without_email = [
            p for p in participants if p["participants__pk"] and not p["participants__email"]
        ]
        for p in with_email:
            key = f"{INVITE}:{meeting_id}:{p['participants__pk']}:{moment}"
            if key not in stored:
                yield DueReminder(
                    key=key,
                    kind=INVITE,
                    due_on=due_on,
                    email_to=p["participants__email"],
                    subject_id=meeting_id,
                    text=_("Invitation for %(name)s to the %(meeting)s for %(child)s on %(day)s.")
                    % {**names, "name": p["participants__name"]},
                )
        key = f"{MEETING_SOON}:{meeting_id}:{moment}"
        if key not in stored:
            text = _("The %(meeting)s for %(child)s is on %(day)s at %(time)s.") % names
            if with_email:
                text += " " + ngettext(
                    "The invitation is sent by email to %(count)d participant.",
                    "The invitation is sent by email to %(count)d participants.",
                    len(with_email),
                ) % {"count": len(with_email)}
            if without_email:
                text += " " + ngettext(
                    "%(count)d participant has no email address: invite them yourself.",
                    "%(count)d participants have no email address: invite them yourself.",
                    len(without_email),
                ) % {"count": len(without_email)}
            yield DueReminder(
                key=key,
                kind=MEETING_SOON,
                due_on=due_on,
                recipient_id=first["placement__caseworker_id"],
                subject_id=meeting_id,
                url=engine.url("placements:meeting_hold", meeting_id),
                text=text,
            )


@register_reminder_source(REPORT_MISSING, REPORT_ESCALATED)
def open_reports(scan: Scan) -> Iterator[DueReminder]:
    """Meetings whose day is over without a report, and joint meetings held without a next
    date: the caseworker the day after, the team lead MEETING_ESCALATION_DAYS after the day."""
    today = scan.today
    escalation_days = settings.MEETING_ESCALATION_DAYS
    escalate_up_to = today - dt.timedelta(days=escalation_days)  # meeting days up to this one
    escalation_due = Q(has_escalation=False, placement__team__lead__isnull=False) & (
        Q(
            status=Status.PLANNED,
            planned_at__lt=engine.start_of(escalate_up_to + dt.timedelta(days=1)),
        )
        | Q(status=Status.HELD, held_on__lte=escalate_up_to)
    )
    rows = (
        Meeting.objects.filter(Meeting.report_missing_condition(today))
        .alias(
            missing_key=engine.key(REPORT_MISSING, "pk"),
            escalation_key=engine.key(REPORT_ESCALATED, "pk"),
        )
        .annotate(
            has_notice=engine.stored("missing_key"), has_escalation=engine.stored("escalation_key")
        )
        .filter(Q(has_notice=False) | escalation_due)
        .values(
            "pk",
            "kind",
            "status",
            "planned_at",
            "held_on",
            "has_notice",
            "has_escalation",
            "placement__caseworker_id",
            "placement__team__lead_id",
            **_PLACEMENT_CHILD,
            **_PLACEMENT_CASEWORKER,
        )
        .order_by("planned_at", "pk")
    )
    for row in engine.batch(rows, scan):
        held = row["status"] == Status.HELD
        day = row["held_on"] if held else timezone.localdate(row["planned_at"])
        url = engine.url("placements:meeting_hold", row["pk"])
        names = {
            "meeting": Meeting.Kind(row["kind"]).label,
            "child": engine.full_name(row, "child"),
            "day": engine.day_text(day),
            "caseworker": engine.full_name(row, "caseworker"),
            "days": escalation_days,
        }
        if not row["has_notice"]:
            text = (
                _("The joint meeting for %(child)s on %(day)s has no date for the next one.")
                if held
                else _("The %(meeting)s for %(child)s on %(day)s has no report yet.")
            )
            yield DueReminder(
                key=f"{REPORT_MISSING}:{row['pk']}",
                kind=REPORT_MISSING,
                due_on=day + dt.timedelta(days=1),
                recipient_id=row["placement__caseworker_id"],
                subject_id=row["pk"],
                url=url,
                text=text % names,
            )
        lead_id = row["placement__team__lead_id"]
        if not row["has_escalation"] and lead_id and day <= escalate_up_to:
            text = (
                _(
                    "Still no next date %(days)d days after the joint meeting for %(child)s on "
                    "%(day)s (caseworker: %(caseworker)s)."
                )
                if held
                else _(
                    "Still no report %(days)d days after the %(meeting)s for %(child)s on "
                    "%(day)s (caseworker: %(caseworker)s)."
                )
            )
            yield DueReminder(
                key=f"{REPORT_ESCALATED}:{row['pk']}",
                kind=REPORT_ESCALATED,
                due_on=day + dt.timedelta(days=escalation_days),
                recipient_id=lead_id,
                subject_id=row["pk"],
                url=url,
                text=text % names,
            )


@register_reminder_source(START_OVERDUE)
def start_overdue(scan: Scan) -> Iterator[DueReminder]:
    """Placements whose start meeting is overdue (``Placement.start_meeting_overdue_condition``,
    the rule the caseload and "Mijn overleggen" show): the caseworker, once."""
    due_days = settings.START_MEETING_DUE_DAYS
    rows = (
        Placement.objects.start_meeting_overdue(scan.today)
        .annotate(reminder_key=engine.key(START_OVERDUE, "pk"))
        .filter(~engine.stored("reminder_key"))
        .values("pk", "reminder_key", "start_date", "caseworker_id", "child_id", **_CHILD)
        .order_by("start_date", "pk")
    )
    for row in engine.batch(rows, scan):
        due_on = row["start_date"] + dt.timedelta(days=due_days)
        yield DueReminder(
            key=row["reminder_key"],
            kind=START_OVERDUE,
            due_on=due_on,
            recipient_id=row["caseworker_id"],
            url=engine.url("placements:child", row["child_id"]) + "#overleggen",
            text=_("The start meeting for %(child)s should have been held by %(day)s.")
            % {"child": engine.full_name(row, "child"), "day": engine.day_text(due_on)},
        )


@register_reminder_source(
    NO_NEXT_JOINT, NO_NEXT_JOINT_ESCALATED, JOINT_OVERDUE, JOINT_OVERDUE_ESCALATED
)
def joint_meeting_overdue(scan: Scan) -> Iterator[DueReminder]:
    """Placements whose joint meeting is overdue (``Placement.joint_meeting_overdue_condition``,
    the rule the caseload and "Mijn overleggen" show). Without a next date: ``no_next_joint:P:S``
    (S: the day of the last held meeting, or "start"); with a next date D that passed while
    nothing was planned: ``joint_overdue:P:D``. The team lead MEETING_ESCALATION_DAYS later."""
    today = scan.today
    due_days = settings.START_MEETING_DUE_DAYS
    escalation_days = dt.timedelta(days=settings.MEETING_ESCALATION_DAYS)
    last_held = Subquery(
        Meeting.objects.filter(placement=OuterRef("pk"), status=Status.HELD)
        .order_by("-held_on")
        .values("held_on")[:1]
    )
    since = Coalesce(Cast("last_held", CharField()), Value("start"))
    without_date = Q(next_joint_meeting_on__isnull=True)
    escalation_due = Q(has_escalation=False, team__lead__isnull=False) & (
        Q(without_date, last_held__lte=today - escalation_days)
        | Q(
            without_date,
            last_held__isnull=True,
            start_date__lte=today - dt.timedelta(days=due_days) - escalation_days,
        )
        | Q(next_joint_meeting_on__lt=today - escalation_days)
    )
    date_passed = Cast("next_joint_meeting_on", CharField())
    rows = (
        Placement.objects.joint_meeting_overdue(today)
        .annotate(
            last_held=last_held,
            notice_key=Case(
                When(without_date, then=engine.key(NO_NEXT_JOINT, "pk", since)),
                default=engine.key(JOINT_OVERDUE, "pk", date_passed),
            ),
            escalation_key=Case(
                When(without_date, then=engine.key(NO_NEXT_JOINT_ESCALATED, "pk", since)),
                default=engine.key(JOINT_OVERDUE_ESCALATED, "pk", date_passed),
            ),
        )
        .annotate(
            has_notice=engine.stored("notice_key"), has_escalation=engine.stored("escalation_key")
        )
        .filter(Q(has_notice=False) | escalation_due)
        .values(
            "pk",
            "notice_key",
            "escalation_key",
            "last_held",
            "start_date",
            "next_joint_meeting_on",
            "has_notice",
            "has_escalation",
            "caseworker_id",
            "team__lead_id",
            **_CHILD,
            **_CASEWORKER,
        )
        .order_by("start_date", "pk")
    )
    for row in engine.batch(rows, scan):
        passed = row["next_joint_meeting_on"]
        if passed is None:
            last_held_on = engine.as_date(row["last_held"])
            since_day = last_held_on or row["start_date"] + dt.timedelta(days=due_days)
        else:
            since_day = passed + dt.timedelta(days=1)
        names = {
            "child": engine.full_name(row, "child"),
            "caseworker": engine.full_name(row, "caseworker"),
            "day": engine.day_text(passed) if passed else "",
            "days": (today - since_day).days,
        }
        url = engine.url("placements:meeting_plan", row["pk"])
        if not row["has_notice"]:
            yield DueReminder(
                key=row["notice_key"],
                kind=NO_NEXT_JOINT if passed is None else JOINT_OVERDUE,
                due_on=since_day,
                recipient_id=row["caseworker_id"],
                url=url,
                text=(
                    _("%(child)s has no date for the next joint meeting. Plan one.")
                    if passed is None
                    else _(
                        "The joint meeting for %(child)s was due on %(day)s and has not been "
                        "planned. Plan it."
                    )
                )
                % names,
            )
        lead_id = row["team__lead_id"]
        escalate_on = since_day + escalation_days
        if not row["has_escalation"] and lead_id and escalate_on <= today:
            yield DueReminder(
                key=row["escalation_key"],
                kind=NO_NEXT_JOINT_ESCALATED if passed is None else JOINT_OVERDUE_ESCALATED,
                due_on=escalate_on,
                recipient_id=lead_id,
                url=url,
                text=(
                    _(
                        "%(child)s has had no date for the next joint meeting for %(days)d days "
                        "(caseworker: %(caseworker)s)."
                    )
                    if passed is None
                    else _(
                        "The joint meeting for %(child)s was due on %(day)s, %(days)d days ago, "
                        "and has not been planned (caseworker: %(caseworker)s)."
                    )
                )
                % names,
            )


@register_reminder_source(AGREEMENT_OVERDUE)
def agreements_overdue(scan: Scan) -> Iterator[DueReminder]:
    today = scan.today
    rows = (
        Agreement.objects.filter(Agreement.past_date_condition(today))
        .annotate(reminder_key=engine.key(AGREEMENT_OVERDUE, "pk", Cast("due_on", CharField())))
        .filter(~engine.stored("reminder_key"))
        .values(
            "pk",
            "reminder_key",
            "what",
            "due_on",
            "placement__caseworker_id",
            "placement__child_id",
            **_PLACEMENT_CHILD,
        )
        .order_by("due_on", "pk")
    )
    for row in engine.batch(rows, scan):
        what = row["what"] if len(row["what"]) <= 80 else row["what"][:79] + "…"
        yield DueReminder(
            key=row["reminder_key"],
            kind=AGREEMENT_OVERDUE,
            due_on=row["due_on"] + dt.timedelta(days=1),
            recipient_id=row["placement__caseworker_id"],
            url=engine.url("placements:child", row["placement__child_id"]) + "#overleggen",
            text=_("The agreement “%(what)s” for %(child)s was due on %(day)s and is still open.")
            % {
                "what": what,
                "child": engine.full_name(row, "child"),
                "day": engine.day_text(row["due_on"]),
            },
        )


@register_reminder_source(REQUEST_UNANSWERED, REQUEST_ESCALATED)
def requests_unanswered(scan: Scan) -> Iterator[DueReminder]:
    """Joint meetings that foster parents asked for on Mijn pleeggezin (issue 13) and that have
    no date yet, in a running placement: the caseworker JOINT_REQUEST_ANSWER_DAYS after the
    request, the team lead MEETING_ESCALATION_DAYS after that. Planning the next joint meeting
    answers the request (``meeting_plan``), and then nothing more falls due."""
    today = scan.today
    answer_days = settings.JOINT_REQUEST_ANSWER_DAYS
    escalation_days = answer_days + settings.MEETING_ESCALATION_DAYS
    rows = (
        JointMeetingRequest.objects.filter(
            Placement.active_condition(today, prefix="placement__"),
            meeting__isnull=True,
            requested_by=Party.FOSTER_PARENTS,
            recorded_by__role="foster_parent",
            requested_on__lte=today - dt.timedelta(days=answer_days),
        )
        .alias(
            notice_key=engine.key(REQUEST_UNANSWERED, "pk"),
            escalation_key=engine.key(REQUEST_ESCALATED, "pk"),
        )
        .annotate(
            has_notice=engine.stored("notice_key"), has_escalation=engine.stored("escalation_key")
        )
        .filter(
            Q(has_notice=False)
            | Q(
                has_escalation=False,
                placement__team__lead__isnull=False,
                requested_on__lte=today - dt.timedelta(days=escalation_days),
            )
        )
        .values(
            "pk",
            "requested_on",
            "requester_name",
            "placement_id",
            "has_notice",
            "has_escalation",
            "placement__caseworker_id",
            "placement__team__lead_id",
            "placement__child_id",
            **_PLACEMENT_CHILD,
            **_PLACEMENT_CASEWORKER,
        )
        .order_by("requested_on", "pk")
    )
    for row in engine.batch(rows, scan):
        day = row["requested_on"]
        url = engine.url("placements:child", row["placement__child_id"])
        names = {
            "name": row["requester_name"] or _("a foster parent"),
            "child": engine.full_name(row, "child"),
            "day": engine.day_text(day),
            "caseworker": engine.full_name(row, "caseworker"),
        }
        if not row["has_notice"]:
            yield DueReminder(
                key=f"{REQUEST_UNANSWERED}:{row['pk']}",
                kind=REQUEST_UNANSWERED,
                due_on=day + dt.timedelta(days=answer_days),
                recipient_id=row["placement__caseworker_id"],
                subject_id=row["pk"],
                url=url,
                text=_(
                    "%(name)s asked for a joint meeting about %(child)s on %(day)s: give it a date."
                )
                % names,
            )
        lead_id = row["placement__team__lead_id"]
        if (
            not row["has_escalation"]
            and lead_id
            and day <= today - dt.timedelta(days=escalation_days)
        ):
            yield DueReminder(
                key=f"{REQUEST_ESCALATED}:{row['pk']}",
                kind=REQUEST_ESCALATED,
                due_on=day + dt.timedelta(days=escalation_days),
                recipient_id=lead_id,
                subject_id=row["pk"],
                url=url,
                text=_(
                    "Still no date for the joint meeting that %(name)s asked for about %(child)s "
                    "on %(day)s (caseworker: %(caseworker)s)."
                )
                % names,
            )
