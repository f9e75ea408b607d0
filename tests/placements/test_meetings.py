"""Start meetings (Advies 1) and joint meetings (Advies 8): pages per role and the rules."""

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.timezone import localdate

from placements.models import Agreement, Meeting, MeetingParticipant
from tests.matrix import CASE_FILE, CASEWORK


def plan(client, placement, kind="start", day=None, **extra):
    data = {
        "kind": kind,
        "day": (day or localdate() + dt.timedelta(days=5)).isoformat(),
        "time": "10:00",
        "place": "Bij het pleeggezin",
        "p-TOTAL_FORMS": 2,
        "p-INITIAL_FORMS": 0,
        "p-0-party": "foster_parents",
        "p-0-name": "Petra de Boer",
        "p-0-email": "petra@example.nl",
        "p-1-party": "caseworker",
        "p-1-name": "Wendy",
        "p-1-email": "",
        **extra,
    }
    return client.post(f"/plaatsingen/{placement.pk}/overleg/nieuw/?soort={kind}", data)


@pytest.fixture
def start_meeting(caseworker, client, placement):
    client.force_login(caseworker)
    plan(client, placement)
    return Meeting.objects.get(kind="start")


@pytest.mark.parametrize(("persona", "own", "other"), CASE_FILE)
def test_meeting_pages_answer_every_role(persona, own, other, matrix, placement, other_placement):
    mine = Meeting.objects.create(
        placement=placement, kind="joint", planned_at=timezone.now(), place="x"
    )
    theirs = Meeting.objects.create(
        placement=other_placement, kind="joint", planned_at=timezone.now(), place="x"
    )
    rows = []
    for suffix in ("overleg/nieuw/", "overleg/aanvragen/", "overlegritme/", "gesprek-met-kind/"):
        rows.append((persona, f"/plaatsingen/{placement.pk}/{suffix}", own))
        rows.append((persona, f"/plaatsingen/{other_placement.pk}/{suffix}", other))
    for suffix in ("", "agenda/", "wijzigen/"):
        rows.append((persona, f"/overleggen/{mine.pk}/{suffix}", own))
        rows.append((persona, f"/overleggen/{theirs.pk}/{suffix}", other))
    matrix.check(rows)


@pytest.mark.parametrize(("persona", "status"), CASEWORK)
def test_my_meetings_answers_every_role(persona, status, matrix):
    matrix.check([(persona, "/overleggen/", status)])


def test_a_meeting_before_the_placement_starts_is_refused_with_the_input_kept(
    caseworker, client, placement
):
    client.force_login(caseworker)
    response = plan(client, placement, day=placement.start_date - dt.timedelta(days=1))
    body = response.content.decode()
    assert "Het overleg is vóór de start van de plaatsing" in body and "Petra de Boer" in body
    assert not Meeting.objects.exists()


def test_a_participant_email_that_is_not_one_is_refused(caseworker, client, placement):
    client.force_login(caseworker)
    response = plan(client, placement, **{"p-0-email": "geen-adres"})
    assert "Voer een geldig e-mailadres in." in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_placement_has_one_start_meeting(start_meeting, client, placement):
    response = plan(client, placement)
    assert "Deze plaatsing heeft al een startgesprek." in response.content.decode()
    assert Meeting.objects.filter(kind="start").count() == 1


def test_holding_the_start_meeting_records_answers_authority_and_agreements(
    start_meeting, client, placement
):
    foster, caseworker_row = start_meeting.participants.order_by("id")
    data = {
        "version": 1,
        "held_on": localdate().isoformat(),
        "attended": [foster.pk],
        "q-foster_parents-needs_from_me": "Snel antwoord op vragen",
        "q-caseworker-hopes_for": "Openheid",
        "r-TOTAL_FORMS": 1,
        "r-INITIAL_FORMS": 1,
        "r-0-subject": "school",
        "r-0-decides": "parents",
        "a-TOTAL_FORMS": 1,
        "a-INITIAL_FORMS": 0,
        "a-0-what": "Omgangsregeling op papier",
        "a-0-owner": "",
        "a-0-due_on": localdate().isoformat(),
    }
    response = client.post(f"/overleggen/{start_meeting.pk}/", data)
    assert "Elke afspraak heeft een eigenaar nodig." in response.content.decode()
    assert Meeting.objects.get(pk=start_meeting.pk).status == "planned"
    data["a-0-owner"] = "youth_protector"
    response = client.post(f"/overleggen/{start_meeting.pk}/", data)
    assert response.status_code == 302
    meeting = Meeting.objects.get(pk=start_meeting.pk)
    assert meeting.status == "held" and meeting.answers.get(party="foster_parents").needs_from_me
    assert MeetingParticipant.objects.get(pk=foster.pk).attended
    assert not MeetingParticipant.objects.get(pk=caseworker_row.pk).attended
    assert placement.authorities.get().decides == "parents"
    assert Agreement.objects.get().owner == "youth_protector"


