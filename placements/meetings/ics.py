"""Calendar invitations for meetings (iCalendar, RFC 5545, sent as an iTIP REQUEST, RFC 5546).

One meeting keeps one ``UID`` for its whole life, so a calendar that already holds the invitation
updates it when a moved meeting is invited again; ``SEQUENCE`` follows the meeting's version, which
goes up with every change. Times are written in UTC (``...Z``): every calendar shows them in its own
time zone, so no VTIMEZONE block is needed.
"""

from __future__ import annotations

import datetime as dt
from email.headerregistry import Address
from email.message import MIMEPart
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from placements.models import Meeting

# The invitation blocks this much time in the calendar; the app does not record an end time.
MEETING_DURATION = dt.timedelta(minutes=90)
PRODID = "-//Pleegzorg//Overleggen//NL"
FILENAME = "uitnodiging.ics"


def meeting_uid(meeting: Meeting) -> str:
    """Stable for the meeting, unique over installations (the sender's domain is part of it)."""
    return f"overleg-{meeting.pk}@{_sender_domain()}"


def meeting_summary(meeting: Meeting) -> str:
    """The calendar title, in the active language: 'Startgesprek voor Sanne'."""
    return _("%(meeting)s for %(child)s") % {
        "meeting": str(meeting.get_kind_display()).capitalize(),
        "child": meeting.placement.child.first_name,
    }


def meeting_invitation(
    meeting: Meeting,
    *,
    attendee_email: str,
    attendee_name: str = "",
    location: str | None = None,
    now: dt.datetime | None = None,
) -> bytes:
    """The ICS file (METHOD:REQUEST) inviting one attendee to ``meeting``.

    The organiser is the placement's caseworker when they have an email address, otherwise the
    sender of the app's email. Only the child's first name is in it: email is not a safe channel.
    ``location`` replaces the meeting's place (for a parent, when it gives away the address).
    """
    now = now or timezone.now()
    placement = meeting.placement
    caseworker = placement.caseworker
    start = meeting.planned_at.astimezone(dt.UTC)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "REQUEST")

    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.version)
    event.add("dtstamp", now.astimezone(dt.UTC))
    event.add("dtstart", start)
    event.add("dtend", start + MEETING_DURATION)
    event.add("summary", meeting_summary(meeting))
    event.add("location", meeting.place if location is None else location)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add(
        "description",
        _("Questions about this meeting? Contact %(caseworker)s, foster-care worker.")
        % {"caseworker": caseworker.get_full_name() or caseworker.username},
    )

    organizer_email = caseworker.email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    organizer = vCalAddress(f"mailto:{organizer_email}")
    organizer.params["cn"] = vText(caseworker.get_full_name() or caseworker.username)
    event.add("organizer", organizer, encode=False)

    attendee = vCalAddress(f"mailto:{attendee_email}")
    if attendee_name:
        attendee.params["cn"] = vText(attendee_name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("NEEDS-ACTION")
    # The app does not read replies; asking for one would only fill someone's inbox.
    attendee.params["rsvp"] = vText("FALSE")
    event.add("attendee", attendee, encode=False)

    calendar.add_component(event)
    return calendar.to_ical()


def invitation_attachment(ics: bytes) -> MIMEPart:
    """The ICS as an email part: text/calendar with method=REQUEST, as calendar clients expect."""
    part = MIMEPart()
    part.set_content(
        ics.decode(),
        subtype="calendar",
        charset="utf-8",
        params={"method": "REQUEST"},
        disposition="attachment",
        filename=FILENAME,
    )
    return part


def _sender_domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    try:
        return Address(addr_spec=address).domain or "pleegzorg.invalid"
    except ValueError:
        return "pleegzorg.invalid"
