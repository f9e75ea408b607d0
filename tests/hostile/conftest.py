"""The hostile-input tests' world: the small demo, its accounts, the records each may use and
the records of other people they may not; the Hypothesis settings; and the count of what ran.

Every Hypothesis example runs in a savepoint of its own that is rolled back, inside the test's
transaction on the demo seeded once per session (``seeded``): examples do not see each other's
changes, and no function-scoped fixture is shared between them (which is why no health check has
to be silenced).
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, settings

from constellations import permissions as constellation_permissions
from constellations.models import Constellation, Membership, RespiteStay
from placements import permissions as placement_permissions
from placements.factories import PlacementFactory
from placements.meetings import services as meeting_services
from placements.models import Agreement, Child, FosterFamily, Meeting, ParentChild, Placement
from pleegzorg.models import Notification, Team, User
from tests.placements.test_retention import age_file

# How many examples each form and each URL gets. A few dozen per form and a dozen per URL keep
# the whole folder well under a minute; HOSTILE_EXAMPLES=200 digs deeper for a run by hand.
EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "0")) or None
ON_CI = os.environ.get("CI") == "true"
settings.register_profile(
    "hostile",
    deadline=None,  # a request on a busy machine may take a second; speed is not the question
    # Drawing a 10,000-character text on a loaded machine is slow, by design.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    # CI replays the same examples every run: a red build is never a roll of the dice. By hand
    # every run draws new ones, and the failures found are kept in .hypothesis/ and tried first.
    derandomize=ON_CI,
    **({"database": None} if ON_CI else {}),
    print_blob=True,
)


def examples(default: int) -> settings:
    """The settings of one property: ``default`` examples unless HOSTILE_EXAMPLES says more."""
    return settings(settings.get_profile("hostile"), max_examples=EXAMPLES or default)


# -- what ran ---------------------------------------------------------------------------------

TRIED: Counter[str] = Counter()  # "form inputs", "requests", ...
COVERED: dict[str, set[str]] = {"forms": set(), "urls": set()}


def pytest_terminal_summary(terminalreporter):
    if not (TRIED or any(COVERED.values())):
        return
    terminalreporter.write_sep("-", "hostile input")
    terminalreporter.write_line(
        f"{len(COVERED['forms'])} form classes, {TRIED['form inputs']} inputs; "
        f"{len(COVERED['urls'])} URLs, {TRIED['posts']} hostile POSTs and "
        f"{TRIED['queries']} hostile GETs ({TRIED['foreign ids']} with other people's ids), "
        f"{TRIED['followed']} pages after a save checked"
    )


# -- one savepoint per example ----------------------------------------------------------------


@contextmanager
def rolled_back():
    """A savepoint that is always rolled back, marked as a TestCase's atomic blocks are, so that
    a durable block inside it behaves as in any test."""
    block = transaction.atomic()
    block._from_testcase = True
    with block:
        yield
        transaction.set_rollback(True)


# -- the world ----------------------------------------------------------------------------------

PERSONA_ACCOUNTS = {
    "caseworker": "werker",
    "team_lead": "teamleider",
    "hub_home_parent": "hubhome",
    "liaison": "begeleider",
    "app_manager": "beheer",
    "other_caseworker": "werker2",
    "foster_parent": "pleegouder",
}


@dataclass
class World:
    """The demo's accounts by persona, one record of each kind that the caseworker or the
    liaison may use, and the same kind of record of someone else (``other_*``)."""

    users: dict[str, User]
    placement: Placement  # the caseworker's, with a planned joint meeting and open agreements
    joint_meeting: Meeting
    start_meeting: Meeting  # planned, on a placement that had none
    unplanned_placement: Placement  # no start meeting yet: "plan start meeting" works
    parent_link: ParentChild
    notification: Notification
    constellation: Constellation  # the liaison's
    membership: Membership
    stay: RespiteStay
    other_placement: Placement
    other_family: FosterFamily
    other_joint_meeting: Meeting
    other_parent_link: ParentChild
    other_notification: Notification
    other_constellation: Constellation
    other_membership: Membership
    other_stay: RespiteStay
    other_team: Team
    old_file: Child  # unchanged for 21 years: due for the retention review
    ended_placement: Placement  # the caseworker's, ended and in aftercare
    family_meeting: Meeting  # a meeting to come of the foster parent's own placement
    family_agreement: Agreement  # an open agreement of the foster parents themselves
    other_agreement: Agreement  # an agreement of another family's placement
    foreign_ids: list[int] = field(default_factory=list)

    @property
    def child(self):
        return self.placement.child

    @property
    def other_child(self):
        return self.other_placement.child

    @property
    def constellation_child(self):
        return constellation_permissions.member_children(self.constellation).first()


def _planned_start_meeting(caseworker: User, placement: Placement) -> Meeting:
    """A start meeting planned through the service, as the caseworker would."""
    day = max(timezone.localdate(), placement.start_date) + dt.timedelta(days=3)
    return meeting_services.meeting_plan(
        actor=caseworker,
        placement=placement,
        kind=Meeting.Kind.START,
        planned_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10))),
        place="Bij het pleeggezin",
        participants=[
            {"party": "foster_parents", "name": "Pleegmoeder", "email": ""},
            {"party": "caseworker", "name": caseworker.get_full_name(), "email": ""},
        ],
    )


@pytest.fixture
def world(seeded) -> World:
    users = {p: User.objects.get(username=u) for p, u in PERSONA_ACCOUNTS.items()}
    caseworker, liaison = users["caseworker"], users["liaison"]
    mine = Placement.objects.active().filter(caseworker=caseworker).order_by("pk")
    placement = (
        mine.filter(meetings__kind="joint", meetings__status="planned", agreements__status="open")
        .distinct()
        .first()
    )
    without_start = list(mine.exclude(meetings__kind="start")[:2])
    others = Placement.objects.active().filter(caseworker=users["other_caseworker"])
    other_placement = others.filter(meetings__kind="joint", meetings__status="planned").first()
    constellation = constellation_permissions.constellations.visible_to(liaison).first()
    other_constellation = Constellation.objects.exclude(pk=constellation.pk).first()
    world = World(
        users=users,
        placement=placement,
        joint_meeting=placement.meetings.filter(kind="joint", status="planned").first(),
        start_meeting=_planned_start_meeting(caseworker, without_start[0]),
        unplanned_placement=without_start[1],
        parent_link=ParentChild.objects.filter(child=placement.child).first(),
        notification=Notification.objects.filter(user=caseworker).first(),
        constellation=constellation,
        membership=Membership.objects.current().filter(constellation=constellation).first(),
        stay=RespiteStay.objects.filter(constellation=constellation).order_by("-pk").first(),
        other_placement=other_placement,
        other_family=FosterFamily.objects.exclude(
            pk__in=placement_permissions.families.visible_to(caseworker)
        ).first(),
        other_joint_meeting=other_placement.meetings.filter(kind="joint").first(),
        other_parent_link=ParentChild.objects.exclude(
            child__in=placement_permissions.children.visible_to(caseworker)
        ).first(),
        other_notification=Notification.objects.exclude(user=caseworker).first(),
        other_constellation=other_constellation,
        other_membership=other_constellation.memberships.first(),
        other_stay=RespiteStay.objects.filter(constellation=other_constellation).first(),
        other_team=Team.objects.exclude(pk=caseworker.team_id).exclude(lead=users["team_lead"])[0],
        old_file=age_file(PlacementFactory(caseworker=users["other_caseworker"]).child),
        ended_placement=Placement.objects.in_aftercare().filter(caseworker=caseworker).first(),
        family_meeting=placement_permissions.foster_parent_meetings.visible_to(
            users["foster_parent"]
        ).first(),
        family_agreement=placement_permissions.foster_parent_agreements.visible_to(
            users["foster_parent"]
        )
        .filter(owner="foster_parents", status="open")
        .first(),
        other_agreement=Agreement.objects.exclude(
            pk__in=placement_permissions.foster_parent_agreements.visible_to(users["foster_parent"])
        )
        .filter(owner="foster_parents", status="open")
        .first(),
    )
    # The caseworker's authenticator app, for the second login step's pages.
    TOTPDevice.objects.create(user=caseworker, name="app", confirmed=True)
    missing = [name for name, value in vars(world).items() if value is None]
    assert not missing, f"the demo no longer has what these tests need: {missing}"
    world.foreign_ids = sorted(
        {
            obj.pk
            for obj in (
                world.other_placement,
                world.other_child,
                world.other_placement.family,
                world.other_family,
                world.other_joint_meeting,
                world.other_parent_link,
                world.other_parent_link.parent,
                world.other_notification,
                world.other_constellation,
                world.other_membership,
                world.other_membership.family,
                world.other_stay,
                world.other_stay.bed,
                world.other_team,
                users["other_caseworker"],
                *world.other_joint_meeting.participants.all(),
                *world.other_placement.agreements.all()[:3],
            )
        }
    )
    return world
