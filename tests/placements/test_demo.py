"""seed_demo's case files: every kind of record, believable, within the rules, idempotent."""

import datetime as dt
from collections import defaultdict
from itertools import pairwise

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from placements import demo
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
from placements.validators import bsn_is_valid
from pleegzorg import demo as core_demo
from pleegzorg.models import User

MODELS = [
    Child,
    VoiceNote,
    Parent,
    ParentChild,
    FosterFamily,
    FosterFamilyStatusChange,
    FosterParent,
    OwnChild,
    YouthProtector,
    Placement,
    CaseworkerAssignment,
    YouthProtectorAssignment,
    Decision,
]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_the_step_is_registered_once_after_the_organisation():
    steps = [step.name for step in core_demo.seed_steps()]
    assert steps.count("case_files") == 1
    assert steps.index("case_files") > steps.index("organisation")


def test_small_scale_creates_every_kind_of_record(seeded):
    made = counts()
    assert all(made.values()), made
    assert made["Child"] == demo.BLOCKS["small"] * demo.BLOCK_CHILDREN
    assert made["FosterFamily"] == demo.BLOCKS["small"] * demo.BLOCK_FAMILIES
    assert made["Placement"] >= made["Child"]

    children = Child.objects.all()
    assert all(bsn_is_valid(c.bsn) for c in children if c.bsn)
    assert children.exclude(bsn="").count() > children.filter(bsn="").count() > 0
    for name in ("school", "trusted_person_name", "allergies", "medication", "diet"):
        assert children.exclude(**{name: ""}).exists(), name
    assert children.exclude(emergency_contacts="").exists()
    assert {c.life_story_status for c in children} == set(Child.LifeStory.values)

    families = FosterFamily.objects.all()
    assert {f.status for f in families} == set(FosterFamily.Status.values)
    assert {f.places for f in families} == {1, 2, 3}
    assert all(
        f.stop_date and f.stop_reason for f in families.filter(status=FosterFamily.Status.STOPPED)
    )
    assert families.filter(offers_crisis=True).exists()

    placements = Placement.objects.all()
    assert {CareKind.FULL_TIME, CareKind.PART_TIME, CareKind.CRISIS} <= {p.kind for p in placements}
    assert {p.perspective for p in placements} == set(Placement.Perspective.values)
    premature = placements.filter(end_reason=Placement.EndReason.PREMATURE)
    assert premature.exists() and all(p.ended_by for p in premature)
    assert not placements.exclude(end_reason=Placement.EndReason.PREMATURE).exclude(ended_by="")
    assert CaseworkerAssignment.objects.exclude(handover_note="").exists()
    assert Decision.objects.filter(foster_parents_consulted=True).exists()
    assert all(
        d.foster_parents_view for d in Decision.objects.filter(foster_parents_consulted=True)
    )
    assert ParentChild.objects.filter(has_custody=True).exists()
    assert ParentChild.objects.filter(has_custody=False).exists()
    siblings = [p for p in Parent.objects.all() if p.child_links.count() > 1]
    assert siblings, "some parents have two or more children in care"


def test_the_records_are_believable(seeded):
    today = timezone.localdate()
    for child in Child.objects.all():
        child.full_clean(validate_constraints=False)
        assert 0 <= child.age() <= 17
    for family in FosterFamily.objects.all():
        family.full_clean(validate_constraints=False)
        history = list(family.status_changes.order_by("changed_on", "id"))
        assert history[-1].status == family.status
        assert history[0].status == FosterFamily.Status.SCREENING
    for placement in Placement.objects.select_related("child", "family"):
        placement.full_clean(validate_constraints=False)
        assert placement.child.date_of_birth < placement.start_date <= today
        assert placement.start_date >= today - dt.timedelta(days=demo.HISTORY_DAYS)
        assert placement.end_date is None or placement.end_date < today
        if placement.family.status == FosterFamily.Status.STOPPED:
            assert placement.end_date and placement.end_date <= placement.family.stop_date
        if placement.family.status == FosterFamily.Status.SCREENING:
            pytest.fail("a family in screening has no placements")
    for note in VoiceNote.objects.select_related("child"):
        assert note.child.age(note.said_on) >= 4
        assert note.said_on <= today


def test_werker_has_32_active_placements_and_werker2_has_their_own(seeded):
    active = Placement.objects.active()
    assert active.filter(caseworker__username="werker").count() == 32
    assert active.filter(caseworker__username="werker2").count() == 12
    assert User.objects.get(username="werker").team.lead.username == "teamleider"
    # The rest is spread over the synthetic colleagues.
    others = active.exclude(caseworker__username__in=["werker", "werker2"])
    assert others.values("caseworker").distinct().count() == core_demo.SCALES["small"].caseworkers


def test_no_child_has_overlapping_full_time_placements(seeded):
    periods = defaultdict(list)
    for placement in Placement.objects.filter(kind=CareKind.FULL_TIME):
        periods[placement.child_id].append((placement.start_date, placement.end_date))
    far = dt.date.max
    for child_periods in periods.values():
        child_periods.sort()
        for (_, end), (next_start, _) in pairwise(child_periods):
            assert (end or far) < next_start


def test_no_family_holds_more_placements_than_places(seeded):
    active = Placement.objects.active().exclude(kind=CareKind.RESPITE)
    for family in FosterFamily.objects.all():
        assert active.filter(family=family).count() <= family.places
    # Nor did it at the start of any earlier placement.
    by_family = defaultdict(list)
    for p in Placement.objects.exclude(kind=CareKind.RESPITE).select_related("family"):
        by_family[p.family].append(p)
    for family, placements in by_family.items():
        for p in placements:
            there = [q for q in placements if q.start_date <= p.start_date]
            there = [q for q in there if q.end_date is None or q.end_date >= p.start_date]
            assert len(there) <= family.places


