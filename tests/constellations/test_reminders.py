"""A constellation without a gathering last calendar month: its liaison is told, once."""

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from constellations.factories import ConstellationFactory, GatheringFactory
from pleegzorg import reminders
from pleegzorg.models import Notification, Reminder

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def scan_on(day: dt.date) -> reminders.ScanResult:
    with time_machine.travel(dt.datetime.combine(day, dt.time(9), AMSTERDAM), tick=False):
        return reminders.reminders_scan(follow_up=False)


def test_the_liaison_hears_of_a_month_without_a_gathering_once(liaison, other_liaison):
    quiet = ConstellationFactory(name="Stil", liaison=liaison, start_date=dt.date(2026, 1, 5))
    busy = ConstellationFactory(name="Druk", liaison=other_liaison, start_date=dt.date(2026, 1, 5))
    GatheringFactory(constellation=busy, date=dt.date(2026, 10, 31))
    GatheringFactory(constellation=quiet, date=dt.date(2026, 11, 2))  # this month: too late

    result = scan_on(dt.date(2026, 11, 3))
    assert result.created["no_gathering"] == 1
    reminder = Reminder.objects.get(kind="no_gathering")
    assert reminder.key == f"no_gathering:{quiet.pk}:2026-10"
    assert reminder.recipient == liaison
    notice = Notification.objects.get(user=liaison)
    assert "Stil had geen bijeenkomst in oktober 2026" in notice.text
    assert notice.url == f"/constellaties/{quiet.pk}/"

    assert scan_on(dt.date(2026, 11, 20)).created["no_gathering"] == 0
    assert not Notification.objects.filter(user=other_liaison).exists()
    # December: the quiet one met in November; the busy one did not, and its liaison is told.
    assert scan_on(dt.date(2026, 12, 1)).created["no_gathering"] == 1
    assert Reminder.objects.get(recipient=other_liaison).key == f"no_gathering:{busy.pk}:2026-11"


def test_a_new_closed_or_unrun_constellation_is_not_reminded(liaison):
    ConstellationFactory(name="Nieuw", liaison=liaison, start_date=dt.date(2026, 10, 15))
    ConstellationFactory(name="Dicht", liaison=liaison, status="closed")
    ConstellationFactory(name="Zonder begeleider", liaison=None)
    assert scan_on(dt.date(2026, 11, 3)).created["no_gathering"] == 0