def test_a_joint_report_needs_the_next_date_which_schedules_the_next_meeting(
    caseworker, client, placement
):
    client.force_login(caseworker)
    plan(client, placement, kind="joint")
    meeting = Meeting.objects.get(kind="joint")
    open_agreement = Agreement.objects.create(
        placement=placement, what="Logeren regelen", owner="caseworker", due_on=localdate()
    )
    data = {
        "version": 1,
        "held_on": localdate().isoformat(),
        "going_well": "School gaat goed",
        "a-TOTAL_FORMS": 0,
        "a-INITIAL_FORMS": 0,
        "close_agreements": [open_agreement.pk],
    }
    response = client.post(f"/overleggen/{meeting.pk}/", data)
    assert "Vul in wanneer u weer evalueert" in response.content.decode()
    assert "School gaat goed" in response.content.decode()
    next_date = localdate() + dt.timedelta(weeks=13)
    response = client.post(
        f"/overleggen/{meeting.pk}/", {**data, "next_date": next_date.isoformat()}
    )
    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.next_joint_meeting_on == next_date
    following = Meeting.objects.get(kind="joint", status="planned")
    assert timezone.localdate(following.planned_at) == next_date
    assert following.participants.count() == 2
    assert Agreement.objects.get(pk=open_agreement.pk).status == "done"


def test_a_request_needs_a_reason_and_planning_answers_it(caseworker, client, placement):
    client.force_login(caseworker)
    url = f"/plaatsingen/{placement.pk}/overleg/aanvragen/"
    response = client.post(url, {"requested_by": "foster_parents", "reason": ""})
    assert "Schrijf op waarom het overleg nodig is." in response.content.decode()
    response = client.post(url, {"requested_by": "foster_parents", "reason": "Zorgen over bezoek"})
    assert response["Location"].endswith("?soort=joint")
    plan(client, placement, kind="joint")
    assert placement.meeting_requests.get().meeting is not None


def test_few_conversations_with_the_child_are_flagged_on_the_file(caseworker, client, placement):
    client.force_login(caseworker)
    body = client.get(f"/kinderen/{placement.child_id}/").content.decode()
    assert "Maar 0 gesprekken met het kind" in body
    assert "Er is nog geen startgesprek gehouden" in body
    for days in (10, 100, 200):
        client.post(
            f"/plaatsingen/{placement.pk}/gesprek-met-kind/",
            {"contact_on": (localdate() - dt.timedelta(days=days)).isoformat()},
        )
    body = client.get(f"/kinderen/{placement.child_id}/").content.decode()
    assert "gesprekken met het kind in de afgelopen" not in body


def test_a_placement_without_a_start_meeting_needs_attention_on_the_caseload(
    caseworker, client, placement
):
    client.force_login(caseworker)
    response = client.get("/caseload/", {"attention": "on"})
    assert placement in response.context["page"].object_list


def test_my_meetings_runs_a_fixed_number_of_queries(
    caseworker, client, django_assert_max_num_queries
):
    from placements.factories import PlacementFactory

    for placement in PlacementFactory.create_batch(12, caseworker=caseworker):
        Meeting.objects.create(
            placement=placement,
            kind="joint",
            planned_at=timezone.now() + dt.timedelta(days=3),
            place="x",
        )
        Meeting.objects.create(
            placement=placement,
            kind="start",
            planned_at=timezone.now() - dt.timedelta(days=3),
            place="x",
        )
    client.force_login(caseworker)
    # + 1 for the unread count of the notification bell in the header, + 1 for the files the
    # caseworker opened with a reason (read once, as a list: pleegzorg.permissions)
    with django_assert_max_num_queries(11):
        body = client.get("/overleggen/").content.decode()
    assert body.count("nog geen verslag") == 12


def test_opening_a_meeting_is_logged(caseworker, client, placement):
    from pleegzorg.models import AccessLogEntry

    meeting = Meeting.objects.create(
        placement=placement, kind="joint", planned_at=timezone.now(), place="x"
    )
    client.force_login(caseworker)
    client.get(f"/overleggen/{meeting.pk}/")
    entry = AccessLogEntry.objects.get(action="view", object_id=meeting.pk)
    assert entry.person_id == placement.child_id


