"""Nothing leaves by mail that a reader may not know: a meeting's place that gives away the foster
family's address is refused when a parent is invited, and no email carries more of the child
than the first name."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes
from email.header import decode_header, make_header
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from placements.factories import (
    ChildFactory,
    FosterFamilyFactory,
    FosterParentFactory,
    ParentChildFactory,
    PlacementFactory,
    YouthProtectorFactory,
)
from placements.meetings import services
from placements.meetings.reminders import greeting_name
from placements.models import Meeting, MeetingParticipant, Party
from pleegzorg import reminders
from pleegzorg.models import Reminder
from tests.placements.test_meetings import plan

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
REFUSED = "Er is een ouder uitgenodigd voor dit overleg"


@pytest.fixture
def family(db):
    return FosterFamilyFactory(
        name="Familie Jansen", street="Kerkstraat 12a", postcode="3511 AB", city="Utrecht"
    )


def parent_row(name="Marco Verhoeven", email="marco@example.nl"):
    return {"p-2-party": "parents", "p-2-name": name, "p-2-email": email, "p-TOTAL_FORMS": 3}


@pytest.mark.parametrize(
    "place", ["Kerkstraat 12a", "bij ons thuis, kerkstraat 12", "3511AB Utrecht", "3511 ab"]
)
def test_a_place_with_the_family_address_is_refused_when_a_parent_is_invited(
    caseworker, client, placement, place
):
    client.force_login(caseworker)
    response = plan(client, placement, place=place, **parent_row())
    body = response.content.decode()
    assert response.status_code == 200
    assert REFUSED in body and "bij het pleeggezin thuis" in body
    # Everything typed is still there, and nothing is saved.
    assert f'value="{place}"' in body and "Marco Verhoeven" in body
    assert not Meeting.objects.exists()


def test_the_same_place_is_fine_without_a_parent_and_a_neutral_place_with_one(
    caseworker, client, placement
):
    client.force_login(caseworker)
    assert plan(client, placement, kind="joint", place="Kerkstraat 12a").status_code == 302
    neutral = plan(client, placement, kind="start", place="Bij het pleeggezin", **parent_row())
    assert neutral.status_code == 302
    assert Meeting.objects.count() == 2


def test_moving_a_meeting_to_the_family_address_is_refused_when_a_parent_is_invited(
    caseworker, client, placement
):
    meeting = Meeting.objects.create(
        placement=placement, kind="joint", planned_at=_in_days(5), place="Kantoor Utrecht"
    )
    MeetingParticipant.objects.create(meeting=meeting, party=Party.PARENTS, name="Marco")
    client.force_login(caseworker)
    response = client.post(
        f"/overleggen/{meeting.pk}/wijzigen/",
        {"version": meeting.version, "day": _in_days(6).date(), "time": "10:00"}
        | {"place": "Kerkstraat 12a, Utrecht"},
    )
    assert REFUSED in response.content.decode()
    assert 'value="Kerkstraat 12a, Utrecht"' in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.place == "Kantoor Utrecht" and meeting.version == 1


def _in_days(days: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(10), AMSTERDAM)


@pytest.mark.parametrize(
    ("text", "gives_away"),
    [
        ("Kerkstraat 12a", True),
        ("KERKSTRAAT", True),
        ("postcode 3511ab", True),
        ("Bij het pleeggezin thuis", False),
        ("Kerkstraatje 3", False),
        ("3511 AC", False),
        ("", False),
    ],
)
def test_what_counts_as_the_family_address(family, text, gives_away):
    assert family.address_in(text) is gives_away


def test_a_greeting_uses_only_the_first_name():
    assert greeting_name("Marco Verhoeven") == "Marco"
    assert greeting_name("M. Verhoeven") == ""
    assert greeting_name("") == ""


# -- every email the reminder sources write ----------------------------------------------------


DAY0 = dt.date(2026, 3, 2)


@pytest.fixture
def world(caseworker, family):
    """A child with a surname that her father shares, a date of birth and a BSN; a foster
    family whose address is in a meeting's place (the family moved after it was planned); a
    father, the foster mother and the youth protector invited by email."""
    caseworker.last_name, caseworker.email = "Smit", "wendy@pleegzorg.example"
    caseworker.save(update_fields=["last_name", "email"])
    child = ChildFactory(
        first_name="Sanne",
        last_name="Verhoeven",
        date_of_birth=dt.date(2015, 4, 9),
        bsn="111222333",
    )
    ParentChildFactory(
        child=child,
        parent__first_name="Marco",
        parent__last_name="Verhoeven",
        parent__email="marco@example.nl",
    )
    FosterParentFactory(family=family, first_name="Petra", last_name="Jansen")
    placement = PlacementFactory(
        child=child,
        family=family,
        caseworker=caseworker,
        start_date=DAY0 - dt.timedelta(days=200),
        youth_protector=YouthProtectorFactory(first_name="Joost", last_name="Dekker"),
    )
    # Planned while the family still lived elsewhere; it has moved to Kerkstraat 12a since.
    family.street, family.postcode = "Dorpsweg 1", "1234 AB"
    family.save(update_fields=["street", "postcode"])
    with time_machine.travel(dt.datetime.combine(DAY0, dt.time(9), AMSTERDAM), tick=False):
        meeting = services.meeting_plan(
            actor=caseworker,
            placement=placement,
            kind=Meeting.Kind.JOINT,
            planned_at=dt.datetime.combine(DAY0 + dt.timedelta(days=5), dt.time(10), AMSTERDAM),
            place="Kerkstraat 12a",
            participants=[
                row | {"email": f"{row['name'].split()[0].lower()}@example.nl"}
                for row in services.suggested_participants(placement)
                if row["party"] != Party.CASEWORKER
            ],
        )
    family.street, family.postcode = "Kerkstraat 12a", "3511 AB"
    family.save(update_fields=["street", "postcode"])
    return {"child": child, "family": family, "meeting": meeting}


def everything_in(message: mail.EmailMessage) -> str:
    """Subject, body and every attachment (the ICS) of a message, as text."""
    parsed = message_from_bytes(message.message().as_bytes())
    parts = [str(parsed["Subject"] or "")]
    for part in parsed.walk():
        payload = part.get_payload(decode=True)
        if payload:
            parts.append(payload.decode(part.get_content_charset() or "utf-8"))
    parts[0] = str(make_header(decode_header(parts[0])))
    # ICS folds long lines at 75 octets: unfold before searching.
    return "\n".join(parts).replace("\r\n ", "").replace("\n ", "")


def test_no_email_carries_more_of_the_child_than_the_first_name(world):
    with time_machine.travel(dt.datetime.combine(DAY0, dt.time(9), AMSTERDAM), tick=False):
        reminders.reminders_scan()
        ids = list(Reminder.objects.exclude(email_to="").values_list("pk", flat=True))
        sent = reminders.reminder_emails_send(reminder_ids=ids)

    # Every source that writes email wrote some here: a new one must be added to this walk.
    writers = {s.name for s in reminders.reminder_sources() if s.write_emails}
    kinds_sent = set(Reminder.objects.filter(email_status="sent").values_list("kind", flat=True))
    wrote = {s.name for s in reminders.reminder_sources() if set(s.kinds) & kinds_sent}
    assert writers and writers <= wrote
    assert sent == len(mail.outbox) == 3

    child, family = world["child"], world["family"]
    for message in mail.outbox:
        text = everything_in(message)
        assert "Sanne" in text
        for secret in ("Verhoeven", "111222333", "09-04-2015", "2015-04-09", "20150409"):
            assert secret not in text, f"{secret!r} in the mail to {message.to}"
        if message.to == ["marco@example.nl"]:
            assert not family.address_in(text), "the foster family's address to a parent"
            assert "een plek die uw pleegzorgwerker u laat weten" in text
        else:
            assert "Kerkstraat 12a" in text  # the others may know where the family lives
    assert child.first_name == "Sanne"
