"""The constellation pages run SQL compiled once per process (pleegzorg.compiled,
pleegzorg.request_queries), with ids as its parameters and everything else it depends on (the
role, the day) in its key. A key that left something out would show
one user what another may see, so every test here asks as one user first and then as another
(another role, another constellation, other regions, another day) and checks that the second
gets their own answer: a 404, or their own rows, never the first's. Each also holds the
compiled answer equal to the ORM's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType

from constellations import selectors
from constellations.factories import (
    BedFactory,
    ConstellationFactory,
    GatheringFactory,
    HubHomeFactory,
    MembershipFactory,
    RespiteStayFactory,
)
from constellations.fidelity import views as fidelity_views
from constellations.models import Constellation, ParentParticipation, SupportContact
from constellations.permissions import (
    _hub_constellation_ids,
    _region_ids,
    constellations,
    member_children,
)
from placements.factories import (
    FosterFamilyFactory,
    FosterParentFactory,
    ParentFactory,
    PlacementFactory,
)
from pleegzorg import compiled, request_queries
from pleegzorg.factories import RegionFactory
from pleegzorg.models import AccessLogEntry, User

DAY = dt.timedelta(days=1)

# Everyone who could ask, in an order where each role follows another; app managers see none.
ASKERS = (
    "liaison",
    "other_liaison",
    "hub_home_parent",
    "other_hub_home_parent",
    "team_lead",
    "other_region_lead",
    "other_team_lead",
    "caseworker",
    "other_caseworker",
    "idle_caseworker",
    "former_caseworker",
    "app_manager",
)


@pytest.fixture(autouse=True)
def nothing_compiled_yet():
    compiled.clear()
    request_queries.clear()
    yield
    compiled.clear()
    request_queries.clear()


def fresh(user: User) -> User:
    """The user as a new request has them (nothing of an earlier request remembered)."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def world(
    constellation,
    beds,
    member_families,
    placed_child,
    others_child,
    other_constellation,
    today,
):
    """Both constellations with members (with foster parents), a gathering, a support contact,
    a parent taking part, a child placed in a member family and a stay this week."""
    theirs = other_constellation
    their_family = theirs.memberships.get().family
    their_child = PlacementFactory(family=their_family, child__first_name="Ties").child
    their_bed = theirs.hub.beds.get()
    for c, family, name in [
        (constellation, member_families[0], "Utrecht"),
        (theirs, their_family, "Zwolle"),
    ]:
        FosterParentFactory(family=family, first_name=f"Pleegouder{name}", phone=f"06{len(name)}")
        GatheringFactory(constellation=c, date=today - 3 * DAY, place=f"Huiskamer {name}")
        SupportContact.objects.create(
            constellation=c, family=family, date=today - 2 * DAY, kind="phone", note=name
        )
        ParentParticipation.objects.create(
            constellation=c, parent=ParentFactory(last_name=f"Ouder{name}"), since=today - 9 * DAY
        )
    monday = selectors.week_start(today)
    return {
        "ours": constellation,
        "theirs": theirs,
        "our_stay": RespiteStayFactory(
            bed=beds[0], child=placed_child, arrival=monday, departure=monday + 2 * DAY
        ),
        "noor_stay": RespiteStayFactory(
            bed=beds[1], child=others_child, arrival=monday, departure=monday + 3 * DAY
        ),
        "their_stay": RespiteStayFactory(
            bed=their_bed, child=their_child, arrival=monday, departure=monday + 2 * DAY
        ),
        "their_child": their_child,
    }


# -- who sees which constellation -------------------------------------------------------------


def _visible(user: User, constellation: Constellation, today, *, page: bool) -> bool:
    found = selectors.visible_constellation(fresh(user), constellation.pk, on=today, page=page)
    if found is not None:
        assert (found.pk, found.name) == (constellation.pk, constellation.name)
        assert found.region == constellation.region and found.liaison == constellation.liaison
    return found is not None


def test_every_role_finds_the_constellations_it_sees_after_every_other(request, world, today):
    """Asked in turn (and again the other way round, the queries compiled by the others), each
    user finds exactly the constellations ``visible_to`` gives them, with the page's reading
    and without."""
    users = {name: request.getfixturevalue(name) for name in ASKERS}
    seen = {True: 0, False: 0}
    for order in (ASKERS, ASKERS[::-1]):
        for name in order:
            user = users[name]
            for constellation in (world["ours"], world["theirs"]):
                expected = constellations.visible_to(user).filter(pk=constellation.pk).exists()
                for page in (True, False):
                    assert _visible(user, constellation, today, page=page) == expected, (
                        name,
                        constellation.name,
                        page,
                    )
                seen[expected] += 1
    assert seen[True] and seen[False]


