"""Synthetic case files for ``seed_demo``: children, parents, foster families and placements.

:func:`seed_case_files` is the seed step ``case_files`` (``pleegzorg.demo.register_seed_step``).
Everything here is made up (Faker ``nl_NL`` plus the word lists below); no real person is in it.

Blocks: what the stable keys are
--------------------------------
The case files are made in *blocks*. A block is 10 children and 8 foster families with all that
belongs to them: parents, foster parents, own children, status history, two youth protectors,
placements, caseworker and youth-protector assignments, decisions and voice notes. A block's
placements only use the block's own children and families, so the rules hold by construction:
no child has two full-time placements at once, no family holds more non-respite placements at
any moment than it has places, and a larger scale never has to fit new placements around old ones.
When no family in the block is free, a family with fewer than three places takes one more child
(its ``places`` goes up); if even that fails, the child waits for a family and has no placement
yet (about 1 in 700 children).
A scale is a number of blocks: small 12, org 250 and sector 2,500 (120, 2,500 and 25,000
children; 96, 2,000 and 20,000 families); ``sector10``, ten times the sector, 25,000.

Block ``n`` is drawn from random generators seeded with ``SEED`` and ``n`` only, so it comes out
the same at every scale and in every run. Its stable key is the address of its eight families
(postcode plus street and house number): the addresses are unique over all blocks (an address
that an earlier block already has is drawn again), and they contain no dates. A block counts as
present when *any* of its families' addresses is in the database, and the step creates only the
blocks that are missing. So running ``seed_demo`` twice adds nothing, a larger scale adds the
blocks after the smaller scale's, and a family edited or deleted in the demo does not bring its
block back (unless all eight are gone). Dates are drawn as "days before today": a block created
later is just as current, and a run on a later day still finds the blocks of an earlier one.

What depends on the run, not on the block: who the caseworker is. That comes from the database
and the shared ``rng``: the demo account ``werker`` gets active placements until it has 32 (more
than one caseload page), ``werker2`` until it has 12, and every other child goes to the least
loaded colleague (``pzw-...``). A child's ended placements stay with the caseworker of its
current one. A child whose placements have all ended goes to a colleague drawn at random, or,
until they have the numbers of ``DEMO_ENDED``, to a demo account: ended in aftercare and past it.
Every placement belongs to its caseworker's team (``Placement.team``). The shared ``fake`` draws
the names, with each block's own generator plugged in for the duration of the block; it gets its
own generator back afterwards.

Speed: values are drawn in Python and saved with ``bulk_create`` per 250 blocks (sector scale is
about 345,000 rows, some 35 seconds on PostgreSQL), with a handful of queries per run and none
per row.
"""

from __future__ import annotations

import heapq
import random
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Case, Count, Exists, OuterRef, Q, Value, When
from django.utils import timezone

from placements.dashboard.selectors import weighted_caseload
from placements.models import (
    CareKind,
    CaseworkerAssignment,
    Child,
    Decision,
    FosterFamily,
    FosterFamilyStatusChange,
    FosterParent,
    OwnChild,
    Parent,
    ParentChild,
    Placement,
    VoiceNote,
    YouthProtector,
    YouthProtectorAssignment,
)
from placements.validators import valid_bsn
from pleegzorg.demo import register_seed_step
from pleegzorg.models import User

if TYPE_CHECKING:
    from faker import Faker

SEED = 2026
BLOCK_CHILDREN = 10
BLOCK_FAMILIES = 8
BLOCKS = {"small": 12, "org": 250, "sector": 2500, "sector10": 25000}
CHUNK_BLOCKS = 250  # blocks per round of bulk inserts: bounds the memory at sector scale
BATCH_SIZE = 2000
# Active placements the demo accounts end up with: werker's is more than one page of 25.
DEMO_CASELOADS = {"werker": 32, "werker2": 12}
# Children whose placements have all ended that the demo accounts keep: per account, how many
# in aftercare and how many past it (their files open only with a reason), so that both stages
# of need-to-know show in the demo (placements.permissions).
DEMO_ENDED = {"werker": {"aftercare": 1, "closed": 2}, "werker2": {"aftercare": 1, "closed": 1}}
HISTORY_DAYS = 6 * 365  # placements start within the last six years
YEAR = 365

Status = FosterFamily.Status
Reason = Placement.EndReason

# --- word lists ------------------------------------------------------------------------------

