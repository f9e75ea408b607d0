"""Constellation rules: who can be a member, when a bed and a child are free, who sees what, and
the figures. Nights are [arrival, departure): the departure day is free for the next child.

The Dutch translations of these messages do not exist yet: the tests check the field a message is
on, and its English text under ``translation.override("en")``.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from constellations import selectors, services
from constellations.factories import (
    BedFactory,
    ConstellationFactory,
    GatheringFactory,
    MembershipFactory,
    RespiteStayFactory,
)
from constellations.models import (
    Constellation,
    Gathering,
    Membership,
    RespiteStay,
    SupportContact,
)
from constellations.permissions import constellations, memberships, stays
from placements.factories import FosterFamilyFactory, PlacementFactory
from placements.models import FosterFamily
from pleegzorg.models import AccessLogEntry
from pleegzorg.versioning import StaleRecord

DAY = dt.timedelta(days=1)
Status = RespiteStay.Status


def _snapshot():
    return (
        list(
            Membership.objects.order_by("pk").values_list(
                "pk", "constellation_id", "family_id", "joined_on", "left_on"
            )
        ),
        list(
            RespiteStay.objects.order_by("pk").values_list(
                "pk", "bed_id", "child_id", "arrival", "departure", "status", "notes", "version"
            )
        ),
        AccessLogEntry.objects.count(),
    )


@contextmanager
def refused(field: str | None = None, *, code: str | None = None):
    """The block raises ValidationError (on ``field`` only) and leaves memberships, stays and the
    access log as they were."""
    before = _snapshot()
    with pytest.raises(ValidationError) as error:
        yield error
    if field is not None:
        assert list(error.value.message_dict) == [field], error.value
    if code is not None:
        assert error.value.code == code
    assert _snapshot() == before


def book(actor, child, bed, arrival, nights=2, *, constellation=None, **fields):
    fields.setdefault("planned", True)
    fields.setdefault("reason", RespiteStay.Reason.FUN)
    return services.stay_book(
        actor=actor,
        constellation=constellation or bed.hub.constellation,
        child=child,
        bed=bed,
        arrival=arrival,
        departure=arrival + nights * DAY,
        **fields,
    )


def change(actor, stay, status, notes="", version=None):
    return services.stay_change(
        actor=actor,
        stay=stay,
        version=stay.version if version is None else version,
        status=status,
        notes=notes,
    )


def add(actor, constellation, family, joined_on):
    return services.member_add(
        actor=actor, constellation=constellation, family=family, joined_on=joined_on
    )


@pytest.fixture
def arrival(today):
    return today + 14 * DAY


def _day(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


# -- members ---------------------------------------------------------------------------------------


def test_an_eleventh_member_family_is_refused(liaison, constellation, member_families, today):
    # A family that has left does not count.
    MembershipFactory(constellation=constellation, joined_on=today - 300 * DAY, left_on=today - DAY)
    MembershipFactory.create_batch(6, constellation=constellation)
    assert Membership.objects.current(today).filter(constellation=constellation).count() == 9

    add(liaison, constellation, FosterFamilyFactory(), today)  # the tenth
    eleventh = FosterFamilyFactory()
    with translation.override("en"), refused("family") as error:
        add(liaison, constellation, eleventh, today)
    assert error.value.message_dict["family"] == [
        "This constellation already has 10 member families, the most there can be."
    ]


def test_a_family_in_another_constellation_is_refused(
    liaison, constellation, other_constellation, today
):
    family = other_constellation.memberships.get().family
    with translation.override("en"), refused("family") as error:
        add(liaison, constellation, family, today)
    assert error.value.message_dict["family"] == [
        "This family is already in constellation Sterrenbeeld Zwolle."
    ]


def test_a_member_family_is_not_added_twice(liaison, constellation, member_family, today):
    with translation.override("en"), refused("family") as error:
        add(liaison, constellation, member_family, today)
    assert error.value.message_dict["family"] == ["This family is already a member."]


def test_the_hub_home_family_is_not_a_member(liaison, constellation, hub, today):
    with translation.override("en"), refused("family") as error:
        add(liaison, constellation, hub.family, today)
    assert error.value.message_dict["family"] == ["This family is a hub home."]


@pytest.mark.parametrize(
    "status",
    [FosterFamily.Status.SCREENING, FosterFamily.Status.PAUSED, FosterFamily.Status.STOPPED],
)
def test_only_an_active_family_can_become_a_member(liaison, constellation, today, status):
    stopped = status == FosterFamily.Status.STOPPED
    family = FosterFamilyFactory(
        status=status,
        stop_date=today - DAY if stopped else None,
        stop_reason=FosterFamily.StopReason.MOVED if stopped else "",
    )
    with refused("family"):
        add(liaison, constellation, family, today)
    FosterFamily.objects.filter(pk=family.pk).update(
        status=FosterFamily.Status.ACTIVE, stop_date=None, stop_reason=""
    )
    family.refresh_from_db()
    add(liaison, constellation, family, today)


def test_a_family_that_left_joins_another_constellation_from_the_next_day(
    liaison, other_liaison, constellation, member_family, other_constellation, today
):
    membership = Membership.objects.get(family=member_family)
    services.member_leave(actor=liaison, membership=membership, left_on=today)
    # The leaving day is still a day in the old constellation.
    with refused("family"):
        add(other_liaison, other_constellation, member_family, today)

    add(other_liaison, other_constellation, member_family, today + DAY)

    rows = Membership.objects.filter(family=member_family).order_by("joined_on")
    assert list(rows.values_list("constellation", "left_on")) == [
        (constellation.pk, today),
        (other_constellation.pk, None),
    ]


def test_a_family_cannot_leave_before_it_joined_nor_leave_twice(
    liaison, constellation, member_family, today
):
    membership = Membership.objects.get(family=member_family)
    with refused("left_on"):
        services.member_leave(
            actor=liaison, membership=membership, left_on=membership.joined_on - DAY
        )

    services.member_leave(actor=liaison, membership=membership, left_on=membership.joined_on)

    with refused():
        services.member_leave(actor=liaison, membership=membership, left_on=today)


def test_the_database_keeps_one_open_membership_per_family(
    constellation, other_constellation, member_family, today
):
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        Membership.objects.create(
            constellation=other_constellation, family=member_family, joined_on=today + 10 * DAY
        )
    assert any(
        name in str(error.value)
        for name in (
            "one_open_membership_per_family",  # PostgreSQL: either constraint may answer first
            "membership_no_overlap",
            "UNIQUE constraint failed: constellations_membership.family_id",  # SQLite
        )
    ), error.value
    # An ended membership next to the open one is history, not a second membership.
    Membership.objects.create(
        constellation=other_constellation,
        family=member_family,
        joined_on=today - 500 * DAY,
        left_on=today - 400 * DAY,
    )


def test_postgresql_refuses_memberships_that_overlap_in_time(
    requires_postgresql, constellation, other_constellation, today
):
    family = FosterFamilyFactory()
    MembershipFactory(
        constellation=constellation,
        family=family,
        joined_on=today - 100 * DAY,
        left_on=today - 50 * DAY,
    )
    for joined_on in (today - 60 * DAY, today - 50 * DAY):  # the leaving day counts too
        with (
            pytest.raises(IntegrityError, match="membership_no_overlap"),
            transaction.atomic(),
        ):
            Membership.objects.create(
                constellation=other_constellation,
                family=family,
                joined_on=joined_on,
                left_on=today - 20 * DAY,
            )

    Membership.objects.create(
        constellation=other_constellation,
        family=family,
        joined_on=today - 49 * DAY,
        left_on=today - 20 * DAY,
    )


# -- gatherings and support contacts ---------------------------------------------------------------


def gather(actor, constellation, **fields):
    fields = {
        "kind": Gathering.Kind.MONTHLY,
        "date": constellation.start_date,
        "place": "Hub",
    } | fields
    return services.gathering_record(actor=actor, constellation=constellation, **fields)


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"place": ""}, "place"), ({"kind": "party"}, "kind"), ({"place": "x" * 201}, "place")],
)
def test_a_gathering_is_validated_before_it_is_saved(liaison, constellation, fields, field):
    with refused(field):
        gather(liaison, constellation, **fields)
    assert not Gathering.objects.exists()


def test_someone_ticked_twice_is_at_a_gathering_once(liaison, constellation, placed_child, today):
    gathering = gather(
        liaison, constellation, date=today, attendees={"foster_child": [placed_child.pk] * 2}
    )
    assert gathering.attendance.count() == 1


def test_a_support_contact_is_validated_before_it_is_saved(
    hub_home_parent, hub, member_family, today
):
    with refused("kind"):
        services.support_contact_record(
            actor=hub_home_parent,
            constellation=hub.constellation,
            family=member_family,
            date=today,
            kind="pigeon",
        )
    assert not SupportContact.objects.exists()


# -- respite stays ---------------------------------------------------------------------------------


@pytest.mark.parametrize("nights", [0, -1])
def test_the_departure_must_be_after_the_arrival(
    hub_home_parent, placed_child, bed, arrival, nights
):
    with refused("departure"):
        book(hub_home_parent, placed_child, bed, arrival, nights)


@pytest.mark.parametrize("who", ["outsider_child", "unplaced_child"])
def test_only_a_child_placed_in_a_member_family_can_stay(
    request, hub_home_parent, bed, member_families, arrival, who
):
    child = request.getfixturevalue(who)
    with refused("child"):
        book(hub_home_parent, child, bed, arrival)


def test_a_child_whose_family_has_left_by_the_arrival_cannot_stay(
    liaison, hub_home_parent, placed_child, member_family, bed, today
):
    membership = Membership.objects.get(family=member_family)
    services.member_leave(actor=liaison, membership=membership, left_on=today + 5 * DAY)
    with refused("child"):
        book(hub_home_parent, placed_child, bed, today + 6 * DAY)
    book(hub_home_parent, placed_child, bed, today + 4 * DAY)


def test_only_the_hub_homes_beds_in_use_can_be_booked(
    hub_home_parent, placed_child, bed, other_bed, constellation, arrival
):
    with refused("bed"):
        book(hub_home_parent, placed_child, BedFactory(), arrival, constellation=constellation)
    other_bed.active = False
    other_bed.save()
    with refused("bed"):
        book(hub_home_parent, placed_child, other_bed, arrival)


@pytest.mark.parametrize(
    ("offset", "nights"),
    [(0, 3), (2, 2), (-1, 2), (-2, 10), (1, 1)],
    ids=["same", "overlaps-the-end", "overlaps-the-start", "around", "inside"],
)
def test_a_bed_holds_one_child_per_night(
    hub_home_parent, placed_child, second_child, bed, arrival, offset, nights
):
    book(hub_home_parent, placed_child, bed, arrival, 3)
    with translation.override("en"), refused("bed") as error:
        book(hub_home_parent, second_child, bed, arrival + offset * DAY, nights)
    assert error.value.message_dict["bed"] == [
        f"Bed 1 is already taken from {_day(arrival)} to {_day(arrival + 3 * DAY)}."
    ]


def test_the_departure_day_is_free_for_the_next_child(
    hub_home_parent, placed_child, second_child, others_child, bed, arrival
):
    book(hub_home_parent, placed_child, bed, arrival, 3)
    book(hub_home_parent, second_child, bed, arrival + 3 * DAY, 2)  # arrives as Sanne leaves
    book(hub_home_parent, others_child, bed, arrival - 2 * DAY, 2)  # leaves as Sanne arrives
    assert RespiteStay.objects.filter(bed=bed).count() == 3


def test_a_child_sleeps_in_one_bed_per_night(
    hub_home_parent, placed_child, bed, other_bed, arrival
):
    book(hub_home_parent, placed_child, bed, arrival, 3)
    with translation.override("en"), refused("child") as error:
        book(hub_home_parent, placed_child, other_bed, arrival + DAY, 1)
    assert "is already staying elsewhere from" in error.value.message_dict["child"][0]
    book(hub_home_parent, placed_child, other_bed, arrival + 3 * DAY, 1)


def test_a_cancelled_stay_frees_the_bed_and_comes_back_only_when_it_is_free(
    hub_home_parent, liaison, placed_child, second_child, bed, arrival
):
    first = book(hub_home_parent, placed_child, bed, arrival, 2)
    change(hub_home_parent, first, Status.CANCELLED, "ziek")
    second = book(hub_home_parent, second_child, bed, arrival + DAY, 2)

    first.refresh_from_db()
    with refused("bed"):
        change(liaison, first, Status.CONFIRMED)

    change(hub_home_parent, second, Status.CANCELLED)
    change(liaison, first, Status.CONFIRMED, "toch beter")
    first.refresh_from_db()
    assert (first.status, first.notes, first.version) == (Status.CONFIRMED, "toch beter", 3)


def test_a_cancelled_stay_does_not_come_back_while_the_child_stays_elsewhere(
    hub_home_parent, placed_child, bed, other_bed, arrival
):
    first = book(hub_home_parent, placed_child, bed, arrival, 2)
    change(hub_home_parent, first, Status.CANCELLED)
    book(hub_home_parent, placed_child, other_bed, arrival, 2)
    first.refresh_from_db()
    with refused("child"):
        change(hub_home_parent, first, Status.REQUESTED)


def test_a_stale_form_saves_nothing(hub_home_parent, liaison, placed_child, bed, arrival):
    stay = book(hub_home_parent, placed_child, bed, arrival)
    opened = stay.version
    change(liaison, stay, Status.CONFIRMED, "neemt knuffel mee", version=opened)

    stale = RespiteStay.objects.get(pk=stay.pk)
    with refused(code="stale") as error:
        change(hub_home_parent, stale, Status.CANCELLED, version=opened)
    assert isinstance(error.value, StaleRecord)
    stay.refresh_from_db()
    assert (stay.status, stay.notes, stay.version) == (Status.CONFIRMED, "neemt knuffel mee", 2)


def test_a_stay_that_has_not_started_cannot_be_completed(
    hub_home_parent, placed_child, second_child, bed, other_bed, today
):
    ahead = book(hub_home_parent, placed_child, bed, today + DAY)
    with refused("status"):
        change(hub_home_parent, ahead, Status.COMPLETED)

    started = book(hub_home_parent, second_child, other_bed, today - DAY)
    change(hub_home_parent, started, Status.COMPLETED)
    assert RespiteStay.objects.get(pk=started.pk).status == Status.COMPLETED


def test_a_booking_is_logged_and_takes_the_family_of_the_placement(
    hub_home_parent, placed_child, member_family, bed, arrival
):
    before = AccessLogEntry.objects.count()
    stay = book(hub_home_parent, placed_child, bed, arrival, 2, planned=False)
    assert (stay.family, stay.planned, stay.status, stay.nights) == (
        member_family,
        False,
        Status.CONFIRMED,
        2,
    )
    assert AccessLogEntry.objects.count() == before + 1


# -- the database's own rules ----------------------------------------------------------------------


def test_the_database_refuses_a_departure_not_after_the_arrival(bed, placed_child, arrival):
    with pytest.raises(IntegrityError), transaction.atomic():
        RespiteStayFactory(bed=bed, child=placed_child, arrival=arrival, departure=arrival)


def test_postgresql_refuses_two_stays_in_one_bed_on_one_night(
    requires_postgresql, bed, placed_child, second_child, arrival
):
    RespiteStayFactory(bed=bed, child=placed_child, arrival=arrival, departure=arrival + 3 * DAY)
    with (
        pytest.raises(IntegrityError, match="stay_bed_one_child_per_night"),
        transaction.atomic(),
    ):
        RespiteStayFactory(
            bed=bed, child=second_child, arrival=arrival + 2 * DAY, departure=arrival + 4 * DAY
        )
    RespiteStayFactory(
        bed=bed, child=second_child, arrival=arrival + 3 * DAY, departure=arrival + 4 * DAY
    )


def test_postgresql_refuses_one_child_in_two_beds_on_one_night(
    requires_postgresql, bed, other_bed, placed_child, arrival
):
    RespiteStayFactory(bed=bed, child=placed_child, arrival=arrival, departure=arrival + 3 * DAY)
    with (
        pytest.raises(IntegrityError, match="stay_child_one_bed_per_night"),
        transaction.atomic(),
    ):
        RespiteStayFactory(
            bed=other_bed,
            child=placed_child,
            arrival=arrival + 2 * DAY,
            departure=arrival + 5 * DAY,
        )
    RespiteStayFactory(
        bed=other_bed, child=placed_child, arrival=arrival + 3 * DAY, departure=arrival + 5 * DAY
    )


def test_postgresql_lets_a_cancelled_stay_overlap_but_not_come_back(
    requires_postgresql, bed, placed_child, second_child, arrival
):
    RespiteStayFactory(bed=bed, child=placed_child, arrival=arrival, departure=arrival + 3 * DAY)
    cancelled = RespiteStayFactory(
        bed=bed,
        child=second_child,
        arrival=arrival + DAY,
        departure=arrival + 2 * DAY,
        status=Status.CANCELLED,
    )
    RespiteStayFactory(
        bed=bed,
        child=placed_child,
        arrival=arrival,
        departure=arrival + 3 * DAY,
        status=Status.CANCELLED,
    )
    with (
        pytest.raises(IntegrityError, match="stay_bed_one_child_per_night"),
        transaction.atomic(),
    ):
        RespiteStay.objects.filter(pk=cancelled.pk).update(status=Status.REQUESTED)


# -- who sees and changes what ---------------------------------------------------------------------

# persona: sees ours, sees the other, changes ours, books in ours, which stays (see ``world``)
PERSONAS = {
    "liaison": (True, False, True, True, {"sanne", "noor"}),
    "hub_home_parent": (True, False, False, True, {"sanne", "noor"}),
    "team_lead": (True, False, True, True, {"sanne"}),
    "other_team_lead": (True, False, True, True, {"noor"}),
    "caseworker": (True, False, False, False, {"sanne"}),
    "other_caseworker": (True, False, False, False, {"noor"}),
    "idle_caseworker": (False, False, False, False, set()),
    "former_caseworker": (False, False, False, False, set()),
    "other_region_lead": (False, True, False, False, set()),
    "other_liaison": (False, True, False, False, {"elsewhere"}),
    "other_hub_home_parent": (False, True, False, False, {"elsewhere"}),
    "app_manager": (False, False, False, False, set()),
    "foster_parent": (False, False, False, False, set()),
}


@pytest.fixture
def world(bed, other_bed, placed_child, others_child, other_constellation):
    """A stay of Sanne (werker's), one of Noor (the other team's), one in the other
    constellation."""
    elsewhere = PlacementFactory(family=other_constellation.memberships.get().family).child
    return {
        "sanne": RespiteStayFactory(bed=bed, child=placed_child),
        "noor": RespiteStayFactory(bed=other_bed, child=others_child),
        "elsewhere": RespiteStayFactory(bed=other_constellation.hub.beds.get(), child=elsewhere),
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_which_constellation(request, persona, world, constellation, other_constellation):
    user = request.getfixturevalue(persona)
    sees_ours, sees_other, *_ = PERSONAS[persona]

    visible = list(constellations.visible_to(user))

    assert len(visible) == len(set(visible))
    assert set(visible) == {
        c for c in Constellation.objects.all() if constellations.can_view(user, c)
    }
    assert (constellation in visible, other_constellation in visible) == (sees_ours, sees_other)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_changes_and_books(request, persona, world, constellation):
    user = request.getfixturevalue(persona)
    _, _, changes, books, _ = PERSONAS[persona]

    assert constellations.can_change(user, constellation) == changes
    assert constellations.can_book(user, constellation) == books
    assert constellations.sees_care_facts(user, constellation) == (
        persona in ("liaison", "hub_home_parent")
    )
    assert stays.can_change(user, world["sanne"]) == books


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_which_stay(request, persona, world):
    user = request.getfixturevalue(persona)
    expected = {world[name] for name in PERSONAS[persona][4]}

    visible = list(stays.visible_to(user))

    assert len(visible) == len(set(visible))
    assert set(visible) == expected
    assert {s for s in RespiteStay.objects.all() if stays.can_view(user, s)} == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_memberships_are_seen_and_changed_with_their_constellation(
    request, persona, world, constellation, other_constellation
):
    user = request.getfixturevalue(persona)
    sees_ours, sees_other, changes, *_ = PERSONAS[persona]
    expected = set()
    if sees_ours:
        expected |= set(constellation.memberships.all())
    if sees_other:
        expected |= set(other_constellation.memberships.all())

    visible = list(memberships.visible_to(user))

    assert len(visible) == len(set(visible))
    assert set(visible) == expected
    assert {m for m in Membership.objects.all() if memberships.can_view(user, m)} == expected
    assert all(memberships.can_change(user, m) == changes for m in constellation.memberships.all())


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_services_refuse_whom_the_policy_refuses(
    request, persona, world, constellation, bed, second_child, arrival
):
    user = request.getfixturevalue(persona)
    _, _, changes, books, _ = PERSONAS[persona]
    family = FosterFamilyFactory()
    before = _snapshot()

    if changes:
        add(user, constellation, family, arrival)
    else:
        with pytest.raises(PermissionDenied):
            add(user, constellation, family, arrival)
    if books:
        book(user, second_child, bed, arrival + 30 * DAY)
    else:
        with pytest.raises(PermissionDenied):
            book(user, second_child, bed, arrival + 30 * DAY)
        with pytest.raises(PermissionDenied):
            change(user, world["sanne"], Status.CANCELLED)

    if not (changes or books):
        assert _snapshot() == before


# -- figures ---------------------------------------------------------------------------------------


def _memberships(constellation, today):
    """The memberships as the page reads them: with each family's stays and nights counted."""
    return selectors.page_memberships(constellation.pk, today)


