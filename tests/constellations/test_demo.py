"""seed_demo's constellations: every kind of record, within the rules, idempotent."""

import datetime as dt
from collections import Counter, defaultdict
from itertools import combinations

from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from constellations import demo
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
from placements import demo as placements_demo
from placements.meetings import demo as demo_meetings
from placements.models import FosterFamily, Placement
from pleegzorg import demo as core_demo
from pleegzorg.models import User

MODELS = [
    Constellation,
    HubHome,
    HubHome.parents.through,
    Bed,
    Membership,
    ParentParticipation,
    Gathering,
    Attendance,
    SupportContact,
    RespiteStay,
]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def members_on(constellation: Constellation, day: dt.date) -> set[int]:
    return set(
        Membership.objects.current(day)
        .filter(constellation=constellation)
        .values_list("family_id", flat=True)
    )


def test_the_step_runs_once_after_the_case_files_and_meetings():
    steps = core_demo.seed_steps()
    runs = [step.run for step in steps]
    assert runs.count(demo.seed_constellations) == 1
    assert runs.index(demo.seed_constellations) > runs.index(placements_demo.seed_case_files)
    # Not a need, but ties keep the order the apps registered in: the demo is the same each run.
    assert runs.index(demo.seed_constellations) > runs.index(demo_meetings.seed_meetings)


def test_small_scale_creates_every_kind_of_record(seeded):
    made = counts()
    assert all(made.values()), made
    assert 2 <= made["Constellation"] <= demo.CONSTELLATIONS["small"]
    assert made["HubHome"] == made["Constellation"]
    assert set(Bed.objects.values_list("name", flat=True)) >= {"Logeerbed 1", "Logeerbed 2"}
    assert Membership.objects.filter(left_on__isnull=False).exists(), "a family that left"
    assert {a.who for a in Attendance.objects.all()} == set(Attendance.Who.values)
    assert set(SupportContact.objects.values_list("kind", flat=True)) == set(
        SupportContact.Kind.values
    )
    stays = RespiteStay.objects.all()
    assert {s.status for s in stays} == set(RespiteStay.Status.values)
    assert {s.planned for s in stays} == {True, False}
    assert {s.reason for s in stays} >= {"fun", "relief", "emergency"}
    assert all(c.name.startswith("Constellatie ") for c in Constellation.objects.all())


def test_the_hubhome_account_is_a_parent_of_begeleiders_hub_home(seeded):
    constellation = Constellation.objects.get(liaison__username="begeleider")
    assert constellation.hub.parents.filter(username="hubhome").exists()
    assert constellation.status == Constellation.Status.ACTIVE
    # The other constellations have synthetic people, who cannot log in.
    others = Constellation.objects.exclude(pk=constellation.pk)
    for other in others.select_related("liaison"):
        assert other.liaison.role == User.Role.LIAISON
        assert not other.liaison.has_usable_password()
        for parent in other.hub.parents.all():
            assert parent.role == User.Role.HUB_HOME_PARENT
            assert not parent.has_usable_password()


def test_begeleiders_member_families_hold_some_but_not_all_of_werkers_placements(seeded):
    today = timezone.localdate()
    constellation = Constellation.objects.get(liaison__username="begeleider")
    werkers = Placement.objects.active(today).filter(caseworker__username="werker")
    inside = werkers.filter(family__in=members_on(constellation, today))
    assert 0 < inside.count() < werkers.count()


def test_hub_homes_and_members_are_active_families_in_one_constellation_at_a_time(seeded):
    today = timezone.localdate()
    hubs = set(HubHome.objects.values_list("family_id", flat=True))
    assert not Membership.objects.filter(family__in=hubs).exists()
    assert not FosterFamily.objects.filter(pk__in=hubs).exclude(status="active").exists()
    by_family = defaultdict(list)
    for membership in Membership.objects.all():
        by_family[membership.family_id].append(membership)
    far = dt.date.max
    for memberships in by_family.values():
        for a, b in combinations(memberships, 2):
            assert (a.left_on or far) < b.joined_on or (b.left_on or far) < a.joined_on
    for constellation in Constellation.objects.open():
        for family in members_on(constellation, today):
            # The region is that of the caseworkers' teams of the family's placements.
            regions = set(
                Placement.objects.active(today)
                .filter(family=family)
                .values_list("caseworker__team__region", flat=True)
            )
            assert constellation.region_id in regions


def test_no_more_than_ten_members_and_some_in_formation(seeded):
    today = timezone.localdate()
    sizes = []
    for constellation in Constellation.objects.all():
        memberships = list(constellation.memberships.all())
        days = {m.joined_on for m in memberships} | {m.left_on for m in memberships if m.left_on}
        for day in days | {today}:
            assert len(members_on(constellation, day)) <= MAX_MEMBERS
        if constellation.status != Constellation.Status.CLOSED:
            sizes.append(len(members_on(constellation, today)))
    assert any(size < MIN_MEMBERS for size in sizes)
    assert any(size >= MIN_MEMBERS for size in sizes)
    assert Constellation.objects.filter(status=Constellation.Status.FORMING).exists()


