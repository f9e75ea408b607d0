"""'Mijn pleeggezin' (issue 13): a foster parent sees their own family's placements (not ended,
or in aftercare), who works with them and the coming meetings; nothing of another family, of
the case file, or of the birth parents' whereabouts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from placements.factories import (
    FosterParentFactory,
    ParentChildFactory,
    PlacementFactory,
)
from placements.models import Decision, FosterFamily, Meeting
from pleegzorg.factories import UserFactory
from pleegzorg.models import AccessLogEntry, User
from tests.matrix import PERSONAS

URL = "/mijn-pleeggezin/"
DAY = dt.timedelta(days=1)


@pytest.fixture
def other_foster_parent(other_placement):
    """A foster parent of the other team's placement's family."""
    user = UserFactory(username="pleegouder2", role=User.Role.FOSTER_PARENT)
    FosterParentFactory(family=other_placement.family, account=user)
    return user


def calendar_url(meeting) -> str:
    return f"/mijn-pleeggezin/overleggen/{meeting.pk}/agenda/"


def meet(placement, days=5, place="Bij het pleeggezin", status="planned") -> Meeting:
    return Meeting.objects.create(
        placement=placement,
        kind="joint",
        planned_at=timezone.now() + days * DAY,
        place=place,
        status=status,
    )


def test_the_foster_parent_sees_their_foster_child_and_who_works_with_them(
    client, foster_parent, placement, caseworker
):
    User.objects.filter(pk=caseworker.pk).update(phone="030 123 45 67")
    meet(placement)
    Decision.objects.create(
        placement=placement,
        decided_on=timezone.localdate(),
        subject="Geheim besluit over omgang",
        decided_by="Jeugdbeschermer",
        reason="x",
        recorded_by=caseworker,
    )
    client.force_login(foster_parent)
    response = client.get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    child = placement.child
    assert f"{child.first_name}," in body and f"{child.age()} jaar" in body
    assert "Wendy" in body and "030 123 45 67" in body  # the caseworker, and how to reach them
    assert str(placement.youth_protector.last_name) in body
    assert "Overleg" in body or "overleg" in body
    assert "Bij het pleeggezin" in body and "In mijn agenda zetten" in body
    # Nothing of the case file beyond that.
    assert "Geheim besluit" not in body and child.last_name not in body
    entry = AccessLogEntry.objects.get(user=foster_parent, detail="Mijn pleeggezin")
    assert entry.person_id == child.pk


def test_another_familys_and_a_closed_placement_are_not_shown(
    client, foster_parent, placement, other_placement
):
    today = timezone.localdate()
    family = placement.family
    past = PlacementFactory(
        family=family,
        child__first_name="Vroeger",
        start_date=today - 900 * DAY,
        end_date=today - 700 * DAY,
        end_reason="return_home",
    )
    aftercare = PlacementFactory(
        family=family,
        child__first_name="Nazorgkind",
        start_date=today - 300 * DAY,
        end_date=today - 30 * DAY,
        end_reason="return_home",
    )
    client.force_login(foster_parent)
    body = client.get(URL).content.decode()
    assert other_placement.child.first_name not in body
    assert past.child.first_name not in body
    assert aftercare.child.first_name in body and "De plaatsing is beëindigd op" in body
    assert placement.child.first_name in body


def test_a_meeting_at_a_birth_parents_address_does_not_show_where(client, foster_parent, placement):
    ParentChildFactory(child=placement.child, parent__address="Lindelaan 4, 3511 AB Utrecht")
    meet(placement, place="Bij moeder thuis, Lindelaan 4, 3511AB")
    client.force_login(foster_parent)
    body = client.get(URL).content.decode()
    assert "Lindelaan" not in body and "3511" not in body
    assert "Vraag je pleegzorgwerker waar" in body


def test_the_caseworkers_change_shows_who_before_and_the_steady_course(
    client, foster_parent, placement, caseworker, team, team_lead
):
    from placements import services

    colleague = UserFactory(username="collega", first_name="Cor", last_name="Collega", team=team)
    services.placement_hand_over(
        actor=team_lead,
        placement=placement,
        version=placement.version,
        new_caseworker=colleague,
        handover_note="Omgang loopt goed.",
        family_informed=True,
        no_change_of_course_until=timezone.localdate() + 60 * DAY,
    )
    client.force_login(foster_parent)
    body = client.get(URL).content.decode()
    assert "Cor Collega" in body and "hiervoor: Wendy" in body
    assert "Na de wisseling verandert er tot" in body
    assert "Omgang loopt goed." not in body  # the handover note is for the professionals


def test_the_page_runs_a_fixed_number_of_queries(
    client, foster_parent, placement, django_assert_max_num_queries
):
    for n in range(6):
        other = PlacementFactory(family=placement.family, child__first_name=f"Kind{n}")
        meet(other)
        meet(other, days=9)
        ParentChildFactory(child=other.child)
    client.force_login(foster_parent)
    with django_assert_max_num_queries(15):
        response = client.get(URL)
    assert response.content.decode().count("In mijn agenda zetten") == 12


def test_a_meeting_goes_into_the_calendar_as_an_ics_file(client, foster_parent, placement):
    meeting = meet(placement)
    client.force_login(foster_parent)
    response = client.get(calendar_url(meeting))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "BEGIN:VEVENT" in body and "Bij het pleeggezin" in body
    assert placement.child.last_name not in body


def test_another_familys_meeting_is_404_and_logged(
    client, foster_parent, placement, other_placement
):
    theirs = meet(other_placement)
    client.force_login(foster_parent)
    assert client.get(calendar_url(theirs)).status_code == 404
    assert AccessLogEntry.objects.filter(
        user=foster_parent, outcome="denied", object_id=theirs.pk
    ).exists()


def test_a_family_that_stopped_has_no_access(client, foster_parent, placement):
    from placements.invitations.services import close_accounts_of_stopped_families

    FosterFamily.objects.filter(pk=placement.family_id).update(
        status="stopped", stop_date=timezone.localdate(), stop_reason="age_health"
    )
    close_accounts_of_stopped_families()
    client.force_login(foster_parent)
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/inloggen/")


@pytest.mark.parametrize("persona", [*PERSONAS, "other_foster_parent"])
def test_mijn_pleeggezin_answers_every_role(persona, matrix, placement, other_placement, request):
    """Only foster parents; a meeting of another family answers 404, like one that is none."""
    if persona == "other_foster_parent":
        request.getfixturevalue("foster_parent")  # ours exists too
    mine, theirs = meet(placement), meet(other_placement)
    page = {"foster_parent": 200, "other_foster_parent": 200, "anonymous": 302}.get(persona, 403)
    own = {"foster_parent": 200, "other_foster_parent": 404}.get(persona, page)
    other = {"foster_parent": 404, "other_foster_parent": 200}.get(persona, page)
    matrix.check(
        [
            (persona, URL, page),
            (persona, calendar_url(mine), own),
            (persona, calendar_url(theirs), other),
        ]
    )


# -- agreements ---------------------------------------------------------------------------------


def agree(placement, owner="foster_parents", days=7, status="open"):
    from placements.models import Agreement

    return Agreement.objects.create(
        placement=placement,
        what=f"Afspraak van {owner}",
        owner=owner,
        due_on=timezone.localdate() + days * DAY,
        status=status,
    )


def done_url(agreement) -> str:
    return f"/mijn-pleeggezin/afspraken/{agreement.pk}/gedaan/"


def test_the_foster_parents_mark_their_own_agreement_done(client, foster_parent, placement):
    ours, theirs = agree(placement), agree(placement, owner="caseworker")
    late = agree(placement, days=-2)
    client.force_login(foster_parent)
    body = client.get(URL).content.decode()
    assert "Afspraak van foster_parents" in body and "Afspraak van caseworker" in body
    assert body.count(">Gedaan<span") == 2  # their two open ones, not the caseworker's
    assert "Datum verstreken" in body
    response = client.post(done_url(ours), follow=True)
    assert "Op gedaan gezet: Afspraak van foster_parents" in response.content.decode()
    ours.refresh_from_db()
    assert ours.status == "done" and ours.closed_on == timezone.localdate()
    assert AccessLogEntry.objects.filter(
        user=foster_parent, action="change", detail="afspraak gedaan", object_id=ours.pk
    ).exists()
    # With htmx only the agreement comes back, marked done.
    response = client.post(done_url(late), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith(f'<li id="agreement-{late.pk}"') and "gedaan op" in body
    # Someone else's, or one no longer open: refused, logged, nothing changes.
    for refused in (theirs, ours):
        assert client.post(done_url(refused)).status_code == 403
    theirs.refresh_from_db()
    assert theirs.status == "open"
    assert AccessLogEntry.objects.filter(
        user=foster_parent, outcome="denied", object_id=theirs.pk
    ).exists()


@pytest.mark.parametrize("persona", [*PERSONAS, "other_foster_parent"])
def test_marking_an_agreement_done_answers_every_role(
    persona, matrix, placement, other_placement, request
):
    if persona == "other_foster_parent":
        request.getfixturevalue("foster_parent")
    mine, theirs = agree(placement), agree(other_placement)
    page = {"anonymous": 302}.get(persona, 403)
    own = {"foster_parent": 302, "other_foster_parent": 404}.get(persona, page)
    other = {"foster_parent": 404, "other_foster_parent": 302}.get(persona, page)
    matrix.check(
        [(persona, done_url(mine), own), (persona, done_url(theirs), other)], method="post"
    )
    if persona != "anonymous":
        matrix.check([(persona, done_url(mine), 405)])


# -- asking for a joint meeting (Advies 8) -------------------------------------------------------


def request_url(placement) -> str:
    return f"/mijn-pleeggezin/plaatsingen/{placement.pk}/overleg-aanvragen/"


def test_a_foster_parent_asks_for_a_joint_meeting_and_the_caseworker_is_told(
    client, foster_parent, placement, caseworker
):
    from placements.models import JointMeetingRequest
    from pleegzorg.models import Notification

    client.force_login(foster_parent)
    assert "Gezamenlijk overleg aanvragen" in client.get(URL).content.decode()
    response = client.post(request_url(placement), {"reason": "Het gaat slecht op school."})
    assert response.status_code == 302 and response["Location"] == URL
    item = JointMeetingRequest.objects.get()
    assert (item.placement, item.requested_by, item.recorded_by) == (
        placement,
        "foster_parents",
        foster_parent,
    )
    notice = Notification.objects.get(user=caseworker)
    assert "(pleegouder) vraagt een gezamenlijk overleg aan over Sanne" in notice.text
    assert notice.url == f"/kinderen/{placement.child_id}/"
    assert AccessLogEntry.objects.filter(
        user=foster_parent, detail="overleg aangevraagd door pleegouder"
    ).exists()
    body = client.get(URL).content.decode()
    assert "Je hebt op" in body and "aangevraagd: je pleegzorgwerker plant het" in body
    # The caseworker sees it on the file, among the requests still to plan.
    client.force_login(caseworker)
    assert (
        "Het gaat slecht op school."
        in client.get(f"/kinderen/{placement.child_id}/").content.decode()
    )


def test_a_request_without_a_reason_says_why_and_saves_nothing(client, foster_parent, placement):
    from placements.models import JointMeetingRequest

    client.force_login(foster_parent)
    response = client.post(request_url(placement), {"reason": "   "})
    assert response.status_code == 200
    assert "Schrijf op waarom je een overleg wilt." in response.content.decode()
    assert not JointMeetingRequest.objects.exists()


def test_no_request_for_a_placement_in_aftercare(client, foster_parent, placement):
    today = timezone.localdate()
    ended = PlacementFactory(
        family=placement.family,
        start_date=today - 300 * DAY,
        end_date=today - 10 * DAY,
        end_reason="return_home",
    )
    client.force_login(foster_parent)
    assert client.get(request_url(ended)).status_code == 403
    assert client.post(request_url(ended), {"reason": "Nog een keer praten"}).status_code == 403
    assert "Gezamenlijk overleg aanvragen" in client.get(URL).content.decode()  # for the other


@pytest.mark.parametrize("persona", [*PERSONAS, "other_foster_parent"])
def test_asking_for_a_meeting_answers_every_role(
    persona, matrix, placement, other_placement, request
):
    if persona == "other_foster_parent":
        request.getfixturevalue("foster_parent")
    page = {"anonymous": 302}.get(persona, 403)
    own = {"foster_parent": 200, "other_foster_parent": 404}.get(persona, page)
    other = {"foster_parent": 404, "other_foster_parent": 200}.get(persona, page)
    matrix.check(
        [(persona, request_url(placement), own), (persona, request_url(other_placement), other)]
    )


def test_an_unanswered_request_reminds_the_caseworker_and_then_the_team_lead(
    client, foster_parent, placement, caseworker, team_lead, settings
):
    import time_machine

    from placements.meetings.reminders import REQUEST_ESCALATED, REQUEST_UNANSWERED
    from pleegzorg import reminders
    from pleegzorg.models import Notification, Reminder

    settings.JOINT_REQUEST_ANSWER_DAYS, settings.MEETING_ESCALATION_DAYS = 5, 14
    client.force_login(foster_parent)
    client.post(request_url(placement), {"reason": "Het gaat slecht op school."})

    def scan_after(days: int) -> set[str]:
        moment = timezone.now() + days * DAY
        with time_machine.travel(moment, tick=False):
            reminders.reminders_scan(follow_up=False)
        return set(Reminder.objects.values_list("kind", flat=True))

    assert REQUEST_UNANSWERED not in scan_after(4)
    assert REQUEST_UNANSWERED in scan_after(5)
    notice = Notification.objects.filter(user=caseworker, text__contains="geef het een datum")
    assert notice.count() == 1
    assert REQUEST_ESCALATED not in scan_after(18)
    assert REQUEST_ESCALATED in scan_after(19)
    assert Notification.objects.filter(user=team_lead, text__contains="Nog steeds geen datum")
    assert Reminder.objects.filter(kind=REQUEST_UNANSWERED).count() == 1


def test_planning_the_joint_meeting_answers_the_request(
    client, foster_parent, placement, caseworker
):
    import datetime

    import time_machine

    from placements.meetings import services as meeting_services
    from pleegzorg import reminders
    from pleegzorg.models import Reminder

    client.force_login(foster_parent)
    client.post(request_url(placement), {"reason": "Graag een overleg."})
    day = timezone.localdate() + 3 * DAY
    meeting_services.meeting_plan(
        actor=caseworker,
        placement=placement,
        kind="joint",
        planned_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(10))),
        place="Bij het pleeggezin",
        participants=[{"party": "caseworker", "name": "Wendy", "email": ""}],
    )
    with time_machine.travel(timezone.now() + 30 * DAY, tick=False):
        reminders.reminders_scan(follow_up=False)
    assert not Reminder.objects.filter(kind__startswith="request_").exists()
    assert "aangevraagd: je pleegzorgwerker plant het" not in client.get(URL).content.decode()
