"""The probe: every URL of the project, as every role, with records it may and may not reach.

The URL patterns come from the resolver (``django.urls.get_resolver()``), not from a list: a new
URL joins the probe by itself. A pattern whose path parameters the table :data:`PARAMETERS` does
not know fails the probe, so that the author of a new URL says what each parameter names (a
child, a meeting, ...) and the probe fills it from the world below.

The world holds, for each kind of record, variants seen from the ``caseworker`` persona: their
own, a colleague's in the same team, another team's, their own ended past aftercare, and one in
another constellation (another region). Each URL is requested (GET, then POST with no data) by
each persona with each variant. The only answers are the page, a redirect inside the app, 400,
403, 404 or 405: never a 500. Where the record's policy says the persona may not see it, the
answer is a refusal (403, 404, or the page asking for a reason) that names neither the child nor
the family; every 403, and every 404 on a record that exists, wrote a denied entry in the access
log. Nobody's records of another team are changed by the probe.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.contrib.contenttypes.models import ContentType
from django.forms.models import model_to_dict
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django.utils.http import urlsafe_base64_encode

from constellations.factories import (
    BedFactory,
    ConstellationFactory,
    HubHomeFactory,
    MembershipFactory,
    RespiteStayFactory,
)
from constellations.permissions import constellations, memberships, stays
from placements.factories import (
    FosterFamilyFactory,
    FosterParentFactory,
    ParentChildFactory,
    PlacementFactory,
)
from placements.meetings.models import Agreement, Meeting
from placements.models import Child, Placement
from placements.permissions import children, families, meetings, placements_policy
from placements.retention.selectors import review
from pleegzorg.factories import RegionFactory, TeamFactory, UserFactory
from pleegzorg.models import AccessLogEntry, BreakGlassGrant, Notification
from pleegzorg.permissions import BreakGlassGrantPolicy
from tests.clients import Client

# -- what the probe leaves out, and why ---------------------------------------------------------

# Prefixes of URL patterns that are not ours to probe.
SKIPPED_PREFIXES = {
    # Django admin: its own permission system (is_staff, model permissions), tested in
    # tests/test_admin.py; its hundreds of generated URLs would dwarf the probe.
    "beheer/": "Django admin, tested in tests/test_admin.py",
    # django-otp-webauthn's JSON endpoints for the browser's passkey ceremony: the library's
    # own views, which answer JSON to a script and hold no record of a child.
    "passkeys/": "django-otp-webauthn's passkey ceremony endpoints (library views)",
}
# static/ and media/ are not URL patterns of the project (served by WhiteNoise / not at all).

PERSONAS = (
    "caseworker",
    "other_caseworker",
    "team_lead",
    "hub_home_parent",
    "liaison",
    "app_manager",
    "foster_parent",
    "anonymous",
)
VARIANTS = ("own", "colleague", "other_team", "ended", "other_constellation")


# -- the kinds of record a path parameter can name ---------------------------------------------


def _grants_can_view(user, grant):
    return BreakGlassGrantPolicy().can_view(user, grant)


@dataclass(frozen=True)
class Kind:
    """A kind of record: which object of a variant it is, and who may see it (None: not a record
    of a person, any answer but a 500 will do)."""

    key: str  # the object's key in a variant of the world
    can_view: object = None  # (user, obj) -> bool
    record: bool = True  # a 404 on it is a refusal that the access log must show


KINDS = {
    "child": Kind("child", children.can_view),
    # The page that asks for a reason names the file to whoever may open it with one.
    "glass_child": Kind(
        "child", lambda user, c: children.can_view(user, c) or children.can_break_glass(user, c)
    ),
    "placement": Kind("placement", placements_policy.can_view),
    "family": Kind("family", families.can_view),
    # A foster parent of the variant's family, named with it: the family decides.
    "foster_parent": Kind("foster_parent"),
    "meeting": Kind("meeting", meetings.can_view),
    "agreement": Kind("agreement", lambda user, a: placements_policy.can_view(user, a.placement)),
    "constellation": Kind("constellation", constellations.can_view),
    "membership": Kind("membership", memberships.can_view),
    "stay": Kind("stay", stays.can_view),
    "parent_link": Kind("parent_link"),  # with its child: the child decides
    "care_child": Kind("child"),  # with its constellation: the constellation decides
    "review_child": Kind("child", review.can_view),
    "grant": Kind("grant", _grants_can_view),
    # A notice in the user's own inbox (the bell), not a record of a person: someone else's
    # answers 404 like one that does not exist, and is not a refusal to read a file.
    "notification": Kind("notification", lambda user, n: n.user_id == user.pk, record=False),
    # Not records of a person: a literal the URL needs.
    "section": Kind("section", record=False),
    "recipient": Kind("recipient", record=False),
    "break_glass_kind": Kind("break_glass_kind", record=False),
    "csv_table": Kind("csv_table", record=False),
    "passkey": Kind("passkey", record=False),
    "uidb64": Kind("uidb64", record=False),
    "token": Kind("token", record=False),
}

# URL name -> {path parameter: kind}. A pattern with a parameter missing here fails the probe.
PARAMETERS = {
    "password_reset_confirm": {"uidb64": "uidb64", "token": "token"},
    "two_factor:passkey_remove": {"pk": "passkey"},
    "pleegzorg:break_glass": {"kind": "break_glass_kind", "pk": "glass_child"},
    "pleegzorg:break_glass_reviewed": {"pk": "grant"},
    "pleegzorg:notification_open": {"pk": "notification"},
    "pleegzorg:notification_read": {"pk": "notification"},
    "placements:meeting_hold": {"pk": "meeting"},
    "placements:meeting_change": {"pk": "meeting"},
    "placements:meeting_agenda": {"pk": "meeting"},
    "placements:meeting_plan": {"pk": "placement"},
    "placements:meeting_request": {"pk": "placement"},
    "placements:meeting_cadence": {"pk": "placement"},
    "placements:child_contact": {"pk": "placement"},
    "placements:retention_file": {"pk": "review_child"},
    "placements:child": {"pk": "child"},
    "placements:family": {"pk": "family"},
    "placements:family_edit": {"pk": "family"},
    "placements:foster_parent_invite": {"pk": "family", "parent": "foster_parent"},
    "placements:foster_parent_revoke": {"pk": "family", "parent": "foster_parent"},
    "placements:invitation_accept": {"token": "token"},
    "placements:my_family_meeting_calendar": {"pk": "meeting"},
    "placements:my_family_agreement_done": {"pk": "agreement"},
    "placements:my_family_meeting_request": {"pk": "placement"},
    "placements:placement_end": {"pk": "placement"},
    "placements:placement_ending": {"pk": "placement"},
    "placements:placement_hand_over": {"pk": "placement"},
    "placements:youth_protector_change": {"pk": "placement"},
    "placements:child_access_log": {"pk": "child"},
    "placements:access_request": {"pk": "child"},
    "placements:access_export": {"pk": "child", "key": "recipient"},
    "placements:access_export_json": {"pk": "child", "key": "recipient"},
    "placements:decision_new": {"pk": "child"},
    "placements:voice_note_new": {"pk": "child"},
    "placements:parent_new": {"pk": "child"},
    "placements:parent_edit": {"pk": "child", "link_pk": "parent_link"},
    "placements:child_section": {"pk": "child", "section": "section"},
    "placements:child_section_edit": {"pk": "child", "section": "section"},
    "constellations:detail": {"pk": "constellation"},
    "constellations:calendar": {"pk": "constellation"},
    "constellations:stay_new": {"pk": "constellation"},
    "constellations:stay_availability": {"pk": "constellation"},
    "constellations:member_add": {"pk": "constellation"},
    "constellations:member_leave": {"pk": "constellation", "membership_pk": "membership"},
    "constellations:parent_add": {"pk": "constellation"},
    "constellations:gathering_new": {"pk": "constellation"},
    "constellations:contact_new": {"pk": "constellation"},
    "constellations:care_facts": {"pk": "constellation", "child_pk": "care_child"},
    "constellations:stay": {"pk": "stay"},
    "constellations:fidelity": {"pk": "constellation"},
    "constellations:fidelity_export": {"pk": "constellation"},
    "constellations:outcomes_export": {"table": "csv_table"},
}


# -- the URL patterns ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    route: str  # e.g. "kinderen/<int:pk>/"
    name: str  # e.g. "placements:child"
    params: tuple[str, ...]

    def url(self, values: dict[str, object]) -> str:
        def fill(match: re.Match) -> str:
            return str(values[match.group(2)])

        return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, self.route)


def url_patterns() -> tuple[list[Pattern], list[str]]:
    """Every URL pattern of the project, and the routes skipped (see SKIPPED_PREFIXES)."""
    found, skipped = [], []

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if any(route.startswith(skip) for skip in SKIPPED_PREFIXES):
                skipped.append(route)
                continue
            if isinstance(entry, URLResolver):
                inner = entry.namespace
                walk(
                    entry,
                    route,
                    f"{namespace}:{inner}" if namespace and inner else inner or namespace,
                )
            elif isinstance(entry, URLPattern):
                name = f"{namespace}:{entry.name}" if namespace else str(entry.name)
                params = tuple(re.findall(r"<(?:\w+:)?(\w+)>", route))
                found.append(Pattern(route, name, params))

    walk(get_resolver(), "", "")
    return found, skipped


def test_every_path_parameter_names_a_kind_of_record():
    """How a new URL joins the probe: its author maps each of its parameters to a kind."""
    patterns, _ = url_patterns()
    unknown = [
        f"{p.name} ({p.route}): parameter {param!r}"
        for p in patterns
        for param in p.params
        if KINDS.get(PARAMETERS.get(p.name, {}).get(param)) is None
    ]
    assert not unknown, (
        "URL parameters the probe does not know; map them in tests/test_probe.py PARAMETERS:\n"
        + "\n".join(unknown)
    )
    stale = set(PARAMETERS) - {p.name for p in patterns}
    assert not stale, f"PARAMETERS names URLs that no longer exist: {sorted(stale)}"


# -- the world ----------------------------------------------------------------------------------


def _placement(caseworker, family, first_name, **extra):
    return PlacementFactory(
        caseworker=caseworker, family=family, child__first_name=first_name, **extra
    )


@pytest.fixture
def world(caseworker, other_caseworker, team, team_lead, hub_home_parent, liaison):
    """Per variant, the records a URL can name (see the module's docstring)."""
    today = timezone.localdate()
    colleague = UserFactory(username="collega", team=team)
    elsewhere = TeamFactory(name="Zwolle", region=RegionFactory(name="Overijssel"))
    far_caseworker = UserFactory(username="werker-zwolle", team=elsewhere)

    constellation = ConstellationFactory(region=team.region, liaison=liaison)
    hub = HubHomeFactory(constellation=constellation, parents=[hub_home_parent])
    bed = BedFactory(hub=hub)
    far_constellation = ConstellationFactory(
        region=elsewhere.region, liaison=UserFactory(username="begeleider-zwolle", role="liaison")
    )
    far_bed = BedFactory(hub=HubHomeFactory(constellation=far_constellation))

    def member(of, name):
        return MembershipFactory(
            constellation=of,
            family=FosterFamilyFactory(name=name),
            joined_on=today - dt.timedelta(days=300),
        )

    memberships_by_variant = {
        "own": member(constellation, "Familie Eigenaar"),
        "colleague": member(constellation, "Familie Collegiaal"),
        "other_team": member(constellation, "Familie Anderteam"),
        "ended": member(constellation, "Familie Verleden"),
        "other_constellation": member(far_constellation, "Familie Verweg"),
    }
    owners = {
        "own": caseworker,
        "colleague": colleague,
        "other_team": other_caseworker,
        "ended": caseworker,
        "other_constellation": far_caseworker,
    }
    names = {
        "own": "Sanne",
        "colleague": "Cas",
        "other_team": "Daan",
        "ended": "Bram",
        "other_constellation": "Zoë",
    }
    ended = {
        "start_date": today - dt.timedelta(days=1500),
        "end_date": today - dt.timedelta(days=700),
        "end_reason": Placement.EndReason.RETURN_HOME,
    }
    world = {}
    for n, variant in enumerate(VARIANTS):
        membership = memberships_by_variant[variant]
        placement = _placement(
            owners[variant],
            membership.family,
            names[variant],
            **(ended if variant == "ended" else {}),
        )
        child = placement.child
        meeting = Meeting.objects.create(
            placement=placement, kind="joint", planned_at=timezone.now(), place="Kantoor"
        )
        stay_bed = far_bed if variant == "other_constellation" else bed
        stay = (
            None
            if variant == "ended"
            else RespiteStayFactory(
                bed=stay_bed,
                child=child,
                family=membership.family,
                arrival=today + dt.timedelta(days=7 + 3 * n),
            )
        )
        link = ParentChildFactory(child=child)
        grant = BreakGlassGrant.objects.create(
            user=owners[variant],
            record_type=ContentType.objects.get_for_model(Child),
            record_id=child.pk,
            record_label=str(child),
            team=owners[variant].team,
            reason="Vraag van de rechtbank over het dossier.",
            # Expired: listed for review, but it opens nothing (the variants keep their access).
            granted_at=timezone.now() - dt.timedelta(hours=30),
            valid_until=timezone.now() - dt.timedelta(hours=6),
        )
        notification = Notification.objects.create(
            user=owners[variant], text=f"Overleg over {child.first_name}", url="/"
        )
        world[variant] = {
            "child": child,
            "placement": placement,
            "family": membership.family,
            "foster_parent": FosterParentFactory(
                family=membership.family, email=f"pleegouder-{variant}@example.nl"
            ),
            "meeting": meeting,
            "agreement": Agreement.objects.create(
                placement=placement,
                what="Logeerweekend plannen",
                owner="foster_parents",
                due_on=today + dt.timedelta(days=7),
            ),
            "constellation": membership.constellation,
            "membership": membership,
            "stay": stay,
            "parent_link": link.pk,
            "grant": grant,
            "notification": notification,
            "section": "kind",
            "recipient": "kind",
            "break_glass_kind": "pleegkind",
            "csv_table": "vergelijking",
            "passkey": 999_999,  # no passkey of anyone: the view looks in the user's own only
            "uidb64": urlsafe_base64_encode(str(owners[variant].pk).encode()),
            "token": "verlopen-code",
        }
    return world


# -- the probe ----------------------------------------------------------------------------------


@dataclass
class Figures:
    patterns: int = 0
    requests: int = 0
    refusals: Counter = field(default_factory=Counter)
    objects: set = field(default_factory=set)
    problems: list = field(default_factory=list)


REFUSAL_REDIRECTS = ("/inloggen/", "/toegang/")
LOGS_OUT = {"logout"}


def _client(persona, request):
    client = Client()
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client


def _is_internal(location: str) -> bool:
    parts = urlsplit(location)
    return parts.netloc in ("", "testserver") and location.startswith(("/", "http://testserver/"))


def _subjects(variant_objects) -> list[str]:
    """What must not appear on a refusal: the child's full name, the family's name."""
    return [str(variant_objects["child"]), variant_objects["family"].name]


def _snapshot(world) -> dict:
    other = world["other_team"]
    rows = {}
    for key in ("child", "placement", "family", "meeting", "membership", "stay"):
        obj = other[key]
        rows[key] = model_to_dict(type(obj).objects.get(pk=obj.pk))
    rows["far"] = model_to_dict(
        type(world["other_constellation"]["child"]).objects.get(
            pk=world["other_constellation"]["child"].pk
        )
    )
    return rows


def test_probe_every_url_as_every_role(request, world):
    patterns, skipped = url_patterns()
    figures = Figures(patterns=len(patterns))
    before = _snapshot(world)
    denied = AccessLogEntry.objects.filter(outcome=AccessLogEntry.Outcome.DENIED)
    clients = {persona: _client(persona, request) for persona in PERSONAS}
    users = {p: request.getfixturevalue(p) for p in PERSONAS if p != "anonymous"}

    probed = set()
    for pattern in patterns:
        kinds = {param: KINDS[PARAMETERS[pattern.name][param]] for param in pattern.params}
        variants = VARIANTS if pattern.params else ("own",)
        for variant in variants:
            objects = world[variant]
            if any(objects[kind.key] is None for kind in kinds.values()):
                continue  # e.g. no stay for the ended placement
            values = {
                param: getattr(objects[kind.key], "pk", objects[kind.key])
                for param, kind in kinds.items()
            }
            url = pattern.url(values)
            if url in probed:
                continue  # a variant that names the same records (a literal parameter only)
            probed.add(url)
            figures.objects.update((kind.key, variant) for kind in kinds.values() if kind.record)
            for persona in PERSONAS:
                user = users.get(persona)
                hidden = user is None or any(
                    kind.can_view is not None and not kind.can_view(user, objects[kind.key])
                    for kind in kinds.values()
                )
                hidden = hidden and bool(kinds) and any(k.can_view for k in kinds.values())
                methods = ("get",) if persona == "anonymous" else ("get", "post")
                for method in methods:
                    client = clients[persona]
                    if pattern.name in LOGS_OUT:
                        client = _client(persona, request)
                    count = denied.count()
                    response = getattr(client, method)(url, {})
                    figures.requests += 1
                    logged = denied.count() - count
                    where = f"{persona} {method.upper()} {url} ({pattern.name}, {variant})"
                    status = response.status_code
                    figures.problems.extend(
                        _check(response, where, persona, hidden, kinds, objects, logged)
                    )
                    if status in (403, 404):
                        figures.refusals[status] += 1
                    # An empty POST may log out or drop the second step: log in again.
                    if method == "post" and "_auth_user_id" not in client.session:
                        clients[persona] = _client(persona, request)

    print(
        f"\nprobe: {figures.patterns} URL patterns ({len(skipped)} skipped), "
        f"{len(PERSONAS)} roles, {len(VARIANTS)} variants ({len(figures.objects)} objects), "
        f"{figures.requests} requests, refusals {dict(figures.refusals)}"
    )
    assert not figures.problems, f"{len(figures.problems)} problems:\n" + "\n".join(
        figures.problems[:80]
    )
    assert _snapshot(world) == before, "the probe changed another team's records"
    # The floor: the probe cannot silently shrink.
    assert figures.patterns >= 75
    assert figures.requests >= 2700
    assert figures.refusals[403] >= 250 and figures.refusals[404] >= 1400


def _check(response, where, persona, hidden, kinds, objects, logged) -> list[str]:
    status = response.status_code
    problems = []
    # 410: a foster parent's invitation link that no longer works (placements.invitations).
    if status not in (200, 302, 400, 403, 404, 405, 410):
        return [f"{where}: {status}"]
    location = response.get("Location", "")
    if status == 302 and not _is_internal(location):
        problems.append(f"{where}: sent out of the app to {location}")
    if persona == "anonymous" and status == 200 and any(k.record for k in kinds.values()):
        problems.append(f"{where}: a page with a record, to someone not logged in")
    if hidden and persona != "anonymous":
        refused = status in (403, 404, 405) or (
            status == 302 and urlsplit(location).path.startswith(REFUSAL_REDIRECTS)
        )
        if not refused:
            problems.append(f"{where}: {status} {location} on a record the role may not see")
        body = response.content.decode(errors="replace")
        problems.extend(
            f"{where}: {status} shows {name!r}" for name in _subjects(objects) if name in body
        )
    is_record = any(kind.record for kind in kinds.values())
    if persona != "anonymous" and (status == 403 or (status == 404 and is_record)) and not logged:
        problems.append(f"{where}: {status} without a denied entry in the access log")
    return problems