# (town, municipality, lowest and highest postcode digits, weight)
TOWNS = [
    ("Utrecht", "Utrecht", 3511, 3585, 10),
    ("De Meern", "Utrecht", 3453, 3454, 2),
    ("Vleuten", "Utrecht", 3451, 3452, 1),
    ("Amersfoort", "Amersfoort", 3811, 3829, 5),
    ("Zeist", "Zeist", 3701, 3709, 3),
    ("Driebergen-Rijsenburg", "Utrechtse Heuvelrug", 3971, 3972, 1),
    ("Doorn", "Utrechtse Heuvelrug", 3941, 3941, 1),
    ("Maarssen", "Stichtse Vecht", 3601, 3608, 2),
    ("Bilthoven", "De Bilt", 3720, 3723, 2),
    ("Houten", "Houten", 3991, 3998, 2),
    ("Nieuwegein", "Nieuwegein", 3430, 3439, 3),
    ("IJsselstein", "IJsselstein", 3400, 3404, 1),
    ("Veenendaal", "Veenendaal", 3901, 3907, 2),
    ("Woerden", "Woerden", 3441, 3449, 2),
    ("Bunnik", "Bunnik", 3981, 3981, 1),
    ("Arnhem", "Arnhem", 6811, 6846, 5),
    ("Nijmegen", "Nijmegen", 6511, 6546, 5),
    ("Apeldoorn", "Apeldoorn", 7311, 7339, 5),
    ("Ede", "Ede", 6711, 6718, 3),
    ("Bennekom", "Ede", 6721, 6721, 1),
    ("Wageningen", "Wageningen", 6701, 6709, 1),
    ("Doetinchem", "Doetinchem", 7001, 7009, 2),
    ("Zutphen", "Zutphen", 7201, 7207, 1),
    ("Tiel", "Tiel", 4001, 4007, 1),
    ("Culemborg", "Culemborg", 4101, 4105, 1),
    ("Amsterdam", "Amsterdam", 1011, 1109, 9),
    ("Haarlem", "Haarlem", 2011, 2037, 4),
    ("Zaandam", "Zaanstad", 1501, 1507, 3),
    ("Hilversum", "Hilversum", 1211, 1223, 2),
    ("Alkmaar", "Alkmaar", 1811, 1827, 3),
    ("Purmerend", "Purmerend", 1441, 1448, 2),
    ("Den Haag", "'s-Gravenhage", 2491, 2597, 8),
    ("Rotterdam", "Rotterdam", 3011, 3089, 9),
    ("Schiedam", "Schiedam", 3111, 3125, 2),
    ("Leiden", "Leiden", 2311, 2334, 3),
    ("Delft", "Delft", 2611, 2629, 3),
    ("Dordrecht", "Dordrecht", 3311, 3319, 3),
    ("Gouda", "Gouda", 2801, 2809, 2),
    ("Zoetermeer", "Zoetermeer", 2711, 2729, 3),
    ("Eindhoven", "Eindhoven", 5611, 5658, 6),
    ("Tilburg", "Tilburg", 5011, 5049, 5),
    ("'s-Hertogenbosch", "'s-Hertogenbosch", 5211, 5249, 4),
    ("Breda", "Breda", 4811, 4839, 4),
    ("Helmond", "Helmond", 5701, 5709, 2),
    ("Oss", "Oss", 5341, 5351, 2),
    ("Zwolle", "Zwolle", 8011, 8043, 3),
    ("Enschede", "Enschede", 7511, 7548, 4),
    ("Deventer", "Deventer", 7411, 7429, 3),
    ("Hengelo", "Hengelo", 7550, 7559, 2),
    ("Almelo", "Almelo", 7601, 7609, 2),
    ("Maastricht", "Maastricht", 6211, 6229, 3),
    ("Venlo", "Venlo", 5911, 5928, 2),
    ("Heerlen", "Heerlen", 6411, 6422, 2),
    ("Sittard", "Sittard-Geleen", 6131, 6137, 2),
    ("Leeuwarden", "Leeuwarden", 8911, 8939, 3),
    ("Drachten", "Smallingerland", 9201, 9207, 2),
    ("Groningen", "Groningen", 9711, 9747, 5),
    ("Assen", "Assen", 9401, 9409, 2),
    ("Emmen", "Emmen", 7811, 7826, 2),
    ("Almere", "Almere", 1311, 1363, 5),
    ("Lelystad", "Lelystad", 8211, 8245, 2),
    ("Middelburg", "Middelburg", 4331, 4339, 1),
    ("Goes", "Goes", 4461, 4465, 1),
    ("Vlissingen", "Vlissingen", 4381, 4389, 1),
]
TOWN_WEIGHTS = [t[4] for t in TOWNS]
# Letters PostNL uses in postcodes; SA, SD and SS are never issued.
POSTCODE_LETTERS = [
    a + b
    for a in "ABCDEGHJKLMNPRSTVWXZ"
    for b in "ABCDEGHJKLMNPRSTVWXZ"
    if a + b not in {"SA", "SD", "SS"}
]
STREETS = [
    "Kerkstraat",
    "Dorpsstraat",
    "Molenweg",
    "Schoolstraat",
    "Julianastraat",
    "Beatrixlaan",
    "Wilhelminastraat",
    "Stationsweg",
    "Eikenlaan",
    "Lindelaan",
    "Kastanjelaan",
    "Prins Bernhardlaan",
    "Vondellaan",
    "Rembrandtlaan",
    "Merelstraat",
    "Spoorstraat",
    "Burgemeester de Withstraat",
    "Oranjestraat",
    "Nieuwstraat",
    "Hoofdstraat",
    "Parallelweg",
    "Tulpstraat",
    "Populierenlaan",
    "Zonnebloemstraat",
    "Van Goghstraat",
    "Kloosterweg",
    "Industrieweg",
    "Sportlaan",
    "Esdoornlaan",
    "Zwanenvliet",
]
INSTITUTIONS = [
    "Samen Veilig Midden-Nederland",
    "William Schrikker Stichting",
    "Jeugdbescherming west",
    "Jeugdbescherming Regio Amsterdam",
    "Jeugdbescherming Noord",
    "Jeugdbescherming Brabant",
    "Jeugdbescherming Gelderland",
    "Jeugdbescherming Overijssel",
    "Leger des Heils Jeugdbescherming & Reclassering",
]
COURTS = [
    "Midden-Nederland",
    "Gelderland",
    "Den Haag",
    "Amsterdam",
    "Rotterdam",
    "Noord-Holland",
    "Oost-Brabant",
    "Zeeland-West-Brabant",
    "Limburg",
    "Overijssel",
    "Noord-Nederland",
]
EMAIL_DOMAINS = ["example.com", "example.org", "example.net"]

PRIMARY_KINDS = ["Basisschool", "OBS", "CBS", "RKBS", "Daltonschool", "Montessorischool"]
PRIMARY_NAMES = [
    "De Regenboog",
    "Het Kompas",
    "De Wilgenhoek",
    "De Fontein",
    "Het Palet",
    "De Zonnewijzer",
    "De Klimop",
    "Het Mozaïek",
    "De Springplank",
    "De Vlieger",
    "Het Anker",
    "De Sterrenkijker",
    "De Notenboom",
]
SECONDARY_SCHOOLS = [
    "{town} College",
    "Christelijk Lyceum {town}",
    "Stedelijk Gymnasium {town}",
    "Vakcollege {town}",
    "Montessori Lyceum {town}",
    "Praktijkschool {town}",
]
SPECIAL_SCHOOLS = ["SBO De Brug", "SO De Piramide", "VSO De Twijn"]

