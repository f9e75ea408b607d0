"""The child file finds a child of the user's work with SQL compiled once per process
(selectors.file_child), with the ids of the user, their team and the child as parameters and
everything else the SQL depends on (the role, whether a caseworker has a team, the day,
aftercare's length) in its key; a child opened with a reason through visible_to itself. A key
that left something out would show one user a child another may see, so every test here asks
as one user first and then as another (another role, team, grant or day) and checks that the
second gets their own answer, equal to the ORM's."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from placements import permissions, selectors
from placements.factories import ParentChildFactory, PlacementFactory
from placements.models import Agreement, Child, Meeting, MeetingParticipant, Placement, VoiceNote
from pleegzorg import compiled
from pleegzorg.factories import UserFactory
from pleegzorg.models import AccessLogEntry, BreakGlassGrant, User
from pleegzorg.services import break_glass_open

REASON = "De rechtbank vraagt om het verloop van de plaatsing in 2024."


@pytest.fixture(autouse=True)
def nothing_compiled_yet():
    compiled.clear()
    yield
    compiled.clear()


def fresh(user: User) -> User:
    """The user as a new request has them (no grants of an earlier request remembered)."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def askers(caseworker, other_caseworker, team_lead, other_team, hub_home_parent, app_manager):
    teamless = UserFactory(username="zonderteam", team=None)
    return [
        caseworker,
        other_caseworker,
        teamless,
        team_lead,
        other_team.lead,
        hub_home_parent,
        app_manager,
    ]


@pytest.fixture
def children(caseworker, other_caseworker, askers):
    """A child of each caseworker (one of werker's in aftercare, one past it) and one of the
    caseworker without a team."""
    today = timezone.localdate()
    ended = {"start_date": today - dt.timedelta(days=900), "end_reason": "return_home"}
    return [
        PlacementFactory(caseworker=caseworker).child,
        PlacementFactory(
            caseworker=caseworker, end_date=today - dt.timedelta(days=30), **ended
        ).child,
        PlacementFactory(
            caseworker=caseworker, end_date=today - dt.timedelta(days=400), **ended
        ).child,
        PlacementFactory(caseworker=other_caseworker).child,
        PlacementFactory(caseworker=askers[2]).child,
    ]


def _orm_sees(user: User, child) -> bool:
    return permissions.children.visible_to(user).filter(pk=child.pk).exists()


@pytest.mark.parametrize("backwards", [False, True])
def test_every_role_finds_the_children_it_sees_after_every_other(askers, children, backwards):
    """Asked in turn (and the other way round), each user gets the children the ORM's
    visible_to gives them, whoever compiled the query before."""
    seen = []
    for user in reversed(askers) if backwards else askers:
        for child in children:
            asking = fresh(user)
            with CaptureQueriesContext(connection) as queries:
                found = selectors.file_child(asking, child.pk)
            assert (found is not None) == _orm_sees(user, child), (user.username, child.pk)
            assert found is None or found.pk == child.pk
            seen.append(found is not None)
            # A child of their work in the one compiled query: not through the fallback to
            # visible_to (which a key shared with another role would send it to).
            by_work = permissions.children.by_work(user)
            if by_work is not None and Child.objects.filter(by_work, pk=child.pk).exists():
                assert len(queries) == 1, (user.username, child.pk)
    assert any(seen) and not all(seen)


def test_a_longer_aftercare_setting_is_answered_at_once(caseworker, settings, children):
    """Aftercare's length moves the dates in the SQL: a process that compiled the lookup with
    six months answers with eighteen as soon as they are set."""
    past = children[2]  # ended 400 days ago
    assert selectors.file_child(fresh(caseworker), children[0].pk) is not None
    assert selectors.file_child(fresh(caseworker), past.pk) is None
    settings.AFTERCARE_MONTHS = 18
    asking = fresh(caseworker)
    with CaptureQueriesContext(connection) as queries:
        assert selectors.file_child(asking, past.pk).pk == past.pk
    assert len(queries) == 1


def test_a_grant_opens_the_child_for_its_holder_only(caseworker, team, children):
    closed = children[2]
    assert selectors.file_child(fresh(caseworker), closed.pk) is None
    break_glass_open(actor=caseworker, record=closed, reason=REASON)
    assert selectors.file_child(fresh(caseworker), closed.pk).pk == closed.pk
    # A colleague of the same role and team, without a grant: their own (empty) answer.
    colleague = UserFactory(username="collega", team=team)
    PlacementFactory(caseworker=colleague)
    assert selectors.file_child(fresh(colleague), closed.pk) is None
    # The grant expired: closed again for its holder too.
    grant = BreakGlassGrant.objects.get()
    with time_machine.travel(grant.valid_until + dt.timedelta(minutes=1), tick=False):
        assert selectors.file_child(fresh(caseworker), closed.pk) is None


def test_the_child_is_answered_for_the_day_asked(caseworker, children):
    in_aftercare = children[1]
    assert selectors.file_child(fresh(caseworker), in_aftercare.pk).pk == in_aftercare.pk
    later = timezone.localdate() + dt.timedelta(days=400)  # past its aftercare by then
    with mock.patch("placements.selectors.timezone.localdate", return_value=later):
        assert selectors.file_child(fresh(caseworker), in_aftercare.pk) is None
    by_work = permissions.children.by_work(caseworker, on=later)
    assert not Child.objects.filter(by_work, pk=in_aftercare.pk).exists()


