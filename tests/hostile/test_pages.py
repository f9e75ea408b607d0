"""Every URL of the project, posted and queried with hostile input as the role that may use it.

For each URL the test opens the page as a user would, reads the forms (and links) that point at
it, and sends what Hypothesis makes of their fields: plausible values with markup and SQL in the
text, hostile values anywhere, or a plausible form with the id of someone else's record in one
hidden or choice field. Whatever comes, the answer is never a 500 (the test client raises the
error) nor anything outside 200/302/400/403/404; no payload comes back as markup, neither on the
answer nor on the page a save leads to; a form shown again keeps what was typed and has no
English message; and the records of other people are exactly as they were.

The URLs come from the URL patterns: a new one fails here until TARGETS says who uses it.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django import forms
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.db.models import Model
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.html import escape
from django.utils.http import urlsafe_base64_encode
from hypothesis import given
from hypothesis import strategies as st

from constellations import permissions as constellation_permissions
from constellations.models import Constellation, RespiteStay
from placements import permissions as placement_permissions
from placements.models import Child, Placement
from pleegzorg.models import Notification, User
from pleegzorg.sessions import PASSWORD_AT
from tests.clients import Client
from tests.hostile import strategies as hostile
from tests.hostile.conftest import COVERED, TRIED, World, examples, rolled_back
from tests.hostile.test_forms import FORMS
from tests.test_permissions import project_url_names

# -- who uses which URL, with which records ---------------------------------------------------

Kwargs = Callable[[World], dict]


@dataclasses.dataclass(frozen=True)
class Target:
    persona: str  # a key of World.users, or "anonymous"
    kwargs: Kwargs = lambda w: {}
    query: str = ""
    # The same URL with someone else's record: the persona must get 403 or 404.
    other: Kwargs | None = None
    # The page that holds the forms and links for this URL, when the URL itself is no page.
    page: str = ""
    # Open the URL first in the same session, and send to where it leads (a password link puts
    # its token in the session and sends on to the form).
    opens_first: bool = False
    # A session that passed the password step only (the second step's own pages).
    password_only: bool = False


def child(w: World) -> dict:
    return {"pk": w.child.pk}


def other_child(w: World) -> dict:
    return {"pk": w.other_child.pk}


def placement(w: World) -> dict:
    return {"pk": w.placement.pk}


def other_placement(w: World) -> dict:
    return {"pk": w.other_placement.pk}


def constellation(w: World) -> dict:
    return {"pk": w.constellation.pk}


def other_constellation(w: World) -> dict:
    return {"pk": w.other_constellation.pk}


def family(w: World) -> dict:
    return {"pk": w.placement.family_id}


def other_family(w: World) -> dict:
    return {"pk": w.other_family.pk}


def foster_parent(w: World) -> dict:
    family = w.placement.family
    return {"pk": family.pk, "parent": family.foster_parents.order_by("pk").first().pk}


def other_foster_parent(w: World) -> dict:
    family = w.other_family
    return {"pk": family.pk, "parent": family.foster_parents.order_by("pk").first().pk}


def invitation_link(w: World) -> dict:
    """A fresh invitation of the caseworker's foster parent (in the example's savepoint)."""
    from placements.invitations import services as invitations

    tokens: list[str] = []
    parent = w.placement.family.foster_parents.order_by("pk").first()
    invitations.invite(
        actor=w.users[CASEWORKER], foster_parent=parent, link_for=lambda t: tokens.append(t) or t
    )
    return {"token": tokens[0]}


def password_link(w: World) -> dict:
    user = w.users["caseworker"]
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }


def sections(kwargs: Kwargs, other: Kwargs) -> list[Target]:
    from placements.views.child import SECTIONS

    return [
        Target(
            "caseworker",
            lambda w, s=s: kwargs(w) | {"section": s},
            other=lambda w, s=s: other(w) | {"section": s},
        )
        for s in SECTIONS
    ]


CASEWORKER = "caseworker"
TARGETS: dict[str, list[Target]] = {
    "healthz": [Target("anonymous")],
    "login": [Target("anonymous")],
    "logout": [Target(CASEWORKER, page="pleegzorg:start")],
    "password_reset": [Target("anonymous")],
    "password_reset_done": [Target("anonymous")],
    "password_reset_confirm": [Target("anonymous", password_link, opens_first=True)],
    "password_reset_complete": [Target("anonymous")],
    "password_change": [Target(CASEWORKER)],
    "email_change": [Target(CASEWORKER)],
    "two_factor:verify": [Target(CASEWORKER, password_only=True)],
    "two_factor:recovery": [Target(CASEWORKER, password_only=True)],
    "two_factor:confirm_password": [Target(CASEWORKER)],
    "two_factor:manage": [Target(CASEWORKER)],
    "two_factor:app_setup": [Target(CASEWORKER)],
    "two_factor:app_remove": [Target(CASEWORKER, page="two_factor:manage")],
    "two_factor:passkey_add": [Target(CASEWORKER)],
    # No passkey can be made without a browser's authenticator: a number that is none (404).
    "two_factor:passkey_remove": [
        Target(CASEWORKER, lambda w: {"pk": 999999}, page="two_factor:manage")
    ],
    "two_factor:recovery_codes": [Target(CASEWORKER)],
    # The passkey script's JSON endpoints: form posts and queries instead of its JSON.
    "otp_webauthn:credential-registration-begin": [
        Target(CASEWORKER, page="two_factor:passkey_add")
    ],
    "otp_webauthn:credential-registration-complete": [
        Target(CASEWORKER, page="two_factor:passkey_add")
    ],
    "otp_webauthn:credential-authentication-begin": [Target("anonymous", page="login")],
    "otp_webauthn:credential-authentication-complete": [Target("anonymous", page="login")],
    "password_change_done": [Target(CASEWORKER)],
    "pleegzorg:start": [Target(CASEWORKER)],
    "pleegzorg:access_log": [Target("team_lead")],
    "pleegzorg:notifications": [Target(CASEWORKER)],
    "pleegzorg:notifications_read_all": [Target(CASEWORKER, page="pleegzorg:notifications")],
    "pleegzorg:notification_open": [
        Target(
            CASEWORKER,
            lambda w: {"pk": w.notification.pk},
            other=lambda w: {"pk": w.other_notification.pk},
            page="pleegzorg:notifications",
        )
    ],
    "pleegzorg:notification_read": [
        Target(
            CASEWORKER,
            lambda w: {"pk": w.notification.pk},
            other=lambda w: {"pk": w.other_notification.pk},
            page="pleegzorg:notifications",
        )
    ],
    "placements:caseload": [Target(CASEWORKER), Target("team_lead")],
    "placements:team_dashboard": [Target("team_lead"), Target("app_manager")],
    "placements:my_meetings": [Target(CASEWORKER)],
    "placements:meeting_hold": [
        Target(
            CASEWORKER,
            lambda w: {"pk": w.joint_meeting.pk},
            other=lambda w: {"pk": w.other_joint_meeting.pk},
        ),
        Target(CASEWORKER, lambda w: {"pk": w.start_meeting.pk}),
    ],
    "placements:meeting_change": [
        Target(
            CASEWORKER,
            lambda w: {"pk": w.joint_meeting.pk},
            other=lambda w: {"pk": w.other_joint_meeting.pk},
        )
    ],
    "placements:meeting_agenda": [
        Target(
            CASEWORKER,
            lambda w: {"pk": w.joint_meeting.pk},
            other=lambda w: {"pk": w.other_joint_meeting.pk},
        )
    ],
    "placements:meeting_plan": [
        Target(CASEWORKER, placement, other=other_placement),
        Target(CASEWORKER, lambda w: {"pk": w.unplanned_placement.pk}, query="soort=start"),
    ],
    "placements:meeting_request": [Target(CASEWORKER, placement, other=other_placement)],
    "placements:meeting_cadence": [Target(CASEWORKER, placement, other=other_placement)],
    "placements:child_contact": [Target(CASEWORKER, placement, other=other_placement)],
    "placements:child": [Target(CASEWORKER, child, other=other_child)],
    "placements:family": [Target(CASEWORKER, family, other=other_family)],
    "placements:family_edit": [Target(CASEWORKER, family, other=other_family)],
    "placements:foster_parent_invite": [
        Target(CASEWORKER, foster_parent, other=other_foster_parent, page="placements:family")
    ],
    "placements:foster_parent_revoke": [
        Target(CASEWORKER, foster_parent, other=other_foster_parent, page="placements:family")
    ],
    "placements:invitation_accept": [Target("anonymous", invitation_link)],
    "placements:my_family": [Target("foster_parent")],
    "placements:my_family_meeting_request": [
        Target(
            "foster_parent",
            lambda w: {"pk": w.family_meeting.placement_id},
            other=other_placement,
        )
    ],
    "placements:my_family_agreement_done": [
        Target(
            "foster_parent",
            lambda w: {"pk": w.family_agreement.pk},
            other=lambda w: {"pk": w.other_agreement.pk},
            page="placements:my_family",
        )
    ],
    "placements:my_family_meeting_calendar": [
        Target(
            "foster_parent",
            lambda w: {"pk": w.family_meeting.pk},
            other=lambda w: {"pk": w.other_joint_meeting.pk},
            page="placements:my_family",
        )
    ],
    "placements:placement_new": [Target(CASEWORKER)],
    "placements:retention_review": [Target("app_manager")],
    "placements:retention_file": [
        Target("app_manager", lambda w: {"pk": w.old_file.pk}, other=child)
    ],
    "placements:placement_end": [Target(CASEWORKER, placement, other=other_placement)],
    "placements:placement_hand_over": [
        Target(CASEWORKER, placement, other=other_placement),
        Target("team_lead", placement),
    ],
    "placements:youth_protector_change": [Target(CASEWORKER, placement, other=other_placement)],
    "placements:child_access_log": [Target(CASEWORKER, child, other=other_child)],
    "placements:access_request": [Target("team_lead", child, other=other_child)],
    "placements:access_export": [
        Target(
            "team_lead",
            lambda w: child(w) | {"key": "kind"},
            other=lambda w: other_child(w) | {"key": "kind"},
        )
    ],
    "placements:access_export_json": [
        Target(
            "team_lead",
            lambda w: child(w) | {"key": "kind"},
            other=lambda w: other_child(w) | {"key": "kind"},
        )
    ],
    "placements:placement_ending": [
        Target(CASEWORKER, lambda w: {"pk": w.ended_placement.pk}, other=other_placement)
    ],
    "pleegzorg:break_glass": [
        Target(
            CASEWORKER,
            lambda w: {"kind": "pleegkind", "pk": w.child.pk},
            other=lambda w: {"kind": "pleegkind", "pk": w.other_child.pk},
        )
    ],
    "pleegzorg:break_glass_review": [Target("team_lead")],
    # The world has no grant: a number that is none (404).
    "pleegzorg:break_glass_reviewed": [
        Target("team_lead", lambda w: {"pk": 999999}, page="pleegzorg:break_glass_review")
    ],
    "placements:decision_new": [Target(CASEWORKER, child, other=other_child)],
    "placements:voice_note_new": [Target(CASEWORKER, child, other=other_child)],
    "placements:parent_new": [Target(CASEWORKER, child, other=other_child)],
    "placements:parent_edit": [
        Target(
            CASEWORKER,
            lambda w: {"pk": w.child.pk, "link_pk": w.parent_link.pk},
            other=lambda w: {"pk": w.child.pk, "link_pk": w.other_parent_link.pk},
        )
    ],
    "placements:child_section": sections(child, other_child),
    "placements:child_section_edit": sections(child, other_child),
    "constellations:list": [Target("liaison")],
    "constellations:detail": [Target("liaison", constellation, other=other_constellation)],
    "constellations:calendar": [Target("liaison", constellation, other=other_constellation)],
    "constellations:stay_new": [
        Target("liaison", constellation, other=other_constellation),
        Target("hub_home_parent", constellation),
    ],
    "constellations:stay_availability": [
        Target("liaison", constellation, other=other_constellation, page="constellations:stay_new")
    ],
    "constellations:member_add": [Target("liaison", constellation, other=other_constellation)],
    "constellations:member_leave": [
        Target(
            "liaison",
            lambda w: {"pk": w.constellation.pk, "membership_pk": w.membership.pk},
            other=lambda w: {"pk": w.constellation.pk, "membership_pk": w.other_membership.pk},
        )
    ],
    "constellations:parent_add": [Target("liaison", constellation, other=other_constellation)],
    "constellations:gathering_new": [Target("liaison", constellation, other=other_constellation)],
    "constellations:contact_new": [Target("liaison", constellation, other=other_constellation)],
    "constellations:care_facts": [
        Target(
            "hub_home_parent",
            lambda w: {"pk": w.constellation.pk, "child_pk": w.constellation_child.pk},
            other=lambda w: {"pk": w.constellation.pk, "child_pk": w.other_child.pk},
        )
    ],
    "constellations:stay": [
        Target(
            "liaison",
            lambda w: {"pk": w.stay.pk},
            other=lambda w: {"pk": w.other_stay.pk},
        )
    ],
    "constellations:fidelity_list": [Target("liaison"), Target("team_lead")],
    "constellations:fidelity_list_export": [
        Target("team_lead", page="constellations:fidelity_list")
    ],
    "constellations:fidelity": [Target("liaison", constellation, other=other_constellation)],
    "constellations:fidelity_export": [
        Target(
            "liaison",
            constellation,
            other=other_constellation,
            page="constellations:fidelity",
        )
    ],
    "constellations:outcomes": [Target("team_lead"), Target("app_manager")],
    "constellations:outcomes_export": [
        Target("team_lead", lambda w: {"table": "vergelijking"}, page="constellations:outcomes")
    ],
}

URL_NAMES = sorted(project_url_names())


def test_every_url_of_the_project_says_who_uses_it():
    assert len(URL_NAMES) > 40, "the walk over the URL patterns finds too few: out of date?"
    missing = [name for name in URL_NAMES if name not in TARGETS]
    assert not missing, f"say in TARGETS who posts to these URLs, with which records: {missing}"
    assert not set(TARGETS) - set(URL_NAMES), "TARGETS names URLs that no longer exist"


# -- reading a page's forms ----------------------------------------------------------------------


@dataclasses.dataclass
class Field:
    name: str
    kind: str  # text, email, date, time, number, hidden, choice, button
    value: str = ""
    options: list[str] = dataclasses.field(default_factory=list)
    multiple: bool = False


@dataclasses.dataclass
class Form:
    method: str
    action: str
    fields: dict[str, Field] = dataclasses.field(default_factory=dict)

    def add(self, name: str, kind: str, value: str = "", *, option: bool = False, many=False):
        field = self.fields.setdefault(name, Field(name, kind, value))
        if option:
            field.kind = "choice" if kind != "button" else "button"
            field.options.append(value)
            field.multiple = field.multiple or many
        elif not field.value:
            field.value = value


INPUT_KINDS = {
    "email": "email",
    "date": "date",
    "time": "time",
    "number": "number",
    "hidden": "hidden",
    "password": "password",
    "submit": "button",
}


class FormReader(HTMLParser):
    """The forms on a page (fields, options, buttons) and the links on it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_many = False
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "form":
            self._form = Form(a.get("method", "get").lower(), a.get("action", ""))
            self.forms.append(self._form)
        form = self._form
        if form is None or ("name" not in a and tag != "option"):
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                form.add(
                    a["name"], kind, a.get("value", "on"), option=True, many=kind == "checkbox"
                )
            else:
                form.add(a["name"], INPUT_KINDS.get(kind, "text"), a.get("value", ""))
        elif tag == "button" and a.get("type", "submit") == "submit":
            form.add(a["name"], "button", a.get("value", ""), option=True)
        elif tag == "textarea":
            self._textarea = a["name"]
            form.add(a["name"], "text")
        elif tag == "select":
            self._select, self._select_many = a["name"], "multiple" in a
            form.add(a["name"], "choice")
        elif tag == "option" and self._select:
            form.add(
                self._select, "choice", a.get("value", ""), option=True, many=self._select_many
            )

    def handle_data(self, data):
        if self._textarea and self._form:
            self._form.fields[self._textarea].value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def same_view(url: str, path: str) -> bool:
    try:
        return resolve(urlsplit(url).path or path).route == resolve(path).route
    except Resolver404:
        return False


