"""Synthetic constellations for ``seed_demo``: hub homes, beds, members, gatherings and stays.

:func:`seed_constellations` is the seed step ``constellations``, which needs the ``case_files``
of ``placements``. It builds on
the foster families and placements they made and changes none of them. Everything is made up.

How many, and what kind
-----------------------
``CONSTELLATIONS`` per scale (small 3, org 30, sector 300, sector10 3,000), spread evenly over
the regions with the demo region (``werker``'s) first. Constellation ``k`` of a region is named
after a town or district there ("Constellatie Utrecht-Oost"; a second round through the list gets
a number).
Most are active with 6 to 10 member families. The second one of every region, and about 1 in 12
of the later ones, is still forming: 3 to 5 members, started a few months ago. The second one
also had no gathering last month (as had about 1 in 20 of the others), so that the "in
formation" status and the "no gathering last month" flag have something to show. At org and
sector scale the sixth one of the demo region, and about 1 in 30 after the sixth of any region,
closed some months ago.

Who is in it
------------
A family's region is the region of the team of the caseworker of its running placements (the
most common one if they differ). Members are active foster families with a running placement
(not a respite one) in the constellation's region that are not in any constellation and not a
hub home, so a family is in one constellation at most. The hub home is an active family that is
neither, preferably one of the region that offers respite. The first constellation of the demo
region is the demo's: ``begeleider`` is its liaison, ``hubhome`` one of its hub-home parents,
and three or four of ``werker``'s families are members but not all of them, so that werker sees
both a family inside a constellation and one outside. The others get a synthetic liaison
(``mb-...``, shared by three constellations of a region in a row) and one or two synthetic
hub-home parents (``hub-...``) for as long as there are any without a hub home; the core's step
makes both, with an unusable password.

The year behind it
------------------
Founders joined in the first month, the others later; about half of the active constellations
have a family that left and was replaced by the last one to join, so no day ever has more than
ten members. Some parents of the member families' foster children take part. Monthly gatherings
over the last year (now and then a summer break), a few activities and trainings, each with the
people who were there: foster parents, foster children and own children of the families that
were members that day, the hub home's parents and the parents taking part. Support contacts
with the member families. Respite stays from a year ago until two months ahead, walked bed by
bed so that a bed never holds two stays on a night. A child is taken only if it is placed in a
family that is a member on the arrival date, for every night of the stay, and is not staying
anywhere else on those nights (in any constellation, also one of an earlier run). Past stays are
completed, a few cancelled (a cancelled stay leaves its bed free); stays ahead are confirmed or
requested.

Stable keys and speed
---------------------
A constellation's key is its name: names already in the database are skipped, so running the
step again adds nothing, and a larger scale adds the constellations after the smaller scale's.
Everything about constellation ``k`` of a region is drawn from a generator seeded with ``SEED``,
the region and ``k``; which families it gets depends on what the earlier ones took. The rows are
saved with ``bulk_create`` per ``CHUNK`` constellations, a handful of queries per chunk.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone

from constellations.models import (
    MAX_MEMBERS,
    MIN_MEMBERS,
    Attendance,
    Bed,
    Constellation,
    Gathering,
    HubHome,
    Membership,
    ParentParticipation,
    RespiteStay,
    SupportContact,
)
from placements.models import (
    Agreement,
    CareKind,
    FosterFamily,
    FosterParent,
    Meeting,
    OwnChild,
    ParentChild,
    Party,
    Placement,
)
from pleegzorg.demo import register_seed_step
from pleegzorg.models import Region, User

if TYPE_CHECKING:
    from faker import Faker

SEED = 2026
CONSTELLATIONS = {"small": 3, "org": 30, "sector": 300, "sector10": 3000}
CHUNK = 50  # constellations per round of bulk inserts
BATCH_SIZE = 2000
HISTORY = dt.timedelta(days=365)  # gatherings, contacts and stays of the last year
AHEAD = dt.timedelta(days=60)  # stays booked ahead

Status = Constellation.Status
Reason = RespiteStay.Reason
StayStatus = RespiteStay.Status
Role = User.Role

# --- word lists ------------------------------------------------------------------------------

# Towns and districts per region (a province), to name the constellations after.
PLACES = {
    "Utrecht": [
        "Utrecht-Oost",
        "Amersfoort",
        "Zeist",
        "Utrecht-Leidsche Rijn",
        "Nieuwegein",
        "Houten",
        "Utrecht-Overvecht",
        "Veenendaal",
        "Woerden",
        "IJsselstein",
        "Maarssen",
        "De Bilt",
        "Utrecht-Zuilen",
        "Amersfoort-Vathorst",
        "Utrechtse Heuvelrug",
    ],
    "Gelderland": [
        "Arnhem",
        "Nijmegen",
        "Apeldoorn",
        "Ede",
        "Doetinchem",
        "Zutphen",
        "Tiel",
        "Wageningen",
        "Culemborg",
        "Harderwijk",
        "Nijmegen-Lindenholt",
        "Arnhem-Zuid",
    ],
    "Noord-Holland": [
        "Amsterdam-Noord",
        "Haarlem",
        "Zaandam",
        "Alkmaar",
        "Hilversum",
        "Purmerend",
        "Amsterdam-West",
        "Hoorn",
        "Den Helder",
        "Amsterdam-Zuidoost",
        "Heerhugowaard",
        "Amstelveen",
    ],
    "Zuid-Holland": [
        "Rotterdam-Zuid",
        "Den Haag",
        "Leiden",
        "Delft",
        "Dordrecht",
        "Gouda",
        "Zoetermeer",
        "Schiedam",
        "Rotterdam-Noord",
        "Den Haag-Escamp",
        "Alphen aan den Rijn",
        "Spijkenisse",
    ],
    "Noord-Brabant": [
        "Eindhoven",
        "Tilburg",
        "'s-Hertogenbosch",
        "Breda",
        "Helmond",
        "Oss",
        "Roosendaal",
        "Bergen op Zoom",
        "Uden",
        "Veghel",
        "Eindhoven-Woensel",
        "Waalwijk",
    ],
    "Overijssel": [
        "Zwolle",
        "Enschede",
        "Deventer",
        "Hengelo",
        "Almelo",
        "Kampen",
        "Oldenzaal",
        "Hardenberg",
        "Raalte",
        "Rijssen",
    ],
    "Limburg": [
        "Maastricht",
        "Venlo",
        "Heerlen",
        "Sittard",
        "Roermond",
        "Weert",
        "Kerkrade",
        "Venray",
        "Geleen",
    ],
    "Friesland": [
        "Leeuwarden",
        "Drachten",
        "Sneek",
        "Heerenveen",
        "Franeker",
        "Dokkum",
        "Harlingen",
        "Joure",
    ],
    "Groningen": [
        "Groningen-Noord",
        "Groningen-Zuid",
        "Hoogezand",
        "Veendam",
        "Winschoten",
        "Stadskanaal",
        "Delfzijl",
        "Leek",
    ],
    "Drenthe": ["Assen", "Emmen", "Hoogeveen", "Meppel", "Coevorden", "Roden", "Beilen"],
    "Flevoland": [
        "Almere-Stad",
        "Lelystad",
        "Almere-Buiten",
        "Emmeloord",
        "Dronten",
        "Almere-Haven",
        "Zeewolde",
    ],
    "Zeeland": ["Middelburg", "Goes", "Vlissingen", "Terneuzen", "Zierikzee", "Hulst", "Oostburg"],
}
MONTHLY_PLACES = ["Bij de hubhome in {city}", "Bij de hubhome", "Buurthuis in {city}"]
MONTHLY_NOTES = [
    "Ervaringen uitgewisseld over de zomervakantie.",
    "Afspraken gemaakt over de logeerweekenden van de komende maand.",
    "Nieuwe leden voorgesteld; kennismakingsrondje.",
    "Gesproken over omgang met ouders en hoe je dat als pleeggezin opvangt.",
    "Planning van de feestdagen: wie kan wanneer logeren?",
    "Korte evaluatie van het afgelopen kwartaal.",
    "Gezellige avond, veel gelachen.",
    "",
    "",
]
ACTIVITIES = [
    ("Pannenkoeken bakken bij de hubhome", "Bij de hubhome in {city}"),
    ("Zomer-BBQ voor alle gezinnen", "Bij de hubhome in {city}"),
    ("Sinterklaasviering", "Buurthuis in {city}"),
    ("Uitje naar de kinderboerderij", "Kinderboerderij in {city}"),
    ("Samen zwemmen", "Zwembad in {city}"),
    ("Speurtocht door het bos", "Natuurgebied bij {city}"),
    ("Paaseieren zoeken", "Speeltuin in {city}"),
]
TRAININGS = [
    ("Thema-avond hechting en trauma", "Kantoor pleegzorg, {region}"),
    ("Training omgaan met loyaliteitsconflicten", "Kantoor pleegzorg, {region}"),
    ("Workshop levensboekwerk", "Bibliotheek {city}"),
    ("Voorlichting over logeren in de hubhome", "Bij de hubhome in {city}"),
]
CONTACT_KINDS = {
    SupportContact.Kind.PHONE: 50,
    SupportContact.Kind.MESSAGE: 30,
    SupportContact.Kind.VISIT: 20,
}
CONTACT_NOTES = {
    SupportContact.Kind.PHONE: [
        "Even bijgepraat over de drukke weken op school.",
        "Pleegmoeder belde om advies over slapen na het bezoek.",
        "Gebeld na de moeilijke omgangsregeling.",
        "Afgesproken om volgende week langs te komen.",
        "Meegedacht over de vakantieplanning.",
        "",
    ],
    SupportContact.Kind.MESSAGE: [
        "Appje gestuurd: hoe ging het eerste schooldag?",
        "Gevraagd of ze een logeerweekend willen inplannen.",
        "Foto's van de activiteit gedeeld.",
        "Herinnering voor de maandelijkse bijeenkomst.",
        "",
    ],
    SupportContact.Kind.VISIT: [
        "Op de koffie geweest; het gaat goed in het gezin.",
        "Samen naar een gesprek op school geweest.",
        "Geholpen met oppassen tijdens het ziekenhuisbezoek.",
        "Kennismakingsbezoek bij het nieuwe gezin.",
        "Ondersteund bij een lastig gesprek met de ouders.",
    ],
}
PLANNED_REASONS = {Reason.FUN: 50, Reason.RELIEF: 40, Reason.OTHER: 10}
UNPLANNED_REASONS = {Reason.EMERGENCY: 55, Reason.RELIEF: 35, Reason.OTHER: 10}
STAY_NOTES = {
    Reason.FUN: [
        "Logeerweekend; neemt eigen knuffel en pyjama mee.",
        "Wil graag samen koekjes bakken.",
        "Logeert samen met een ander kind uit de constellatie.",
        "",
    ],
    Reason.RELIEF: [
        "Ontlasting voor het pleeggezin na een drukke periode.",
        "Pleegouders hebben een bruiloft.",
        "Vast ontlastingsweekend, eens per zes weken.",
        "",
    ],
    Reason.EMERGENCY: [
        "Pleegmoeder met spoed opgenomen in het ziekenhuis.",
        "Crisis in het pleeggezin; even afstand nemen.",
        "Uitvaart in de familie van de pleegouders.",
    ],
    Reason.OTHER: [
        "Pleegouders op cursus.",
        "Verbouwing thuis; slaapkamer niet bruikbaar.",
        "",
    ],
}


def _pick(rng: random.Random, weights: dict) -> object:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def _last_month(today: dt.date) -> dt.date:
    """The first day of the calendar month before ``today``'s."""
    return (today.replace(day=1) - _days(1)).replace(day=1)


