"""Opening a file after its aftercare period with a stated reason ("break the glass"), and the
review of those openings by the team lead (their teams') and the application manager (all)."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from placements.factories import FosterFamilyFactory, PlacementFactory
from placements.models import Child, Placement
from pleegzorg.models import AccessLogEntry, BreakGlassGrant
from pleegzorg.permissions import Refused
from pleegzorg.services import break_glass_open
from tests.matrix import PERSONAS

REASON = "De rechtbank vraagt om het verloop van de plaatsing in 2024."


@pytest.fixture
def closed(caseworker):
    """Bram's placement with werker, ended 400 days ago: past the six months of aftercare."""
    today = timezone.localdate()
    return PlacementFactory(
        caseworker=caseworker,
        child__first_name="Bram",
        child__last_name="Ende",
        family=FosterFamilyFactory(name="Familie Gesloten"),
        start_date=today - dt.timedelta(days=900),
        end_date=today - dt.timedelta(days=400),
        end_reason=Placement.EndReason.RETURN_HOME,
    )


@pytest.fixture
def other_team_lead(other_team):
    return other_team.lead


@pytest.fixture
def grant(caseworker, closed):
    return break_glass_open(actor=caseworker, record=closed.child, reason=REASON)


def test_without_a_reason_the_page_says_so_in_dutch_and_opens_nothing(caseworker, client, closed):
    client.force_login(caseworker)
    url = f"/toegang/pleegkind/{closed.child_id}/"
    body = client.get(url).content.decode()
    assert "Dossier openen met een reden" in body and "Bram Ende" in body
    assert "meer dan 6 maanden geleden" in body

    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert "Schrijf op waarom u dit dossier opent." in response.content.decode()

    response = client.post(url, {"reason": "Rechter"})
    body = response.content.decode()
    assert "Schrijf iets meer op: minstens 20 tekens" in body
    assert ">\nRechter</textarea>" in body  # what was typed is still there
    assert not BreakGlassGrant.objects.exists()
    assert client.get(f"/kinderen/{closed.child_id}/").status_code == 302


def test_with_a_reason_the_file_opens_to_read_only_and_the_reason_is_logged(
    caseworker, client, closed
):
    client.force_login(caseworker)
    response = client.post(f"/toegang/pleegkind/{closed.child_id}/", {"reason": REASON})
    assert response["Location"] == f"/kinderen/{closed.child_id}/"
    grant = BreakGlassGrant.objects.get()
    assert (grant.user, grant.record_id, grant.reason) == (caseworker, closed.child_id, REASON)

    response = client.get(f"/kinderen/{closed.child_id}/", follow=True)
    body = response.content.decode()
    assert "alleen om te lezen" in body and REASON in body
    assert f"/kinderen/{closed.child_id}/zorg/wijzigen/" not in body
    refused = client.get(f"/kinderen/{closed.child_id}/zorg/wijzigen/")
    assert refused.status_code == 403
    assert "U kunt het lezen, maar niet wijzigen." in refused.content.decode()

    opened = AccessLogEntry.objects.get(detail=f"geopend met reden: {REASON}", action="view")
    assert opened.user == caseworker and opened.person_id == closed.child_id
    # Every read while it is open carries the reason too.
    reads = AccessLogEntry.objects.filter(outcome="allowed", person_id=closed.child_id)
    assert reads.filter(detail__contains=REASON).count() == 2


def test_the_file_closes_again_when_the_grant_runs_out(settings, caseworker, client, grant):
    client.force_login(caseworker)
    assert client.get(f"/kinderen/{grant.record_id}/").status_code == 200
    later = timezone.now() + dt.timedelta(hours=settings.BREAK_GLASS_HOURS, minutes=1)
    with time_machine.travel(later, tick=False):
        client.force_login(caseworker)
        assert client.get(f"/kinderen/{grant.record_id}/").status_code == 302


def test_who_never_had_the_file_cannot_open_it_with_a_reason(other_caseworker, client, closed):
    client.force_login(other_caseworker)
    assert (
        client.post(f"/toegang/pleegkind/{closed.child_id}/", {"reason": REASON}).status_code == 404
    )
    assert not BreakGlassGrant.objects.exists()
    entry = AccessLogEntry.objects.get(outcome="denied")
    assert entry.user == other_caseworker and entry.person_id == closed.child_id
    with pytest.raises(Refused):
        break_glass_open(actor=other_caseworker, record=closed.child, reason=REASON)


def test_a_kind_of_record_that_cannot_be_opened_with_a_reason_answers_404(caseworker, client):
    client.force_login(caseworker)
    assert client.get(f"/toegang/gebruiker/{caseworker.pk}/").status_code == 404


def test_the_service_wants_a_reason_of_some_length(caseworker, closed):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        break_glass_open(actor=caseworker, record=closed.child, reason="   kort   ")
    assert "minstens 20 tekens" in error.value.message_dict["reason"][0]


def test_the_access_log_shows_the_reason(caseworker, team_lead, client, grant):
    client.force_login(team_lead)
    body = client.get("/inzagelog/", {"person": "Bram"}).content.decode()
    assert f"geopend met reden: {REASON}" in body


# -- the review -------------------------------------------------------------------------------

REVIEW_PAGE = {
    "caseworker": 403,
    "team_lead": 200,
    "hub_home_parent": 403,
    "liaison": 403,
    "app_manager": 200,
    "foster_parent": 403,
    "anonymous": 302,
    "other_team_lead": 200,
}
# Marking one as reviewed: the lead of its team and the application manager; the one who
# opened it may not (it is not theirs to review: 404, like for everyone who does not see it).
REVIEWED = {
    "caseworker": 404,
    "team_lead": 302,
    "hub_home_parent": 404,
    "liaison": 404,
    "app_manager": 302,
    "foster_parent": 404,
    "anonymous": 302,
    "other_team_lead": 404,
}