def read_page(client: Client, page_url: str, target_path: str) -> tuple[list[Form], set[str]]:
    """The forms on the page that send to the target URL, and the query parameters its links
    to the target use."""
    response = client.get(page_url, follow=True)
    assert response.status_code == 200, f"{page_url}: {response.status_code} for this persona"
    reader = FormReader()
    reader.feed(response.content.decode())
    mine = [f for f in reader.forms if urlsplit(f.action).path in ("", target_path)]
    params = {
        key
        for href in reader.links
        if urlsplit(href).path in ("", target_path)
        for key, _value in parse_qsl(urlsplit(href).query, keep_blank_values=True)
    }
    for form in mine:  # a form's action may carry a query (?zoek=...) of its own
        params |= {k for k, _v in parse_qsl(urlsplit(form.action).query, keep_blank_values=True)}
    return mine, params


# -- hostile data for a page's form --------------------------------------------------------------


def plausible(field: Field) -> st.SearchStrategy:
    if field.kind in ("choice", "button"):
        options = [o for o in field.options if o] or [""]
        if field.multiple:
            return st.lists(st.sampled_from(options), max_size=3, unique=True)
        return st.sampled_from(options)
    if field.kind == "hidden":
        return st.just(field.value)
    return {
        "date": st.one_of(st.just(field.value or "2026-06-01"), hostile.plausible_date()),
        "time": st.sampled_from([field.value or "10:00", "00:00", "23:59"]),
        "number": st.sampled_from([field.value or "1", "0", "13"]),
        "email": st.just("ouder@example.org"),
    }.get(field.kind, hostile.short_payload())