def test_the_compiled_key_says_whether_the_rule_holds_the_user_s_id(request, world, today):
    """Where the key says the user's id is no parameter, the rule does not read it; where it
    says it is (every role that sees any, the team lead's regions read by their id), the rule
    changes with it."""
    for name in ASKERS:
        user = request.getfixturevalue(name)
        shape = constellations.compiled_key(user, today)
        if shape is None:
            assert constellations.condition(user) is None
            continue
        _key, by_user = shape

        def sql(user_id: int, user=user) -> str:
            condition = constellations.condition(user, user_id=user_id, on=today)
            return str(Constellation.objects.filter(condition).query)

        assert (sql(user.pk) != sql(-1)) == by_user, name


def test_a_team_lead_who_now_leads_another_region_sees_that_one(team_lead, team, world, today):
    """The team lead's rule reads their regions when it runs (a subquery of their id): the same
    lead leading elsewhere is not answered from the rule kept for before."""
    ours, theirs = world["ours"], world["theirs"]
    assert _visible(team_lead, ours, today, page=True)
    assert not _visible(team_lead, theirs, today, page=True)
    team.region = theirs.region
    team.save()
    assert not _visible(team_lead, ours, today, page=True)
    assert _visible(team_lead, theirs, today, page=True)
    lead_elsewhere = RegionFactory(name="Drenthe")
    team.region = lead_elsewhere
    team.save()
    assert not _visible(team_lead, ours, today, page=False)
    assert not _visible(team_lead, theirs, today, page=False)


def test_a_caseworker_is_answered_for_the_day_asked(former_caseworker, world, today):
    """The caseworker's rule holds the day: their placement in a member family ended a month
    ago, so they saw the constellation two months ago and do not today, in either order."""
    ours = world["ours"]
    before = today - 60 * DAY
    for _ in range(2):
        assert _visible(former_caseworker, ours, before, page=True)
        assert not _visible(former_caseworker, ours, today, page=True)
    assert constellations.visible_to(former_caseworker).filter(pk=ours.pk).exists() is False


def test_the_hub_home_and_the_regions_are_each_user_s_own(
    hub_home_parent, other_hub_home_parent, team_lead, other_region_lead, world
):
    assert _hub_constellation_ids(fresh(hub_home_parent)) == {world["ours"].pk}
    assert _hub_constellation_ids(fresh(other_hub_home_parent)) == {world["theirs"].pk}
    assert _hub_constellation_ids(fresh(team_lead)) == set()
    assert _region_ids(fresh(team_lead)) == {world["ours"].region_id}
    assert _region_ids(fresh(other_region_lead)) == {world["theirs"].region_id}
    assert _region_ids(fresh(hub_home_parent)) == set()
    # A second hub home for the first parent is seen at once.
    second = HubHomeFactory(parents=[hub_home_parent]).constellation
    assert _hub_constellation_ids(fresh(hub_home_parent)) == {world["ours"].pk, second.pk}


# -- the pages, as one user and then another ---------------------------------------------------

PAGES = ("", "kalender/", "kalender/?weergave=maand", "logeren/nieuw/", "logeren/beschikbaar/")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("liaison", "other_liaison"),
        ("hub_home_parent", "other_hub_home_parent"),
        ("team_lead", "other_region_lead"),
        ("caseworker", "idle_caseworker"),
        ("other_liaison", "hub_home_parent"),
    ],
)
def test_after_one_user_s_page_another_gets_their_own_or_404(request, client, first, second, world):
    first_user, second_user = request.getfixturevalue(first), request.getfixturevalue(second)
    ours, theirs = world["ours"], world["theirs"]
    if not constellations.visible_to(first_user).filter(pk=ours.pk).exists():
        ours, theirs = theirs, ours  # the first user's own is "ours"
    for page in PAGES:
        client.force_login(first_user)
        first_answer = client.get(f"/constellaties/{ours.pk}/{page}")
        client.force_login(second_user)
        for constellation in (ours, theirs):
            answer = client.get(f"/constellaties/{constellation.pk}/{page}")
            sees = constellations.visible_to(second_user).filter(pk=constellation.pk).exists()
            may = sees and (
                "logeren" not in page or constellations.can_book(second_user, constellation)
            )
            assert answer.status_code == (200 if may else 403 if sees else 404), (page, answer)
            if may:
                assert answer.context["constellation"].pk == constellation.pk
            if not sees:
                refused = AccessLogEntry.objects.filter(
                    user=second_user,
                    outcome=AccessLogEntry.Outcome.DENIED,
                    object_type=ContentType.objects.get_for_model(Constellation),
                    object_id=constellation.pk,
                )
                assert refused.exists()
        assert first_answer.status_code in (200, 403)