def test_every_placement_has_exactly_one_current_caseworker(seeded):
    current = defaultdict(list)
    for assignment in CaseworkerAssignment.objects.filter(end_date__isnull=True):
        current[assignment.placement_id].append(assignment.caseworker_id)
    for placement in Placement.objects.all():
        assert current[placement.pk] == [placement.caseworker_id]
    for earlier in CaseworkerAssignment.objects.filter(end_date__isnull=False):
        later = CaseworkerAssignment.objects.get(placement=earlier.placement, end_date=None)
        assert earlier.end_date < later.start_date and later.handover_note
        assert earlier.caseworker_id != later.caseworker_id
    for placement in Placement.objects.exclude(youth_protector=None):
        assert [
            a.youth_protector_id
            for a in placement.youth_protector_assignments.filter(end_date=None)
        ] == [placement.youth_protector_id]


def test_voice_notes_are_recorded_by_the_placements_caseworker(seeded):
    caseworkers = set(User.objects.filter(role=User.Role.CASEWORKER).values_list("pk", flat=True))
    for note in VoiceNote.objects.all():
        assert note.recorded_by_id in caseworkers
        assert Placement.objects.filter(
            child=note.child_id, caseworker_assignments__caseworker=note.recorded_by_id
        ).exists()


def test_running_twice_adds_nothing(seeded):
    before = counts()
    call_command("seed_demo", "--scale", "small")
    assert counts() == before


def test_a_later_day_adds_nothing_either(seeded):
    before = counts()
    with time_machine.travel(timezone.now() + dt.timedelta(days=45)):
        call_command("seed_demo", "--scale", "small")
        assert counts() == before
        assert Placement.objects.active().filter(caseworker__username="werker").count() == 32


def test_a_larger_scale_extends_the_smaller_one(db, monkeypatch):
    monkeypatch.setitem(demo.BLOCKS, "small", 6)
    monkeypatch.setitem(demo.BLOCKS, "org", 8)
    call_command("seed_demo", "--scale", "small")
    children = set(Child.objects.values_list("pk", "first_name", "last_name"))
    placements = set(Placement.objects.values_list("pk", "child", "family", "caseworker"))
    call_command("seed_demo", "--scale", "org")
    assert Child.objects.count() == 8 * demo.BLOCK_CHILDREN
    assert FosterFamily.objects.count() == 8 * demo.BLOCK_FAMILIES
    assert children <= set(Child.objects.values_list("pk", "first_name", "last_name"))
    assert placements <= set(Placement.objects.values_list("pk", "child", "family", "caseworker"))
    active = Placement.objects.active()
    assert active.filter(caseworker__username="werker").count() == 32
    assert active.filter(caseworker__username="werker2").count() == 12
    before = counts()
    call_command("seed_demo", "--scale", "org")
    assert counts() == before


# -- need-to-know after an ending (issue 11) -------------------------------------------------------


def test_every_demo_placement_belongs_to_its_caseworkers_team(seeded):
    assert not Placement.objects.filter(team__isnull=True).exists()
    assert not Placement.objects.exclude(team=F("caseworker__team")).exists()


@pytest.mark.parametrize("username", ["werker", "werker2"])
def test_the_demo_accounts_have_children_in_aftercare_and_past_it(seeded, username, client):
    user = User.objects.get(username=username)
    running = Placement.objects.not_ended().filter(child=OuterRef("child"))
    only_ended = Placement.objects.filter(caseworker=user).exclude(Exists(running))
    aftercare = only_ended.in_aftercare().first()
    past = only_ended.past_aftercare().first()
    assert aftercare is not None and past is not None
    client.force_login(user)
    assert client.get(f"/kinderen/{aftercare.child_id}/").status_code == 200
    assert client.get("/caseload/", {"fase": "nazorg"}).context["page"].paginator.count >= 1
    response = client.get(f"/kinderen/{past.child_id}/")
    assert response["Location"] == f"/toegang/pleegkind/{past.child_id}/"


def test_werker2s_family_of_an_old_placement_asks_for_a_reason_before_it_opens(seeded, client):
    """The issue's example: werker2 could open and change a family whose only placement of
    theirs ended long ago (in 2023, when the issue was written). Now the family page asks for a
    reason, and with one it opens to read only."""
    werker2 = User.objects.get(username="werker2")
    theirs = Placement.objects.filter(caseworker=werker2)
    closed = [
        family
        for family in FosterFamily.objects.filter(placements__in=theirs.past_aftercare()).distinct()
        if not theirs.filter(family=family).exclude(pk__in=theirs.past_aftercare()).exists()
    ]
    assert closed, "werker2 has no family left only by a placement past aftercare"
    family = closed[0]
    client.force_login(werker2)
    assert client.get(f"/pleeggezinnen/{family.pk}/")["Location"] == (
        f"/toegang/pleeggezin/{family.pk}/"
    )
    assert client.get(f"/pleeggezinnen/{family.pk}/wijzigen/").status_code == 404
    client.post(f"/toegang/pleeggezin/{family.pk}/", {"reason": "Vraag van de rechtbank, 2023."})
    assert client.get(f"/pleeggezinnen/{family.pk}/").status_code == 200
    assert client.get(f"/pleeggezinnen/{family.pk}/wijzigen/").status_code == 403
