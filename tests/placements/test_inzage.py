"""Access requests (AVG art. 15, inzage): a team lead makes an overview of a child's file for the
child (from 12) or a parent with custody, as a printable page and a JSON file."""

import datetime as dt
import html
import json
import re

import pytest
from django.utils import timezone

from constellations.factories import GatheringFactory, RespiteStayFactory
from constellations.models import Attendance, ParentParticipation
from placements import inzage
from placements.factories import (
    FosterParentFactory,
    OwnChildFactory,
    ParentChildFactory,
    PlacementFactory,
)
from placements.models import (
    Agreement,
    ChildContact,
    Decision,
    JointMeetingRequest,
    Meeting,
    MeetingParticipant,
    RoleAuthority,
    StartMeetingAnswer,
    VoiceNote,
)
from pleegzorg.access_request import display
from pleegzorg.audit import Action, Outcome, Purpose, access_log_write
from pleegzorg.models import AccessLogEntry
from tests.matrix import CASE_FILE


def years_ago(years: int, days: int = 10) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - dt.timedelta(days=days)


@pytest.fixture
def sanne(placement):
    """Sanne, 13, full-time with Familie De Boer (Dorpsstraat 12, 3511 AB Utrecht), who have
    two own children and another foster child, Fokje. Her mother has custody, her father not."""
    child = placement.child
    child.date_of_birth = years_ago(13)
    child.bsn = "111222333"
    child.allergies = "pinda's"
    child.trusted_person_name = "Juf Anouk"
    child.trusted_person_contact = "06-99887766"
    child.emergency_contacts = "Oma Riet 06-55544433"
    child.save()
    family = placement.family
    family.street, family.postcode, family.city = "Dorpsstraat 12", "3511 AB", "Utrecht"
    family.save()
    FosterParentFactory(
        family=family, first_name="Geertruida", last_name="de Boer", phone="06-1111"
    )
    OwnChildFactory(family=family, first_name="Ootje")
    OwnChildFactory(family=family, first_name="Wubbo")
    PlacementFactory(
        family=family,
        caseworker=placement.caseworker,
        kind="part_time",
        child__first_name="Fokje",
        child__last_name="Fokkema",
    )
    mother = ParentChildFactory(
        child=child,
        parent__first_name="Marieke",
        parent__last_name="Visser",
        parent__phone="06-2222",
        parent__address="Kerkstraat 1, Zeist",
        relation="mother",
        has_custody=True,
    )
    father = ParentChildFactory(
        child=child,
        parent__first_name="Hendrikus",
        parent__last_name="Oosterveen",
        parent__phone="06-3333",
        relation="father",
        has_custody=False,
    )
    caseworker = placement.caseworker
    Decision.objects.create(
        placement=placement,
        decided_on=timezone.localdate(),
        subject="Naar de middelbare school in Zeist",
        decided_by="Jeugdbeschermer",
        foster_parents_consulted=True,
        foster_parents_view="De pleegouders vinden het een goede school",
        reason="Dicht bij huis",
        recorded_by=caseworker,
    )
    VoiceNote.objects.create(
        child=child, said_on=timezone.localdate(), text="Ik wil op hockey", recorded_by=caseworker
    )
    ChildContact.objects.create(
        placement=placement,
        contact_on=timezone.localdate(),
        caseworker=caseworker,
        note="Gesprek over school",
    )
    meeting = Meeting.objects.create(
        placement=placement,
        kind=Meeting.Kind.START,
        status=Meeting.Status.HELD,
        planned_at=timezone.now() - dt.timedelta(days=30),
        held_on=timezone.localdate() - dt.timedelta(days=30),
        place="Thuis bij Dorpsstraat 12",
        going_with_child="Sanne heeft het naar haar zin",
    )
    for party, name in (
        ("foster_parents", "Geertruida de Boer"),
        ("parents", "Marieke Visser"),
        ("parents", "Hendrikus Oosterveen"),
        ("caseworker", str(caseworker)),
    ):
        MeetingParticipant.objects.create(
            meeting=meeting, party=party, name=name, email="deelnemer@example.nl", attended=True
        )
    StartMeetingAnswer.objects.create(
        meeting=meeting, party="parents", hopes_for="Dat Sanne vaker belt"
    )
    Agreement.objects.create(
        placement=placement,
        meeting=meeting,
        what="Elke week bellen met mama",
        owner="foster_parents",
        due_on=timezone.localdate(),
    )
    RoleAuthority.objects.create(placement=placement, subject="school", decides="parents")
    JointMeetingRequest.objects.create(
        placement=placement,
        requested_by="foster_parents",
        requester_name="Geertruida de Boer",
        reason="Zorgen over het slapen",
        requested_on=timezone.localdate(),
        recorded_by=caseworker,
    )
    stay = RespiteStayFactory(
        child=child,
        bed__name="Kamer van Ootje",
        bed__hub__constellation__name="Constellatie Utrecht-Oost",
        bed__hub__family__street="Hubweg 9",
        notes="Lekker geslapen",
    )
    gathering = GatheringFactory(constellation=stay.constellation, place="Hubweg 9")
    Attendance.objects.create(gathering=gathering, who="foster_child", child=child)
    Attendance.objects.create(gathering=gathering, who="parent", parent=mother.parent)
    ParentParticipation.objects.create(
        constellation=stay.constellation, parent=mother.parent, since=timezone.localdate()
    )
    access_log_write(
        user=caseworker, action=Action.VIEW, purpose=Purpose.CARE, person=child, obj=father.parent
    )
    return {"child": child, "mother": mother, "father": father}


