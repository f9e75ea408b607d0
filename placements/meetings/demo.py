"""Synthetic meetings for ``seed_demo``: start meetings, joint meetings, agreements, conversations.

:func:`seed_meetings` is the seed step ``meetings``, which needs ``case_files``. It gives
every active placement that has no meeting yet a history that looks like
a year of real work, and leaves some of it undone on purpose so that the reminders and the
"needs attention" flags have something to say:

* a placement that started less than two weeks ago has its start meeting planned, or not yet
  (then "start meeting not planned" falls due after 3 days);
* an older one held its start meeting 5 to 14 days after the start (1 in 20 never did), and its
  joint meetings every ``joint_meeting_interval_weeks`` since, each report naming the next date;
* the next joint meeting is planned on that date, a few in the coming week (invitations go out),
  a few left unreported after their day (report missing), a few without any next date;
* agreements from the meetings, some still open after their date; 0 to 5 conversations with the
  child in the last year (fewer than 3 is flagged).

Detail: the placements of the demo accounts' team get the full record (participants with their
attendance, each party's answers, who decides on what, agreements, every joint meeting of the last
year). Elsewhere a placement gets its start meeting, its last joint report and the next planned
meeting, which keeps the sector scale to a few rows per placement.

Idempotent: only placements without any meeting or conversation are touched. Each placement's
choices come from a generator seeded with ``SEED``, its child and its start date; the rows are
saved with
``bulk_create`` per chunk.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from placements.meetings.services import suggested_participants
from placements.models import (
    Agreement,
    ChildContact,
    FosterParent,
    Meeting,
    MeetingParticipant,
    ParentChild,
    Party,
    Placement,
    RoleAuthority,
    StartMeetingAnswer,
)
from pleegzorg.demo import register_seed_step
from pleegzorg.models import User

if TYPE_CHECKING:
    from faker import Faker

SEED = 2026
CHUNK = 2000

ANSWERS = {
    "needs_from_me": [
        "Dat je me op de hoogte houdt van afspraken met school.",
        "Dat je eerlijk vertelt hoe het thuis gaat.",
        "Op tijd weten wanneer de bezoeken zijn.",
        "Dat je laat weten als er iets verandert.",
    ],
    "can_help_with": [
        "Ik ken de gewoontes van thuis: wat ze graag eet, hoe ze slaapt.",
        "Ervaring met kinderen met een taalachterstand.",
        "Contacten met de sportclub in het dorp.",
        "Ik werk zelf in het onderwijs.",
    ],
    "expects_of_me": [
        "Dat je bereikbaar bent als het moeilijk gaat.",
        "Dat je de afspraken over bezoek nakomt.",
        "Geen verrassingen: eerst overleggen.",
    ],
    "hopes_for": [
        "Dat hij zich hier veilig voelt.",
        "Dat we samen naar de toekomst kunnen kijken.",
        "Dat het contact met de ouders rustig blijft.",
    ],
    "who_leads": [
        "De pleegzorgwerker regisseert; het pleeggezin zorgt dagelijks.",
        "De jeugdbeschermer beslist over het gezag, het pleeggezin over de dagelijkse dingen.",
    ],
    "who_decides": [
        "Over school beslissen ouders en pleegouders samen.",
        "Medische zaken: de gezaghebbende ouder, na overleg.",
    ],
}
AGREEMENTS = [
    "Pleegouders melden haar aan bij de zwemles.",
    "Pleegzorgwerker vraagt het schoolrapport op.",
    "Moeder belt elke zondag om 18.00 uur.",
    "Jeugdbeschermer regelt de paspoortaanvraag.",
    "Pleegouders maken een afspraak bij de tandarts.",
    "Pleegzorgwerker plant een gesprek met de mentor.",
    "Ouders brengen de fotoalbums mee voor het levensboek.",
    "Bezoekregeling evalueren na drie maanden.",
]
AGREEMENT_OWNERS = [
    Party.FOSTER_PARENTS,
    Party.CASEWORKER,
    Party.PARENTS,
    Party.YOUTH_PROTECTOR,
    Party.FOSTER_PARENTS,
    Party.CASEWORKER,
    Party.PARENTS,
    Party.CASEWORKER,
]
REPORT = {
    "going_with_you": [
        "Pleegouders zijn moe maar tevreden.",
        "Het gaat goed, de drukte rond school is voorbij.",
        "Wat spanning rond de bezoeken.",
    ],
    "going_with_us": [
        "De lijnen zijn kort, afspraken worden nagekomen.",
        "Moeder voelt zich meer betrokken sinds de vaste belafspraak.",
        "Communicatie over vakanties kan beter.",
    ],
    "going_with_child": [
        "Slaapt beter en heeft vriendjes op school.",
        "Heeft het moeilijk na bezoek, daarna herstelt hij snel.",
        "Groeit goed, praat meer.",
    ],
    "going_well": ["Structuur in huis.", "Contact met school.", "De bezoeken verlopen rustig."],
    "could_be_better": [
        "Afstemming over vakanties.",
        "Huiswerkbegeleiding.",
        "Op tijd informatie van de jeugdbeschermer.",
    ],
    "satisfied_when": [
        "Als de bezoekregeling zonder spanning loopt.",
        "Als het schoolrapport stabiel blijft.",
        "Als er een vaste logeerplek is voor ontlasting.",
    ],
}
CONTACT_NOTES = [
    "Gesprek over school en vriendjes.",
    "Samen gewandeld; ze vertelde over haar moeder.",
    "Levensboek bekeken.",
    "Kort gesprek na het bezoek.",
    "",
]
AUTHORITY = [
    (RoleAuthority.Subject.SCHOOL, Party.PARENTS),
    (RoleAuthority.Subject.MEDICAL, Party.PARENTS),
    (RoleAuthority.Subject.HOLIDAYS, Party.YOUTH_PROTECTOR),
    (RoleAuthority.Subject.CONTACT_PARENTS, Party.CASEWORKER),
    (RoleAuthority.Subject.LEISURE, Party.FOSTER_PARENTS),
]


@register_seed_step("meetings", needs=("case_files",))
def seed_meetings(
    scale_name: str, *, fake: Faker, rng: random.Random, log: Callable[[str], None]
) -> None:
    """Give every active placement without a meeting its meetings (see the module doc)."""
    today = timezone.localdate()
    werker = User.objects.filter(username="werker").first()
    detailed_team = werker.team_id if werker else None
    placements = (
        Placement.objects.active(today)
        .filter(
            ~Exists(Meeting.objects.filter(placement=OuterRef("pk"))),
            ~Exists(ChildContact.objects.filter(placement=OuterRef("pk"))),
        )
        .select_related("child", "caseworker", "youth_protector")
        .order_by("pk")
    )
    ids = list(placements.values_list("pk", flat=True))
    created = Counter()
    for start in range(0, len(ids), CHUNK):
        chunk = placements.filter(pk__in=ids[start : start + CHUNK]).prefetch_related(
            Prefetch("family__foster_parents", queryset=FosterParent.objects.order_by("id")),
            Prefetch(
                "child__parent_links",
                queryset=ParentChild.objects.select_related("parent").order_by("id"),
            ),
        )
        history = _History(today)
        for placement in chunk:
            detailed = placement.caseworker.team_id == detailed_team
            history.add(placement, _generator(placement), detailed)
        history.save(created)
    log(
        f"Meetings: {created['meetings']} meetings for {len(ids)} placements, "
        f"{created['agreements']} agreements, {created['contacts']} conversations with the child."
    )


def _generator(placement: Placement) -> random.Random:
    """The placement's own random choices, from what the seeded case files made (the child's
    BSN and the start date) rather than its id: ids depend on what the database held before,
    and the demo must be the same on every run."""
    return random.Random(f"{SEED}:{placement.child.bsn}:{placement.start_date}")  # noqa: S311  # nosec B311


class _History:
    """The rows of one chunk of placements, saved together."""

    def __init__(self, today: dt.date):
        self.today = today
        self.meetings: list[Meeting] = []
        self.participants: list[tuple[Meeting, MeetingParticipant]] = []
        self.answers: list[tuple[Meeting, StartMeetingAnswer]] = []
        self.agreements: list[tuple[Meeting, Agreement]] = []
        self.authorities: list[RoleAuthority] = []
        self.contacts: list[ChildContact] = []
        self.next_dates: list[Placement] = []

    def add(self, placement: Placement, r: random.Random, detailed: bool) -> None:
        age = (self.today - placement.start_date).days
        people = _people(placement, detailed)
        self._contacts(placement, r, age)
        if age < 14:
            if age >= 1 and r.random() < 0.5:
                day = placement.start_date + dt.timedelta(days=r.randint(7, 14))
                self._meeting(placement, Meeting.Kind.START, day, people, held=False)
            return
        if r.random() < 0.05:
            return  # never held its start meeting: flagged on the caseload and the file
        held_on = placement.start_date + dt.timedelta(days=r.randint(5, 14))
        start = self._meeting(placement, Meeting.Kind.START, held_on, people, held=True, r=r)
        if detailed:
            self._start_record(placement, start, people, r)
        interval = dt.timedelta(weeks=placement.joint_meeting_interval_weeks)
        dates = []
        upcoming = held_on + interval
        while upcoming < self.today:
            dates.append(upcoming)
            upcoming += interval
        keep_from = self.today - dt.timedelta(days=365) if detailed else (dates or [upcoming])[-1]
        unreported = dates and r.random() < 0.04 and (self.today - dates[-1]).days < 20
        last_report = start
        for i, day in enumerate(dates):
            if unreported and i == len(dates) - 1:
                # Its day has passed and nobody wrote the report: "report missing" falls due.
                self._meeting(placement, Meeting.Kind.JOINT, day, people, held=False)
                placement.next_joint_meeting_on = day
                self.next_dates.append(placement)
                return
            if day >= keep_from:
                last_report = self._meeting(
                    placement, Meeting.Kind.JOINT, day, people, held=True, r=r
                )
                last_report.next_date = day + interval
                if detailed and r.random() < 0.5:
                    self._agreement(placement, last_report, r)
        if r.random() < 0.03:
            last_report.next_date = None  # no next date: the reminder asks for one
            return
        # Most next dates follow the cadence; some were agreed sooner, within the coming week.
        next_day = (
            upcoming if r.random() < 0.85 else self.today + dt.timedelta(days=r.randint(1, 7))
        )
        if last_report.kind == Meeting.Kind.JOINT:
            last_report.next_date = next_day
        self._meeting(placement, Meeting.Kind.JOINT, next_day, people, held=False)
        placement.next_joint_meeting_on = next_day
        self.next_dates.append(placement)

    def _meeting(self, placement, kind, day, people, *, held, r=None) -> Meeting:
        meeting = Meeting(
            placement=placement,
            kind=kind,
            planned_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0))),
            place="Bij het pleeggezin thuis",
            status=Meeting.Status.HELD if held else Meeting.Status.PLANNED,
            held_on=day if held else None,
            created_by=placement.caseworker,
        )
        if held and kind == Meeting.Kind.JOINT:
            for name, options in REPORT.items():
                setattr(meeting, name, r.choice(options))
        self.meetings.append(meeting)
        for party, name, email in people:
            attended = held and (party != Party.PARENTS or r.random() < 0.7)
            row = MeetingParticipant(party=party, name=name, email=email, attended=attended)
            self.participants.append((meeting, row))
        return meeting

    def _start_record(self, placement, meeting, people, r) -> None:
        for party in dict.fromkeys(p for p, _name, _email in people if p != Party.CHILD):
            answer = StartMeetingAnswer(party=party)
            for name, options in ANSWERS.items():
                setattr(answer, name, r.choice(options))
            self.answers.append((meeting, answer))
        for subject, decides in r.sample(AUTHORITY, 3):
            self.authorities.append(
                RoleAuthority(placement=placement, subject=subject, decides=decides)
            )
        for _ in range(2):
            self._agreement(placement, meeting, r)

    def _agreement(self, placement, meeting, r) -> None:
        i = r.randrange(len(AGREEMENTS))
        due = meeting.planned_at.date() + dt.timedelta(days=r.randint(14, 60))
        done = due < self.today and r.random() < 0.8
        agreement = Agreement(
            placement=placement,
            what=AGREEMENTS[i],
            owner=AGREEMENT_OWNERS[i],
            due_on=due,
            status=Agreement.Status.DONE if done else Agreement.Status.OPEN,
            closed_on=due if done else None,
        )
        self.agreements.append((meeting, agreement))

    def _contacts(self, placement, r, age) -> None:
        span = min(age, 365)
        if span < 1:
            return
        for _ in range(r.choice([0, 1, 2, 3, 3, 4, 4, 5])):
            self.contacts.append(
                ChildContact(
                    placement=placement,
                    contact_on=self.today - dt.timedelta(days=r.randint(0, span - 1)),
                    caseworker=placement.caseworker,
                    note=r.choice(CONTACT_NOTES),
                )
            )

    def save(self, created: Counter) -> None:
        Meeting.objects.bulk_create(self.meetings)
        for rows, model in (
            (self.participants, MeetingParticipant),
            (self.answers, StartMeetingAnswer),
            (self.agreements, Agreement),
        ):
            for meeting, row in rows:
                row.meeting = meeting
            model.objects.bulk_create([row for _meeting, row in rows], batch_size=5000)
        RoleAuthority.objects.bulk_create(self.authorities, batch_size=5000)
        ChildContact.objects.bulk_create(self.contacts, batch_size=5000)
        Placement.objects.bulk_update(self.next_dates, ["next_joint_meeting_on"], batch_size=2000)
        created.update(
            meetings=len(self.meetings),
            agreements=len(self.agreements),
            contacts=len(self.contacts),
        )


def _people(placement: Placement, detailed: bool) -> list[tuple[str, str, str]]:
    """(party, name, email) of who takes part, as the plan form suggests them; outside the
    detailed team only the foster parents and the caseworker (fewer rows at sector scale)."""
    return [
        (row["party"], row["name"], row["email"])
        for row in suggested_participants(placement)
        if detailed or row["party"] in (Party.FOSTER_PARENTS, Party.CASEWORKER)
    ]