def test_no_bed_and_no_child_is_in_two_stays_on_one_night(seeded):
    beds, children = Counter(), Counter()
    for stay in RespiteStay.objects.exclude(status=RespiteStay.Status.CANCELLED):
        night = stay.arrival
        while night < stay.departure:
            beds[stay.bed_id, night] += 1
            children[stay.child_id, night] += 1
            night += dt.timedelta(days=1)
    assert beds and max(beds.values()) == 1
    assert max(children.values()) == 1


def test_every_stay_is_of_a_child_placed_in_a_member_family(seeded):
    stays = RespiteStay.objects.select_related("bed__hub")
    for stay in stays:
        assert stay.bed.hub.constellation_id == stay.constellation_id
        assert stay.departure > stay.arrival
        assert stay.family_id in members_on(stay.constellation, stay.arrival)
        assert (
            Placement.objects.active(stay.arrival)
            .filter(child=stay.child_id, family=stay.family_id)
            .exists()
        )


def test_past_stays_are_done_and_stays_ahead_are_booked(seeded):
    today = timezone.localdate()
    done = {"completed", "cancelled"}
    for stay in RespiteStay.objects.filter(departure__lte=today):
        assert stay.status in done
    ahead = RespiteStay.objects.filter(arrival__gt=today)
    assert ahead.exists()
    assert {s.status for s in ahead} <= {"confirmed", "requested", "cancelled"}
    assert not ahead.filter(status="completed").exists()


def test_gatherings_last_month_are_there_except_for_one(seeded):
    today = timezone.localdate()
    first, last = last_month(today)
    running = Constellation.objects.open().filter(start_date__lt=first)
    met = Q(gatherings__date__gte=first, gatherings__date__lte=last)
    assert running.filter(met).exists()
    assert running.exclude(met).exists()
    assert not Gathering.objects.filter(date__gt=today).exists()
    assert not Gathering.objects.filter(date__lt=today - dt.timedelta(days=366)).exists()


def test_the_people_at_a_gathering_belong_to_the_constellation_that_day(seeded):
    attendance = Attendance.objects.select_related(
        "gathering__constellation__hub", "foster_parent", "parent"
    )
    for row in attendance:
        gathering = row.gathering
        constellation, day = gathering.constellation, gathering.date
        families = members_on(constellation, day) | {constellation.hub.family_id}
        if row.who == Attendance.Who.FOSTER_PARENT:
            assert row.foster_parent.family_id in families
        elif row.who == Attendance.Who.OWN_CHILD:
            assert row.own_child.family_id in families
        elif row.who == Attendance.Who.FOSTER_CHILD:
            placed = Placement.objects.active(day).filter(child=row.child_id, family__in=families)
            assert placed.exists()
        else:
            assert ParentParticipation.objects.filter(
                Q(until__isnull=True) | Q(until__gte=day),
                constellation=constellation,
                parent=row.parent_id,
                since__lte=day,
            ).exists()


def test_parents_taking_part_are_parents_of_member_families_foster_children(seeded):
    for participation in ParentParticipation.objects.select_related("constellation"):
        families = members_on(participation.constellation, participation.since)
        assert (
            Placement.objects.active(participation.since)
            .filter(family__in=families, child__parent_links__parent=participation.parent_id)
            .exists()
        )
        assert participation.since <= timezone.localdate()


def test_running_twice_adds_nothing(seeded):
    before = counts()
    call_command("seed_demo", "--scale", "small")
    assert counts() == before


def test_a_larger_scale_extends_the_smaller_one(db, monkeypatch):
    monkeypatch.setitem(placements_demo.BLOCKS, "small", 8)
    monkeypatch.setitem(placements_demo.BLOCKS, "org", 24)
    monkeypatch.setitem(demo.CONSTELLATIONS, "org", 6)
    call_command("seed_demo", "--scale", "small")
    small = set(Constellation.objects.values_list("pk", "name", "liaison", "hub__family"))
    stays = RespiteStay.objects.count()
    call_command("seed_demo", "--scale", "org")
    assert small < set(Constellation.objects.values_list("pk", "name", "liaison", "hub__family"))
    assert Constellation.objects.count() == 6
    assert RespiteStay.objects.filter(constellation__pk__in=[c[0] for c in small]).count() == stays
    assert Constellation.objects.filter(liaison__username="begeleider").count() == 1
    before = counts()
    call_command("seed_demo", "--scale", "org")
    assert counts() == before


def test_the_demo_foster_parent_sees_a_child_of_werker_in_hubhomes_constellation(seeded):
    """pleegouder (issue 13): a foster parent of a family of werker's, a member of hubhome's
    constellation, with a meeting to come and an open agreement of the foster parents."""
    from placements.my_family.selectors import my_family

    account = User.objects.get(username="pleegouder")
    assert account.role == User.Role.FOSTER_PARENT
    record = account.foster_parent_record
    assert record.family.memberships.filter(
        constellation__hub__parents__username="hubhome", left_on__isnull=True
    ).exists()
    page = my_family(account)
    mine = [child for child in page["children"] if child.caseworker.person.username == "werker"]
    assert mine and any(child.meetings for child in mine)
    assert record.family.placements.filter(
        agreements__owner="foster_parents", agreements__status="open"
    ).exists()