TRUSTED_RELATIONS = [
    "tante",
    "oom",
    "oma",
    "opa",
    "peettante",
    "trainer voetbalclub",
    "mentor op school",
    "buurvrouw",
    "vriendin van moeder",
    "oud-pleegmoeder",
    "jongerenwerker",
]
ALLERGIES = [
    "pinda's",
    "noten",
    "lactose-intolerantie",
    "hooikoorts",
    "huisstofmijt",
    "penicilline",
    "kiwi",
    "ei",
    "wespensteken (EpiPen gaat altijd mee)",
]
MEDICATION = [
    "methylfenidaat 10 mg 's ochtends",
    "melatonine 1 mg voor het slapen",
    "Ventolin-puffer bij benauwdheid",
    "Concerta 36 mg 's ochtends",
    "risperidon 0,5 mg 's avonds",
    "Flixotide 2x daags",
    "cetirizine bij hooikoorts",
    "insuline volgens schema (diabetes type 1)",
]
DIETS = [
    "halal",
    "vegetarisch",
    "geen varkensvlees",
    "lactosevrij",
    "glutenvrij",
    "suikerbeperkt (diabetes type 1)",
]
PARTICIPATION = [
    "Bezoekt om de week op zaterdag, begeleid door de pleegzorgwerker.",
    "Belt elke zondagavond met het kind.",
    "Komt naar de gezamenlijke overleggen.",
    "Omgang eens per maand op neutraal terrein.",
    "Haalt het kind eens per twee weken op voor een weekend thuis.",
    "Geen contact op dit moment; krijgt twee keer per jaar schriftelijke informatie.",
    "Komt naar verjaardagen en schoolvieringen.",
    "Doet mee aan de activiteiten van de constellatie.",
    "Wil meer betrokken worden; afspraak volgt in het volgende overleg.",
    "",
]
OWN_CHILD_NOTES = [
    "Vindt het leuk om mee te helpen met de pleegkinderen.",
    "Woont op kamers.",
    "Heeft soms moeite met het delen van de aandacht.",
    "Doet mee aan de groep voor eigen kinderen van pleegouders.",
    "Deelt een kamer met het pleegkind.",
]
STATUS_NOTES = {
    Status.SCREENING: [
        "Aanmelding na een informatieavond.",
        "Aanmelding via de website.",
        "Aangemeld als netwerkpleeggezin.",
    ],
    Status.ACTIVE: [
        "Screening en voorbereiding afgerond.",
        "Geschikt bevonden na het huisbezoek en de training.",
    ],
    Status.PAUSED: [
        "Pauze vanwege een verbouwing.",
        "Even op adem komen na een intensieve plaatsing.",
        "Gezinsuitbreiding: pauze tot na het verlof.",
        "Ziekte van een van de pleegouders.",
    ],
}
RESUMED_NOTE = "Weer beschikbaar na de pauze."
STOP_REASONS = {
    FosterFamily.StopReason.AGE_OR_HEALTH: (
        25,
        ["Gezondheidsklachten van een pleegouder.", "Vinden zichzelf te oud voor een nieuw kind."],
    ),
    FosterFamily.StopReason.OWN_FAMILY: (
        25,
        ["Ruimte nodig voor het eigen gezin.", "Eigen kind heeft meer zorg nodig."],
    ),
    FosterFamily.StopReason.DISAPPOINTING_SUPPORT: (
        12,
        ["Te weinig steun ervaren bij de laatste plaatsing."],
    ),
    FosterFamily.StopReason.BREAKDOWN: (
        12,
        ["Gestopt na de voortijdige beëindiging van de plaatsing."],
    ),
    FosterFamily.StopReason.ADOPTION_OR_GUARDIANSHIP: (
        8,
        ["Pleegouders zijn voogd geworden van hun pleegkind."],
    ),
    FosterFamily.StopReason.MOVED: (
        10,
        ["Verhuisd naar het buitenland.", "Verhuisd naar een kleinere woning."],
    ),
    FosterFamily.StopReason.OTHER: (8, ["Andere baan met onregelmatige diensten."]),
}
END_NOTES = {
    Reason.RETURN_HOME: [
        "Terug naar moeder na positief advies van de jeugdbeschermer.",
        "Geleidelijke terugplaatsing bij vader afgerond.",
        "Terug naar huis; ambulante hulp loopt door.",
    ],
    Reason.OTHER_FAMILY: [
        "Overplaatsing naar een perspectiefbiedend pleeggezin.",
        "Samen met broer of zus geplaatst in een ander pleeggezin.",
    ],
    Reason.INDEPENDENCE: [
        "Op kamers met begeleid wonen.",
        "Zelfstandig gaan wonen; pleegouders blijven betrokken als netwerk.",
    ],
    Reason.PREMATURE: [
        "Pleegouders gaven aan het niet langer vol te kunnen houden.",
        "Conflicten liepen te hoog op; plaatsing in overleg beëindigd.",
        "De veiligheid in het pleeggezin was niet meer gewaarborgd.",
        "Het kind wilde niet langer in het pleeggezin wonen.",
    ],
    Reason.OTHER: [
        "Naar een gezinshuis.",
        "Opname in een behandelgroep.",
        "Verhuisd naar familie in het buitenland.",
    ],
}
CRISIS_END_NOTE = "Na de crisisopvang naar een voltijdpleeggezin."
ENDED_BY_WEIGHTS = {
    Placement.EndedBy.FOSTER_FAMILY: 45,
    Placement.EndedBy.CHILD: 15,
    Placement.EndedBy.PARENTS: 15,
    Placement.EndedBy.ORGANISATION: 10,
    Placement.EndedBy.YOUTH_PROTECTION: 15,
}
HANDOVER_NOTES = [
    "Kind is gehecht aan pleegmoeder; omgang met vader ligt gevoelig. De lopende afspraken staan "
    "in het plan van aanpak.",
    "Pleegouders willen in de eerste maand wekelijks telefonisch contact.",
    "De schoolwissel is net achter de rug; let op signalen van het kind.",
    "Evaluatie van het perspectief staat gepland; de jeugdbeschermer weet van de overdracht.",
    "Moeder reageert wisselend op nieuwe mensen: eerste kennismaking samen met de jeugdbeschermer.",
]
YOUTH_PROTECTOR_HANDOVER_NOTES = [
    "Nieuwe jeugdbeschermer na herindeling van de regio.",
    "Vorige jeugdbeschermer met verlof; overdracht in een gesprek met de pleegouders erbij.",
]
DECISIONS = [
    (
        "Verlenging van de ondertoezichtstelling met een jaar",
        "De doelen uit het plan van aanpak zijn nog niet bereikt; de veiligheid thuis is nog "
        "onvoldoende gewaarborgd.",
    ),
    (
        "Omgang met moeder eens per twee weken, begeleid",
        "Het contact verloopt goed, maar moeder heeft nog steun nodig om afspraken na te komen.",
    ),
    (
        "Wisseling van school na de zomervakantie",
        "De nieuwe school ligt dichter bij het pleeggezin en biedt extra ondersteuning.",
    ),
    (
        "Start onderzoek naar terugplaatsing bij vader",
        "Vader heeft een stabiele woonsituatie en werkt mee aan de hulpverlening.",
    ),
    (
        "Perspectiefbesluit: opgroeien in het pleeggezin",
        "Terugplaatsing is binnen een aanvaardbare termijn niet haalbaar gebleken.",
    ),
    (
        "Toestemming voor een vakantie in het buitenland",
        "Ouders met gezag en jeugdbeschermer zijn akkoord; de reis valt in de schoolvakantie.",
    ),
    (
        "Inzet van een kinderpsycholoog",
        "Het kind slaapt slecht en heeft veel boze buien sinds de laatste bezoekregeling.",
    ),
    (
        "Vaste logeerweekenden bij de hubhome",
        "Pleegouders hebben meer ruimte nodig om het vol te houden.",
    ),
    (
        "Omgang voortaan onbegeleid",
        "De bezoeken verlopen al maanden rustig en volgens afspraak.",
    ),
    (
        "Aanmelding voor traumabehandeling (EMDR)",
        "Het kind heeft herbelevingen van de periode voor de uithuisplaatsing.",
    ),
]
FOSTER_PARENT_VIEWS = [
    "Pleegouders staan achter het besluit.",
    "Pleegouders vrezen onrust bij het kind, maar willen het proberen.",
    "Pleegouders vinden dat het te snel gaat en vragen een evaluatie na drie maanden.",
    "Pleegouders zijn akkoord als het vervoer geregeld wordt.",
    "Pleegouders hadden liever eerst met de school gesproken.",
    "Pleegouders zien dat het kind ernaar uitkijkt en steunen het.",
]
VOICES_YOUNG = [
    "Ik wil op zwemles blijven.",
    "Ik wil mama vaker zien, niet alleen op zaterdag.",
    "Ik vind het fijn dat de hond bij mij op de kamer mag.",
    "Ik wil niet naar een andere school.",
    "Ik mis mijn broertje.",
    "Ik wil dat papa naar mijn verjaardag komt.",
    "Als het donker is wil ik dat de deur een beetje openblijft.",
    "Ik wil hier blijven wonen.",
]
VOICES_TEEN = [
    "Ik wil zelf kiezen wanneer ik mijn vader zie.",
    "Ik wil na de zomer naar het mbo, richting zorg.",
    "Ik wil niet steeds een nieuwe pleegzorgwerker.",
    "Ik wil een bijbaantje, maar dat mag nog niet.",
    "Ik wil mijn vrienden uit mijn oude wijk blijven zien.",
    "Ik wil dat er eerst met mij wordt gepraat voordat er iets besloten wordt.",
    "Ik voel me hier thuis, maar ik wil mijn moeder niet kwijt.",
    "Later wil ik zelfstandig wonen, met begeleiding.",
]


def _pick(rng: random.Random, weights: dict) -> object:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _phone(rng: random.Random) -> str:
    return f"06-{rng.randrange(10_000_000, 100_000_000)}"


def _email(rng: random.Random, first_name: str, last_name: str) -> str:
    local = f"{first_name}.{last_name}".lower().replace(" ", "").replace("'", "")
    local = unicodedata.normalize("NFKD", local).encode("ascii", "ignore").decode()
    return f"{local}@{rng.choice(EMAIL_DOMAINS)}"


