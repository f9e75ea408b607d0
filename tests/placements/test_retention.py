"""Case files unchanged for 20 years: listed for the application manager's review, deleted only
when a person confirms, and the deletion logged by number (the log entries outlive the file)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from constellations.factories import GatheringFactory, RespiteStayFactory
from constellations.models import Attendance, RespiteStay
from placements.factories import ChildFactory, ParentChildFactory, PlacementFactory
from placements.models import (
    Agreement,
    CaseworkerAssignment,
    Child,
    ChildContact,
    Decision,
    JointMeetingRequest,
    Meeting,
    Parent,
    ParentChild,
    Placement,
    VoiceNote,
)
from placements.retention import services
from placements.retention.selectors import review
from pleegzorg.audit import Action, Purpose
from pleegzorg.models import AccessLogEntry
from pleegzorg.permissions import Refused

LIST = "/bewaartermijn/"
TODAY = timezone.localdate()
LONG_AGO = TODAY.replace(year=TODAY.year - 21)  # ended 21 years ago
RECENT = TODAY - dt.timedelta(days=30)


def moment(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def age_file(child: Child, day: dt.date = LONG_AGO) -> Child:
    """Make every row of the child's file look written on ``day``, its placements ended then."""
    Child.objects.filter(pk=child.pk).update(updated_at=moment(day))
    placements = Placement.objects.filter(child=child)
    start = day - dt.timedelta(days=400)
    placements.update(
        start_date=start,
        end_date=day,
        end_reason=Placement.EndReason.RETURN_HOME,
        updated_at=moment(day),
        created_at=moment(start),
    )
    CaseworkerAssignment.objects.filter(placement__child=child).update(
        start_date=start, end_date=day, created_at=moment(start)
    )
    Parent.objects.filter(child_links__child=child).update(updated_at=moment(day))
    return child


@pytest.fixture
def old_file(caseworker):
    """Sanne's file, last changed 21 years ago: one placement and her mother Ria, who has no
    other child here."""
    placement = PlacementFactory(
        caseworker=caseworker, child__first_name="Sanne", child__last_name="Oudhof"
    )
    ParentChildFactory(child=placement.child, parent__first_name="Ria", parent__last_name="Oudhof")
    return age_file(placement.child)


@pytest.fixture
def recent_file(caseworker):
    return PlacementFactory(caseworker=caseworker, child__first_name="Daan").child


def due() -> set[int]:
    return set(Child.objects.due_for_review().values_list("pk", flat=True))


# -- what "changed" means ------------------------------------------------------------------------


def test_a_file_unchanged_for_twenty_years_is_due_and_a_younger_one_is_not(old_file, recent_file):
    nineteen = age_file(
        PlacementFactory(child__first_name="Mila").child, TODAY.replace(year=TODAY.year - 19)
    )
    assert due() == {old_file.pk}
    assert nineteen.pk not in due()


def test_a_file_with_a_running_placement_is_never_due(old_file):
    Placement.objects.filter(child=old_file).update(end_date=None, end_reason="")
    assert due() == set()


def test_the_period_comes_from_the_setting(old_file, settings):
    settings.CASE_FILE_RETENTION_YEARS = 25
    assert due() == set()


def _add_meeting(child):
    placement = child.placements.get()
    return Meeting.objects.create(
        placement=placement, kind="joint", planned_at=moment(LONG_AGO), place="Kantoor"
    )


RECENT_CHANGES = {
    "child": lambda c: Child.objects.filter(pk=c.pk).update(updated_at=moment(RECENT)),
    "parent": lambda c: Parent.objects.filter(child_links__child=c).update(
        updated_at=moment(RECENT)
    ),
    "voice note": lambda c: VoiceNote.objects.create(
        child=c, said_on=LONG_AGO, text="Ik wil bij oma wonen", recorded_by=_someone(c)
    ),
    "meeting": lambda c: Meeting.objects.filter(pk=_add_meeting(c).pk).update(
        updated_at=moment(RECENT)
    ),
    "agreement": lambda c: Agreement.objects.create(
        placement=c.placements.get(), what="Zwemles", owner="caseworker", due_on=LONG_AGO
    ),
    "decision": lambda c: Decision.objects.create(
        placement=c.placements.get(),
        decided_on=LONG_AGO,
        subject="School",
        decided_by="jeugdbeschermer",
        reason="x",
        recorded_by=_someone(c),
    ),
    "conversation": lambda c: ChildContact.objects.create(
        placement=c.placements.get(), contact_on=RECENT, caseworker=_someone(c)
    ),
    "meeting request": lambda c: JointMeetingRequest.objects.create(
        placement=c.placements.get(),
        requested_by="parents",
        reason="x",
        requested_on=RECENT,
        recorded_by=_someone(c),
    ),
    "caseworker history": lambda c: CaseworkerAssignment.objects.filter(placement__child=c).update(
        end_date=RECENT
    ),
    "respite stay": lambda c: RespiteStay.objects.filter(
        pk=_stay(c, arrival=LONG_AGO - dt.timedelta(days=10)).pk
    ).update(updated_at=moment(RECENT)),
    "gathering attended": lambda c: Attendance.objects.create(
        gathering=GatheringFactory(date=RECENT), who="foster_child", child=c
    ),
}