def hostile_value(field: Field, world: World) -> st.SearchStrategy:
    kind = {"hidden": "number", "button": "choice"}.get(field.kind, field.kind)
    one = st.one_of(hostile.hostile_for(kind), st.sampled_from(world.foreign_ids).map(str))
    return st.lists(one, max_size=3) if field.multiple else one


def foreign_id(field: Field, world: World) -> st.SearchStrategy:
    """An id of someone else's record that the field does not offer."""
    ids = [str(pk) for pk in world.foreign_ids if str(pk) not in field.options] or ["999999"]
    one = st.sampled_from(ids)
    return st.lists(one, min_size=1, max_size=2) if field.multiple else one


@st.composite
def posted(draw, form: Form, world: World) -> tuple[str, dict]:
    """(mode, data): every field plausible, any field hostile or left out, or plausible with
    someone else's id in one hidden or choice field."""
    fields = [f for f in form.fields.values() if f.kind != "button"]
    buttons = [f for f in form.fields.values() if f.kind == "button"]
    mode = draw(st.sampled_from(["plausible", "hostile", "foreign"]))
    data = {}
    for field in fields:
        if mode == "hostile":
            value = draw(st.one_of(st.none(), plausible(field), hostile_value(field, world)))
        else:
            value = draw(plausible(field))
        if value is not None:
            data[field.name] = value
    ids = [f for f in fields if f.kind in ("choice", "hidden")]
    if mode == "foreign" and ids:
        field = draw(st.sampled_from(ids))
        data[field.name] = draw(foreign_id(field, world))
        TRIED["foreign ids"] += 1
    for button in buttons:
        if draw(st.booleans()):
            data[button.name] = draw(plausible(button))
    return mode, data


