"""Login, lockout, logout, password reset and the idle timeout."""

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse

LOGIN_URL = "/inloggen/"
WRONG = "Deze gebruikersnaam en dit wachtwoord horen niet bij elkaar"


def post_login(client, username, password, ip="10.0.0.1"):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_page_is_in_dutch_by_default(db, client):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    assert '<html lang="nl">' in response.content.decode()
    assert "Inloggen" in response.content.decode()


def test_login_with_the_right_password_leads_to_the_second_step(caseworker, client):
    response = post_login(client, "werker", "pleegzorg-demo")
    assert response.status_code == 302
    assert response["Location"] == reverse("pleegzorg:start")
    # Logging in has two steps (tests/test_mfa.py): without one set up, that is setting it up.
    assert client.get(response["Location"])["Location"] == reverse("two_factor:verify")
    assert client.get(reverse("two_factor:verify"))["Location"] == reverse("two_factor:manage")


def test_login_with_the_right_password_opens_the_start_page_when_two_steps_are_off(
    caseworker, client, settings
):
    settings.REQUIRE_2FA = False  # the demo's six accounts
    response = post_login(client, "werker", "pleegzorg-demo")
    assert "Welkom, Wendy" in client.get(response["Location"]).content.decode()


def test_wrong_password_and_unknown_user_get_the_same_dutch_message(caseworker, client):
    wrong_password = post_login(client, "werker", "fout-wachtwoord").content.decode()
    unknown_user = post_login(client, "niemand", "fout-wachtwoord").content.decode()
    assert WRONG in wrong_password
    assert WRONG in unknown_user
    # The typed username is kept on the form.
    assert 'value="werker"' in wrong_password


def test_inactive_user_gets_the_same_message_as_a_wrong_password(caseworker, client):
    caseworker.is_active = False
    caseworker.save(update_fields=["is_active"])
    assert WRONG in post_login(client, "werker", "pleegzorg-demo").content.decode()


@pytest.mark.parametrize("username", ["werker", "bestaat-niet"])
def test_repeated_failures_lock_the_username_and_say_when_to_retry(caseworker, client, username):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, username, "fout")
    response = post_login(client, username, "pleegzorg-demo" if username == "werker" else "x")
    body = response.content.decode()
    assert response.status_code == 429
    assert "Tijdelijk geblokkeerd" in body
    assert re.search(r"over 1[45] minuten opnieuw proberen, om \d\d:\d\d", body)


def test_lockout_is_per_address_so_colleagues_elsewhere_can_still_log_in(caseworker, client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "werker", "fout", ip="10.0.0.1")
    assert post_login(client, "werker", "pleegzorg-demo", ip="10.0.0.2").status_code == 302


def test_logout_needs_a_post_and_ends_the_session(caseworker, client):
    client.force_login(caseworker)
    assert client.get("/uitloggen/").status_code == 405
    response = client.post("/uitloggen/")
    assert response["Location"] == reverse("login")
    assert client.get("/").status_code == 302


def test_idle_timeout_ends_the_session_after_thirty_minutes_without_a_request(caseworker, client):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    with time_machine.travel("2026-11-23 09:00 +0100", tick=False) as clock:
        client.force_login(caseworker)
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/").status_code == 200  # active: the 30 minutes start again
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        assert client.get("/")["Location"].startswith(reverse("login"))


def test_password_reset_sends_a_dutch_email_with_a_working_link(caseworker, client):
    response = client.post("/wachtwoord-vergeten/", {"email": caseworker.email})
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Kies een nieuw wachtwoord voor Pleegzorg"
    assert "Beste Wendy" in message.body
    link = re.search(r"http://testserver(/wachtwoord-herstellen/\S+/)", message.body).group(1)
    form_url = client.get(link)["Location"]
    response = client.post(
        form_url,
        {
            "new_password1": "7Kx!q2Zp-9vMb#4Tj-y8Ws",
            "new_password2": "7Kx!q2Zp-9vMb#4Tj-y8Ws",
        },
    )
    assert response["Location"] == reverse("password_reset_complete")
    caseworker.refresh_from_db()
    assert caseworker.check_password("7Kx!q2Zp-9vMb#4Tj-y8Ws")


def test_password_reset_for_an_unknown_address_looks_the_same(db, client):
    response = client.post("/wachtwoord-vergeten/", {"email": "onbekend@example.nl"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_password_change_with_a_short_password_keeps_the_form_with_a_dutch_message(
    caseworker, client
):
    client.force_login(caseworker)
    response = client.post(
        "/wachtwoord-wijzigen/",
        {"old_password": "pleegzorg-demo", "new_password1": "kort", "new_password2": "kort"},
    )
    assert response.status_code == 200
    assert (
        "Dit wachtwoord is te kort. Het moet minstens 12 tekens bevatten."
        in response.content.decode()
    )
    caseworker.refresh_from_db()
    assert caseworker.check_password("pleegzorg-demo")


def test_english_is_available_through_the_language_switch(db, client):
    client.post("/taal/", {"language": "en", "next": LOGIN_URL})
    body = client.get(LOGIN_URL).content.decode()
    assert '<html lang="en">' in body
    assert "Log in" in body
    assert "Forgot your password?" in body


def test_the_session_is_written_at_most_once_a_minute_and_still_times_out(caseworker, client):
    from django.contrib.sessions.models import Session

    def expiry():
        return Session.objects.get().expire_date

    with time_machine.travel("2026-11-23 09:00 +0100", tick=False) as clock:
        client.force_login(caseworker)
        client.get("/")
        first = expiry()
        clock.shift(dt.timedelta(seconds=30))
        client.get("/")
        assert expiry() == first  # not written: within the minute
        clock.shift(dt.timedelta(seconds=31))
        client.get("/")
        assert expiry() == first + dt.timedelta(seconds=61)  # written with the new expiry
        clock.shift(dt.timedelta(minutes=30))
        assert client.get("/")["Location"].startswith(reverse("login"))