def _shown(context) -> dict:
    """What the constellation page shows, as names."""
    return {
        "name": context["constellation"].name,
        "hub": context["hub"].family.name,
        "hub_parents": sorted(p["last_name"] for p in context["hub_parents"]),
        "beds": [bed["name"] for bed in context["beds"]],
        "members": [m.family.name for m in context["members"]],
        "foster_parents": [
            [fp["first_name"] for fp in m.foster_parent_rows] for m in context["members"]
        ],
        "nights": [(row["stays"], row["total"]) for row in context["figures"].families],
        "gatherings": [g.place for g in context["gatherings"]],
        "contacts": [c.note for c in context["contacts"]],
        "parents": [p.parent.last_name for p in context["parents"]],
        "children": [c.first_name for c in context["children"]],
    }


def _expected(constellation: Constellation, user: User, today) -> dict:
    """The same, read through the ORM."""
    memberships = list(
        constellation.memberships.select_related("family").order_by("left_on", "family__name")
    )
    current = [m for m in memberships if m.is_current(today)]
    hub = constellation.hub
    cares = constellations.sees_care_facts(user, constellation)
    return {
        "name": constellation.name,
        "hub": hub.family.name,
        "hub_parents": sorted(p.last_name for p in hub.parents.all()),
        "beds": [bed.name for bed in hub.beds.filter(active=True)],
        "members": [m.family.name for m in current],
        "foster_parents": [
            [fp.first_name for fp in m.family.foster_parents.all()] for m in current
        ],
        "nights": [
            (
                len(stays := constellation.stays.filter(family=m.family)),
                sum((stay.departure - stay.arrival).days for stay in stays),
            )
            for m in current
        ],
        "gatherings": [g.place for g in constellation.gatherings.all()[:6]],
        "contacts": [c.note for c in constellation.support_contacts.all()[:8]],
        "parents": [p.parent.last_name for p in constellation.parent_participations.all()],
        "children": [
            c.first_name
            for c in member_children(constellation, today).order_by("first_name", "last_name")
        ]
        if cares
        else [],
    }


@pytest.mark.parametrize(
    ("first", "second"),
    [("liaison", "other_liaison"), ("other_hub_home_parent", "hub_home_parent")],
)
def test_the_page_of_another_constellation_shows_its_own_rows(
    request, client, first, second, world, today
):
    """Every query of the page is compiled for the first user's constellation and run for the
    second's: each part of the page is the second constellation's own."""
    # Last week's stays, so that all their nights are used (counted) by today.
    for stay in (world["our_stay"], world["noor_stay"], world["their_stay"]):
        stay.arrival, stay.departure = stay.arrival - 7 * DAY, stay.departure - 7 * DAY
        stay.save()
    for name in (first, second):
        user = request.getfixturevalue(name)
        own = constellations.visible_to(user).get()
        client.force_login(user)
        response = client.get(f"/constellaties/{own.pk}/")
        assert response.status_code == 200
        assert _shown(response.context) == _expected(own, user, today)
        assert _shown(response.context)["members"]
        other = world["theirs"] if own == world["ours"] else world["ours"]
        assert other.name not in response.text


def test_the_page_shows_a_change_at_once(client, liaison, world, today):
    ours = world["ours"]
    client.force_login(liaison)
    before = client.get(f"/constellaties/{ours.pk}/")
    GatheringFactory(constellation=ours, date=today, place="Speeltuin")
    family = FosterFamilyFactory(name="Familie Nieuw")
    MembershipFactory(constellation=ours, family=family, joined_on=today)
    child = PlacementFactory(family=family, child__first_name="Vera").child
    BedFactory(hub=ours.hub, name="Bed 3")
    after = client.get(f"/constellaties/{ours.pk}/")
    assert "Speeltuin" not in before.text and "Speeltuin" in after.text
    assert "Familie Nieuw" in after.text and "Bed 3" in after.text
    assert child.first_name in [c.first_name for c in after.context["children"]]