def _next_month(month: dt.date) -> dt.date:
    return (month + _days(32)).replace(day=1)


# --- the step ---------------------------------------------------------------------------------


@register_seed_step("constellations", needs=("case_files",))
def seed_constellations(
    scale_name: str, *, fake: Faker, rng: random.Random, log: Callable[[str], None]
) -> None:
    """Create the constellations the scale has and the database lacks (see the module doc)."""
    today = timezone.localdate()
    regions = list(Region.objects.order_by("pk"))
    werker = User.objects.filter(username="werker").select_related("team").first()
    demo_region = werker.team.region_id if werker and werker.team else None
    regions.sort(key=lambda region: region.pk != demo_region)  # stable: the rest keep their order
    existing = set(Constellation.objects.values_list("name", flat=True))
    wanted = _wanted(CONSTELLATIONS[scale_name], regions)
    missing = [(i, region, k, name) for i, region, k, name in wanted if name not in existing]
    if not missing:
        log("Constellations: nothing to add.")
        return

    families = _Families(today, werker.pk if werker else None)
    people = _People()
    drafts = []
    for region_index, region, k, name in missing:
        demo = k == 0 and region.pk == demo_region
        draft = _draft(today, region, region_index, len(regions), k, name, demo, families, people)
        if draft is not None:
            drafts.append(draft)
    busy = _Busy(today)
    created = Counter()
    for start in range(0, len(drafts), CHUNK):
        _Chunk(drafts[start : start + CHUNK], today, busy).build().save(created)
    by_status = Counter(draft.status for draft in drafts)
    skipped = len(missing) - len(drafts)
    log(
        f"Constellations: {len(drafts)} new ({by_status[Status.ACTIVE]} active, "
        f"{by_status[Status.FORMING]} forming, {by_status[Status.CLOSED]} closed"
        + (f", {skipped} without free families skipped" if skipped else "")
        + f"): {created['memberships']} memberships, {created['gatherings']} gatherings, "
        f"{created['stays']} respite stays, {created['total']} rows in all."
    )