def test_nights_are_counted_per_month_planned_or_not_and_per_family(
    constellation, bed, other_bed, member_families
):
    today = dt.date(2026, 3, 15)
    boer, jansen, smit = member_families

    def stay(family, arrival, departure, bed=bed, **fields):
        return RespiteStayFactory(
            bed=bed, family=family, arrival=arrival, departure=departure, **fields
        )

    stay(boer, dt.date(2026, 1, 30), dt.date(2026, 2, 2))  # 30, 31 Jan and 1 Feb
    stay(boer, dt.date(2026, 2, 10), dt.date(2026, 2, 12), planned=False)
    stay(jansen, dt.date(2026, 3, 14), dt.date(2026, 3, 18), bed=other_bed)  # 14, 15 so far
    stay(jansen, dt.date(2026, 2, 20), dt.date(2026, 2, 25), status=Status.CANCELLED)
    stay(boer, dt.date(2026, 3, 20), dt.date(2026, 3, 22))  # still to come
    RespiteStayFactory(arrival=dt.date(2026, 2, 1), departure=dt.date(2026, 2, 9))  # elsewhere

    result = selectors.figures(constellation, today, _memberships(constellation, today))

    months = {
        row["month"]: (row["planned"], row["unplanned"], row["total"]) for row in result.months
    }
    assert months.pop(dt.date(2026, 1, 1)) == (2, 0, 2)
    assert months.pop(dt.date(2026, 2, 1)) == (1, 2, 3)
    assert months.pop(dt.date(2026, 3, 1)) == (2, 0, 2)
    assert set(months.values()) == {(0, 0, 0)}
    assert (result.planned, result.unplanned, result.total) == (5, 2, 7)
    families = {
        row["family"]: (row["stays"], row["planned"], row["unplanned"], row["total"])
        for row in result.families
    }
    assert families == {boer: (2, 3, 2, 5), jansen: (1, 2, 0, 2), smit: (0, 0, 0, 0)}