def _someone(child):
    return child.placements.get().caseworker


def _stay(child, *, arrival):
    return RespiteStayFactory(child=child, arrival=arrival)


@pytest.mark.parametrize("part", list(RECENT_CHANGES))
def test_a_recent_change_in_any_part_of_the_file_keeps_it(old_file, part):
    RECENT_CHANGES[part](old_file)
    assert old_file.pk not in due(), f"a recent {part} should count as a change of the file"


def test_the_day_of_the_last_change_is_the_latest_part(old_file):
    later = LONG_AGO + dt.timedelta(days=40)
    ChildContact.objects.create(
        placement=old_file.placements.get(), contact_on=later, caseworker=_someone(old_file)
    )
    (file,) = Child.objects.due_for_review()
    assert file.file_changed_on == later


# -- who may see the review ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("caseworker", 403),
        ("team_lead", 403),
        ("hub_home_parent", 403),
        ("liaison", 403),
        ("app_manager", 200),
        ("foster_parent", 403),
        ("anonymous", 302),
    ],
)
def test_the_review_pages_answer_every_role(persona, status, matrix, old_file, recent_file):
    not_due = 404 if persona == "app_manager" else status
    matrix.check(
        [
            (persona, LIST, status),
            (persona, f"{LIST}{old_file.pk}/", status),
            (persona, f"{LIST}{recent_file.pk}/", not_due),
        ]
    )


def test_review_policy_queryset_and_object_check_agree(
    old_file, recent_file, app_manager, caseworker
):
    for user in (app_manager, caseworker):
        visible = set(review.visible_to(user).values_list("pk", flat=True))
        assert {c.pk for c in (old_file, recent_file) if review.can_view(user, c)} == visible


def test_the_list_shows_each_file_with_its_last_change_and_is_logged(old_file, app_manager, client):
    client.force_login(app_manager)
    body = client.get(LIST).content.decode()
    assert "Bewaartermijn: dossiers om te beoordelen" in body
    assert "1 dossier om te beoordelen" in body
    assert "Sanne Oudhof" in body and LONG_AGO.strftime("%d-%m-%Y") in body
    entry = AccessLogEntry.objects.filter(user=app_manager).latest("at")
    assert entry.purpose == Purpose.ADMINISTRATION and "bewaartermijn" in entry.detail


def test_the_list_says_what_to_expect_when_nothing_is_due(recent_file, app_manager, client):
    client.force_login(app_manager)
    body = client.get(LIST).content.decode()
    assert "Er zijn geen dossiers om te beoordelen" in body


def test_the_list_runs_a_fixed_number_of_queries_over_more_than_a_page(
    app_manager, client, caseworker, django_assert_max_num_queries
):
    for n in range(55):
        placement = PlacementFactory(caseworker=caseworker, child__first_name=f"Kind{n}")
        age_file(placement.child, LONG_AGO - dt.timedelta(days=n))
    client.force_login(app_manager)
    with django_assert_max_num_queries(15):
        first = client.get(LIST)
    with django_assert_max_num_queries(15):
        second = client.get(LIST, {"pagina": 2})
    assert "55 dossiers om te beoordelen" in first.content.decode()
    assert len(re.findall(r'href="/bewaartermijn/\d+/"', second.content.decode())) == 5


def test_the_menu_and_start_page_offer_it_to_the_application_manager_only(
    app_manager, caseworker, client
):
    client.force_login(app_manager)
    assert 'href="/bewaartermijn/"' in client.get("/").content.decode()
    client.force_login(caseworker)
    assert 'href="/bewaartermijn/"' not in client.get("/").content.decode()


# -- deleting, confirmed -------------------------------------------------------------------------


def test_deleting_needs_the_confirmation_and_keeps_everything_without_it(
    old_file, app_manager, client
):
    client.force_login(app_manager)
    response = client.post(f"{LIST}{old_file.pk}/", {})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Vink het vakje aan om te bevestigen dat u dit dossier hebt beoordeeld." in body
    assert Child.objects.filter(pk=old_file.pk).exists()
    assert not AccessLogEntry.objects.filter(action=Action.DELETE).exists()