def _wanted(total: int, regions: list[Region]) -> Iterator[tuple[int, Region, int, str]]:
    """(region index, region, k, name) of every constellation the scale has."""
    if not regions:
        return
    per_region, extra = divmod(total, len(regions))
    for index, region in enumerate(regions):
        for k in range(per_region + (index < extra)):
            yield index, region, k, _name(region.name, k)


def _name(region_name: str, k: int) -> str:
    places = PLACES.get(region_name, [region_name])
    name = f"Constellatie {places[k % len(places)]}"
    return name if k < len(places) else f"{name} {k // len(places) + 1}"


class _Families:
    """The foster families a constellation can take as member or hub home, by region."""

    def __init__(self, today: dt.date, werker_id: int | None):
        rows = (
            Placement.objects.active(today)
            .exclude(kind=CareKind.RESPITE)
            .filter(family__status=FosterFamily.Status.ACTIVE)
            .order_by("start_date", "pk")
            .values_list("family_id", "caseworker__team__region_id", "caseworker_id")
        )
        regions: dict[int, Counter] = defaultdict(Counter)
        self.werker: set[int] = set()
        for family, region, caseworker in rows:
            if region is not None:
                regions[family][region] += 1
            if caseworker == werker_id:
                self.werker.add(family)
        self.region_of = {family: c.most_common(1)[0][0] for family, c in regions.items()}
        active = list(
            FosterFamily.objects.filter(status=FosterFamily.Status.ACTIVE)
            .order_by("pk")
            .values_list("pk", "offers_respite")
        )
        self.active = [pk for pk, _ in active]
        self.respite = {pk for pk, offers in active if offers}
        self.by_region: dict[int, list[int]] = defaultdict(list)
        for pk in self.active:
            if pk in self.region_of:
                self.by_region[self.region_of[pk]].append(pk)
        # Hub homes: families offering respite first, then families without a running placement.
        self.unplaced = [pk for pk in self.active if pk not in self.region_of]
        self.respite_unplaced = [pk for pk in self.unplaced if pk in self.respite]
        self.respite_by_region = {
            region: [pk for pk in families if pk in self.respite]
            for region, families in self.by_region.items()
        }
        self.taken = set(Membership.objects.values_list("family_id", flat=True))
        self.taken |= set(HubHome.objects.values_list("family_id", flat=True))

    def members(self, region: int, *, werker: bool | None = None) -> list[int]:
        """Free families of the region with a running placement; of werker's or not."""
        return [
            f
            for f in self.by_region[region]
            if f not in self.taken and (werker is None or (f in self.werker) == werker)
        ]

    def werker_families(self) -> list[int]:
        return [f for f in self.active if f in self.werker and f not in self.taken]

    def take(self, rng: random.Random, options: list[int], n: int) -> list[int]:
        chosen = rng.sample(options, min(n, len(options))) if n > 0 else []
        self.taken.update(chosen)
        return chosen

    def hub(self, rng: random.Random, region: int) -> int | None:
        """A free family, preferably one of the region offering respite; never one of werker's."""
        for options in (
            self.respite_by_region.get(region, []),
            self.respite_unplaced,
            self.by_region[region],
            self.unplaced,
        ):
            free = [f for f in options if f not in self.taken and f not in self.werker]
            if free:
                return self.take(rng, free, 1)[0]
        return None

    def give_back(self, family_ids: list[int]) -> None:
        self.taken.difference_update(family_ids)


