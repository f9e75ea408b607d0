"""Sessions: a new id at login, the absolute lifetime beside the idle timeout, and ending them
(password change, deactivation, the application manager)."""

import datetime as dt

import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session

from pleegzorg import sessions
from pleegzorg.models import AccessLogEntry, UserSession
from pleegzorg.tasks import clear_expired_sessions
from tests.clients import Client

PASSWORD = "pleegzorg-demo"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def is_logged_in(client) -> bool:
    return client.get("/").status_code == 200


def test_logging_in_gives_the_session_a_new_key_and_indexes_it(caseworker, client):
    client.post("/taal/", {"language": "nl", "next": "/"})  # an anonymous session first
    before = client.session.session_key
    assert before is not None
    client.post("/inloggen/", {"username": "werker", "password": PASSWORD})
    after = client.session.session_key
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert UserSession.objects.get(user=caseworker).session_key == after


def test_logging_out_forgets_the_session(caseworker, client):
    client.force_login(caseworker)
    client.post("/uitloggen/")
    assert not UserSession.objects.filter(user=caseworker).exists()


def test_a_session_ends_twelve_hours_after_login_however_active(caseworker):
    assert settings.SESSION_MAX_HOURS == 12
    with time_machine.travel("2026-11-23 08:00 +0100", tick=False) as clock:
        client = logged_in(caseworker)
        for _ in range(12 * 3 - 1):  # a request every 20 minutes: never idle
            clock.shift(dt.timedelta(minutes=20))
            assert is_logged_in(client)
        clock.shift(dt.timedelta(minutes=21))  # 12 hours and 1 minute after the login
        assert client.get("/")["Location"].startswith("/inloggen/")
    assert not UserSession.objects.filter(user=caseworker).exists()


def test_a_session_without_a_login_time_counts_as_ended(caseworker):
    client = logged_in(caseworker)
    session = client.session
    del session[sessions.LOGIN_AT]
    session.save()
    assert client.get("/")["Location"].startswith("/inloggen/")


def test_a_new_password_ends_the_other_sessions_and_keeps_this_one(caseworker):
    here, elsewhere = logged_in(caseworker), logged_in(caseworker)
    new = "7Kx!q2Zp-9vMb#4Tj-y8Ws"
    response = here.post(
        "/wachtwoord-wijzigen/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response["Location"] == "/wachtwoord-wijzigen/klaar/"
    assert is_logged_in(here)
    assert not is_logged_in(elsewhere)
    assert list(
        UserSession.objects.filter(user=caseworker).values_list("session_key", flat=True)
    ) == [here.session.session_key]
    assert Session.objects.count() == 1


def test_deactivating_a_user_ends_their_sessions(app_manager, caseworker):
    theirs = logged_in(caseworker)
    caseworker.is_active = False
    caseworker.save(update_fields=["is_active"])
    assert not Session.objects.filter(session_key=theirs.session.session_key).exists()
    assert not UserSession.objects.filter(user=caseworker).exists()
    assert theirs.get("/")["Location"].startswith("/inloggen/")


def test_the_application_manager_ends_a_users_sessions_and_it_is_logged(
    app_manager, caseworker, client
):
    phone, laptop = logged_in(caseworker), logged_in(caseworker)
    client.force_login(app_manager)
    page = client.get(f"/beheer/pleegzorg/user/{caseworker.pk}/change/").content.decode()
    assert "Sessies" in page
    response = client.post(
        "/beheer/pleegzorg/user/",
        {"action": "end_sessions", "_selected_action": [caseworker.pk]},
        follow=True,
    )
    assert "2 sessies beëindigd" in response.content.decode()
    assert not is_logged_in(phone) and not is_logged_in(laptop)
    assert is_logged_in(client)
    entry = AccessLogEntry.objects.get(user=app_manager, detail__startswith="sessies")
    assert entry.person_id == caseworker.pk and entry.detail == "sessies beëindigd (2)"


def test_only_the_application_manager_may_use_these_actions(team_lead, caseworker, client):
    theirs = logged_in(caseworker)
    client.force_login(team_lead)
    response = client.post(
        "/beheer/pleegzorg/user/",
        {"action": "end_sessions", "_selected_action": [caseworker.pk]},
    )
    assert response.status_code == 302 and "/beheer/login/" in response["Location"]
    assert is_logged_in(theirs)


def test_the_nightly_task_forgets_sessions_past_their_lifetime(caseworker):
    with time_machine.travel("2026-11-23 08:00 +0100", tick=False) as clock:
        logged_in(caseworker)
        clock.shift(dt.timedelta(hours=11))
        logged_in(caseworker)
        clock.shift(dt.timedelta(hours=2))
        clear_expired_sessions()
    assert UserSession.objects.filter(user=caseworker).count() == 1
