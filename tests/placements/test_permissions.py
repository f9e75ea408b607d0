"""Who sees which case files: the policies' two answers agree, for every role."""

import pytest

from placements import permissions
from placements.models import Child, FosterFamily, Placement
from pleegzorg.models import AccessLogEntry, User


@pytest.fixture
def world(placement, other_placement, team_lead, hub_home_parent, liaison, app_manager):
    return User.objects.all()


def agree(policy, viewers, objects):
    for viewer in viewers:
        visible = set(policy.visible_to(viewer).values_list("pk", flat=True))
        for obj in objects:
            assert policy.can_view(viewer, obj) == (obj.pk in visible), (viewer, obj)


def test_placement_policy_agrees(world):
    agree(permissions.placements_policy, world, Placement.objects.all())


def test_child_policy_agrees(world):
    agree(permissions.children, world, Child.objects.all())


def test_family_policy_agrees(world):
    agree(permissions.families, world, FosterFamily.objects.all())


@pytest.mark.parametrize(
    ("persona", "sees_own_team", "sees_other_team"),
    [
        ("caseworker", True, False),
        ("team_lead", True, False),
        ("hub_home_parent", False, False),
        ("liaison", False, False),
        ("app_manager", False, False),
        ("other_caseworker", False, True),
    ],
)
def test_who_sees_which_child(
    persona, sees_own_team, sees_other_team, request, placement, other_placement
):
    user = request.getfixturevalue(persona)
    visible = set(permissions.children.visible_to(user))
    assert (placement.child in visible) is sees_own_team
    assert (other_placement.child in visible) is sees_other_team


def test_a_team_lead_sees_in_the_access_log_who_viewed_a_child_of_their_team(
    team_lead, placement, hub_home_parent
):
    from pleegzorg import permissions as core
    from pleegzorg.audit import Action, Purpose, access_log_write

    entry = access_log_write(
        user=hub_home_parent, action=Action.VIEW, purpose=Purpose.CARE, person=placement.child
    )
    assert entry in core.access_log.visible_to(team_lead)
    assert core.access_log.can_view(team_lead, entry)
    assert AccessLogEntry.objects.count() == 1


def test_opening_a_child_in_admin_is_logged(app_manager, placement, client):
    client.force_login(app_manager)
    assert client.get(f"/beheer/placements/child/{placement.child.pk}/change/").status_code == 200
    entry = AccessLogEntry.objects.get(action="view", purpose="administration")
    assert entry.person_id == placement.child.pk