class _People:
    """The users who run the constellations: the demo accounts and the synthetic colleagues."""

    def __init__(self):
        users = User.objects.filter(is_active=True).order_by("username")
        self.begeleider = users.filter(username="begeleider", role=Role.LIAISON).first()
        self.hubhome = users.filter(username="hubhome", role=Role.HUB_HOME_PARENT).first()
        self.liaisons = list(users.filter(role=Role.LIAISON, username__startswith="mb-"))
        self.hub_parents = list(
            users.filter(
                role=Role.HUB_HOME_PARENT, username__startswith="hub-", hub_homes__isnull=True
            ).values_list("pk", flat=True)
        )

    def liaison(self, region_index: int, regions: int, k: int) -> User | None:
        """Three constellations of a region in a row share a synthetic liaison."""
        if not self.liaisons:
            return None
        return self.liaisons[(region_index + regions * (k // 3)) % len(self.liaisons)]

    def take_hub_parents(self, n: int) -> list[int]:
        taken, self.hub_parents = self.hub_parents[:n], self.hub_parents[n:]
        return taken


# --- one constellation ------------------------------------------------------------------------


@dataclass(eq=False)
class _Member:
    family: int
    joined_on: dt.date
    left_on: dt.date | None = None

    def on(self, day: dt.date) -> bool:
        return self.joined_on <= day and (self.left_on is None or self.left_on >= day)


@dataclass(eq=False)
class _Draft:
    name: str
    region: Region
    rng: random.Random
    status: str
    start_date: dt.date
    closed_on: dt.date | None
    skips_last_month: bool
    hub_family: int
    liaison: User | None
    hub_parents: list[int]
    members: list[_Member] = field(default_factory=list)


def _draft(
    today: dt.date,
    region: Region,
    region_index: int,
    regions: int,
    k: int,
    name: str,
    demo: bool,
    families: _Families,
    people: _People,
) -> _Draft | None:
    """Who and when: the profile, the hub home and the members with their dates."""
    rng = random.Random(f"pleegzorg-{SEED}-constellation-{region.name}-{k}")  # noqa: S311  # nosec B311
    forming_draw, closed_draw, skip_draw = rng.random(), rng.random(), rng.random()
    if not demo and (k == 1 or (k >= 2 and forming_draw < 0.08)):
        status = Status.FORMING
    elif (k == 5 and region_index == 0) or (k >= 6 and closed_draw < 0.03):
        status = Status.CLOSED
    else:
        status = Status.ACTIVE
    # The flag "no gathering last month" shows on the second of each region and a few others.
    skips_last_month = k == 1 or (status != Status.CLOSED and not demo and skip_draw < 0.05)

    closed_on = None
    if status == Status.FORMING:
        start = today - _days(rng.randint(75, 150))
        wanted, leaver = rng.randint(3, MIN_MEMBERS - 1), False
    elif status == Status.CLOSED:
        start = today - _days(rng.randint(1000, 1500))
        closed_on = today - _days(rng.randint(120, 300))
        wanted, leaver = rng.randint(MIN_MEMBERS, 8), rng.random() < 0.5
    else:
        start = today - _days(rng.randint(600, 900) if demo else rng.randint(420, 1500))
        wanted = 9 if demo else rng.randint(MIN_MEMBERS, MAX_MEMBERS)
        leaver = demo or rng.random() < 0.5

    hub = families.hub(rng, region.pk)
    if hub is None:
        return None
    if demo:
        # Some of werker's families, never all: werker sees a family inside and one outside.
        theirs = families.werker_families()
        chosen = families.take(rng, theirs, min(rng.randint(3, 4), len(theirs) - 1))
        others = families.members(region.pk, werker=False)
        chosen += families.take(rng, others, wanted + leaver - len(chosen))
    else:
        chosen = families.take(rng, families.members(region.pk), wanted + leaver)
    if len(chosen) < 3:
        families.give_back([hub, *chosen])
        return None
    left = chosen.pop() if leaver and len(chosen) > 3 else None
    if status == Status.ACTIVE and len(chosen) < MIN_MEMBERS:
        status = Status.FORMING

    end = closed_on or today
    span = (end - start).days
    members = []
    founders = len(chosen) if status == Status.FORMING else rng.randint(4, 6)
    for i, family in enumerate(chosen):
        if status == Status.FORMING:
            joined = start + _days(rng.randint(0, span - 7))
        elif i < founders:
            joined = start + _days(rng.randint(0, 30))
        else:
            joined = start + _days(rng.randint(60, span - 14))
        members.append(_Member(family, joined, closed_on))
    if left is not None:
        joined = start + _days(rng.randint(0, 30))
        left_on = joined + _days(rng.randint(90, (end - joined).days - 30))
        members.append(_Member(left, joined, left_on))
        # The last one to join took the leaver's place: never more members than today.
        latest = max(members[:-1], key=lambda m: m.joined_on)
        latest.joined_on = max(latest.joined_on, left_on + _days(rng.randint(1, 30)))

    if demo:
        liaison = people.begeleider
        hub_parents = ([people.hubhome.pk] if people.hubhome else []) + people.take_hub_parents(1)
    else:
        liaison = people.liaison(region_index, regions, k)
        hub_parents = people.take_hub_parents(2 if rng.random() < 0.7 else 1)
    return _Draft(
        name=name,
        region=region,
        rng=rng,
        status=status,
        start_date=start,
        closed_on=closed_on,
        skips_last_month=skips_last_month,
        hub_family=hub,
        liaison=liaison,
        hub_parents=hub_parents,
        members=members,
    )


class _Busy:
    """The nights each child already stays somewhere (stays that hold a bed, any constellation)."""

    def __init__(self, today: dt.date):
        self.nights: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
        stays = RespiteStay.objects.filter(
            RespiteStay.HOLDS_BED, departure__gt=today - HISTORY - _days(31)
        ).values_list("child_id", "arrival", "departure")
        for child, arrival, departure in stays:
            self.nights[child].append((arrival, departure))

    def free(self, child: int, arrival: dt.date, departure: dt.date) -> bool:
        return all(d <= arrival or a >= departure for a, d in self.nights.get(child, ()))

    def book(self, child: int, arrival: dt.date, departure: dt.date) -> None:
        self.nights[child].append((arrival, departure))


@dataclass(frozen=True)
class _Placed:
    child: int
    start: dt.date
    end: dt.date | None

    def on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)


class _Chunk:
    """The rows of some constellations, saved together."""

    def __init__(self, drafts: list[_Draft], today: dt.date, busy: _Busy):
        self.drafts, self.today, self.busy = drafts, today, busy
        self.since = today - HISTORY
        self.last_month = _last_month(today)
        self.constellations: list[Constellation] = []
        self.hubs: list[HubHome] = []
        self.beds: list[Bed] = []
        self.hub_parents: list = []
        self.memberships: list[Membership] = []
        self.participations: list[ParentParticipation] = []
        self.gatherings: list[Gathering] = []
        self.attendance: list[Attendance] = []
        self.contacts: list[SupportContact] = []
        self.stays: list[RespiteStay] = []

        ids = {d.hub_family for d in drafts} | {m.family for d in drafts for m in d.members}
        self.city = dict(FosterFamily.objects.filter(pk__in=ids).values_list("pk", "city"))
        self.foster_parents: dict[int, list[int]] = defaultdict(list)
        foster_parents = FosterParent.objects.filter(family__in=ids).order_by("pk")
        for pk, family in foster_parents.values_list("pk", "family"):
            self.foster_parents[family].append(pk)
        self.own_children: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)
        own_children = OwnChild.objects.filter(family__in=ids).order_by("pk")
        for pk, family, born in own_children.values_list("pk", "family", "date_of_birth"):
            self.own_children[family].append((pk, born))
        self.placed: dict[int, list[_Placed]] = defaultdict(list)
        placements = (
            Placement.objects.filter(family__in=ids)
            .exclude(kind=CareKind.RESPITE)
            .order_by("pk")
            .values_list("family", "child", "start_date", "end_date")
        )
        for family, child, start, end in placements:
            self.placed[family].append(_Placed(child, start, end))
        children = {p.child for placed in self.placed.values() for p in placed}
        self.parents: dict[int, list[int]] = defaultdict(list)
        for parent, child in (
            ParentChild.objects.filter(child__in=children)
            .order_by("pk")
            .values_list("parent", "child")
        ):
            self.parents[child].append(parent)

    def build(self) -> _Chunk:
        for draft in self.drafts:
            self.constellation(draft)
        return self

    def constellation(self, d: _Draft) -> None:
        r = d.rng
        obj = Constellation(
            name=d.name,
            region=d.region,
            liaison=d.liaison,
            status=d.status,
            start_date=d.start_date,
        )
        self.constellations.append(obj)
        hub = HubHome(constellation=obj, family_id=d.hub_family)
        self.hubs.append(hub)
        through = HubHome.parents.through
        self.hub_parents += [through(hubhome=hub, user_id=pk) for pk in d.hub_parents]
        count = _pick(r, {2: 85, 3: 10, 1: 5})
        beds = [Bed(hub=hub, name=f"Logeerbed {i + 1}") for i in range(count)]
        self.beds += beds
        for m in d.members:
            self.memberships.append(
                Membership(
                    constellation=obj, family_id=m.family, joined_on=m.joined_on, left_on=m.left_on
                )
            )
        recorder = d.hub_parents[0] if d.hub_parents else (d.liaison.pk if d.liaison else None)
        participations = self.participate(d, obj)
        self.gather(d, obj, participations)
        self.support(d, obj, recorder)
        for bed in beds:
            self.stay(d, obj, bed, recorder)

    def participate(self, d: _Draft, obj: Constellation) -> list[ParentParticipation]:
        """Some parents of the children placed in the member families take part."""
        r, rows, seen = d.rng, [], set()
        for m in d.members:
            for placed in self.placed[m.family]:
                # Taking part ends when the child leaves the family or the family the constellation.
                stops = [day for day in (placed.end, m.left_on) if day is not None]
                stop = min(stops) if stops else None
                if (stop is not None and stop < m.joined_on) or r.random() >= 0.4:
                    continue
                parents = [p for p in self.parents[placed.child] if p not in seen]
                if not parents:
                    continue
                parent = r.choice(parents)
                since = max(m.joined_on, placed.start) + _days(r.randint(7, 90))
                until = stop
                if until is None and r.random() < 0.1:
                    until = since + _days(r.randint(60, 200))  # stopped taking part
                if since >= self.today or (until is not None and until < since):
                    continue
                if until is not None and until >= self.today:
                    until = None
                seen.add(parent)
                rows.append(
                    ParentParticipation(
                        constellation=obj, parent_id=parent, since=since, until=until
                    )
                )
        self.participations += rows
        return rows

    def gather(self, d: _Draft, obj: Constellation, taking_part: list) -> None:
        """Monthly gatherings over the last year, a few activities and trainings."""
        r = d.rng
        since, until = max(d.start_date, self.since), d.closed_on or self.today - _days(1)
        city = self.city[d.hub_family]
        dates = []
        month = since.replace(day=1)
        while month <= until:
            last = month == self.last_month
            summer_break = month.month in (7, 8) and r.random() < 0.5
            if not (d.skips_last_month if last else summer_break or r.random() < 0.04):
                length = (_next_month(month) - month).days
                day = max(month + _days(r.randint(0, length - 1)), since)
                if day <= until:
                    place = r.choice(MONTHLY_PLACES).format(city=city)
                    dates.append((Gathering.Kind.MONTHLY, day, place, r.choice(MONTHLY_NOTES)))
            month = _next_month(month)
        span = (until - since).days
        if span > 30:
            extra = [(Gathering.Kind.ACTIVITY, a) for a in r.sample(ACTIVITIES, r.randint(1, 3))]
            extra += [(Gathering.Kind.TRAINING, t) for t in r.sample(TRAININGS, r.randint(0, 2))]
            for kind, (notes, place) in extra:
                day = since + _days(r.randint(0, span))
                if d.skips_last_month and day >= self.last_month:
                    continue  # the flag should show: nothing at all last month
                place = place.format(city=city, region=d.region.name)
                dates.append((kind, day, place, notes))
        for kind, day, place, notes in sorted(dates, key=lambda g: g[1]):
            gathering = Gathering(
                constellation=obj,
                kind=kind,
                date=day,
                place=place,
                notes=notes,
                recorded_by=d.liaison,
            )
            self.gatherings.append(gathering)
            self.attend(d, gathering, taking_part)

    def attend(self, d: _Draft, gathering: Gathering, taking_part: list) -> None:
        r, day, kind = d.rng, gathering.date, gathering.kind
        Who = Attendance.Who
        family_comes = {"monthly": 0.85, "activity": 0.7, "training": 0.6}[kind]
        child_comes = {"monthly": 0.4, "activity": 0.85, "training": 0.0}[kind]
        own_child_comes = {"monthly": 0.15, "activity": 0.6, "training": 0.0}[kind]
        rows = []
        for pk in self.foster_parents[d.hub_family]:
            if kind != Gathering.Kind.TRAINING or r.random() < 0.5:
                rows.append(Attendance(who=Who.FOSTER_PARENT, foster_parent_id=pk))
        for m in d.members:
            if not m.on(day) or r.random() >= family_comes:
                continue
            parents = self.foster_parents[m.family]
            came = [pk for pk in parents if r.random() < 0.7] or parents[:1]
            rows += [Attendance(who=Who.FOSTER_PARENT, foster_parent_id=pk) for pk in came]
            for placed in self.placed[m.family]:
                if placed.on(day) and r.random() < child_comes:
                    rows.append(Attendance(who=Who.FOSTER_CHILD, child_id=placed.child))
            for pk, born in self.own_children[m.family]:
                if born <= day - _days(4 * 365) and r.random() < own_child_comes:
                    rows.append(Attendance(who=Who.OWN_CHILD, own_child_id=pk))
        if kind != Gathering.Kind.TRAINING:
            for p in taking_part:
                if p.since <= day and (p.until is None or p.until >= day) and r.random() < 0.4:
                    rows.append(Attendance(who=Who.PARENT, parent_id=p.parent_id))
        for row in rows:
            row.gathering = gathering
        self.attendance += rows

    def support(self, d: _Draft, obj: Constellation, recorder: int | None) -> None:
        """About four short contacts a year with each member family."""
        r = d.rng
        for m in d.members:
            first = max(m.joined_on, d.start_date, self.since)
            last = min(m.left_on or self.today, self.today)
            days = (last - first).days
            if days < 1:
                continue
            for _ in range(round(days / 365 * r.uniform(2, 6))):
                kind = _pick(r, CONTACT_KINDS)
                self.contacts.append(
                    SupportContact(
                        constellation=obj,
                        family_id=m.family,
                        date=first + _days(r.randint(0, days)),
                        kind=kind,
                        note=r.choice(CONTACT_NOTES[kind]),
                        recorded_by_id=recorder,
                    )
                )

    def stay(self, d: _Draft, obj: Constellation, bed: Bed, recorder: int | None) -> None:
        """One bed's stays, one after the other: a bed never holds two stays on a night."""
        r, today = d.rng, self.today
        end = d.closed_on or today + AHEAD
        busy_level = r.uniform(0.6, 1.4)
        day = max(d.start_date, self.since) + _days(r.randint(0, 10))
        while day < end:
            planned = r.random() < 0.8 or day > today + _days(3)  # no emergencies booked ahead
            if planned:
                day += _days((4 - day.weekday()) % 7)  # a weekend from Friday
                nights = r.choice([2, 2, 2, 1, 3, 3, 4])
            else:
                nights = r.choice([1, 1, 2, 2, 3, 4, 5, 7])
            arrival, departure = day, day + _days(nights)
            if d.closed_on and departure > d.closed_on:
                break
            options = [
                (placed.child, m.family)
                for m in d.members
                if m.on(arrival)
                for placed in self.placed[m.family]
                if placed.on(arrival)
                and (placed.end is None or placed.end >= departure)
                and self.busy.free(placed.child, arrival, departure)
            ]
            if not options:
                day += _days(r.randint(1, 7))
                continue
            child, family = r.choice(options)
            if departure <= today:
                status = StayStatus.CANCELLED if r.random() < 0.05 else StayStatus.COMPLETED
            elif arrival <= today:
                status = StayStatus.CONFIRMED
            else:
                status = _pick(
                    r,
                    {StayStatus.CONFIRMED: 62, StayStatus.REQUESTED: 32, StayStatus.CANCELLED: 6},
                )
            reason = _pick(r, PLANNED_REASONS if planned else UNPLANNED_REASONS)
            self.stays.append(
                RespiteStay(
                    constellation=obj,
                    bed=bed,
                    child_id=child,
                    family_id=family,
                    arrival=arrival,
                    departure=departure,
                    planned=planned,
                    reason=reason,
                    status=status,
                    notes=r.choice(STAY_NOTES[reason]),
                    created_by_id=recorder,
                )
            )
            if status == StayStatus.CANCELLED:
                day += _days(r.randint(1, 4))  # the bed stayed free
                continue
            self.busy.book(child, arrival, departure)
            day = departure + _days(round(r.expovariate(busy_level / 7)))

    def save(self, created: Counter) -> None:
        Constellation.objects.bulk_create(self.constellations, batch_size=BATCH_SIZE)
        HubHome.objects.bulk_create(self.hubs, batch_size=BATCH_SIZE)
        tables = [
            (Bed, self.beds),
            (HubHome.parents.through, self.hub_parents),
            (Membership, self.memberships),
            (ParentParticipation, self.participations),
            (Gathering, self.gatherings),
            (Attendance, self.attendance),
            (SupportContact, self.contacts),
            (RespiteStay, self.stays),
        ]
        for model, rows in tables:
            model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        created.update(
            memberships=len(self.memberships),
            gatherings=len(self.gatherings),
            stays=len(self.stays),
            total=len(self.constellations) + len(self.hubs) + sum(len(rows) for _, rows in tables),
        )


# -- the outcome monitor's history ------------------------------------------------------------

OUTCOME_HISTORY_DAYS = 730  # the outcome monitor's trend covers 24 months
FORMER_MEMBER_DAYS = 270  # how long a former member was in before it stopped


@register_seed_step("outcome_history", needs=("constellations",))
def seed_outcome_history(scale_name: str, *, log: Callable[[str], None], **_kwargs) -> None:
    """Former members that stopped, so that the outcome monitor has stops (and the premature
    endings that often come before them) inside a constellation as well as outside.

    The case files already have families that stopped (after a premature ending, among other
    reasons) and none of them is a member, so every stop is "outside". Here about half of those
    that stopped in the last two years (the even ids: stable from run to run) become a former
    member of an open constellation of their region, from about nine months before their stop
    date up to it, where that constellation had room (never more than ten members on a day).
    Only memberships are added; running it again adds nothing."""
    today = timezone.localdate()
    stopped = (
        FosterFamily.objects.filter(
            status=FosterFamily.Status.STOPPED,
            stop_date__gte=today - dt.timedelta(days=OUTCOME_HISTORY_DAYS),
            stop_date__lt=today,  # a member today would have to be an active family
            memberships__isnull=True,
            hub_home__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", "stop_date")
    )
    stopped = list(stopped)
    # The region of its latest placement (the last one wins).
    latest_region = dict(
        Placement.objects.filter(family__in=[pk for pk, _day in stopped])
        .order_by("family", "start_date")
        .values_list("family", "caseworker__team__region")
    )
    constellations = defaultdict(list)
    for constellation in Constellation.objects.exclude(status=Constellation.Status.CLOSED).order_by(
        "pk"
    ):
        constellations[constellation.region_id].append(constellation)
    memberships = defaultdict(list)
    for membership in Membership.objects.all():
        memberships[membership.constellation_id].append(membership)

    def has_room(constellation: Constellation, first: dt.date, last: dt.date) -> bool:
        rows = memberships[constellation.pk]
        days = {first} | {m.joined_on for m in rows if first <= m.joined_on <= last}
        return all(sum(m.is_current(day) for m in rows) < MAX_MEMBERS for day in days)

    added = []
    for family, stop_date in stopped:
        if family % 2:
            continue
        for constellation in constellations.get(latest_region.get(family), []):
            joined = max(
                stop_date - dt.timedelta(days=FORMER_MEMBER_DAYS), constellation.start_date
            )
            if joined < stop_date and has_room(constellation, joined, stop_date):
                membership = Membership(
                    constellation=constellation,
                    family_id=family,
                    joined_on=joined,
                    left_on=stop_date,
                )
                memberships[constellation.pk].append(membership)
                added.append(membership)
                break
    Membership.objects.bulk_create(added)
    log(f"Outcome history: {len(added)} former members that stopped.")


@register_seed_step("foster_parent_account", needs=("constellations",))
def seed_foster_parent_account(scale_name: str, *, log: Callable[[str], None], **_kwargs) -> None:
    """The demo's foster parent, ``pleegouder`` (issue 13): a foster parent of a family that
    takes care of one of ``werker``'s running placements and is a member of the constellation of
    ``hubhome``; with a meeting to come and an agreement of theirs still open. Running it again
    changes nothing."""
    today = timezone.localdate()
    account = User.objects.filter(username="pleegouder", role=Role.FOSTER_PARENT).first()
    constellation = Constellation.objects.filter(hub__parents__username="hubhome").first()
    if account is None or constellation is None:
        log("Foster parent account: no pleegouder or no constellation of hubhome.")
        return
    placement = (
        Placement.objects.filter(
            Placement.active_condition(today),
            caseworker__username="werker",
            family__memberships__constellation=constellation,
            family__memberships__left_on__isnull=True,
        )
        .exclude(kind="respite")
        .select_related("family", "child")
        .order_by("pk")
        .first()
    )
    if placement is None:
        log("Foster parent account: no placement of werker in hubhome's constellation.")
        return
    parent = FosterParent.objects.filter(account=account).first() or (
        placement.family.foster_parents.order_by("pk").first()
        or FosterParent(family=placement.family)
    )
    parent.first_name, parent.last_name = account.first_name, account.last_name
    parent.email, parent.account = account.email, account
    parent.save()
    if not placement.meetings.filter(status="planned", planned_at__gte=timezone.now()).exists():
        day = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=9), dt.time(10)))
        Meeting.objects.create(
            placement=placement, kind="joint", planned_at=day, place="Bij het pleeggezin"
        )
    if not placement.agreements.filter(owner=Party.FOSTER_PARENTS, status="open").exists():
        Agreement.objects.create(
            placement=placement,
            what=f"Het logeerweekend van {placement.child.first_name} bij de hubhome plannen",
            owner=Party.FOSTER_PARENTS,
            due_on=today + dt.timedelta(days=21),
        )
    log(f"Foster parent account: pleegouder is a foster parent of {placement.family}.")