def query(params: set[str], form: Form | None, world: World) -> st.SearchStrategy[dict]:
    fields = dict(form.fields) if form else {}
    for name in params - set(fields):
        fields[name] = Field(name, "text")
    if not fields:
        fields = {"q": Field("q", "text")}
    strategies = {
        name: st.one_of(st.none(), hostile_value(field, world), plausible(field))
        for name, field in fields.items()
    }
    return st.fixed_dictionaries({}, optional=strategies).map(
        lambda d: {k: v for k, v in d.items() if v is not None}
    )


# -- what must hold after every request ----------------------------------------------------------


def english_messages() -> set[str]:
    """The English error messages of Django's fields and of every form of the project: none of
    them may appear on a page, which is in Dutch."""
    found = set()
    with translation.override("en"):
        for form_class in FORMS.values():
            form = form_class.form if hasattr(form_class, "form") else form_class
            for field in form.base_fields.values():
                found |= {str(m) for m in field.error_messages.values()}
        for field_class in vars(forms).values():
            if isinstance(field_class, type) and issubclass(field_class, forms.Field):
                for klass in field_class.__mro__:
                    found |= {
                        str(m) for m in vars(klass).get("default_error_messages", {}).values()
                    }
    # Messages with a placeholder are looked for up to it.
    return {m.split("%")[0].split("{")[0].strip() for m in found} - {""}