def test_the_calendar_of_another_constellation_shows_its_own_stays(
    client, hub_home_parent, other_hub_home_parent, caseworker, world
):
    ours, theirs = world["ours"], world["theirs"]
    client.force_login(hub_home_parent)
    mine = client.get(f"/constellaties/{ours.pk}/kalender/")
    assert {s.pk for s in mine.context["stays"]} == {world["our_stay"].pk, world["noor_stay"].pk}
    assert "Sanne" in mine.text and "Noor" in mine.text
    client.force_login(other_hub_home_parent)
    their = client.get(f"/constellaties/{theirs.pk}/kalender/")
    assert [s.pk for s in their.context["stays"]] == [world["their_stay"].pk]
    assert "Ties" in their.text and "Sanne" not in their.text
    # The caseworker reads the names of the children of their caseload only.
    client.force_login(caseworker)
    own_children = client.get(f"/constellaties/{ours.pk}/kalender/")
    assert "Sanne" in own_children.text and "Noor" not in own_children.text


def test_the_stay_form_offers_each_hub_home_its_own_children_and_beds(
    client, hub_home_parent, other_hub_home_parent, world, placed_child
):
    ours, theirs = world["ours"], world["theirs"]
    for user, constellation in [(hub_home_parent, ours), (other_hub_home_parent, theirs)]:
        client.force_login(user)
        form = client.get(f"/constellaties/{constellation.pk}/logeren/nieuw/").context["form"]
        offered = [value for value, _label in form.fields["child"].choices if value]
        assert offered == [
            c.pk for c in member_children(constellation).order_by("first_name", "last_name")
        ]
        beds = client.get(f"/constellaties/{constellation.pk}/logeren/nieuw/").context
        assert [b.bed.pk for b in beds["availability"]] == [
            bed.pk for bed in constellation.hub.beds.filter(active=True)
        ]
    # The other hub home cannot book our child, whatever the form offered before.
    response = client.post(
        f"/constellaties/{theirs.pk}/logeren/nieuw/",
        {
            "child": placed_child.pk,
            "arrival": "01-01-2030",
            "departure": "02-01-2030",
            "bed": theirs.hub.beds.get().pk,
            "planned": "1",
            "reason": "fun",
            "status": "confirmed",
        },
    )
    assert response.status_code == 200 and response.context["form"].errors["child"]


def test_the_compiled_page_queries_are_the_orm_s(world, liaison, today):
    """Each compiled query of the page reads what its ORM queryset reads, for either
    constellation and whichever was compiled first."""
    for constellation in (world["ours"], world["theirs"], world["ours"]):
        pk = constellation.pk
        kept = selectors.page_memberships(pk, today)
        orm = list(selectors._page_memberships(constellation=pk, today=today))
        assert [(m.pk, m.family.name, m.stay_count) for m in kept] == [
            (m.pk, m.family.name, m.stay_count) for m in orm
        ]
        assert [m.foster_parent_rows for m in kept] == [
            selectors.FOSTER_PARENTS.parse(m.foster_parent_rows) for m in orm
        ]
        assert selectors.children_who_can_stay(pk, today) == list(
            selectors._children_who_can_stay(constellation=pk, today=today)
        )
        assert selectors.beds_in_use(pk) == list(constellation.hub.beds.filter(active=True))
        start = selectors.week_start(today)
        assert selectors.stays_between(pk, start, start + 7 * DAY) == list(
            selectors._stays_between(constellation=pk, start=start, end=start + 7 * DAY)
        )


def test_the_page_s_queries_are_answered_for_the_day_asked(world, member_families, today):
    """Their key holds the day: the children placed, and the nights used, are those of the
    day asked, whichever day was asked first."""
    ours = world["ours"]
    tomorrow = today + DAY
    vera = PlacementFactory(family=member_families[1], start_date=tomorrow).child
    stay = world["our_stay"]
    stay.arrival, stay.departure = today - 9 * DAY, today - 7 * DAY
    stay.save()

    def nights(day) -> dict:
        return {
            m.family.name: selectors._days(m.planned_nights)
            for m in selectors.page_memberships(ours.pk, day)
        }

    for _ in range(2):
        assert vera not in selectors.children_who_can_stay(ours.pk, today)
        assert vera in selectors.children_who_can_stay(ours.pk, tomorrow)
        assert nights(today)[member_families[0].name] == 2
        assert nights(stay.arrival)[member_families[0].name] == 1  # tonight counts
        assert nights(stay.arrival - DAY)[member_families[0].name] == 0


