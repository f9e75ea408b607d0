"""The rules of the case file: identifiers, dates, overlap, capacity, handover, stale forms."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.timezone import localdate

from placements import services
from placements.factories import ChildFactory, FosterFamilyFactory, PlacementFactory
from placements.models import CareKind, FosterFamily, Placement
from placements.validators import bsn_is_valid, normalise_postcode, valid_bsn, validate_postcode
from pleegzorg.factories import UserFactory
from pleegzorg.models import AccessLogEntry
from pleegzorg.versioning import StaleRecord


@pytest.mark.parametrize("bsn", ["111222333", "123456782", valid_bsn(42)])
def test_bsns_that_pass_the_eleven_test_are_valid(bsn):
    assert bsn_is_valid(bsn)


@pytest.mark.parametrize("bsn", ["123456789", "12345678", "1234567890", "abcdefghi", "000000000"])
def test_malformed_bsns_are_refused(bsn):
    assert not bsn_is_valid(bsn)


def test_a_child_with_a_malformed_bsn_gets_a_dutch_message(db):
    child = ChildFactory.build(bsn="123456789")
    with pytest.raises(ValidationError) as error:
        child.full_clean()
    assert "elfproef" in str(error.value.message_dict["bsn"])


@pytest.mark.parametrize(("typed", "stored"), [("3511ab", "3511 AB"), ("3511 AB", "3511 AB")])
def test_dutch_postcodes_are_accepted_and_normalised(typed, stored):
    validate_postcode(typed)
    assert normalise_postcode(typed) == stored


@pytest.mark.parametrize("postcode", ["0123 AB", "1234", "SW1A 1AA", "1234 SS", "12345"])
def test_postcodes_that_are_not_dutch_are_refused(postcode):
    with pytest.raises(ValidationError, match="Nederlandse postcode"):
        validate_postcode(postcode)


def start(actor, child, family, **kwargs):
    return services.placement_start(
        actor=actor,
        child=child,
        family=family,
        kind=kwargs.pop("kind", CareKind.FULL_TIME),
        legal_basis=Placement.LegalBasis.VOLUNTARY,
        start_date=kwargs.pop("start_date", localdate()),
        caseworker=kwargs.pop("caseworker", actor),
        **kwargs,
    )


def test_a_caseworker_starts_a_placement_with_its_first_assignment_and_it_is_logged(
    caseworker, child, family, youth_protector
):
    placement = start(caseworker, child, family, youth_protector=youth_protector)
    assert placement.caseworker_assignments.get().caseworker == caseworker
    assert placement.youth_protector_assignments.get().youth_protector == youth_protector
    entry = AccessLogEntry.objects.get(action="create")
    assert entry.person_id == child.pk and entry.user == caseworker


def test_a_child_never_has_two_overlapping_full_time_placements(caseworker, child, family):
    start(caseworker, child, family, start_date=localdate() - dt.timedelta(days=10))
    other = FosterFamilyFactory()
    with pytest.raises(ValidationError) as error:
        start(caseworker, child, other)
    assert "heeft in deze periode al een voltijdplaatsing" in str(error.value.message_dict)
    # Part-time care next to a full-time placement is allowed.
    start(caseworker, child, other, kind=CareKind.PART_TIME)


def test_the_database_refuses_overlapping_full_time_placements(
    requires_postgresql, caseworker, child, family
):
    PlacementFactory(child=child, family=family, caseworker=caseworker, start_date=localdate())
    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.create(
            child=child,
            family=FosterFamilyFactory(),
            caseworker=caseworker,
            kind=CareKind.FULL_TIME,
            legal_basis="ots",
            start_date=localdate() + dt.timedelta(days=3),
        )


def test_a_stopped_or_full_family_takes_no_placement(caseworker, family):
    start(caseworker, ChildFactory(), family)
    start(caseworker, ChildFactory(), family)
    with pytest.raises(ValidationError, match="is vol"):
        start(caseworker, ChildFactory(), family)
    stopped = FosterFamilyFactory(
        status=FosterFamily.Status.STOPPED, stop_date=localdate(), stop_reason="moved"
    )
    with pytest.raises(ValidationError, match="gestopt"):
        start(caseworker, ChildFactory(), stopped)


def test_a_family_that_does_not_offer_crisis_care_takes_no_crisis_placement(
    caseworker, child, family
):
    with pytest.raises(ValidationError, match="biedt geen"):
        start(caseworker, child, family, kind=CareKind.CRISIS)


def test_a_caseworker_cannot_start_a_placement_for_a_colleague(
    caseworker, other_caseworker, child, family
):
    with pytest.raises(PermissionDenied):
        start(caseworker, child, family, caseworker=other_caseworker)


def test_a_team_lead_starts_a_placement_for_a_caseworker_of_their_team(
    team_lead, caseworker, child, family
):
    assert start(team_lead, child, family, caseworker=caseworker).caseworker == caseworker


def test_ending_needs_a_reason_and_an_end_after_the_start(caseworker, placement):
    with pytest.raises(ValidationError) as error:
        services.placement_end(
            actor=caseworker,
            placement=placement,
            version=placement.version,
            end_date=placement.start_date - dt.timedelta(days=1),
            end_reason="",
        )
    assert set(error.value.message_dict) >= {"end_date", "end_reason"}
    placement.refresh_from_db()
    assert placement.end_date is None


def test_a_premature_ending_records_who_ended_it(caseworker, placement):
    with pytest.raises(ValidationError, match="wie"):
        services.placement_end(
            actor=caseworker,
            placement=placement,
            version=placement.version,
            end_date=localdate(),
            end_reason=Placement.EndReason.PREMATURE,
        )
    services.placement_end(
        actor=caseworker,
        placement=placement,
        version=placement.version,
        end_date=localdate(),
        end_reason=Placement.EndReason.PREMATURE,
        ended_by=Placement.EndedBy.FOSTER_FAMILY,
    )
    placement.refresh_from_db()
    assert placement.ended_by == "foster_family" and placement.version == 2


def test_a_handover_needs_a_note_and_keeps_the_history(team_lead, caseworker, placement, team):
    colleague = UserFactory(team=team)
    with pytest.raises(ValidationError, match="overdrachtsnotitie"):
        services.placement_hand_over(
            actor=team_lead,
            placement=placement,
            version=placement.version,
            new_caseworker=colleague,
            handover_note=" ",
            family_informed=True,
        )
    services.placement_hand_over(
        actor=team_lead,
        placement=placement,
        version=placement.version,
        new_caseworker=colleague,
        handover_note="Let op de omgangsregeling.",
        family_informed=True,
        no_change_of_course_until=localdate() + dt.timedelta(days=90),
    )
    placement.refresh_from_db()
    assert placement.caseworker == colleague
    old, new = placement.caseworker_assignments.order_by("start_date", "id")
    assert old.caseworker == caseworker and old.end_date is not None
    assert new.caseworker == colleague and new.end_date is None and new.family_informed


def test_a_caseworker_of_another_team_cannot_hand_over(other_caseworker, placement, caseworker):
    with pytest.raises(PermissionDenied):
        services.placement_hand_over(
            actor=other_caseworker,
            placement=placement,
            version=placement.version,
            new_caseworker=other_caseworker,
            handover_note="x",
            family_informed=False,
        )


def test_a_stale_form_is_told_and_overwrites_nothing(caseworker, placement):
    child = placement.child
    seen = child.version
    services.child_update(
        actor=caseworker, child=child, version=seen, changes={"allergies": "noten"}
    )
    with pytest.raises(StaleRecord):
        services.child_update(
            actor=caseworker, child=child, version=seen, changes={"allergies": "geen"}
        )
    child.refresh_from_db()
    assert child.allergies == "noten"


def test_a_handover_to_a_caseworker_of_another_team_is_refused_on_the_field(
    caseworker, other_caseworker, placement
):
    assignments = list(placement.caseworker_assignments.values_list("pk", "end_date"))
    with pytest.raises(ValidationError) as error:
        services.placement_hand_over(
            actor=caseworker,
            placement=placement,
            version=placement.version,
            new_caseworker=other_caseworker,
            handover_note="Omgang loopt goed.",
            family_informed=True,
        )
    assert error.value.message_dict["new_caseworker"] == [
        "U kunt deze plaatsing niet aan deze pleegzorgwerker overdragen. "
        "Kies een pleegzorgwerker uit de lijst."
    ]
    placement.refresh_from_db()
    assert placement.caseworker == caseworker and placement.version == 1
    assert list(placement.caseworker_assignments.values_list("pk", "end_date")) == assignments


def test_a_team_lead_may_hand_over_to_any_team_they_lead(team_lead, placement, region):
    from pleegzorg.factories import TeamFactory

    second_team = TeamFactory(region=region, lead=team_lead)
    colleague = UserFactory(team=second_team)
    services.placement_hand_over(
        actor=team_lead,
        placement=placement,
        version=placement.version,
        new_caseworker=colleague,
        handover_note="Overdracht naar het tweede team.",
        family_informed=True,
    )
    placement.refresh_from_db()
    assert placement.caseworker == colleague


def test_the_handover_form_offers_exactly_whom_the_service_accepts(
    team_lead, caseworker, team, other_caseworker, placement
):
    from placements import permissions
    from placements.forms import HandoverForm

    colleague = UserFactory(team=team)
    UserFactory(team=team, is_active=False)
    for actor in (team_lead, caseworker):
        choices = HandoverForm(user=actor, placement=placement).fields["new_caseworker"].queryset
        assert list(choices) == list(permissions.handover_candidates(actor, placement))
        assert list(choices) == [colleague]


def test_a_team_lead_cannot_start_a_placement_for_an_inactive_caseworker(
    team_lead, team, child, family
):
    gone = UserFactory(team=team, is_active=False)
    with pytest.raises(ValidationError) as error:
        start(team_lead, child, family, caseworker=gone)
    assert error.value.message_dict["caseworker"] == ["Kies een pleegzorgwerker."]
    assert not Placement.objects.exists()


def test_a_refused_change_names_the_record_for_the_access_log(other_caseworker, placement):
    from pleegzorg.permissions import Refused

    child = placement.child
    allergies = child.allergies
    with pytest.raises(Refused) as error:
        services.child_update(
            actor=other_caseworker, child=child, version=1, changes={"allergies": "kiwi"}
        )
    assert error.value.obj == child and error.value.person == child
    with pytest.raises(Refused) as error:
        services.placement_end(
            actor=other_caseworker,
            placement=placement,
            version=1,
            end_date=localdate(),
            end_reason="return_home",
        )
    assert error.value.obj == placement and error.value.person == child
    child.refresh_from_db()
    assert child.allergies == allergies and Placement.objects.get(pk=placement.pk).end_date is None