def test_a_confirmed_deletion_removes_the_whole_file_and_logs_it_by_number(
    old_file, app_manager, client
):
    placement = old_file.placements.get()
    mother = Parent.objects.get(child_links__child=old_file)
    sibling = ChildFactory(first_name="Broer")
    father = ParentChildFactory(child=old_file, parent__first_name="Henk").parent
    ParentChildFactory(child=sibling, parent=father)
    meeting = _add_meeting(old_file)
    stay = _stay(old_file, arrival=LONG_AGO - dt.timedelta(days=10))
    RespiteStay.objects.filter(pk=stay.pk).update(updated_at=moment(LONG_AGO))
    Attendance.objects.create(
        gathering=GatheringFactory(date=LONG_AGO), who="foster_child", child=old_file
    )
    age_file(old_file)  # the father and the meeting were written today
    Meeting.objects.filter(pk=meeting.pk).update(updated_at=moment(LONG_AGO))
    client.force_login(app_manager)
    page = client.get(f"{LIST}{old_file.pk}/").content.decode()
    assert "wordt met dit dossier vernietigd" in page and "blijft" in page

    response = client.post(f"{LIST}{old_file.pk}/", {"confirmed": "on"}, follow=True)

    assert f"In de inzagelog staat dit als ‘pleegkind {old_file.pk}’" in response.content.decode()
    assert not Child.objects.filter(pk=old_file.pk).exists()
    assert not Placement.objects.filter(pk=placement.pk).exists()
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    assert not RespiteStay.objects.filter(pk=stay.pk).exists()
    assert not Attendance.objects.filter(child_id=old_file.pk).exists()
    assert not Parent.objects.filter(pk=mother.pk).exists()
    # The father has another child: his record stays, with that child.
    assert ParentChild.objects.filter(parent=father, child=sibling).exists()

    deletions = AccessLogEntry.objects.filter(action=Action.DELETE).order_by("pk")
    assert [(e.object_label, e.object_id, e.user_id) for e in deletions] == [
        (f"pleegkind {old_file.pk}", old_file.pk, app_manager.pk),
        (f"ouder {mother.pk}", mother.pk, app_manager.pk),
    ]
    for entry in deletions:
        text = " ".join([entry.person_label, entry.object_label, entry.detail])
        assert "Sanne" not in text and "Oudhof" not in text and "Ria" not in text
        assert entry.purpose == Purpose.ADMINISTRATION
    assert "laatst gewijzigd " + LONG_AGO.strftime("%d-%m-%Y") in deletions[0].detail


def test_a_file_that_changed_after_the_page_was_shown_is_not_deleted(old_file, app_manager, client):
    client.force_login(app_manager)
    client.get(f"{LIST}{old_file.pk}/")
    # Meanwhile, the page's child is fetched again on the post: a change in between (a new
    # conversation) takes the file out of the review, and the post answers 404.
    ChildContact.objects.create(
        placement=old_file.placements.get(), contact_on=RECENT, caseworker=_someone(old_file)
    )
    assert client.post(f"{LIST}{old_file.pk}/", {"confirmed": "on"}).status_code == 404
    assert Child.objects.filter(pk=old_file.pk).exists()


def test_the_service_checks_the_file_again_under_its_lock(old_file, app_manager):
    """A change that lands between the page's check and the deletion's (here: after the view
    fetched the child) is seen under the lock: refused, nothing deleted."""
    from django.core.exceptions import ValidationError

    fetched = Child.objects.get(pk=old_file.pk)
    Child.objects.filter(pk=old_file.pk).update(updated_at=timezone.now())
    with pytest.raises(ValidationError, match="intussen gewijzigd"):
        services.case_file_delete(actor=app_manager, child=fetched, confirmed=True)
    assert Child.objects.filter(pk=old_file.pk).exists()


def test_only_an_application_manager_may_delete_a_file(old_file, team_lead):
    with pytest.raises(Refused):
        services.case_file_delete(actor=team_lead, child=old_file, confirmed=True)
    assert Child.objects.filter(pk=old_file.pk).exists()


def test_beheer_cannot_delete_a_child_or_a_placement(old_file, app_manager, client):
    client.force_login(app_manager)
    placement = old_file.placements.get()
    assert client.get(f"/beheer/placements/child/{old_file.pk}/delete/").status_code == 403
    assert client.get(f"/beheer/placements/placement/{placement.pk}/delete/").status_code == 403