def export_url(child, key, fmt="html"):
    base = f"/kinderen/{child.pk}/inzageverzoek/{key}/"
    return base + "json/" if fmt == "json" else base


def mother_key(sanne):
    return f"ouder-{sanne['mother'].pk}"


def page_text(response) -> str:
    """What the page says, without its tags."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


# -- who may make it ---------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "own", "other"), CASE_FILE)
def test_only_the_team_lead_of_the_placement_makes_an_overview(
    persona, own, other, matrix, placement, other_placement
):
    child, other_child = placement.child, other_placement.child
    for kid in (child, other_child):
        kid.date_of_birth = years_ago(13)
        kid.save(update_fields=["date_of_birth"])
    # The caseworker may see the file but not make the overview: 403. Whoever may not see the
    # file gets 404, as for the file itself.
    made = {200: 403, 404: 404, 302: 302}
    expect_own = 200 if persona == "team_lead" else made[own]
    expect_other = made[other]
    rows = []
    for kid, expected in ((child, expect_own), (other_child, expect_other)):
        rows += [
            (persona, f"/kinderen/{kid.pk}/inzageverzoek/", expected),
            (persona, export_url(kid, "kind"), expected),
            (persona, export_url(kid, "kind", "json"), expected),
        ]
    matrix.check(rows)


def test_a_caseworker_who_tries_is_refused_and_logged(caseworker, client, sanne):
    client.force_login(caseworker)
    assert client.get(export_url(sanne["child"], "kind")).status_code == 403
    refused = AccessLogEntry.objects.get(outcome=Outcome.DENIED)
    assert refused.purpose == Purpose.ACCESS_REQUEST and refused.action == Action.EXPORT
    assert refused.person_id == sanne["child"].pk


def test_a_parent_of_another_child_is_not_found(team_lead, client, sanne, other_placement):
    other_link = ParentChildFactory(child=other_placement.child)
    client.force_login(team_lead)
    assert client.get(export_url(sanne["child"], f"ouder-{other_link.pk}")).status_code == 404
    assert client.get(export_url(sanne["child"], "iemand")).status_code == 404


# -- for whom ------------------------------------------------------------------------------------


def test_the_team_lead_chooses_for_whom(team_lead, client, sanne):
    client.force_login(team_lead)
    response = client.get(f"/kinderen/{sanne['child'].pk}/inzageverzoek/")
    text = page_text(response)
    assert "Overzicht maken voor Sanne Visser" in text
    assert "Overzicht maken voor Marieke Visser" in text
    assert "Overzicht maken voor Hendrikus Oosterveen" not in text
    assert "Hendrikus Oosterveen heeft geen gezag over Sanne Visser" in text


def test_a_child_under_12_is_refused_with_the_reason(team_lead, client, sanne):
    child = sanne["child"]
    child.date_of_birth = years_ago(11)
    child.save(update_fields=["date_of_birth"])
    client.force_login(team_lead)
    response = client.get(export_url(child, "kind"))
    assert response.status_code == 403
    assert "Sanne Visser is 11 jaar. Een kind kan het eigen dossier inzien vanaf 12 jaar" in (
        page_text(response)
    )
    assert "Pinda" not in page_text(response)
    denied = AccessLogEntry.objects.get(outcome=Outcome.DENIED)
    assert denied.purpose == Purpose.ACCESS_REQUEST and "11 jaar" in denied.detail
    assert not AccessLogEntry.objects.filter(action=Action.EXPORT, outcome=Outcome.ALLOWED)
    # A parent with custody can ask for the child under 12.
    assert client.get(export_url(child, mother_key(sanne))).status_code == 200


def test_a_child_of_12_may_have_their_overview(team_lead, client, sanne):
    child = sanne["child"]
    child.date_of_birth = timezone.localdate().replace(year=timezone.localdate().year - 12)
    child.save(update_fields=["date_of_birth"])
    client.force_login(team_lead)
    assert client.get(export_url(child, "kind")).status_code == 200


def test_a_parent_without_custody_is_refused(team_lead, client, sanne):
    client.force_login(team_lead)
    response = client.get(export_url(sanne["child"], f"ouder-{sanne['father'].pk}", "json"))
    assert response.status_code == 403
    assert "Hendrikus Oosterveen heeft geen gezag over Sanne Visser" in page_text(response)


def test_from_16_a_parent_is_refused_and_the_child_decides(team_lead, client, sanne):
    child = sanne["child"]
    child.date_of_birth = years_ago(16)
    child.save(update_fields=["date_of_birth"])
    client.force_login(team_lead)
    response = client.get(export_url(child, mother_key(sanne)))
    assert response.status_code == 403
    assert "Vanaf 16 jaar beslist Sanne Visser zelf" in page_text(response)
    assert client.get(export_url(child, "kind")).status_code == 200


# -- what goes in, what stays out ----------------------------------------------------------------


OTHER_PEOPLE = (
    "Dorpsstraat",  # the foster family's address, also where a meeting took place
    "3511 AB",
    "Hubweg",  # the hub home's address, and where the gathering was
    "Ootje",  # own children of the foster family (one also in a bed's name)
    "Wubbo",
    "Fokje",  # another foster child in the family
    "Fokkema",
    "Geertruida",  # a foster parent, by name (the family shows by its family name)
    "06-1111",
    "deelnemer@example.nl",  # participants' email addresses
    "06-99887766",  # the trusted person's contact details
    "Oma Riet",  # emergency contacts
)


def test_the_childs_overview_holds_what_is_about_the_child(team_lead, client, sanne):
    client.force_login(team_lead)
    text = page_text(client.get(export_url(sanne["child"], "kind")))
    for held in (
        "Wat wij bewaren over Sanne Visser",
        "111222333",
        "pinda's",
        "Juf Anouk",
        "Familie De Boer",
        "Naar de middelbare school in Zeist",
        "De pleegouders vinden het een goede school",  # their view, as written
        "Ik wil op hockey",
        "Gesprek over school",
        "Sanne heeft het naar haar zin",
        "Dat Sanne vaker belt",
        "Elke week bellen met mama",
        "Zorgen over het slapen",
        "Constellatie Utrecht-Oost",
        "Lekker geslapen",
        "Marieke Visser (ouder), aanwezig",
        "Hendrikus Oosterveen (ouder), aanwezig",  # her father is hers to know
        "Wie heeft dit dossier bekeken",
        str(sanne["child"].placements.first().caseworker),
    ):
        assert held in text, held


@pytest.mark.parametrize("whom", ["kind", "ouder"])
def test_the_overview_leaves_out_other_peoples_details(team_lead, client, sanne, whom):
    key = "kind" if whom == "kind" else mother_key(sanne)
    client.force_login(team_lead)
    for fmt in ("html", "json"):
        response = client.get(export_url(sanne["child"], key, fmt))
        assert response.status_code == 200
        body = page_text(response) if fmt == "html" else response.content.decode()
        for other in OTHER_PEOPLE:
            assert other not in body, f"{whom} {fmt}: {other}"
        assert "Familie De Boer" in body


def test_a_parents_overview_has_their_details_and_not_the_other_parents(team_lead, client, sanne):
    client.force_login(team_lead)
    response = client.get(export_url(sanne["child"], mother_key(sanne)))
    text = page_text(response)
    assert "Gegevens van de ouder" in text
    assert "Kerkstraat 1, Zeist" in text and "06-2222" in text
    assert "Marieke Visser (ouder), aanwezig" in text
    assert "Deelnemen aan een constellatie" in text
    assert "Oosterveen" not in text and "06-3333" not in text
    assert "Dorpsstraat" not in text


def test_json_and_html_say_the_same(team_lead, client, sanne):
    client.force_login(team_lead)
    key = mother_key(sanne)
    page = page_text(client.get(export_url(sanne["child"], key)))
    download = client.get(export_url(sanne["child"], key, "json"))
    assert download["Content-Disposition"].startswith(
        'attachment; filename="inzage-sanne-visser-voor-marieke-visser-'
    )
    data = json.loads(download.content)
    assert data["about"] == "Sanne Visser" and data["recipient"]["name"] == "Marieke Visser"
    compared = 0
    for part in data["parts"]:
        assert part["title"] in page
        for item in [*part["items"], *(i for record in part["records"] for i in record)]:
            assert item["label"] in page, item
            shown = " ".join(as_shown(item["value"]).split())
            assert shown in page, (part["key"], item)
            compared += 1
    assert compared > 100
    for reason in data["left_out"]:
        assert reason in page


def as_shown(value) -> str:
    """A JSON value as the page shows it (ISO dates back to dates, then pleegzorg's display)."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return display(dt.date.fromisoformat(value))
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+[+-]\d\d:\d\d", value):
        return display(dt.datetime.fromisoformat(value))
    if isinstance(value, list):
        return display([as_shown(v) for v in value])
    return display(value)


def test_the_overview_includes_who_read_the_file(team_lead, caseworker, client, sanne):
    client.force_login(team_lead)
    data = json.loads(client.get(export_url(sanne["child"], "kind", "json")).content)
    log = next(part for part in data["parts"] if part["key"] == "access_log")
    users = [
        next(i["value"] for i in record if i["key"] == "user_label") for record in log["records"]
    ]
    assert any(caseworker.username in user for user in users)
    # This very overview is on it, and the record an entry touched is named by its kind only.
    first = {item["key"]: item["value"] for item in log["records"][0]}
    assert first["action"] == "exporteren" and first["purpose"] == "inzageverzoek (AVG)"
    assert first["record_kind"] == "pleegkind"
    assert "Oosterveen" not in json.dumps(log)


# -- logged and listed ---------------------------------------------------------------------------


def test_each_overview_is_logged_and_listed_on_the_file(team_lead, caseworker, client, sanne):
    child = sanne["child"]
    client.force_login(team_lead)
    client.get(export_url(child, "kind"))
    client.get(export_url(child, mother_key(sanne), "json"))
    made = AccessLogEntry.objects.filter(action=Action.EXPORT).order_by("at", "id")
    assert [(e.purpose, e.person_id, e.object_label, e.detail) for e in made] == [
        (Purpose.ACCESS_REQUEST, child.pk, "Sanne Visser", "HTML"),
        (Purpose.ACCESS_REQUEST, child.pk, "Marieke Visser", "JSON"),
    ]
    # The caseworker sees on the file that overviews were made, but cannot make one.
    client.force_login(caseworker)
    text = page_text(client.get(f"/kinderen/{child.pk}/"))
    assert "Inzageverzoeken" in text
    lead = made[0].user_label
    assert f"{lead} maakte een overzicht voor Marieke Visser (ouder), als JSON" in text
    assert f"{lead} maakte een overzicht voor Sanne Visser (pleegkind), als HTML" in text
    assert "Inzage-overzicht maken" not in text
    client.force_login(team_lead)
    assert "Inzage-overzicht maken" in page_text(client.get(f"/kinderen/{child.pk}/"))


def test_a_file_without_overviews_says_so(caseworker, client, placement):
    client.force_login(caseworker)
    assert "Er is nog geen overzicht van dit dossier gemaakt." in page_text(
        client.get(f"/kinderen/{placement.child.pk}/")
    )


# -- a fixed number of queries -------------------------------------------------------------------


def test_the_overview_runs_a_fixed_number_of_queries(
    team_lead, client, sanne, django_assert_max_num_queries
):
    child, placement = sanne["child"], sanne["child"].placements.first()
    for n in range(30):
        PlacementFactory(
            child=child,
            caseworker=placement.caseworker,
            kind="part_time",
            start_date=placement.start_date - dt.timedelta(days=400 + n * 10),
            end_date=placement.start_date - dt.timedelta(days=395 + n * 10),
            end_reason="other",
        )
        meeting = Meeting.objects.create(
            placement=placement, kind="joint", planned_at=timezone.now(), place="Kantoor"
        )
        MeetingParticipant.objects.create(meeting=meeting, party="caseworker", name="W")
        Agreement.objects.create(
            placement=placement, what=f"Afspraak {n}", owner="parents", due_on=timezone.localdate()
        )
        RespiteStayFactory(
            child=child,
            bed=child.stays.first().bed,
            arrival=timezone.localdate() + dt.timedelta(days=20 + n * 3),
        )
        access_log_write(
            user=placement.caseworker, action=Action.VIEW, purpose=Purpose.CARE, person=child
        )
    client.force_login(team_lead)
    client.get(f"/kinderen/{child.pk}/")  # the session's once-a-minute renewal, out of the way
    for url in (
        f"/kinderen/{child.pk}/inzageverzoek/",
        export_url(child, "kind"),
        export_url(child, "kind", "json"),
        export_url(child, mother_key(sanne)),
        export_url(child, mother_key(sanne), "json"),
    ):
        # session, user, the child (through the policy), the policy's check of the team lead,
        # the parents, the log entry, the file in one query, constellations' three parts, the
        # bell: 12 at most for the page, whatever the amount of data.
        with django_assert_max_num_queries(12):
            response = client.get(url)
        assert response.status_code == 200
    assert response.content.decode().count("Afspraak ") == 30


def test_the_files_list_of_overviews_is_one_query(
    team_lead, client, sanne, django_assert_max_num_queries
):
    child = sanne["child"]
    for _n in range(25):
        access_log_write(
            user=team_lead,
            action=Action.EXPORT,
            purpose=Purpose.ACCESS_REQUEST,
            person=child,
            detail="HTML",
        )
    with django_assert_max_num_queries(1):
        made = inzage.access_requests_of(child)
    assert len(made) == 20 and made[0].format == "HTML"
