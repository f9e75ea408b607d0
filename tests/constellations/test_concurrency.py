"""Many people book the last free bed at the same moment: one gets it, the others are told.

PostgreSQL only: each thread has its own connection, and the exclusion constraints exist only
there. With PLEEGZORG_REQUIRE_SERVICES=1 a missing PostgreSQL fails these tests instead of
skipping them (``requires_postgresql``).
"""

from __future__ import annotations

import datetime as dt
import threading
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from constellations import services
from constellations.factories import RespiteStayFactory
from constellations.models import Bed, RespiteStay
from placements.factories import PlacementFactory
from placements.models import Child
from pleegzorg.models import User

pytestmark = pytest.mark.django_db(transaction=True)

DAY = dt.timedelta(days=1)
PEOPLE = 50


@pytest.fixture
def last_bed(requires_postgresql, caseworker, hub_home_parent, member_families, beds, today):
    """Fifty children of member families, and the nights on which Bed 1 is already taken: only
    Bed 2 is left."""
    arrival = today + 10 * DAY
    taken = PlacementFactory(caseworker=caseworker, family=member_families[0]).child
    RespiteStayFactory(bed=beds[0], child=taken, arrival=arrival - DAY, departure=arrival + 3 * DAY)
    children = [
        PlacementFactory(caseworker=caseworker, family=member_families[n % 3]).child
        for n in range(PEOPLE)
    ]
    return SimpleNamespace(
        actor=hub_home_parent,
        bed=beds[1],
        children=children,
        arrival=arrival,
        departure=arrival + 2 * DAY,
    )


def _book_in_threads(jobs, *, start_together=True):
    """Run ``services.stay_book`` once per (user id, child id, bed id, arrival, departure) job,
    each in its own thread with its own connection, all let go at the same moment. Returns per
    job the stay or the exception."""
    results: list = [None] * len(jobs)
    barrier = threading.Barrier(len(jobs), timeout=10)

    def run(index, user_pk, child_pk, bed_pk, arrival, departure):
        try:
            actor = User.objects.get(pk=user_pk)
            child = Child.objects.get(pk=child_pk)
            bed = Bed.objects.select_related("hub__constellation").get(pk=bed_pk)
            if start_together:
                barrier.wait()
            with translation.override("en"):
                results[index] = services.stay_book(
                    actor=actor,
                    constellation=bed.hub.constellation,
                    child=child,
                    bed=bed,
                    arrival=arrival,
                    departure=departure,
                    planned=False,
                    reason=RespiteStay.Reason.RELIEF,
                )
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, *job)) for n, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return results


def _outcome(results):
    stays = [r for r in results if isinstance(r, RespiteStay)]
    refusals = [r for r in results if isinstance(r, ValidationError)]
    other = [r for r in results if r not in stays and r not in refusals]
    assert other == [], other
    return stays, refusals


def _day(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


def test_fifty_people_booking_the_last_bed_at_once_give_one_stay(last_bed):
    jobs = [
        (last_bed.actor.pk, child.pk, last_bed.bed.pk, last_bed.arrival, last_bed.departure)
        for child in last_bed.children
    ]

    stays, refusals = _outcome(_book_in_threads(jobs))

    assert len(stays) == 1
    assert len(refusals) == PEOPLE - 1
    # The bed lock makes each later booking wait and then see the first stay: all are told on
    # the bed field, with the nights it is taken.
    expected = (
        f"Bed 2 is already taken from {_day(last_bed.arrival)} to {_day(last_bed.departure)}."
    )
    assert [error.message_dict for error in refusals] == [{"bed": [expected]}] * (PEOPLE - 1)
    (stay,) = RespiteStay.objects.filter(bed=last_bed.bed)
    assert stay == stays[0]
    assert RespiteStay.objects.count() == 2


def test_without_the_lock_the_exclusion_constraint_alone_keeps_one_stay(last_bed, monkeypatch):
    """No bed lock, and every booking passes the check in Python before any of them saves: the
    database must refuse all but one."""
    checked = threading.Barrier(PEOPLE, timeout=10)
    check_free = services.check_bed_and_child_free

    def check_then_wait(*args, **kwargs):
        check_free(*args, **kwargs)
        checked.wait()

    no_lock = SimpleNamespace(objects=SimpleNamespace(select_for_update=Bed.objects.none))
    monkeypatch.setattr(services, "Bed", no_lock)
    monkeypatch.setattr(services, "check_bed_and_child_free", check_then_wait)
    jobs = [
        (last_bed.actor.pk, child.pk, last_bed.bed.pk, last_bed.arrival, last_bed.departure)
        for child in last_bed.children
    ]

    stays, refusals = _outcome(_book_in_threads(jobs, start_together=False))

    assert not checked.broken
    assert len(stays) == 1
    assert len(refusals) == PEOPLE - 1
    assert [error.message_dict for error in refusals] == [
        {"bed": ["This bed is already taken on one of these nights."]}
    ] * (PEOPLE - 1)
    assert RespiteStay.objects.filter(bed=last_bed.bed).count() == 1


def test_one_child_booked_in_both_beds_at_once_gets_one_stay(
    requires_postgresql, caseworker, hub_home_parent, liaison, member_family, beds, today
):
    """The locks are per bed, so two bookings of one child in two beds do not wait for each
    other: the child's exclusion constraint decides, and the service says so on the child."""
    child = PlacementFactory(caseworker=caseworker, family=member_family).child
    arrival = today + 5 * DAY
    checked = threading.Barrier(2, timeout=10)
    check_free = services.check_bed_and_child_free

    def check_then_wait(*args, **kwargs):
        check_free(*args, **kwargs)
        checked.wait()

    jobs = [
        (user.pk, child.pk, bed.pk, arrival, arrival + 2 * DAY)
        for user, bed in zip((hub_home_parent, liaison), beds, strict=True)
    ]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "check_bed_and_child_free", check_then_wait)
        stays, refusals = _outcome(_book_in_threads(jobs, start_together=False))

    assert not checked.broken
    assert len(stays) == 1
    assert [error.message_dict for error in refusals] == [
        {"child": ["This child is already staying elsewhere then."]}
    ]
    assert RespiteStay.objects.filter(child=child).count() == 1