ENGLISH = english_messages()


NUL = "a\x00b"


def assert_no_markup(body: str, where: str) -> None:
    for marker in hostile.RAW_MARKERS:
        assert marker not in body, f"{where}: {marker!r} shown as markup"


def assert_safe_answer(response, method: str, *, other: bool) -> None:
    allowed = {403, 404} if other else {200, 302, 400, 403, 404}
    if method.upper() not in response.get("Allow", method.upper()):
        allowed.add(405)  # a URL that only takes the other method
    assert response.status_code in allowed, f"status {response.status_code}"
    if response.status_code == 302:
        location = urlsplit(response["Location"])
        assert location.netloc in ("", "testserver") and not response["Location"].startswith(
            "//"
        ), f"sent away to {response['Location']}"


def kept(response, data: dict, form: Form) -> None:
    """A form shown again holds what was typed in its text fields, and no English message."""
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return
    body = response.content.decode()
    for name, value in data.items():
        field = form.fields.get(name)
        if not field or field.kind not in ("text", "email", "date", "time", "number"):
            # Not hidden fields: a stale form comes back with the version saved now.
            continue
        if f'name="{name}"' in body and isinstance(value, str):
            assert escape(value) in body, f"{name}: what was typed is gone"
    english = [m for m in ENGLISH if m in body]
    assert not english, f"English on the page: {english}"


