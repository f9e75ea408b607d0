"""Synthetic demo data for the core: regions, teams, colleagues and the demo accounts.

Idempotent: every record has a stable key (a name or username), so running it again adds only
what is missing, and a larger scale extends a smaller one. Each app adds its own steps with
:func:`register_seed_step`, naming the steps it needs; :func:`seed_steps` puts them in an order
that honours those needs (and, where several orders would, the order in which they registered).
"""

from __future__ import annotations

import base64
import random
from collections.abc import Callable
from dataclasses import dataclass
from graphlib import CycleError

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from faker import Faker

from pleegzorg.models import Region, Team, User
from pleegzorg.reminders import seed_reminders

DEMO_PASSWORD = "pleegzorg-demo"  # noqa: S105 — synthetic demo accounts only, never in production  # nosec B105


@dataclass(frozen=True)
class Scale:
    regions: int
    teams: int
    caseworkers: int
    hub_home_parents: int
    liaisons: int


SCALES = {
    "small": Scale(regions=2, teams=4, caseworkers=16, hub_home_parents=4, liaisons=2),
    "org": Scale(regions=4, teams=20, caseworkers=60, hub_home_parents=40, liaisons=10),
    "sector": Scale(regions=12, teams=100, caseworkers=500, hub_home_parents=600, liaisons=80),
    # Ten times the sector, for make bench-growth: do the pages' queries stay as few?
    "sector10": Scale(
        regions=12, teams=1000, caseworkers=5000, hub_home_parents=6000, liaisons=800
    ),
}

REGION_NAMES = [
    "Utrecht",
    "Gelderland",
    "Noord-Holland",
    "Zuid-Holland",
    "Noord-Brabant",
    "Overijssel",
    "Limburg",
    "Friesland",
    "Groningen",
    "Drenthe",
    "Flevoland",
    "Zeeland",
]
TEAM_AREAS = [
    "Stad",
    "Noord",
    "Zuid",
    "Oost",
    "West",
    "Centrum",
    "Rivierenland",
    "Heuvelrug",
    "Vallei",
    "Kust",
    "Polder",
    "Kempen",
    "IJssel",
    "Veluwe",
]

Role = User.Role


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    first_name: str
    last_name: str
    description: str


DEMO_ACCOUNTS = [
    DemoAccount(
        "beheer", Role.APP_MANAGER, "Bea", "de Beheerder", "functioneel beheerder (superuser)"
    ),
    DemoAccount(
        "teamleider", Role.TEAM_LEAD, "Tessa", "van Leeuwen", "teamleider van team Utrecht Stad"
    ),
    DemoAccount(
        "werker", Role.CASEWORKER, "Wendy", "Jansen", "pleegzorgwerker in team Utrecht Stad"
    ),
    DemoAccount(
        "werker2", Role.CASEWORKER, "Willem", "de Vries", "pleegzorgwerker in team Gelderland Stad"
    ),
    DemoAccount("hubhome", Role.HUB_HOME_PARENT, "Hanna", "Bakker", "hubhome-ouder"),
    DemoAccount("begeleider", Role.LIAISON, "Bram", "Visser", "Mockingbird-begeleider"),
    DemoAccount(
        "pleegouder",
        Role.FOSTER_PARENT,
        "Petra",
        "de Boer",
        "pleegouder in een gezin van werker, in de constellatie van hubhome (Mijn pleeggezin)",
    ),
    DemoAccount(
        "tweestaps",
        Role.CASEWORKER,
        "Tim",
        "Twee",
        "pleegzorgwerker in team Utrecht Stad, logt in met twee stappen (authenticator-app)",
    ),
]
# The demo's authenticator app for `tweestaps`: a fixed secret (RFC 6238's test key, never for
# real use), so that the README can give it. Any authenticator app takes it, or:
#   python manage.py shell -c "from pleegzorg import demo; print(demo.tweestaps_code())"
TWO_STEP_USERNAME = "tweestaps"
TWO_STEP_KEY_HEX = "3132333435363738393031323334353637383930"


def seed(scale_name: str, *, log: Callable[[str], None] = print) -> None:
    fake = Faker("nl_NL")
    fake.seed_instance(2026)
    rng = random.Random(2026)  # nosec B311
    with transaction.atomic():
        for step in seed_steps():
            step.run(scale_name, fake=fake, rng=rng, log=log)
        # Last, over everything the steps made: the reminders that have fallen due (beat repeats
        # this every 15 minutes), so that the demo opens with notices behind the bell.
        seed_reminders(log=log)
    log(
        f"Seeded scale '{scale_name}': {Region.objects.count()} regions, "
        f"{Team.objects.count()} teams, {User.objects.count()} users."
    )


# -- the steps --------------------------------------------------------------------------------

SeedFunction = Callable[..., None]  # (scale_name, *, fake, rng, log)


@dataclass(frozen=True)
class SeedStep:
    name: str
    run: SeedFunction
    needs: tuple[str, ...]


_steps: dict[str, SeedStep] = {}


def register_seed_step(name: str, *, needs: tuple[str, ...] = ()):
    """Decorate a seeding function ``(scale_name, *, fake, rng, log)`` as the step ``name``,
    to run after the steps it ``needs``. Registering a name again replaces the step."""

    def register(run: SeedFunction) -> SeedFunction:
        _steps[name] = SeedStep(name, run, tuple(needs))
        return run

    return register