def _surname(fake: Faker) -> str:
    """A Faker surname, skipping the medieval ones in its list ('Bourgondië, van', 'Claesdr')."""
    while True:
        name = fake.last_name()
        medieval = "," in name or " en " in name or name.endswith("dr") or name.startswith("'")
        if not medieval and (name[:1].islower() or " van " not in name):
            return name


def _capitalised(last_name: str) -> str:
    """'van Dijk' -> 'Van Dijk', as Dutch writes a surname without a first name before it."""
    return last_name[:1].upper() + last_name[1:]


# --- the step ---------------------------------------------------------------------------------


@register_seed_step("case_files", needs=("organisation",))
def seed_case_files(
    scale_name: str, *, fake: Faker, rng: random.Random, log: Callable[[str], None]
) -> None:
    """Create the blocks of case files the scale has and the database lacks (see module doc)."""
    today = timezone.localdate()
    shared_random = fake.random
    try:
        addresses = _block_addresses(BLOCKS[scale_name], fake)
        existing = set(FosterFamily.objects.values_list("postcode", "street"))
        missing = [
            n
            for n, block in enumerate(addresses)
            if not any((a.postcode, a.street) in existing for a in block)
        ]
        if not missing:
            log("Case files: nothing to add.")
            return
        caseworkers = _Caseworkers(rng, today)
        bsns = set(Child.objects.exclude(bsn="").values_list("bsn", flat=True))
        created = Counter()
        for start in range(0, len(missing), CHUNK_BLOCKS):
            batch = _Batch()
            for n in missing[start : start + CHUNK_BLOCKS]:
                _Block(n, addresses[n], fake, today, batch, bsns, valid_bsn).build()
            batch.assign_caseworkers(caseworkers, rng)
            batch.save(created)
    finally:
        fake.random = shared_random
    log(
        f"Case files: {len(missing)} new blocks: {created['children']} children, "
        f"{created['families']} foster families, {created['placements']} placements, "
        f"{created['total']} rows in all."
    )


@dataclass(frozen=True)
class _Address:
    street: str
    postcode: str
    town: str
    municipality: str


def _block_addresses(blocks: int, fake: Faker) -> list[list[_Address]]:
    """The families' addresses of blocks 0..blocks-1: their stable keys, unique over all blocks.

    Block ``n`` draws from its own generator; an address an earlier block already has is drawn
    again, so block ``n`` depends on blocks 0..n-1 only and is the same at every scale.
    """
    taken: set[tuple[str, str]] = set()
    result = []
    for n in range(blocks):
        rng = random.Random(f"pleegzorg-{SEED}-block-{n}-addresses")  # nosec B311
        fake.random = rng
        block = []
        while len(block) < BLOCK_FAMILIES:
            town, municipality, low, high, _ = rng.choices(TOWNS, weights=TOWN_WEIGHTS)[0]
            postcode = f"{rng.randint(low, high)} {rng.choice(POSTCODE_LETTERS)}"
            name = rng.choice(STREETS) if rng.random() < 0.7 else fake.street_name()
            street = f"{name} {rng.randint(1, 180)}"
            if (postcode, street) not in taken:
                taken.add((postcode, street))
                block.append(_Address(street, postcode, town, municipality))
        result.append(block)
    return result


class _Caseworkers:
    """Who gets the next child: the demo accounts up to their caseload, then the least loaded."""

    def __init__(self, rng: random.Random, today: date):
        rows = list(
            User.objects.filter(role=User.Role.CASEWORKER, is_active=True)
            .filter(Q(username__startswith="pzw-") | Q(username__in=DEMO_CASELOADS))
            .order_by("username")
            .values_list("pk", "username", "team__lead_id", "team_id")
        )
        self.lead = {pk: lead for pk, _, lead, _ in rows}
        self.team = {pk: team for pk, _, _, team in rows}
        self.today = today
        load = dict(
            Placement.objects.active()
            .filter(caseworker__in=self.lead)
            .order_by()
            .values("caseworker")
            .annotate(n=Count("pk"))
            .values_list("caseworker", "n")
        )
        by_name = {name: pk for pk, name, _, _ in rows}
        self.quota = [
            [by_name[name], wanted - load.get(by_name[name], 0)]
            for name, wanted in DEMO_CASELOADS.items()
            if name in by_name
        ]
        self.ended_quota = self._ended_quota(by_name)
        self.colleagues = [pk for pk, name, _, _ in rows if name.startswith("pzw-")]
        rng.shuffle(self.colleagues)
        if not self.colleagues:
            raise RuntimeError("The case files need the synthetic caseworkers (pzw-...).")
        self.heap = [(load.get(pk, 0), i, pk) for i, pk in enumerate(self.colleagues)]
        heapq.heapify(self.heap)

    def take(self, active: int) -> int:
        """A caseworker for a child with ``active`` running placements."""
        for entry in self.quota:
            if entry[1] >= active:
                entry[1] -= active
                return entry[0]
        load, i, pk = heapq.heappop(self.heap)
        heapq.heappush(self.heap, (load + active, i, pk))
        return pk

    def _ended_quota(self, by_name: dict[str, int]) -> list[list]:
        """[caseworker, stage, still wanted] for DEMO_ENDED, less what earlier runs gave them:
        their ended placements of children without a placement that has not ended."""
        running = Placement.objects.not_ended(self.today).filter(child=OuterRef("child"))
        ended = Placement.objects.filter(~Exists(running), caseworker__in=by_name.values())
        have = Counter(
            (caseworker, Placement.Stage.AFTERCARE if in_aftercare else Placement.Stage.CLOSED)
            for caseworker, in_aftercare in ended.annotate(
                in_aftercare=Case(
                    When(Placement.in_aftercare_condition(self.today), then=Value(True)),
                    default=Value(False),
                )
            ).values_list("caseworker", "in_aftercare")
        )
        return [
            [by_name[name], stage, wanted - have[by_name[name], stage]]
            for name, stages in DEMO_ENDED.items()
            if name in by_name
            for stage, wanted in stages.items()
        ]

    def take_ended(self, drawn: int, stints: list[_Stint]) -> int:
        """A caseworker for a child whose placements have all ended: a demo account that still
        wants one in the stage of its last ending (DEMO_ENDED), else ``drawn``."""
        last = max(stint.placement.end_date for stint in stints)
        stage = Placement(end_date=last).stage_on(self.today)
        for entry in self.ended_quota:
            if entry[1] == stage and entry[2] > 0:
                entry[2] -= 1
                return entry[0]
        return drawn

    def other_than(self, rng: random.Random, pk: int) -> int:
        while (other := rng.choice(self.colleagues)) == pk and len(self.colleagues) > 1:
            pass
        return other


# --- one block --------------------------------------------------------------------------------