def test_after_one_hub_home_s_care_facts_another_gets_only_its_own(
    client, hub_home_parent, other_hub_home_parent, world, placed_child
):
    ours, theirs = world["ours"], world["theirs"]
    client.force_login(hub_home_parent)
    assert client.get(f"/constellaties/{ours.pk}/kinderen/{placed_child.pk}/").status_code == 200
    client.force_login(other_hub_home_parent)
    for constellation, child in [(ours, placed_child), (theirs, placed_child)]:
        url = f"/constellaties/{constellation.pk}/kinderen/{child.pk}/"
        assert client.get(url).status_code == 404
    own = client.get(f"/constellaties/{theirs.pk}/kinderen/{world['their_child'].pk}/")
    assert own.status_code == 200 and own.context["child"] == world["their_child"]


# -- the fidelity pages, as one user and then another -------------------------------------------

FIDELITY_ASKERS = ("liaison", "other_liaison", "hub_home_parent", "team_lead", "other_region_lead")


def test_the_fidelity_list_gives_each_user_their_own_constellations(request, client, world):
    """The list's page of constellations is compiled once per rule (the role, the team lead's
    regions) and run with the user's id: asked in turn, and again the other way round, each
    user is listed exactly the constellations they see, and their number."""
    for order in (FIDELITY_ASKERS, FIDELITY_ASKERS[::-1]):
        for name in order:
            user = request.getfixturevalue(name)
            client.force_login(user)
            response = client.get("/constellaties/modeltrouw/")
            assert response.status_code == 200, name
            listed = [card.constellation.pk for card in response.context["cards"]]
            expected = list(
                constellations.visible_to(user).order_by("name", "pk").values_list("pk", flat=True)
            )
            assert listed == expected, name
            assert response.context["page"].paginator.count == len(expected), name


def test_the_fidelity_list_pages_are_those_of_the_orm(client, monkeypatch, team_lead, world):
    """Past the first page the compiled page gives the rows after it; past the last, Django's
    own paginator answers with the last page, as before."""
    for number in range(3):
        ConstellationFactory(region=world["ours"].region, name=f"Constellatie {number:02}")
    expected = list(
        constellations.visible_to(team_lead).order_by("name", "pk").values_list("pk", flat=True)
    )
    client.force_login(team_lead)
    for size in (2, 3):
        monkeypatch.setattr(fidelity_views, "PAGE_SIZE", size)
        for number, bottom in ((1, 0), (2, size), (99, (len(expected) - 1) // size * size)):
            page = client.get(f"/constellaties/modeltrouw/?pagina={number}").context["page"]
            assert [c.pk for c in page.object_list] == expected[bottom : bottom + size], number
            assert page.paginator.count == len(expected)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("liaison", "other_liaison"),
        ("team_lead", "other_region_lead"),
        ("hub_home_parent", "liaison"),
    ],
)
def test_after_one_user_s_fidelity_page_another_gets_their_own_or_404(
    request, client, first, second, world
):
    """The constellation of a fidelity page is found by SQL compiled for the first user's rule;
    the second gets the page of a constellation they see, and a 404 (logged as denied) for one
    they do not."""
    first_user, second_user = request.getfixturevalue(first), request.getfixturevalue(second)
    for constellation in (world["ours"], world["theirs"]):
        client.force_login(first_user)
        client.get(f"/constellaties/{constellation.pk}/modeltrouw/")
        client.force_login(second_user)
        answer = client.get(f"/constellaties/{constellation.pk}/modeltrouw/")
        sees = constellations.visible_to(second_user).filter(pk=constellation.pk).exists()
        assert answer.status_code == (200 if sees else 404), (second, constellation.name)
        if sees:
            assert answer.context["constellation"].pk == constellation.pk
            assert answer.context["constellation"].name == constellation.name
        else:
            assert AccessLogEntry.objects.filter(
                user=second_user,
                outcome=AccessLogEntry.Outcome.DENIED,
                object_type=ContentType.objects.get_for_model(Constellation),
                object_id=constellation.pk,
            ).exists()