@pytest.mark.parametrize("persona", [*PERSONAS, "other_team_lead"])
def test_the_review_page_answers_every_role(persona, matrix, grant):
    matrix.check(
        [
            (persona, "/geopend-met-reden/", REVIEW_PAGE[persona]),
            (persona, "/geopend-met-reden/?alles=1", REVIEW_PAGE[persona]),
        ]
    )
    matrix.check(
        [(persona, f"/geopend-met-reden/{grant.pk}/beoordeeld/", REVIEWED[persona])], method="post"
    )
    grant.refresh_from_db()
    assert (grant.reviewed_at is not None) == (REVIEWED[persona] == 302 and persona != "anonymous")


def test_a_get_cannot_mark_an_opening_as_reviewed(team_lead, client, grant):
    client.force_login(team_lead)
    assert client.get(f"/geopend-met-reden/{grant.pk}/beoordeeld/").status_code == 405


def test_the_team_lead_reviews_their_teams_openings_and_the_application_manager_all(
    caseworker, team_lead, other_team_lead, app_manager, client, grant, other_caseworker
):
    theirs = PlacementFactory(
        caseworker=other_caseworker,
        child__first_name="Noor",
        start_date=timezone.localdate() - dt.timedelta(days=900),
        end_date=timezone.localdate() - dt.timedelta(days=300),
        end_reason=Placement.EndReason.OTHER,
    )
    other_grant = break_glass_open(actor=other_caseworker, record=theirs.child, reason=REASON)
    listed = {}
    for viewer in (team_lead, other_team_lead, app_manager):
        client.force_login(viewer)
        listed[viewer.username] = set(client.get("/geopend-met-reden/").context["page"].object_list)
    assert listed == {
        "teamleider": {grant},
        "teamleider2": {other_grant},
        "beheer": {grant, other_grant},
    }
    client.force_login(team_lead)
    body = client.get("/geopend-met-reden/").content.decode()
    assert "Bram Ende" in body and REASON in body and "Noor" not in body
    assert AccessLogEntry.objects.filter(
        user=team_lead, purpose="audit", detail="geopend met reden: overzicht"
    ).exists()


def test_reviewing_moves_an_opening_from_to_review_to_all(team_lead, client, grant):
    client.force_login(team_lead)
    response = client.post(f"/geopend-met-reden/{grant.pk}/beoordeeld/", follow=True)
    assert "Beoordeeld: Bram Ende." in response.content.decode()
    assert list(response.context["page"].object_list) == []
    body = client.get("/geopend-met-reden/?alles=1").content.decode()
    assert "door " in body and "Bram Ende" in body
    grant.refresh_from_db()
    assert grant.reviewed_by == team_lead
    assert AccessLogEntry.objects.filter(user=team_lead, detail="beoordeeld: Bram Ende").exists()


def test_a_team_lead_does_not_review_what_they_opened_themselves(team_lead, app_manager, closed):
    from pleegzorg.services import break_glass_review

    own = break_glass_open(actor=team_lead, record=closed.family, reason=REASON)
    with pytest.raises(Refused):
        break_glass_review(actor=team_lead, grant=own)
    assert break_glass_review(actor=app_manager, grant=own).reviewed_by == app_manager


def test_the_review_page_runs_a_fixed_number_of_queries(
    caseworker, team_lead, app_manager, client, closed, django_assert_max_num_queries
):
    for n in range(60):
        child = PlacementFactory(
            caseworker=caseworker,
            start_date=timezone.localdate() - dt.timedelta(days=900),
            end_date=timezone.localdate() - dt.timedelta(days=300 + n),
            end_reason=Placement.EndReason.OTHER,
        ).child
        break_glass_open(actor=caseworker, record=child, reason=f"{REASON} ({n})")
    for viewer in (team_lead, app_manager):
        client.force_login(viewer)
        with django_assert_max_num_queries(10):
            response = client.get("/geopend-met-reden/")
        assert len(response.context["page"].object_list) == 50
        with django_assert_max_num_queries(10):
            client.get("/geopend-met-reden/", {"alles": 1, "pagina": 2})


def test_with_htmx_the_review_page_sends_only_the_list(team_lead, client, grant):
    client.force_login(team_lead)
    body = client.get("/geopend-met-reden/", headers={"HX-Request": "true"}).content.decode()
    assert body.lstrip().startswith('<div id="grant-results"')


def test_the_break_glass_page_runs_a_fixed_number_of_queries(
    caseworker, client, closed, django_assert_max_num_queries
):
    client.force_login(caseworker)
    with django_assert_max_num_queries(11):
        assert client.get(f"/toegang/pleegkind/{closed.child_id}/").status_code == 200
    with django_assert_max_num_queries(15):
        client.post(f"/toegang/pleegkind/{closed.child_id}/", {"reason": REASON})


def test_a_grant_stays_on_record(grant):
    with pytest.raises(PermissionError):
        grant.delete()
    assert Child.objects.filter(pk=grant.record_id).exists()


def test_the_placements_a_user_may_see_follow_a_grant_made_in_the_same_request(caseworker, closed):
    """The files opened with a reason are read once per request (a list on the user): opening
    one makes the next question read them again."""
    from placements.permissions import placements_policy

    assert not placements_policy.visible_to(caseworker).filter(pk=closed.pk).exists()
    break_glass_open(actor=caseworker, record=closed.child, reason=REASON)
    assert placements_policy.visible_to(caseworker).filter(pk=closed.pk).exists()