def test_a_caseworker_moved_to_another_team_keeps_only_their_running_children(
    caseworker, other_team, children
):
    running, in_aftercare = children[0], children[1]
    assert selectors.file_child(fresh(caseworker), in_aftercare.pk) is not None
    User.objects.filter(pk=caseworker.pk).update(team=other_team)
    moved = fresh(caseworker)
    assert selectors.file_child(moved, running.pk).pk == running.pk
    assert selectors.file_child(moved, in_aftercare.pk) is None
    assert not _orm_sees(moved, in_aftercare)


def test_each_child_comes_with_its_own_parents_and_voice_notes(caseworker, children):
    first, second = children[0], children[1]
    mother = ParentChildFactory(child=first, relation="mother", parent__last_name="Aalst")
    father = ParentChildFactory(child=first, relation="father", parent__last_name="Zwart")
    VoiceNote.objects.create(
        child=first, said_on=timezone.localdate(), text="Ik wil blijven.", recorded_by=caseworker
    )
    file = selectors.child_file(caseworker, selectors.file_child(fresh(caseworker), first.pk))
    assert [link.pk for link in file.parent_links] == [mother.pk, father.pk]
    assert [(link.relation, link.name) for link in file.parent_links] == [
        ("moeder", str(mother.parent)),
        ("vader", str(father.parent)),
    ]
    assert [note["text"] for note in file.voice_notes] == ["Ik wil blijven."]
    other = selectors.child_file(caseworker, selectors.file_child(fresh(caseworker), second.pk))
    assert other.parent_links == [] and other.voice_notes == []
    # A child not from file_child (as the tests and other callers give it) gets the same rows.
    again = selectors.child_file(caseworker, first)
    assert again.parent_links == file.parent_links and again.voice_notes == file.voice_notes


def test_after_one_caseworker_s_file_another_gets_a_404_that_is_logged(
    caseworker, other_caseworker, client, children
):
    mine, theirs = children[0], children[3]
    ParentChildFactory(child=mine, parent__first_name="Geheim")
    client.force_login(caseworker)
    assert "Geheim" in client.get(f"/kinderen/{mine.pk}/").content.decode()
    client.force_login(other_caseworker)
    assert client.get(f"/kinderen/{mine.pk}/").status_code == 404
    denied = AccessLogEntry.objects.filter(user=other_caseworker, outcome="denied")
    assert [(e.person_id, e.action) for e in denied] == [(mine.pk, "view")]
    response = client.get(f"/kinderen/{theirs.pk}/")
    assert response.status_code == 200 and "Geheim" not in response.content.decode()
    viewed = AccessLogEntry.objects.filter(user=other_caseworker, outcome="allowed")
    assert [e.person_id for e in viewed] == [theirs.pk]


def test_past_aftercare_the_file_still_asks_for_a_reason(caseworker, client, children):
    closed = children[2]
    client.force_login(caseworker)
    response = client.get(f"/kinderen/{closed.pk}/")
    assert response.status_code == 302 and f"/toegang/pleegkind/{closed.pk}/" in response.url
    entry = AccessLogEntry.objects.get(user=caseworker, outcome="denied")
    assert (entry.person_id, entry.detail) == (closed.pk, "reden gevraagd")


def test_the_child_file_runs_at_most_8_queries(
    caseworker, client, children, django_assert_max_num_queries
):
    """Eight: the session, the user, the child with its parents and voice notes, its
    placements with the current one's meetings section, the access log, the respite stays,
    the overviews made and the notifications; however many rows each has."""
    child = children[0]
    placement = Placement.objects.get(child=child)
    for n in range(4):
        meeting = Meeting.objects.create(
            placement=placement, kind="joint", planned_at=timezone.now(), place="Utrecht"
        )
        MeetingParticipant.objects.create(meeting=meeting, name="Ria", party="parents")
        Agreement.objects.create(
            placement=placement, what="Logeren", owner="parents", due_on=timezone.localdate()
        )
        ParentChildFactory(child=child)
        VoiceNote.objects.create(
            child=child, said_on=timezone.localdate(), text="x", recorded_by=caseworker
        )
        PlacementFactory(
            child=child,
            caseworker=caseworker,
            start_date=placement.start_date - dt.timedelta(days=900 + 400 * n),
            end_date=placement.start_date - dt.timedelta(days=501 + 400 * n),
            end_reason="return_home",
        )
    client.force_login(caseworker)
    client.get(f"/kinderen/{child.pk}/")
    with django_assert_max_num_queries(8):
        response = client.get(f"/kinderen/{child.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('<blockquote class="voice">') == 4 and body.count("1 deelnemer") == 0
    assert body.count("/overleggen/") >= 4 and body.count("<strong>Logeren</strong>") == 4


def test_a_section_s_rows_are_the_html_its_template_loop_wrote():
    """section_facts writes each row as the template did: the value escaped, its line breaks
    as <br>, a dash for an empty one."""
    from django.template import Context, Template

    from placements.views.child import section_facts

    rows = [
        ("Allergieën", "noten\nen <pinda's> & melk"),
        ("School", ""),
        ("Geboortedatum", "01-02-2015"),
        ("Medicatie", None),
    ]
    loop = Template(
        "{% for label, value in rows %}"
        '<div><dt>{{ label }}</dt><dd>{{ value|default:"—"|linebreaksbr }}</dd></div>'
        "{% endfor %}"
    )
    assert section_facts(rows).replace("\n      ", "") == loop.render(Context({"rows": rows}))