def test_figures_count_only_the_nights_inside_the_twelve_months(constellation, bed, member_family):
    today = dt.date(2026, 4, 15)  # the twelve months are May 2025 up to April 2026
    RespiteStayFactory(
        bed=bed, family=member_family, arrival=dt.date(2025, 4, 28), departure=dt.date(2025, 5, 3)
    )
    RespiteStayFactory(
        bed=bed, family=member_family, arrival=dt.date(2025, 3, 1), departure=dt.date(2025, 3, 5)
    )

    result = selectors.figures(constellation, today, _memberships(constellation, today)[:1])

    assert [row["month"] for row in result.months][:2] == [dt.date(2025, 5, 1), dt.date(2025, 6, 1)]
    assert result.months[0]["total"] == 2  # 1 and 2 May; the April nights are before
    assert result.total == 2
    assert (result.families[0]["family"], result.families[0]["stays"]) == (member_family, 1)


def test_figures_always_show_twelve_months(constellation):
    shown = {}
    for month in range(1, 13):
        today = dt.date(2026, month, 15)
        shown[today] = len(selectors.figures(constellation, today, []).months)
    assert set(shown.values()) == {12}, shown


def test_a_constellation_without_a_gathering_last_month_is_flagged(db):
    today = dt.date(2026, 3, 15)  # last month is February 2026

    def make(name, *gatherings, start=dt.date(2025, 6, 1), status=Constellation.Status.ACTIVE):
        constellation = ConstellationFactory(name=name, start_date=start, status=status)
        for day, kind in gatherings:
            GatheringFactory(constellation=constellation, date=day, kind=kind)
        return constellation

    monthly, training = Gathering.Kind.MONTHLY, Gathering.Kind.TRAINING
    quiet = make("Stil", (dt.date(2026, 1, 31), monthly), (dt.date(2026, 3, 1), monthly))
    make("Eerste dag", (dt.date(2026, 2, 1), monthly))
    make("Laatste dag", (dt.date(2026, 2, 28), training))
    make("Nieuw", start=dt.date(2026, 2, 10))
    from_the_first = make("Vanaf de eerste", start=dt.date(2026, 2, 1))
    make("Gesloten", status=Constellation.Status.CLOSED)
    MembershipFactory.create_batch(2, constellation=quiet, joined_on=dt.date(2025, 7, 1))
    MembershipFactory(
        constellation=quiet, joined_on=dt.date(2025, 7, 1), left_on=dt.date(2026, 3, 1)
    )

    flagged = Constellation.objects.filter(selectors.without_gathering_last_month(today))
    assert set(flagged) == {quiet, from_the_first}
    rows = selectors.with_flags(Constellation.objects.all(), today)
    assert {c.name: (c.no_gathering, c.member_count) for c in rows} == {
        "Stil": (True, 2),
        "Eerste dag": (False, 0),
        "Laatste dag": (False, 0),
        "Nieuw": (False, 0),
        "Vanaf de eerste": (True, 0),
        "Gesloten": (False, 0),
    }


def test_last_month_crosses_the_year_and_knows_leap_years():
    assert selectors.last_month(dt.date(2026, 1, 10)) == (
        dt.date(2025, 12, 1),
        dt.date(2025, 12, 31),
    )
    assert selectors.last_month(dt.date(2024, 3, 31)) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
