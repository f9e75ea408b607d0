"""'Mijn overleggen' runs SQL compiled once per process (placements.meetings.selectors), with the
user's id as its parameter and the rest of its shape (role, team, opened files, today) in its
key. A key that left something out would show one user another's meetings, so each test asks as
one user first and then as others, and holds every answer equal to the ORM's, built afresh."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from placements.factories import PlacementFactory
from placements.meetings import selectors
from placements.models import Child, Meeting
from pleegzorg import compiled
from pleegzorg.factories import UserFactory
from pleegzorg.models import BreakGlassGrant, User
from pleegzorg.permissions import granted_id_list

DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def nothing_compiled_yet():
    compiled.clear()
    yield
    compiled.clear()


def fresh(user: User) -> User:
    """The user as a new request has them (nothing of an earlier request remembered)."""
    return User.objects.get(pk=user.pk)


def ids(lists: dict) -> dict[str, list[int]]:
    return {name: [row.pk for row in rows] for name, rows in lists.items()}


def by_the_orm(user: User) -> dict[str, list[int]]:
    """The four lists as the querysets answer them, built for this user alone."""
    granted = tuple(granted_id_list(user, Child))
    today = timezone.localdate()
    return {
        name: [
            row.pk for row in selectors._my_meetings(name, user, granted, today, user_id=user.pk)
        ]
        for name in selectors.MY_MEETINGS
    }


@pytest.fixture
def placements(caseworker, other_caseworker):
    """A placement of each caseworker (in two teams), each with a meeting to come and one whose
    day has passed without a report, and neither with a start meeting held (overdue)."""
    made = {}
    for owner in (caseworker, other_caseworker):
        placement = PlacementFactory(caseworker=owner)
        for days in (3, -3):
            Meeting.objects.create(
                placement=placement,
                kind="joint",
                planned_at=timezone.now() + days * DAY,
                place="x",
            )
        made[owner.username] = placement
    return made


def test_each_user_gets_their_own_meetings_from_the_same_compiled_query(
    caseworker, other_caseworker, team_lead, team, placements
):
    colleague = UserFactory(team=team, role=User.Role.CASEWORKER)
    mine = placements[caseworker.username]
    theirs = placements[other_caseworker.username]
    seen = {}
    for user in (caseworker, other_caseworker, team_lead, colleague, caseworker):
        answer = ids(selectors.my_meetings(fresh(user)))
        assert answer == by_the_orm(fresh(user)), user.username
        seen[user.username] = answer
    assert compiled.size() > 0
    own_meetings = {m.pk for m in mine.meetings.all()}
    assert (
        set(seen[caseworker.username]["upcoming"])
        | set(seen[caseworker.username]["without_report"])
        == own_meetings
    )
    assert seen[caseworker.username]["start_overdue"] == [mine.pk]
    assert seen[other_caseworker.username]["start_overdue"] == [theirs.pk]
    assert seen[team_lead.username]["start_overdue"] == [mine.pk]  # the team's, not the other
    assert seen[colleague.username] == {name: [] for name in selectors.MY_MEETINGS}


def test_now_is_the_databases_at_each_run_not_the_first_requests(caseworker, placements):
    mine = placements[caseworker.username]
    selectors.my_meetings(fresh(caseworker))
    soon = Meeting.objects.create(
        placement=mine, kind="joint", planned_at=timezone.now() - dt.timedelta(seconds=1), place="x"
    )
    answer = ids(selectors.my_meetings(fresh(caseworker)))
    assert soon.pk in answer["without_report"]
    assert soon.pk not in answer["upcoming"]


def test_a_file_opened_with_a_reason_is_part_of_the_key(
    caseworker, other_caseworker, team, placements
):
    """A colleague who opened the other caseworker's child with a reason sees what the ORM
    says they see; one who did not, asking next with the same role and team, does not."""
    theirs = placements[other_caseworker.username]
    opener = UserFactory(team=team, role=User.Role.CASEWORKER)
    other = UserFactory(team=team, role=User.Role.CASEWORKER)
    BreakGlassGrant.objects.create(
        user=opener,
        record_type=ContentType.objects.get_for_model(Child),
        record_id=theirs.child_id,
        record_label="x",
        reason="Een vraag van de rechter",
        valid_until=timezone.now() + DAY,
    )
    first = ids(selectors.my_meetings(fresh(opener)))
    assert first == by_the_orm(fresh(opener))
    assert first["start_overdue"] == [theirs.pk]
    assert ids(selectors.my_meetings(fresh(other))) == {name: [] for name in selectors.MY_MEETINGS}


def test_a_caseworker_of_another_team_gets_their_own_query(caseworker, other_team, placements):
    """The team a caseworker is in is part of the rule (their ended placements stay visible only
    in that team): after a move the answer is still the ORM's."""
    before = ids(selectors.my_meetings(fresh(caseworker)))
    User.objects.filter(pk=caseworker.pk).update(team=other_team)
    after = ids(selectors.my_meetings(fresh(caseworker)))
    assert after == by_the_orm(fresh(caseworker))
    assert after == before  # running placements stay theirs


def test_the_role_is_part_of_the_key(caseworker, team_lead, team, placements):
    """A team lead in the same team as a caseworker without placements, asking next, gets their
    team's meetings, not the caseworker's rule with the lead's id."""
    User.objects.filter(pk=team_lead.pk).update(team=team)
    colleague = UserFactory(team=team, role=User.Role.CASEWORKER)
    assert ids(selectors.my_meetings(fresh(colleague))) == {n: [] for n in selectors.MY_MEETINGS}
    lead = ids(selectors.my_meetings(fresh(team_lead)))
    assert lead == by_the_orm(fresh(team_lead))
    assert lead["start_overdue"] == [placements[caseworker.username].pk]