def test_a_child_under_three_gets_joint_meetings_every_six_weeks(caseworker, family):
    from placements.factories import ChildFactory
    from tests.placements.test_rules import start

    baby = ChildFactory(date_of_birth=localdate() - dt.timedelta(days=400))
    older = ChildFactory(date_of_birth=localdate() - dt.timedelta(days=3000))
    assert start(caseworker, baby, family).joint_meeting_interval_weeks == 6
    assert start(caseworker, older, family).joint_meeting_interval_weeks == 13


def cadence(client, placement, **data):
    data = {"version": placement.version, "interval_weeks": 6, **data}
    return client.post(f"/plaatsingen/{placement.pk}/overlegritme/", data)


def test_the_caseworker_sets_how_often_joint_meetings_take_place(caseworker, client, placement):
    client.force_login(caseworker)
    day = localdate() + dt.timedelta(days=20)
    response = cadence(client, placement, next_date=day.isoformat())
    assert response.status_code == 302
    placement.refresh_from_db()
    assert (placement.joint_meeting_interval_weeks, placement.next_joint_meeting_on) == (6, day)
    body = client.get(f"/kinderen/{placement.child_id}/").content.decode()
    assert "elke 6 weken" in body


def test_a_next_joint_meeting_in_the_past_is_refused_with_the_input_kept(
    caseworker, client, placement
):
    client.force_login(caseworker)
    before = (placement.joint_meeting_interval_weeks, placement.next_joint_meeting_on)
    response = cadence(client, placement, interval_weeks=26, next_date="2020-01-01")
    body = response.content.decode()
    assert "Het volgende gezamenlijk overleg kan niet in het verleden liggen." in body
    assert 'value="26" selected' in body
    placement.refresh_from_db()
    assert (placement.joint_meeting_interval_weeks, placement.next_joint_meeting_on) == before


def test_a_stale_cadence_form_is_told_and_saves_nothing(caseworker, client, placement):
    client.force_login(caseworker)
    version = placement.version
    cadence(client, placement, next_date=(localdate() + dt.timedelta(days=9)).isoformat())
    response = cadence(
        client, placement, version=version, interval_weeks=26, next_date=localdate().isoformat()
    )
    assert "Iemand anders heeft dit intussen gewijzigd" in response.content.decode()
    placement.refresh_from_db()
    assert placement.joint_meeting_interval_weeks == 6


def test_a_planned_joint_meeting_keeps_its_date_when_the_cadence_changes(
    caseworker, client, placement
):
    client.force_login(caseworker)
    plan(client, placement, kind="joint", day=localdate() + dt.timedelta(days=30))
    placement.refresh_from_db()
    response = client.get(f"/plaatsingen/{placement.pk}/overlegritme/")
    assert 'name="next_date"' not in response.content.decode()
    cadence(client, placement, interval_weeks=8, next_date=localdate().isoformat())
    placement.refresh_from_db()
    assert placement.joint_meeting_interval_weeks == 8
    assert placement.next_joint_meeting_on == localdate() + dt.timedelta(days=30)


def move(client, meeting, day, **extra):
    data = {
        "version": meeting.version,
        "day": day.isoformat(),
        "time": "14:30",
        "place": "Op kantoor",
        **extra,
    }
    return client.post(f"/overleggen/{meeting.pk}/wijzigen/", data)


def test_moving_a_joint_meeting_moves_the_next_date_and_invites_again(
    caseworker, client, placement
):
    client.force_login(caseworker)
    plan(client, placement, kind="joint", day=localdate() + dt.timedelta(days=30))
    meeting = Meeting.objects.get()
    response = move(client, meeting, localdate() + dt.timedelta(days=3))
    assert response.status_code == 302
    meeting.refresh_from_db()
    placement.refresh_from_db()
    assert timezone.localtime(meeting.planned_at).strftime("%H:%M") == "14:30"
    assert meeting.place == "Op kantoor" and meeting.version == 2
    assert placement.next_joint_meeting_on == localdate() + dt.timedelta(days=3)


def test_a_meeting_moved_into_the_past_or_from_a_stale_form_saves_nothing(
    caseworker, client, placement
):
    client.force_login(caseworker)
    start_day = localdate() + dt.timedelta(days=30)
    plan(client, placement, kind="joint", day=start_day)
    meeting = Meeting.objects.get()
    body = move(client, meeting, localdate() - dt.timedelta(days=3)).content.decode()
    assert "Het nieuwe moment ligt in het verleden." in body and "Op kantoor" in body
    body = move(client, meeting, localdate() + dt.timedelta(days=3), version=0).content.decode()
    assert "Iemand anders heeft dit intussen gewijzigd" in body
    meeting.refresh_from_db()
    assert timezone.localdate(meeting.planned_at) == start_day and meeting.version == 1