def seed_steps() -> list[SeedStep]:
    """The registered steps, each after the steps it needs; ties keep the registration order,
    so that the (seeded, random) demo is the same on every run."""
    ordered: list[SeedStep] = []
    done: set[str] = set()
    waiting = list(_steps.values())
    for step in waiting:
        missing = set(step.needs) - _steps.keys()
        if missing:
            raise LookupError(f"Seed step {step.name!r} needs unknown steps: {sorted(missing)}")
    while waiting:
        ready = next((step for step in waiting if done.issuperset(step.needs)), None)
        if ready is None:
            raise CycleError("Seed steps need each other", [step.name for step in waiting])
        ordered.append(ready)
        done.add(ready.name)
        waiting.remove(ready)
    return ordered


@register_seed_step("organisation")
def seed_organisation_step(scale_name: str, *, fake: Faker, **_kwargs) -> None:
    """Regions, teams, colleagues and the demo accounts: what every app's data belongs to."""
    seed_demo_accounts(seed_organisation(SCALES[scale_name], fake))


def seed_organisation(scale: Scale, fake: Faker) -> list[Team]:
    regions = []
    for name in REGION_NAMES[: scale.regions]:
        region, _ = Region.objects.get_or_create(name=name)
        regions.append(region)

    team_names = [
        f"{regions[i % len(regions)].name} {TEAM_AREAS[(i // len(regions)) % len(TEAM_AREAS)]}"
        + (
            f" {i // (len(regions) * len(TEAM_AREAS)) + 1}"
            if i >= len(regions) * len(TEAM_AREAS)
            else ""
        )
        for i in range(scale.teams)
    ]
    existing_teams = set(Team.objects.filter(name__in=team_names).values_list("name", flat=True))
    Team.objects.bulk_create(
        Team(name=name, region=regions[i % len(regions)])
        for i, name in enumerate(team_names)
        if name not in existing_teams
    )
    teams = list(Team.objects.filter(name__in=team_names).select_related("region"))
    teams.sort(key=lambda team: team_names.index(team.name))

    # Synthetic colleagues get no usable password: only the demo accounts can log in.
    unusable = make_password(None)
    wanted: list[User] = []
    for i in range(len(teams)):
        wanted.append(_person(fake, f"tl-{i + 1:04d}", Role.TEAM_LEAD, unusable))
    for i in range(scale.caseworkers):
        wanted.append(
            _person(fake, f"pzw-{i + 1:04d}", Role.CASEWORKER, unusable, team=teams[i % len(teams)])
        )
    for i in range(scale.hub_home_parents):
        wanted.append(_person(fake, f"hub-{i + 1:04d}", Role.HUB_HOME_PARENT, unusable))
    for i in range(scale.liaisons):
        wanted.append(_person(fake, f"mb-{i + 1:04d}", Role.LIAISON, unusable))
    existing = set(
        User.objects.filter(username__in=[u.username for u in wanted]).values_list(
            "username", flat=True
        )
    )
    User.objects.bulk_create([u for u in wanted if u.username not in existing], batch_size=1000)

    leads = {u.username: u for u in User.objects.filter(username__startswith="tl-")}
    for i, team in enumerate(teams):
        if team.lead_id is None:
            team.lead = leads[f"tl-{i + 1:04d}"]
            team.save(update_fields=["lead"])
    return teams


def _person(fake: Faker, username: str, role: str, password: str, team: Team | None = None) -> User:
    first_name, last_name = fake.first_name(), fake.last_name()
    return User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=f"{username}@pleegzorg.example",
        role=role,
        team=team,
        password=password,
        is_staff=role == Role.APP_MANAGER,
    )


def seed_demo_accounts(teams: list[Team]) -> dict[str, User]:
    """The eight accounts of the README, all with the password ``pleegzorg-demo``."""
    own_team = next(team for team in teams if team.name == "Utrecht Stad")
    other_team = next(team for team in teams if team.name == "Gelderland Stad")
    accounts = {}
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first() or User(
            username=account.username
        )
        user.first_name, user.last_name = account.first_name, account.last_name
        user.email = f"{account.username}@pleegzorg.example"
        user.role = account.role
        user.is_superuser = account.username == "beheer"
        user.team = {"werker": own_team, "werker2": other_team, TWO_STEP_USERNAME: own_team}.get(
            account.username
        )
        user.is_active = True
        if not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
        user.save()
        accounts[account.username] = user
    seed_two_step_app(accounts[TWO_STEP_USERNAME])
    own_team.lead = accounts["teamleider"]
    own_team.save(update_fields=["lead"])
    return accounts


def seed_two_step_app(user: User) -> None:
    """`tweestaps` has a confirmed authenticator app with the fixed demo secret."""
    device = TOTPDevice.objects.filter(user=user, name="demo-app").first() or TOTPDevice(
        user=user, name="demo-app"
    )
    device.key, device.confirmed = TWO_STEP_KEY_HEX, True
    device.save()


def tweestaps_secret() -> str:
    """The demo app's secret as an authenticator app asks for it (base32)."""
    return base64.b32encode(bytes.fromhex(TWO_STEP_KEY_HEX)).decode()


def tweestaps_code() -> str:
    """The code the demo app shows now."""
    return f"{totp(bytes.fromhex(TWO_STEP_KEY_HEX)):06d}"


def accounts_table() -> str:
    width = max(len(a.username) for a in DEMO_ACCOUNTS)
    lines = [f"Demo accounts (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {a.username.ljust(width)}  {a.description}" for a in DEMO_ACCOUNTS]
    lines += [
        f"  {TWO_STEP_USERNAME}: second step with an authenticator app, secret "
        f"{tweestaps_secret()} (the code now: {tweestaps_code()})",
    ]
    return "\n".join(lines)
