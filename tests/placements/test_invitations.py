"""Foster parents' accounts (issue 13): the caseworker's invitation, the one-time link, revoking
the account, and a family that stops."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from placements.factories import FosterParentFactory
from placements.invitations import services
from placements.invitations.models import FosterParentInvitation
from placements.models import FosterFamily
from pleegzorg.models import AccessLogEntry, User, UserSession
from tests.clients import Client
from tests.matrix import PERSONAS

LINK = re.compile(r"https?://[^/\s]+(/uitnodiging/[^/\s]+/)")


@pytest.fixture
def petra(family):
    return FosterParentFactory(
        family=family, first_name="Petra", last_name="de Boer", email="petra@example.nl"
    )


def invite_url(foster_parent) -> str:
    return f"/pleeggezinnen/{foster_parent.family_id}/pleegouders/{foster_parent.pk}/uitnodigen/"


def revoke_url(foster_parent) -> str:
    return (
        f"/pleeggezinnen/{foster_parent.family_id}/pleegouders/{foster_parent.pk}/"
        "toegang-intrekken/"
    )


def invited(client, caseworker, foster_parent) -> str:
    """The caseworker invites ``foster_parent`` on the family page; the link of the email."""
    client.force_login(caseworker)
    response = client.post(invite_url(foster_parent))
    assert response.status_code == 302
    (path,) = LINK.findall(mail.outbox[-1].body)
    return path


def test_the_caseworker_invites_a_foster_parent_by_email(client, caseworker, placement, petra):
    link = invited(client, caseworker, petra)
    petra.refresh_from_db()
    account = petra.account
    assert account.role == User.Role.FOSTER_PARENT and account.username == "petra@example.nl"
    assert not account.has_usable_password()
    (message,) = mail.outbox
    assert message.to == ["petra@example.nl"]
    assert message.subject == "Je account voor Mijn pleeggezin"
    assert "Beste Petra," in message.body and "pleegzorgwerker" in message.body
    # Only the token's hash is stored: the link is in the mailbox alone.
    token = link.split("/")[2]
    invitation = FosterParentInvitation.objects.get()
    assert token not in invitation.token_hash and invitation.token_hash == services.token_hash(
        token
    )
    assert AccessLogEntry.objects.filter(
        user=caseworker, action="create", detail="uitnodiging Mijn pleeggezin"
    ).exists()
    page = client.get(f"/pleeggezinnen/{petra.family_id}/").content.decode()
    assert "Uitgenodigd op" in page and "Nieuwe uitnodiging sturen" in page
    assert "Toegang intrekken" in page


def test_the_foster_parent_chooses_a_password_and_then_the_second_step(
    client, caseworker, placement, petra
):
    link = invited(client, caseworker, petra)
    foster = Client()
    page = foster.get(link)
    assert page.status_code == 200 and "Welkom, Petra" in page.content.decode()
    response = foster.post(
        link, {"new_password1": "Zon-en-zee-2026", "new_password2": "Zon-en-zee-2026"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    petra.refresh_from_db()
    assert petra.account.check_password("Zon-en-zee-2026")
    assert FosterParentInvitation.objects.get().used_at is not None
    # Logged in with the password; every page asks for the second step first.
    assert foster.get("/")["Location"].startswith("/inloggen/tweede-stap/")
    assert AccessLogEntry.objects.filter(
        user=petra.account, detail="uitnodiging gebruikt: wachtwoord ingesteld"
    ).exists()
    page = client.get(f"/pleeggezinnen/{petra.family_id}/").content.decode()
    assert "Gebruikt Mijn pleeggezin." in page


def test_a_link_works_once(client, caseworker, placement, petra):
    link = invited(client, caseworker, petra)
    data = {"new_password1": "Zon-en-zee-2026", "new_password2": "Zon-en-zee-2026"}
    assert Client().post(link, data).status_code == 302
    again = Client().post(
        link, {**data, "new_password1": "Ander-wachtwoord-9", "new_password2": "Ander-wachtwoord-9"}
    )
    assert again.status_code == 410
    assert "Deze link is al gebruikt." in again.content.decode()
    petra.refresh_from_db()
    assert petra.account.check_password("Zon-en-zee-2026")


def test_an_expired_link_opens_nothing(client, caseworker, placement, petra):
    link = invited(client, caseworker, petra)
    FosterParentInvitation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = Client().get(link)
    assert response.status_code == 410
    assert (
        "Deze link is verlopen. Vraag je pleegzorgwerker om een nieuwe."
        in response.content.decode()
    )
    page = client.get(f"/pleeggezinnen/{petra.family_id}/").content.decode()
    assert "de link is ongebruikt verlopen" in page and "Nieuwe uitnodiging sturen" not in page
    assert "Uitnodigen voor Mijn pleeggezin" in page


def test_the_link_of_a_revoked_account_opens_nothing(client, caseworker, placement, petra):
    link = invited(client, caseworker, petra)
    assert client.post(revoke_url(petra)).status_code == 302
    response = Client().post(
        link, {"new_password1": "Zon-en-zee-2026", "new_password2": "Zon-en-zee-2026"}
    )
    assert response.status_code == 410
    assert "Deze link werkt niet meer." in response.content.decode()
    petra.refresh_from_db()
    assert not petra.account.is_active and not petra.account.has_usable_password()


def test_a_new_invitation_revokes_the_open_one(client, caseworker, placement, petra):
    first = invited(client, caseworker, petra)
    second = invited(client, caseworker, petra)
    assert Client().get(first).status_code == 410
    assert Client().get(second).status_code == 200
    assert User.objects.filter(role=User.Role.FOSTER_PARENT).count() == 1


def test_a_link_that_is_none_answers_as_a_revoked_one(db):
    response = Client().get("/uitnodiging/niet-echt/")
    assert response.status_code == 410
    assert "Deze link werkt niet meer." in response.content.decode()


def test_passwords_that_differ_or_are_weak_get_a_dutch_message_and_save_nothing(
    client, caseworker, placement, petra
):
    link = invited(client, caseworker, petra)
    foster = Client()
    for first, second, message in [
        ("Zon-en-zee-2026", "Zon-en-zee-2027", "De twee wachtwoordvelden komen niet overeen."),
        ("12345678", "12345678", "Dit wachtwoord is te algemeen."),
    ]:
        response = foster.post(link, {"new_password1": first, "new_password2": second})
        assert response.status_code == 200
        assert message in response.content.decode()
    petra.refresh_from_db()
    assert not petra.account.has_usable_password()
    assert FosterParentInvitation.objects.get().used_at is None


def test_revoking_ends_the_sessions_of_the_account(client, caseworker, placement, petra):
    link = invited(client, caseworker, petra)
    foster = Client()
    foster.post(link, {"new_password1": "Zon-en-zee-2026", "new_password2": "Zon-en-zee-2026"})
    petra.refresh_from_db()
    assert UserSession.objects.filter(user=petra.account).exists()
    response = client.post(revoke_url(petra))
    assert response.status_code == 302
    petra.refresh_from_db()
    assert not petra.account.is_active
    assert not UserSession.objects.filter(user=petra.account).exists()
    assert foster.get("/")["Location"].startswith("/inloggen/")
    page = client.get(f"/pleeggezinnen/{petra.family_id}/").content.decode()
    assert "Geen toegang tot Mijn pleeggezin (beëindigd)." in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"email": ""}, "Voeg eerst het e-mailadres van de pleegouder toe"),
        ({"family_stopped": True}, "Dit pleeggezin is gestopt"),
    ],
)
def test_an_invitation_that_cannot_be_sent_says_why_in_dutch(
    client, caseworker, placement, petra, change, message
):
    if change.pop("family_stopped", False):
        FosterFamily.objects.filter(pk=petra.family_id).update(
            status="stopped", stop_date=timezone.localdate(), stop_reason="age_health"
        )
    if change:
        type(petra).objects.filter(pk=petra.pk).update(**change)
    client.force_login(caseworker)
    response = client.post(invite_url(petra), follow=True)
    assert message in response.content.decode()
    assert not mail.outbox and not FosterParentInvitation.objects.exists()
    petra.refresh_from_db()
    assert petra.account is None


def test_an_email_address_another_account_uses_is_refused(client, caseworker, placement, petra):
    User.objects.filter(pk=caseworker.pk).update(email="petra@example.nl")
    client.force_login(caseworker)
    response = client.post(invite_url(petra), follow=True)
    assert "Een ander account gebruikt dit e-mailadres al." in response.content.decode()
    assert not mail.outbox


def test_a_family_that_stops_loses_access_on_its_stop_date(client, caseworker, placement, petra):
    link = invited(client, caseworker, petra)
    Client().post(link, {"new_password1": "Zon-en-zee-2026", "new_password2": "Zon-en-zee-2026"})
    today = timezone.localdate()
    FosterFamily.objects.filter(pk=petra.family_id).update(
        status="stopped", stop_date=today + dt.timedelta(days=1), stop_reason="age_health"
    )
    assert services.close_accounts_of_stopped_families(today) == 0
    petra.refresh_from_db()
    assert petra.account.is_active
    assert services.close_accounts_of_stopped_families(today + dt.timedelta(days=1)) == 1
    petra.refresh_from_db()
    assert not petra.account.is_active
    entry = AccessLogEntry.objects.get(detail__contains="gezin gestopt")
    assert entry.user is None and entry.user_label == "pleeggezin gestopt"


def test_the_daily_task_is_in_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "placements.tasks.close_accounts_of_stopped_families" in tasks


@pytest.mark.parametrize("persona", [*PERSONAS, "other_caseworker"])
def test_the_invitation_urls_answer_every_role(persona, matrix, placement, petra, other_placement):
    """Inviting and ending access: who may change the family (its caseworker, their team lead);
    another family, or a role that sees none, is 404; anonymous visitors log in first. The link
    itself is open to whoever holds it."""
    theirs = FosterParentFactory(family=other_placement.family, email="ander@example.nl")
    own = {"caseworker": 302, "team_lead": 302, "other_caseworker": 404}.get(persona, 404)
    other = {"other_caseworker": 302}.get(persona, 404)
    if persona == "anonymous":
        own = other = 302
    rows = [
        (persona, invite_url(petra), own),
        (persona, invite_url(theirs), other),
        (persona, revoke_url(petra), own),
        (persona, revoke_url(theirs), other),
    ]
    matrix.check(rows, method="post")
    matrix.check([(persona, "/uitnodiging/niet-echt/", 410)])
    if persona != "anonymous":
        matrix.check([(persona, invite_url(petra), 405)])


def test_a_family_stopped_today_on_its_page_loses_access_at_once(
    client, caseworker, placement, petra
):
    from placements import services as placement_services

    link = invited(client, caseworker, petra)
    Client().post(link, {"new_password1": "Zon-en-zee-2026", "new_password2": "Zon-en-zee-2026"})
    family = FosterFamily.objects.get(pk=petra.family_id)
    placement_services.family_update(
        actor=caseworker,
        family=family,
        version=family.version,
        changes={
            "status": "stopped",
            "stop_date": timezone.localdate(),
            "stop_reason": "age_health",
        },
    )
    petra.refresh_from_db()
    assert not petra.account.is_active
