"""Who sees which case files: the policies' two answers agree, for every role."""

import pytest

from placements import permissions
from placements.models import Child, FosterFamily, Meeting, Placement
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
        ("foster_parent", False, False),  # not even their own foster child's file
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


# -- every refused access to a case file is in the access log ---------------------------------
# A record someone may not see answers 404 (get_visible_or_404 logs it); a feature their role may
# not use answers 403 (Refused, logged by RefusalLogMiddleware). Either way a denied entry.
HIDDEN_URLS = [
    ("/kinderen/{child}/", "child"),
    ("/kinderen/{child}/inzage/", "child"),
    ("/kinderen/{child}/kind/", "child"),
    ("/kinderen/{child}/zorg/wijzigen/", "child"),
    ("/kinderen/{child}/besluiten/nieuw/", "child"),
    ("/kinderen/{child}/stem/nieuw/", "child"),
    ("/kinderen/{child}/ouders/nieuw/", "child"),
    ("/kinderen/{child}/ouders/{link}/", "child"),
    ("/plaatsingen/{placement}/beeindigen/", "child"),
    ("/plaatsingen/{placement}/overdragen/", "child"),
    ("/plaatsingen/{placement}/jeugdbeschermer/", "child"),
    ("/plaatsingen/{placement}/beeindiging/", "child"),
    ("/pleeggezinnen/{family}/", "family"),
    ("/pleeggezinnen/{family}/wijzigen/", "family"),
]
ROLE_URLS = ["/caseload/", "/plaatsingen/nieuw/"]


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("url", "person"), HIDDEN_URLS)
def test_a_case_file_url_answers_404_and_logs_the_denied_attempt(
    url, person, method, other_caseworker, client, placement
):
    from placements.factories import ParentChildFactory

    link = ParentChildFactory(child=placement.child)
    url = url.format(
        child=placement.child_id, link=link.pk, placement=placement.pk, family=placement.family_id
    )
    client.force_login(other_caseworker)
    assert getattr(client, method)(url).status_code == 404
    entry = AccessLogEntry.objects.get(outcome="denied")
    subject = placement.child if person == "child" else placement.family
    assert entry.user == other_caseworker
    assert (entry.person_type.model_class(), entry.person_id) == (type(subject), subject.pk)


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("url", ROLE_URLS)
def test_a_case_file_url_answers_403_and_logs_the_denied_attempt(
    url, method, hub_home_parent, client, placement
):
    client.force_login(hub_home_parent)
    assert getattr(client, method)(url).status_code == 403
    entry = AccessLogEntry.objects.get(outcome="denied")
    assert entry.user == hub_home_parent and entry.detail == url
    assert entry.action == ("change" if method == "post" else "view")


def test_a_refused_change_from_a_service_is_logged_with_its_record(other_caseworker, placement, rf):
    """A service's refusal (a 403 a view did not foresee) reaches the log naming the record."""
    from placements import services
    from pleegzorg.middleware import RefusalLogMiddleware
    from pleegzorg.permissions import Refused

    request = rf.post("/kinderen/")
    request.user = other_caseworker
    with pytest.raises(Refused) as refusal:
        services.voice_note_add(
            actor=other_caseworker, child=placement.child, said_on=placement.start_date, text="x"
        )
    RefusalLogMiddleware(lambda request: None).process_exception(request, refusal.value)
    entry = AccessLogEntry.objects.get(outcome="denied")
    assert entry.user == other_caseworker and entry.action == "change"
    assert entry.person_id == placement.child_id and entry.object_id == placement.child_id


# -- after the ending: aftercare, past it, a reason given, a caseworker who moved ------------------


@pytest.fixture
def world_after_endings(world, caseworker, other_caseworker, team_lead, other_team):
    """Beside the running placements: werker's ended ones in aftercare and past it, a file of
    the past one opened with a reason, and a colleague who moved to the other team after their
    placements ended (with one still running)."""
    import datetime as dt

    from django.utils import timezone

    from placements.factories import PlacementFactory
    from pleegzorg.factories import UserFactory
    from pleegzorg.services import break_glass_open

    today = timezone.localdate()

    def ended(caseworker, days_ago):
        return PlacementFactory(
            caseworker=caseworker,
            start_date=today - dt.timedelta(days=days_ago + 200),
            end_date=today - dt.timedelta(days=days_ago),
            end_reason=Placement.EndReason.OTHER,
        )

    ended(caseworker, 20)
    past = ended(caseworker, 300)
    ended(other_caseworker, 400)
    break_glass_open(actor=caseworker, record=past.child, reason="Vraag van de rechtbank, 2025.")
    break_glass_open(actor=team_lead, record=past.family, reason="Vraag van de rechtbank, 2025.")
    mover = UserFactory(username="verhuisd", team=caseworker.team)
    ended(mover, 20)
    ended(mover, 300)
    PlacementFactory(caseworker=mover)
    mover.team = other_team
    mover.save(update_fields=["team"])
    for placement in Placement.objects.all():
        Meeting.objects.create(
            placement=placement, kind="joint", planned_at=timezone.now(), place="Kantoor"
        )
    return User.objects.all()


@pytest.mark.parametrize(
    "policy", ["placements_policy", "children", "families", "meetings"], ids=str
)
def test_policies_agree_after_endings_and_moves(policy, world_after_endings):
    objects = {
        "placements_policy": Placement.objects.all(),
        "children": Child.objects.all(),
        "families": FosterFamily.objects.all(),
        "meetings": Meeting.objects.all(),
    }[policy]
    agree(getattr(permissions, policy), world_after_endings, objects)


def test_the_review_policy_agrees(world_after_endings):
    from pleegzorg import permissions as core
    from pleegzorg.models import BreakGlassGrant

    agree(core.break_glass_grants, world_after_endings, BreakGlassGrant.objects.all())


def test_who_may_open_a_file_with_a_reason_is_who_answered_for_it(
    world_after_endings, caseworker, team_lead, other_caseworker
):
    from pleegzorg.models import User as Users

    mover = Users.objects.get(username="verhuisd")
    for child in Child.objects.all():
        past = child.placements.past_aftercare().first()
        for user in world_after_endings:
            expected = past is not None and (
                (user == past.caseworker and user.team_id == past.team_id)
                or (user.is_team_lead and past.team.lead_id == user.pk)
            )
            assert permissions.children.can_break_glass(user, child) == expected, (user, child)
    assert not any(permissions.children.can_break_glass(mover, c) for c in Child.objects.all())