@dataclass(eq=False)
class _Family:
    obj: FosterFamily
    active_from: int | None  # days ago the family became active; None while in screening
    paused_from: int | None = None
    stopped_on: int | None = None
    break_window: tuple[int, int] | None = None  # an earlier pause: (paused, active again)
    stop_change: FosterFamilyStatusChange | None = None
    kinds: frozenset[str] = frozenset()
    periods: list[tuple[int, int | None]] = field(default_factory=list)  # non-respite
    parents: list[tuple[FosterParent, str]] = field(default_factory=list)

    def takes(self, kind: str, start: int, end: int | None, extra_place: bool = False) -> bool:
        """Whether the family could take a placement from ``start`` to ``end`` days ago."""
        if self.active_from is None or kind not in self.kinds or start > self.active_from:
            return False
        if self.stopped_on is not None and (end is None or end < self.stopped_on):
            return False
        if self.paused_from is not None and start <= self.paused_from:
            return False
        if self.break_window and self.break_window[0] >= start > self.break_window[1]:
            return False
        if kind == CareKind.RESPITE:
            return True
        end_ = -1 if end is None else end
        overlapping = sum(
            1 for s, e in self.periods if s >= end_ and start >= (-1 if e is None else e)
        )
        return overlapping < self.obj.places + extra_place


@dataclass(eq=False)
class _Stint:
    """One placement of a child, first as days before today, then as a Placement."""

    kind: str
    start: int
    end: int | None
    end_reason: str = ""
    family: _Family | None = None
    placement: Placement | None = None
    handover: tuple[date, str, bool, date | None] | None = None
    decisions: list[Decision] = field(default_factory=list)
    notes: list[VoiceNote] = field(default_factory=list)


@dataclass(eq=False)
class _ChildDraft:
    obj: Child
    age: int  # days
    group: int
    legal_basis: str
    stints: list[_Stint] = field(default_factory=list)


class _Batch:
    """The records of some blocks, saved together with bulk_create."""

    def __init__(self):
        self.youth_protectors: list[YouthProtector] = []
        self.families: list[FosterFamily] = []
        self.status_changes: list[tuple[FosterFamilyStatusChange, bool]] = []
        self.foster_parents: list[FosterParent] = []
        self.own_children: list[OwnChild] = []
        self.children: list[_ChildDraft] = []
        self.parents: list[Parent] = []
        self.parent_links: list[ParentChild] = []
        self.youth_protector_assignments: list[YouthProtectorAssignment] = []
        self.caseworker_assignments: list[CaseworkerAssignment] = []

    def stints(self) -> Iterator[_Stint]:
        for child in self.children:
            yield from child.stints

    def assign_caseworkers(self, caseworkers: _Caseworkers, rng: random.Random) -> None:
        """Fill in every user field: caseworkers, their history, who recorded what."""
        order = [child for child in self.children if child.stints]
        rng.shuffle(order)
        for child in order:
            active = sum(1 for stint in child.stints if stint.end is None)
            if active:
                caseworker = caseworkers.take(active)
            else:  # the draw comes first, so the demo's other choices stay as they were
                drawn = rng.choice(caseworkers.colleagues)
                caseworker = caseworkers.take_ended(drawn, child.stints)
            for stint in child.stints:
                placement = stint.placement
                placement.caseworker_id = caseworker
                placement.team_id = caseworkers.team.get(caseworker)
                earlier = None
                if stint.handover:
                    on, note, informed, calm_until = stint.handover
                    earlier = caseworkers.other_than(rng, caseworker)
                    self.caseworker_assignments.append(
                        CaseworkerAssignment(
                            placement=placement,
                            caseworker_id=earlier,
                            start_date=placement.start_date,
                            end_date=on - timedelta(days=1),
                            assigned_by_id=earlier,
                        )
                    )
                    self.caseworker_assignments.append(
                        CaseworkerAssignment(
                            placement=placement,
                            caseworker_id=caseworker,
                            start_date=on,
                            handover_note=note,
                            family_informed=informed,
                            no_change_of_course_until=calm_until,
                            assigned_by_id=caseworkers.lead.get(caseworker),
                        )
                    )
                else:
                    self.caseworker_assignments.append(
                        CaseworkerAssignment(
                            placement=placement,
                            caseworker_id=caseworker,
                            start_date=placement.start_date,
                            assigned_by_id=caseworker,
                        )
                    )
                for record in [*stint.decisions, *stint.notes]:
                    said = getattr(record, "said_on", None) or record.decided_on
                    recorded_earlier = earlier and said < stint.handover[0]
                    record.recorded_by_id = earlier if recorded_earlier else caseworker
        for change, by_caseworker in self.status_changes:
            if by_caseworker:
                change.changed_by_id = rng.choice(caseworkers.colleagues)

    def save(self, created: Counter) -> None:
        placements = [stint.placement for stint in self.stints()]
        groups = [
            (YouthProtector, self.youth_protectors),
            (FosterFamily, self.families),
            (FosterFamilyStatusChange, [change for change, _ in self.status_changes]),
            (FosterParent, self.foster_parents),
            (OwnChild, self.own_children),
            (Child, [child.obj for child in self.children]),
            (Parent, self.parents),
            (ParentChild, self.parent_links),
            (Placement, placements),
            (CaseworkerAssignment, self.caseworker_assignments),
            (YouthProtectorAssignment, self.youth_protector_assignments),
            (Decision, [d for stint in self.stints() for d in stint.decisions]),
            (VoiceNote, [n for stint in self.stints() for n in stint.notes]),
        ]
        for model, objs in groups:
            # Each object's foreign keys point at objects saved earlier in this loop: fill in
            # their ids now that bulk_create has given them one.
            model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
            created["total"] += len(objs)
        created["children"] += len(self.children)
        created["families"] += len(self.families)
        created["placements"] += len(placements)