# -- the records of other people -----------------------------------------------------------------


def others_records(world: World, persona: str) -> dict[type[Model], list[int]]:
    """What this persona may not touch, taken before a request: the other users and their
    notices; the children and placements it may not see; the constellations and stays it may not
    see. A record handed over by the request itself is not among them."""
    if persona == "anonymous":
        return {}
    user = world.users[persona]

    def pks(model, visible):
        return list(model.objects.exclude(pk__in=visible).values_list("pk", flat=True))

    theirs = {
        User: pks(User, [user.pk]),
        Notification: list(Notification.objects.exclude(user=user).values_list("pk", flat=True)),
        Constellation: pks(
            Constellation, constellation_permissions.constellations.visible_to(user)
        ),
        RespiteStay: pks(RespiteStay, constellation_permissions.stays.visible_to(user)),
    }
    if user.is_caseworker or user.is_team_lead:
        theirs[Child] = pks(Child, placement_permissions.children.visible_to(user))
        theirs[Placement] = pks(Placement, placement_permissions.placements_policy.visible_to(user))
    return theirs


# Records that point at these, of which no request may add or remove one for someone else.
WATCHED = (Child, Placement, Constellation)


def state_of(theirs: dict[type[Model], list[int]]) -> list:
    """A fingerprint of the rows, and (for WATCHED) how many rows of every kind point at them.
    One query on PostgreSQL (each example asks it after its request); the rows themselves
    elsewhere."""
    if connection.vendor != "postgresql":
        return [list(m._default_manager.filter(pk__in=p).values()) for m, p in theirs.items()]
    quote = connection.ops.quote_name
    parts, params = [], []
    for model, pks in theirs.items():
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        parts.append(
            f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.{pk}), '')) "
            f"FROM {table} t WHERE t.{pk} = ANY(%s))"
        )
        params.append(pks)
        if model not in WATCHED:
            continue
        for relation in model._meta.related_objects:
            if relation.one_to_many or relation.one_to_one:
                related = quote(relation.related_model._meta.db_table)
                column = quote(relation.field.column)
                parts.append(f"(SELECT count(*) FROM {related} WHERE {column} = ANY(%s))")
                params.append(pks)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return list(cursor.fetchone())


# -- the test ---------------------------------------------------------------------------------


def targets():
    for name in URL_NAMES:
        for index, target in enumerate(TARGETS.get(name, [])):
            yield pytest.param(name, target, id=f"{name}-{index}-{target.persona}")


def page_url(target: Target, world: World) -> str:
    """The page holding the forms: with the target's record, with the first of its records (a
    family's page for one of its foster parents), or none of its own."""
    kwargs = target.kwargs(world)
    for attempt in (kwargs, dict(list(kwargs.items())[:1])):
        try:
            return reverse(target.page, kwargs=attempt)
        except NoReverseMatch:
            continue
    return reverse(target.page)