def test_cancelling_the_next_joint_meeting_leaves_the_placement_without_a_date(
    caseworker, client, placement
):
    client.force_login(caseworker)
    plan(client, placement, kind="joint", day=localdate() + dt.timedelta(days=30))
    meeting = Meeting.objects.get()
    response = client.post(
        f"/overleggen/{meeting.pk}/wijzigen/", {"version": meeting.version, "cancel": "1"}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    placement.refresh_from_db()
    assert meeting.status == "cancelled" and placement.next_joint_meeting_on is None
    body = client.get(f"/overleggen/{meeting.pk}/wijzigen/").content.decode()
    assert "kan niet meer worden verplaatst" in body


def test_the_meetings_section_lists_each_placements_own_rows(caseworker):
    """meetings_of compiles its query once (pleegzorg.compiled.instances) and runs it with
    each placement's id: the second placement gets its own rows, fresh, never the first's."""
    from placements.factories import PlacementFactory
    from placements.meetings.selectors import meetings_of
    from placements.models import ChildContact

    first, second = PlacementFactory.create_batch(2, caseworker=caseworker)
    soon = timezone.now() + dt.timedelta(days=3)
    held = Meeting.objects.create(placement=first, kind="start", planned_at=soon, place="x")
    MeetingParticipant.objects.create(meeting=held, name="Ria", party="foster_parents")
    Meeting.objects.create(
        placement=first, kind="joint", planned_at=soon, place="y", status="cancelled"
    )
    Agreement.objects.create(
        placement=first, what="Logeren", owner="caseworker", due_on=localdate()
    )
    for days in range(12):
        ChildContact.objects.create(
            placement=first, contact_on=localdate() - dt.timedelta(days=days), caseworker=caseworker
        )

    section = meetings_of(first)
    assert [m["id"] for m in section["meetings"]] == [held.pk]  # not the cancelled one
    assert section["meetings"][0]["participant_count"] == 1
    assert [a["what"] for a in section["agreements"]] == ["Logeren"]
    assert section["contacts_last_year"] == 12 and not section["too_few_contacts"]

    assert all(not rows for key, rows in meetings_of(second).items() if isinstance(rows, list))
    later = Meeting.objects.create(placement=second, kind="joint", planned_at=soon, place="z")
    assert [m["id"] for m in meetings_of(second)["meetings"]] == [later.pk]


def test_the_child_file_s_meetings_section_is_the_one_meetings_of_reads_itself(caseworker):
    """The child file's placements query carries the rows of the meetings section and its
    flags (meetings_of reads them from the placement): the same as meetings_of asks for
    when given a plain placement."""
    from placements import selectors
    from placements.factories import PlacementFactory
    from placements.meetings.models import JointMeetingRequest, RoleAuthority
    from placements.meetings.selectors import MEETING_FLAGS, meeting_flags, meetings_of
    from placements.models import Placement

    placement = PlacementFactory(caseworker=caseworker)
    soon = timezone.now() + dt.timedelta(days=3)
    for kind, status in [("start", "held"), ("joint", "planned"), ("joint", "cancelled")]:
        held_on = localdate() if status == "held" else None
        meeting = Meeting.objects.create(
            placement=placement,
            kind=kind,
            planned_at=soon,
            place="x",
            status=status,
            held_on=held_on,
        )
        MeetingParticipant.objects.create(meeting=meeting, name="Ria", party="foster_parents")
        soon -= dt.timedelta(days=30)
    Agreement.objects.create(placement=placement, what="A", owner="caseworker", due_on=localdate())
    RoleAuthority.objects.create(placement=placement, subject="school", decides="parents")
    JointMeetingRequest.objects.create(
        placement=placement,
        requested_by="foster_parents",
        reason="Zorgen",
        requested_on=localdate(),
        recorded_by=caseworker,
    )
    file = selectors.child_file(caseworker, placement.child)
    carried = meetings_of(file.current)
    assert carried == meetings_of(Placement.objects.get(pk=placement.pk))
    assert [m["status"] for m in carried["meetings"]] == ["held", "planned"]  # newest first
    assert [m["participant_count"] for m in carried["meetings"]] == [1, 1]
    assert carried["start_meeting_held"] and len(carried["requests"]) == 1
    assert list(meeting_flags(localdate())) == list(MEETING_FLAGS)