class _Block:
    """Draws block ``n``: everything in it comes from generators seeded with ``n``."""

    def __init__(
        self,
        n: int,
        addresses: list[_Address],
        fake: Faker,
        today: date,
        batch: _Batch,
        bsns: set[str],
        valid_bsn: Callable[[int], str],
    ):
        self.n = n
        self.addresses = addresses
        self.rng = random.Random(f"pleegzorg-{SEED}-block-{n}")  # nosec B311
        self.fake = fake
        self.today = today
        self.batch = batch
        self.bsns = bsns
        self.valid_bsn = valid_bsn
        self.families: list[_Family] = []
        self.children: list[_ChildDraft] = []
        self.youth_protectors: list[YouthProtector] = []

    def day(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)

    def build(self) -> None:
        self.fake.random = self.rng
        self.make_youth_protectors()
        for address in self.addresses:
            self.make_family(address)
        self.make_children()
        self.plan_stints()
        self.place()
        for child in self.children:
            self.finish_child(child)
        self.batch.children.extend(self.children)

    # families ---------------------------------------------------------------------------------

    def make_youth_protectors(self) -> None:
        rng, fake = self.rng, self.fake
        institution = rng.choice(INSTITUTIONS)
        for _ in range(2):
            first, last = fake.first_name(), _surname(fake)
            yp = YouthProtector(
                first_name=first,
                last_name=last,
                institution=institution,
                phone=f"088-{rng.randrange(1_000_000, 10_000_000)}",
                email=_email(rng, first, last),
            )
            self.youth_protectors.append(yp)
            self.batch.youth_protectors.append(yp)

    def make_family(self, address: _Address) -> None:
        rng, fake = self.rng, self.fake
        status = _pick(
            rng, {Status.ACTIVE: 75, Status.PAUSED: 7, Status.SCREENING: 8, Status.STOPPED: 10}
        )
        offers = {
            "offers_full_time": rng.random() < 0.88,
            "offers_part_time": rng.random() < 0.35,
            "offers_crisis": rng.random() < 0.12,
            "offers_respite": rng.random() < 0.22,
        }
        if not any(offers.values()):
            offers["offers_full_time"] = True
        obj = FosterFamily(
            street=address.street,
            postcode=address.postcode,
            city=address.town,
            municipality=address.municipality,
            places=_pick(rng, {1: 40, 2: 42, 3: 18}),
            status=status,
            **offers,
        )
        family = _Family(obj, active_from=None, kinds=frozenset(obj.care_kinds))
        history: list[tuple[int, str, str]] = []  # (days ago, status, note)
        if status == Status.SCREENING:
            history.append((rng.randint(7, 180), Status.SCREENING, ""))
        else:
            family.active_from = rng.randint(
                {Status.STOPPED: 200, Status.PAUSED: 60}.get(status, 30), 5000
            )
            history.append((family.active_from + rng.randint(60, 200), Status.SCREENING, ""))
            history.append((family.active_from, Status.ACTIVE, ""))
            if status == Status.ACTIVE and family.active_from > 500 and rng.random() < 0.15:
                paused = rng.randint(300, family.active_from - 100)
                back = paused - rng.randint(60, 250)
                family.break_window = (paused, back)
                history += [(paused, Status.PAUSED, ""), (back, Status.ACTIVE, RESUMED_NOTE)]
            if status == Status.PAUSED:
                family.paused_from = rng.randint(14, min(365, family.active_from - 20))
                history.append((family.paused_from, Status.PAUSED, ""))
            if status == Status.STOPPED:
                family.stopped_on = rng.randint(30, family.active_from - 150)
                reason = _pick(rng, {r: w for r, (w, _) in STOP_REASONS.items()})
                obj.stop_reason = reason
                obj.stop_note = rng.choice(STOP_REASONS[reason][1])
                obj.stop_date = self.day(family.stopped_on)
                history.append((family.stopped_on, Status.STOPPED, obj.stop_note))
        for days_ago, step, note in history:
            change = FosterFamilyStatusChange(
                family=obj,
                status=step,
                changed_on=self.day(days_ago),
                note=note or rng.choice(STATUS_NOTES[step]),
            )
            self.batch.status_changes.append((change, step != Status.SCREENING))
            if step == Status.STOPPED:
                family.stop_change = change

        # Foster parents: mostly a couple, now and then on their own.
        genders = _pick(rng, {"fm": 66, "ff": 5, "mm": 4, "f": 18, "m": 7})
        age = rng.randint(28 * YEAR, 62 * YEAR)
        for i, gender in enumerate(genders):
            first = fake.first_name_female() if gender == "f" else fake.first_name_male()
            last = _surname(fake)
            parent = FosterParent(
                family=obj,
                first_name=first,
                last_name=last,
                date_of_birth=self.day(age + rng.randint(-5 * YEAR, 5 * YEAR) * i),
                phone=_phone(rng),
                email=_email(rng, first, last) if rng.random() < 0.9 else "",
            )
            label = {"f": "pleegmoeder", "m": "pleegvader"}[gender]
            family.parents.append((parent, label))
            self.batch.foster_parents.append(parent)
        names = [p.last_name for p, _ in family.parents]
        if len(set(names)) > 1 and rng.random() < 0.3:
            obj.name = f"Familie {_capitalised(names[0])}-{names[1]}"
        else:
            obj.name = f"Familie {_capitalised(names[0])}"

        for _ in range(_pick(rng, {0: 40, 1: 20, 2: 28, 3: 12})):
            born = rng.randint(0, max(1, age - 19 * YEAR))
            self.batch.own_children.append(
                OwnChild(
                    family=obj,
                    first_name=rng.choice([fake.first_name_female, fake.first_name_male])(),
                    date_of_birth=self.day(min(born, 30 * YEAR)),
                    notes=rng.choice(OWN_CHILD_NOTES) if rng.random() < 0.25 else "",
                )
            )
        self.families.append(family)
        self.batch.families.append(obj)

    # children and parents ---------------------------------------------------------------------

    def make_children(self) -> None:
        rng = self.rng
        group = 0
        while len(self.children) < BLOCK_CHILDREN:
            size = min(_pick(rng, {1: 70, 2: 22, 3: 8}), BLOCK_CHILDREN - len(self.children))
            self.make_sibling_group(group, size)
            group += 1

    def make_sibling_group(self, group: int, size: int) -> None:
        rng, fake = self.rng, self.fake
        legal_basis = _pick(
            rng,
            {
                Placement.LegalBasis.VOLUNTARY: 35,
                Placement.LegalBasis.OTS: 50,
                Placement.LegalBasis.GUARDIANSHIP: 15,
            },
        )
        custody = legal_basis != Placement.LegalBasis.GUARDIANSHIP
        family_name = _surname(fake)
        shape = _pick(rng, {"mf": 45, "mp": 4, "m": 30, "f": 10, "o": 4, "": 7})
        parents: list[tuple[Parent, str, bool]] = []
        for role in shape:
            if role == "f":
                first, last = fake.first_name_male(), family_name
                relation, has_custody = ParentChild.Relation.FATHER, rng.random() < 0.7
            elif role == "m":
                first = fake.first_name_female()
                last = family_name if shape == "m" or rng.random() < 0.2 else _surname(fake)
                relation, has_custody = ParentChild.Relation.MOTHER, True
            elif role == "p":
                first, last = fake.first_name_female(), _surname(fake)
                relation, has_custody = ParentChild.Relation.PARENT, True
            else:  # a grandmother who brought the children up
                first, last = fake.first_name_female(), _surname(fake)
                relation, has_custody = ParentChild.Relation.OTHER, False
            town = rng.choices(TOWNS, weights=TOWN_WEIGHTS)[0][0]
            parent = Parent(
                first_name=first,
                last_name=last,
                phone=_phone(rng) if rng.random() < 0.9 else "",
                email=_email(rng, first, last) if rng.random() < 0.6 else "",
                address=(
                    f"{rng.choice(STREETS)} {rng.randint(1, 250)}, {town}"
                    if rng.random() < 0.8
                    else ""
                ),
            )
            self.batch.parents.append(parent)
            parents.append((parent, relation, custody and has_custody))

        age = rng.randint(21, 18 * YEAR - 10)
        for _ in range(size):
            gender = _pick(
                rng,
                {
                    Child.Gender.GIRL: 48,
                    Child.Gender.BOY: 48,
                    Child.Gender.OTHER: 1,
                    Child.Gender.UNKNOWN: 3,
                },
            )
            if gender == Child.Gender.GIRL or (gender != Child.Gender.BOY and rng.random() < 0.5):
                first = fake.first_name_female()
            else:
                first = fake.first_name_male()
            number = self.n * BLOCK_CHILDREN + len(self.children)
            child = Child(
                first_name=first,
                last_name=family_name,
                date_of_birth=self.day(age),
                gender=gender,
                bsn=self.bsn(number) if rng.random() < 0.75 else "",
                life_story_status=_pick(
                    rng,
                    {
                        Child.LifeStory.NOT_STARTED: 45,
                        Child.LifeStory.IN_PROGRESS: 40,
                        Child.LifeStory.HANDED_OVER: 15,
                    },
                ),
            )
            self.children.append(_ChildDraft(child, age, group, legal_basis))
            for parent, relation, has_custody in parents:
                self.batch.parent_links.append(
                    ParentChild(
                        parent=parent,
                        child=child,
                        relation=relation,
                        has_custody=has_custody,
                        participation=rng.choice(PARTICIPATION),
                    )
                )
            age -= rng.randint(330, 4 * YEAR)  # the next one is younger
            if age < 21:
                break

    def bsn(self, number: int) -> str:
        bsn = self.valid_bsn(300_000 + 3 * number)
        if bsn in self.bsns:  # someone typed it in, or two numbers gave the same BSN
            return ""
        self.bsns.add(bsn)
        return bsn

    # placements --------------------------------------------------------------------------------

    def plan_stints(self) -> None:
        """Each child's placements as periods in days before today, kinds still wishes."""
        rng = self.rng
        for child in self.children:
            earliest = min(HISTORY_DAYS, child.age - 1)  # never before the child was born
            pattern = _pick(rng, {"current": 60, "moved": 20, "after_crisis": 8, "ended": 12})
            if child.age < 120 or earliest < 200:
                pattern = "current"
            if pattern == "ended":
                end = rng.randint(20, min(900, earliest - 30))
                start = min(end + rng.randint(30, 1200), earliest)
                kind = _pick(
                    rng, {CareKind.FULL_TIME: 80, CareKind.PART_TIME: 12, CareKind.CRISIS: 8}
                )
                if kind == CareKind.CRISIS:
                    start = min(end + rng.randint(7, 42), earliest)
                child.stints.append(_Stint(kind, start, end))
                continue
            kind = _pick(rng, {CareKind.FULL_TIME: 82, CareKind.PART_TIME: 12, CareKind.CRISIS: 6})
            if kind == CareKind.CRISIS:
                start = rng.randint(1, min(28, earliest))
            elif pattern == "current":
                start = rng.randint(min(14, earliest), earliest)
            else:
                kind = CareKind.FULL_TIME
                start = rng.randint(14, earliest - 90)
            current = _Stint(kind, start, None)
            child.stints.append(current)
            if pattern == "moved" and kind != CareKind.CRISIS:
                end = start + rng.randint(1, 45)  # ended before the next one started
                begun = min(end + rng.randint(60, 1000), earliest)
                child.stints.insert(0, _Stint(CareKind.FULL_TIME, begun, end))
            elif pattern == "after_crisis" and kind != CareKind.CRISIS:
                end = start + 1
                begun = min(end + rng.randint(7, 42), earliest)
                child.stints.insert(0, _Stint(CareKind.CRISIS, begun, end, Reason.OTHER_FAMILY))
            if current.kind == CareKind.FULL_TIME and rng.random() < 0.05 and start > 30:
                child.stints.append(_Stint(CareKind.RESPITE, rng.randint(7, start - 7), None))

    def place(self) -> None:
        """Find a family for every period: running ones first, siblings together if they fit."""
        rng = self.rng
        stints = [(child, s) for child in self.children for s in child.stints]
        stints.sort(key=lambda cs: (cs[1].end is not None, cs[1].kind == CareKind.RESPITE))
        for child, stint in stints:
            siblings = set()
            if stint.end is None:
                siblings = {
                    s.family
                    for other in self.children
                    if other.group == child.group and other is not child
                    for s in other.stints
                    if s.family is not None and s.end is None
                }
            elsewhere = {s.family for s in child.stints if s.family is not None}
            kinds = [stint.kind]
            if stint.kind in (CareKind.CRISIS, CareKind.PART_TIME):
                kinds.append(CareKind.FULL_TIME)
            # Try the wished kind, then full-time; then a family with room for one more child.
            for kind, extra_place in [(kind, False) for kind in kinds] + [(kinds[-1], True)]:
                if extra_place and kind == CareKind.RESPITE:
                    break
                options = self.options(stint, kind, elsewhere, extra_place)
                if options:
                    together = [option for option in options if option[0] in siblings]
                    stint.family, stint.start = rng.choice(together or options)
                    stint.kind = kind
                    if kind != CareKind.RESPITE:
                        stint.family.periods.append((stint.start, stint.end))
                    if extra_place:
                        stint.family.obj.places += 1
                    break
        for child in self.children:
            child.stints = [s for s in child.stints if s.family is not None]
            for stint in child.stints:
                self.make_placement(child, stint)

    def options(
        self, stint: _Stint, kind: str, elsewhere: set[_Family], extra_place: bool
    ) -> list[tuple[_Family, int]]:
        """Families that can take the period, each with the day it would start."""
        families = [
            f
            for f in self.families
            if f not in elsewhere and not (extra_place and f.obj.places >= 3)
        ]
        options = [
            (f, stint.start) for f in families if f.takes(kind, stint.start, stint.end, extra_place)
        ]
        if not options and stint.end is None:
            # Nobody was free back then: start later, once a family had become active.
            earliest = 1 if kind == CareKind.CRISIS else 14
            options = [
                (f, start)
                for f in families
                if f.active_from is not None
                for start in [min(stint.start, f.active_from - 7)]
                if start >= earliest and f.takes(kind, start, None, extra_place)
            ]
        return options

    def make_placement(self, child: _ChildDraft, stint: _Stint) -> None:
        rng = self.rng
        kind, running = stint.kind, stint.end is None
        youth_protector = None
        if child.legal_basis != Placement.LegalBasis.VOLUNTARY and rng.random() < 0.93:
            youth_protector = rng.choice(self.youth_protectors)
        planned_end = None
        if kind == CareKind.CRISIS:
            planned_end = stint.start - 28
        elif running and rng.random() < 0.35:
            planned_end = max(rng.randint(-365, 10), -HISTORY_DAYS)
        elif not running and rng.random() < 0.3:
            planned_end = stint.end - rng.randint(-60, 120)
        if planned_end is not None:
            planned_end = min(planned_end, stint.start)
        if kind == CareKind.CRISIS:
            perspective = Placement.Perspective.UNDECIDED
        elif kind in (CareKind.PART_TIME, CareKind.RESPITE):
            perspective = _pick(
                rng,
                {Placement.Perspective.RETURN_HOME: 60, Placement.Perspective.UNDECIDED: 40},
            )
        else:
            perspective = _pick(
                rng,
                {
                    Placement.Perspective.GROW_UP: 45,
                    Placement.Perspective.RETURN_HOME: 25,
                    Placement.Perspective.UNDECIDED: 30,
                },
            )
        end_reason = ended_by = end_note = ""
        if not running:
            end_reason = stint.end_reason or self.end_reason(child, stint)
            if end_reason == Reason.PREMATURE:
                ended_by = _pick(rng, ENDED_BY_WEIGHTS)
                family = stint.family
                if family.stopped_on is not None and stint.end - family.stopped_on < 90:
                    family.obj.stop_reason = FosterFamily.StopReason.BREAKDOWN
                    family.obj.stop_note = STOP_REASONS[family.obj.stop_reason][1][0]
                    family.stop_change.note = family.obj.stop_note
            if kind == CareKind.CRISIS and end_reason == Reason.OTHER_FAMILY:
                end_note = CRISIS_END_NOTE
            elif rng.random() < 0.8:
                end_note = rng.choice(END_NOTES[end_reason])
        placement = Placement(
            child=child.obj,
            family=stint.family.obj,
            kind=kind,
            legal_basis=child.legal_basis,
            start_date=self.day(stint.start),
            planned_end_date=None if planned_end is None else self.day(planned_end),
            end_date=None if running else self.day(stint.end),
            end_reason=end_reason,
            ended_by=ended_by,
            end_note=end_note,
            perspective=perspective,
            youth_protector=youth_protector,
        )
        placement.joint_meeting_interval_weeks = Placement.default_joint_meeting_interval_weeks(
            child.obj, placement.start_date
        )
        stint.placement = placement
        last_day = stint.end or 0
        length = stint.start - last_day

        if length > 180 and rng.random() < 0.2:  # an earlier caseworker handed it over
            on = rng.randint(last_day + 1, stint.start - 60)
            calm = self.day(on - 90) if rng.random() < 0.6 else None
            stint.handover = (self.day(on), rng.choice(HANDOVER_NOTES), rng.random() < 0.85, calm)
        if youth_protector is not None:
            start = stint.start
            if length > 365 and rng.random() < 0.2:
                start = rng.randint(last_day + 1, stint.start - 120)
                earlier = next(yp for yp in self.youth_protectors if yp is not youth_protector)
                self.batch.youth_protector_assignments.append(
                    YouthProtectorAssignment(
                        placement=placement,
                        youth_protector=earlier,
                        start_date=placement.start_date,
                        end_date=self.day(start + 1),
                    )
                )
            self.batch.youth_protector_assignments.append(
                YouthProtectorAssignment(
                    placement=placement,
                    youth_protector=youth_protector,
                    start_date=self.day(start),
                    handover_note=(
                        rng.choice(YOUTH_PROTECTOR_HANDOVER_NOTES) if start != stint.start else ""
                    ),
                    family_informed=start != stint.start,
                )
            )
        if length > 30 and rng.random() < 0.35:
            for _ in range(rng.randint(1, 2)):
                self.make_decision(stint, youth_protector, last_day)

    def end_reason(self, child: _ChildDraft, stint: _Stint) -> str:
        rng = self.rng
        later = [s for s in child.stints if s is not stint and s.start < stint.start]
        if any(s.kind != CareKind.RESPITE for s in later):  # the child moved on
            return _pick(rng, {Reason.PREMATURE: 45, Reason.OTHER_FAMILY: 40, Reason.OTHER: 15})
        if child.age - stint.end >= 16 * YEAR and rng.random() < 0.6:
            return Reason.INDEPENDENCE
        return _pick(rng, {Reason.RETURN_HOME: 55, Reason.PREMATURE: 25, Reason.OTHER: 20})

    def make_decision(self, stint: _Stint, youth_protector, last_day: int) -> None:
        rng = self.rng
        subject, reason = rng.choice(DECISIONS)
        if youth_protector is not None and rng.random() < 0.6:
            decided_by = f"{youth_protector.first_name} {youth_protector.last_name} "
            decided_by += "(jeugdbeschermer)"
        else:
            decided_by = rng.choice(
                [
                    f"Kinderrechter, rechtbank {rng.choice(COURTS)}",
                    "Gedragswetenschapper pleegzorg",
                    "Ouders met gezag en pleegzorgwerker",
                ]
            )
        consulted = rng.random() < 0.7
        stint.decisions.append(
            Decision(
                placement=stint.placement,
                decided_on=self.day(rng.randint(last_day, stint.start - 14)),
                subject=subject,
                decided_by=decided_by,
                foster_parents_consulted=consulted,
                foster_parents_view=rng.choice(FOSTER_PARENT_VIEWS) if consulted else "",
                reason=reason,
            )
        )

    # the rest of a child's file -----------------------------------------------------------------

    def finish_child(self, child: _ChildDraft) -> None:
        rng, fake, obj = self.rng, self.fake, child.obj
        years = child.age // YEAR
        current = next(
            (s for s in child.stints if s.end is None and s.kind != CareKind.RESPITE), None
        )
        last = current or (child.stints[-1] if child.stints else None)
        town = last.family.obj.city if last else rng.choice(TOWNS)[0]
        if years >= 4:
            if rng.random() < 0.07:
                obj.school = rng.choice(SPECIAL_SCHOOLS)
            elif years < 12:
                obj.school = f"{rng.choice(PRIMARY_KINDS)} {rng.choice(PRIMARY_NAMES)}"
            elif years >= 16 and rng.random() < 0.4:
                obj.school = f"mbo-college {town}"
            else:
                obj.school = rng.choice(SECONDARY_SCHOOLS).format(town=town)
        elif years >= 2 and rng.random() < 0.3:
            obj.school = f"Peuterspeelzaal {rng.choice(PRIMARY_NAMES)}"
        if rng.random() < 0.3 + 0.03 * years:
            obj.trusted_person_name = f"{fake.first_name()} {_surname(fake)}"
            obj.trusted_person_relation = rng.choice(TRUSTED_RELATIONS)
            obj.trusted_person_contact = _phone(rng)
        if rng.random() < 0.15:
            obj.allergies = ", ".join(rng.sample(ALLERGIES, rng.randint(1, 2)))
        if years >= 2 and rng.random() < 0.15:
            obj.medication = rng.choice(MEDICATION)
        if rng.random() < 0.12:
            obj.diet = rng.choice(DIETS)
        contacts = []
        if current is not None:
            for parent, label in current.family.parents[: rng.randint(1, 2)]:
                contacts.append(f"{parent.first_name} {parent.last_name} ({label}) {parent.phone}")
        if obj.trusted_person_name and rng.random() < 0.4:
            contacts.append(
                f"{obj.trusted_person_name} ({obj.trusted_person_relation}) "
                f"{obj.trusted_person_contact}"
            )
        if rng.random() < 0.9:
            obj.emergency_contacts = "\n".join(contacts)

        # The child's voice: from the age of four, in the placement it is in (or was in last).
        if last is not None and rng.random() < 0.45:
            said_from = min(last.start, child.age - 4 * YEAR - 3)  # leap days
            said_until = last.end or 0
            if said_from > said_until:
                voices = VOICES_TEEN if years >= 12 else VOICES_YOUNG
                for text in rng.sample(voices, rng.randint(1, 4)):
                    last.notes.append(
                        VoiceNote(
                            child=obj,
                            said_on=self.day(rng.randint(said_until, said_from)),
                            text=text,
                        )
                    )