def logged_in(client: Client, world: World, persona: str, *, password_only: bool = False):
    """``client`` in a new session as after logging in a minute ago: both steps passed (or the
    password only), and the password given recently enough to change how one logs in. One
    client serves a whole test: making one loads every middleware again."""
    client.cookies.clear()
    if persona == "anonymous":
        return client
    user = world.users[persona]
    if password_only:
        client.force_login_password_only(user)
    else:
        client.force_login(user)
    session = client.session
    session[PASSWORD_AT] = time.time()
    session.save()
    return client


def request(client: Client, method: str, url: str, data: dict, *, htmx: bool):
    headers = {"HX-Request": "true"} if htmx else {}
    if method == "get":
        return client.get(url, data, headers=headers)
    return client.post(url, data, headers=headers)


@pytest.mark.parametrize(("name", "target"), list(targets()))
def test_hostile_input_never_breaks_a_page(name, target, world):
    url = reverse(name, kwargs=target.kwargs(world))
    if target.query:
        url += "?" + target.query
    path = urlsplit(url).path
    page = page_url(target, world) if target.page else url
    shared = Client()
    forms_, params = read_page(
        logged_in(shared, world, target.persona, password_only=target.password_only), page, path
    )
    COVERED["urls"].add(name)
    posts = [f for f in forms_ if f.method == "post"]
    gets = [f for f in forms_ if f.method == "get"]

    # What the persona may not touch, as it is before every example (each is rolled back).
    theirs = others_records(world, target.persona)
    before = state_of(theirs)

    def check(method: str, form: Form | None, data: dict, *, htmx: bool, other_url: str = ""):
        with rolled_back():
            client = logged_in(shared, world, target.persona, password_only=target.password_only)
            to = other_url or url
            if target.opens_first:
                to = client.get(to, follow=True).request["PATH_INFO"]
            response = request(client, method, to, data, htmx=htmx)
            TRIED["posts" if method == "post" else "queries"] += 1
            assert_safe_answer(response, method, other=bool(other_url))
            body = response.content.decode(errors="replace")
            assert_no_markup(body, f"{method.upper()} {url}")
            if method == "post" and form is not None and not htmx:
                kept(response, data, form)
            if response.status_code == 302 and not other_url:
                after = client.get(response["Location"])
                TRIED["followed"] += 1
                assert after.status_code in (200, 302), f"after the save: {after.status_code}"
                assert_no_markup(after.content.decode(errors="replace"), response["Location"])
            if method == "post" or other_url:
                assert state_of(theirs) == before, "someone else's record changed"

    def post_hostile(form: Form):
        @examples(3)
        @given(posted(form, world), st.booleans())
        def post_(mode_and_data, htmx):
            check("post", form, mode_and_data[1], htmx=htmx)

        post_()

    for form in posts:
        post_hostile(form)

    if not posts:
        # Nothing on the page posts here: a post all the same, with hostile fields.
        anything = Form("post", url, {"q": Field("q", "text"), "pk": Field("pk", "hidden")})

        @examples(1)
        @given(posted(anything, world))
        def post_anyway(mode_and_data):
            check("post", None, mode_and_data[1], htmx=False)

        post_anyway()

    @examples(2 if gets or params else 1)
    @given(query(params, gets[0] if gets else None, world), st.booleans())
    def get_(data, htmx):
        check("get", gets[0] if gets else Form("get", url), data, htmx=htmx)

    get_()

    # A NUL in every field at once, whatever was drawn above: PostgreSQL cannot hold one even in
    # a query, so a form must refuse it with a message and a search must drop it.
    for form in posts:
        check("post", form, dict.fromkeys(form.fields, NUL), htmx=False)
    if gets or params:
        fields = set(gets[0].fields) if gets else set()
        check("get", gets[0] if gets else None, dict.fromkeys(fields | params, NUL), htmx=False)

    if target.other is not None:
        other_url = reverse(name, kwargs=target.other(world))
        form = posts[0] if posts else Form("post", url)

        @examples(1)
        @given(posted(form, world), st.sampled_from(["post" if posts else "get"]))
        def other_(mode_and_data, method):
            check(method, form, mode_and_data[1], htmx=False, other_url=other_url)

        other_()