# --- the team dashboard (issue 10) ---------------------------------------------------------------


@register_seed_step("caseworker_contracts", needs=("case_files",))
def seed_caseworker_contracts(
    scale_name: str, *, fake: Faker, rng: random.Random, log: Callable[[str], None]
) -> None:
    """Part-time contracts, so that the team dashboard shows caseworkers over the norm: the
    three generated caseworkers with the heaviest caseload get the largest FTE (in tenths) whose
    norm their weighted caseload exceeds (werker, with 32 placements, is over it full-time).
    Running it again changes nothing."""
    norm = Decimal(settings.CASELOAD_NORM_FTE)
    busiest = (
        Placement.objects.active()
        .filter(caseworker__username__startswith="pzw-")
        .order_by()
        .values("caseworker")
        .annotate(weighted=weighted_caseload())
        .order_by("-weighted", "caseworker")
        .values_list("caseworker", "weighted")[:3]
    )
    changed = 0
    for caseworker, weighted in busiest:
        tenths = (weighted * 10 / norm).to_integral_value(rounding=ROUND_CEILING) - 1
        fte = max(Decimal("0.1"), min(Decimal("1.0"), tenths / 10))
        changed += User.objects.filter(pk=caseworker).exclude(fte=fte).update(fte=fte)
    log(f"Caseworker contracts: {changed} caseworkers part-time.")
