"""Logging in with two steps: the middleware on every URL, setting up and using the second step,
recovery codes, re-authentication, password reset, and the application manager's reset."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
import time_machine
from django.core import mail
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from pleegzorg import demo, mfa
from pleegzorg.models import AccessLogEntry, UserSession
from tests.clients import Client
from tests.matrix import PERSONAS

VERIFY = "/inloggen/tweede-stap/"
MANAGE = "/inloggen-in-twee-stappen/"
APP_SETUP = "/inloggen-in-twee-stappen/app/"
CONFIRM = "/inloggen/wachtwoord-bevestigen/"
PASSWORD = "pleegzorg-demo"


def code_for(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, t0=device.t0, step=device.step):06d}"


def app_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def log_in(client, username="werker", password=PASSWORD):
    return client.post("/inloggen/", {"username": username, "password": password})


# -- the middleware, on every URL of the project --------------------------------------------------

SAMPLES = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000001",
}
REGEX_SAMPLES = {"app_label": "pleegzorg", "url": "x"}
# What a logged-in session that has not passed the second step may reach: logging in and out,
# the second step itself (each page checks for itself), the health check, the language switch.
EXEMPT = {
    "login",
    "logout",
    "healthz",
    "set_language",
    "two_factor:verify",
    "two_factor:recovery",
    "two_factor:confirm_password",
    "two_factor:manage",
    "two_factor:app_setup",
    "two_factor:app_remove",
    "two_factor:passkey_add",
    "two_factor:passkey_remove",
    "two_factor:recovery_codes",
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
}
# Of those, the pages that change the second step send a session that has one but did not pass
# it to the second step themselves (the POST-only ones answer a GET with 405 first).
CHANGES = {
    "two_factor:manage",
    "two_factor:app_setup",
    "two_factor:passkey_add",
    "two_factor:recovery_codes",
}


def sample_path(prefix: str, pattern) -> str:
    text = str(pattern.pattern)
    if text.startswith("^") or text.endswith("$"):  # a regular expression (Django admin)
        text = re.sub(
            r"\(\?P<(\w+)>[^)]*\)", lambda m: REGEX_SAMPLES.get(m.group(1), "1"), text
        ).strip("^$")
        text = text.replace("\\", "")
    else:
        text = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: SAMPLES[m.group(1) or "str"], text)
    return prefix + text


def every_url(patterns=None, prefix="/"):
    """(pattern name, a path that resolves to it) for every URL pattern of the project."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from every_url(pattern.url_patterns, sample_path(prefix, pattern))
        elif isinstance(pattern, URLPattern):
            path = sample_path(prefix, pattern)
            yield resolve(path).view_name, path


def test_the_walk_reaches_every_pattern():
    urls = list(every_url())
    assert len(urls) > 100  # the app's pages and every page of Django admin
    names = {name for name, _path in urls}
    assert {"pleegzorg:start", "placements:child", "admin:pleegzorg_user_change"} <= names
    assert names >= EXEMPT


@pytest.mark.parametrize("has_app", [True, False], ids=["with app", "without second step"])
def test_every_url_sends_a_session_without_the_second_step_to_it(caseworker, has_app):
    if has_app:
        app_for(caseworker)
    client = Client()
    client.force_login_password_only(caseworker)
    reached = set()
    for name, path in every_url():
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            if not (response.status_code == 302 and response["Location"] == VERIFY):
                reached.add(name)
            if "_auth_user_id" not in client.session:  # logged out: log in again
                client.force_login_password_only(caseworker)
    assert reached == (EXEMPT - CHANGES if has_app else EXEMPT)


def test_with_htmx_the_second_step_is_a_client_redirect(caseworker):
    client = Client()
    client.force_login_password_only(caseworker)
    response = client.get("/meldingen/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == VERIFY


# -- setting up and logging in ------------------------------------------------------------------


def test_a_first_login_sets_up_an_app_and_shows_recovery_codes_once(caseworker, client):
    response = log_in(client)
    assert client.get(response["Location"])["Location"] == VERIFY
    assert client.get(VERIFY)["Location"] == MANAGE
    page = client.get(MANAGE).content.decode()
    assert "Voordat je verder gaat: stel een tweede stap in." in page

    page = client.get(APP_SETUP).content.decode()
    assert 'src="data:image/svg+xml' in page
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1)
    device = TOTPDevice.objects.get(user=caseworker, confirmed=False)
    assert secret.replace(" ", "") == mfa.totp_secret(device).replace(" ", "")

    wrong = client.post(APP_SETUP, {"code": "000000"})
    assert "Deze code klopt niet" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=caseworker, confirmed=True).exists()

    time.sleep(1.1)  # django-otp refuses every code for a second after a wrong one
    response = client.post(APP_SETUP, {"code": code_for(device)})
    assert response["Location"] == "/inloggen-in-twee-stappen/herstelcodes/"
    codes = re.findall(
        r"<code>(\w{4}-\w{4})</code>", client.get(response["Location"]).content.decode()
    )
    assert len(codes) == mfa.RECOVERY_CODE_COUNT
    again = client.get("/inloggen-in-twee-stappen/herstelcodes/").content.decode()
    assert "<code>" not in again and "Je hebt nog 10 herstelcodes." in again
    assert client.get("/").status_code == 200  # passed the second step with the new app
    assert AccessLogEntry.objects.filter(user=caseworker, detail__contains="app ingesteld").exists()


def test_a_user_with_an_app_types_its_code_after_the_password(caseworker, client):
    device = app_for(caseworker)
    response = client.post(
        "/inloggen/", {"username": "werker", "password": PASSWORD, "next": "/meldingen/"}
    )
    assert client.get(response["Location"])["Location"] == VERIFY

    wrong = client.post(VERIFY, {"code": "123456"})
    assert wrong.status_code == 200
    assert "Deze code klopt niet. Typ de code die je app nu laat zien." in wrong.content.decode()
    assert 'value="123456"' in wrong.content.decode()
    # Straight after a wrong code every code waits a moment (django-otp's throttling).
    too_soon = client.post(VERIFY, {"code": code_for(device)}).content.decode()
    assert "Te veel foute codes achter elkaar. Wacht een paar seconden" in too_soon

    time.sleep(2.1)
    key_before = client.session.session_key
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response["Location"] == "/meldingen/"  # where they were going
    assert client.session.session_key != key_before  # a new session id after the second step
    assert client.get("/").status_code == 200
    assert UserSession.objects.get(user=caseworker).session_key == client.session.session_key


def test_a_code_works_once(caseworker, client):
    device = app_for(caseworker)
    code = code_for(device)
    log_in(client)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    other = Client()
    log_in(other)
    assert other.post(VERIFY, {"code": code}).status_code == 200


def test_each_recovery_code_works_once(caseworker, client):
    app_for(caseworker)
    codes = mfa.recovery_codes_make(actor=caseworker, request=_request_with_session())
    log_in(client)
    response = client.post(
        "/inloggen/herstelcode/", {"code": codes[0].upper()[:4] + "-" + codes[0][4:]}
    )
    assert response["Location"] == MANAGE
    assert client.get("/").status_code == 200
    assert StaticToken.objects.filter(device__user=caseworker).count() == len(codes) - 1

    other = Client()
    log_in(other)
    again = other.post("/inloggen/herstelcode/", {"code": codes[0]})
    assert "Deze herstelcode klopt niet of is al gebruikt." in again.content.decode()
    assert other.get("/").status_code == 302


def _request_with_session():
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.session = SessionStore()
    return request


def test_a_password_reset_still_asks_for_the_second_step(caseworker, client):
    app_for(caseworker)
    client.post("/wachtwoord-vergeten/", {"email": caseworker.email})
    link = re.search(r"http://testserver(/wachtwoord-herstellen/\S+/)", mail.outbox[0].body).group(
        1
    )
    form_url = client.get(link)["Location"]
    new = "7Kx!q2Zp-9vMb#4Tj-y8Ws"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response["Location"] == "/wachtwoord-herstellen/klaar/"
    assert client.get("/")["Location"].startswith("/inloggen/")  # not logged in by the reset
    response = log_in(client, password=new)
    assert client.get(response["Location"])["Location"] == VERIFY


def test_the_second_step_is_only_asked_of_users_who_have_one_when_not_required(
    caseworker, team_lead, settings
):
    settings.REQUIRE_2FA = False
    app_for(team_lead)
    without, with_app = Client(), Client()
    log_in(without)
    assert without.get("/").status_code == 200  # the demo's accounts: password alone
    log_in(with_app, username="teamleider")
    assert with_app.get("/")["Location"] == VERIFY  # `tweestaps` in the demo


def test_a_session_without_the_second_step_cannot_change_it(caseworker):
    app_for(caseworker)
    client = Client()
    client.force_login_password_only(caseworker)
    for url in (MANAGE, APP_SETUP, "/inloggen-in-twee-stappen/passkey/"):
        assert client.get(url)["Location"] == VERIFY, url
    assert client.post("/inloggen-in-twee-stappen/app/verwijderen/")["Location"] == VERIFY
    assert client.post("/inloggen-in-twee-stappen/herstelcodes/")["Location"] == VERIFY
    # django-otp-webauthn refuses as well: a new passkey would be a way round the second step.
    response = client.post("/passkeys/registratie/begin/")
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=caseworker).count() == 1


# -- re-authentication ----------------------------------------------------------------------------


def test_changing_the_second_step_asks_for_the_password_again_after_ten_minutes(caseworker, client):
    with time_machine.travel("2026-11-23 09:00 +0100", tick=False) as clock:
        client.force_login(caseworker)
        assert client.get(APP_SETUP).status_code == 200  # the password was just given
        clock.shift(dt.timedelta(minutes=11))
        response = client.get(APP_SETUP)
        assert response["Location"] == f"{CONFIRM}?next=%2Finloggen-in-twee-stappen%2Fapp%2F"
        assert client.post("/inloggen-in-twee-stappen/app/verwijderen/")["Location"].startswith(
            CONFIRM
        )
        assert TOTPDevice.objects.filter(user=caseworker).exists()
        passkey = client.post("/passkeys/registratie/begin/")
        assert passkey.status_code == 403 and passkey.json()["code"] == "password_not_recent"

        wrong = client.post(response["Location"], {"password": "fout"})
        assert "Dit wachtwoord klopt niet." in wrong.content.decode()
        right = client.post(response["Location"], {"password": PASSWORD})
        assert right["Location"] == APP_SETUP
        assert client.get(APP_SETUP).status_code == 200


def test_changing_the_email_address_asks_for_the_password_again(caseworker, client):
    with time_machine.travel("2026-11-23 09:00 +0100", tick=False) as clock:
        client.force_login(caseworker)
        clock.shift(dt.timedelta(minutes=11))
        url = "/e-mailadres-wijzigen/"
        assert client.post(url, {"email": "ander@example.nl"})["Location"].startswith(CONFIRM)
        caseworker.refresh_from_db()
        assert caseworker.email == "werker@pleegzorg.example"
        client.post(f"{CONFIRM}?next={url}", {"password": PASSWORD})
        bad = client.post(url, {"email": "geen-adres"})
        assert "Voer een geldig e-mailadres in." in bad.content.decode()
        assert 'value="geen-adres"' in bad.content.decode()
        assert client.post(url, {"email": "ander@example.nl"})["Location"] == MANAGE
    caseworker.refresh_from_db()
    assert caseworker.email == "ander@example.nl"
    assert AccessLogEntry.objects.filter(user=caseworker, detail="e-mailadres gewijzigd").exists()


def test_changing_the_password_needs_the_old_one(caseworker, client):
    client.force_login(caseworker)
    new = "7Kx!q2Zp-9vMb#4Tj-y8Ws"
    response = client.post(
        "/wachtwoord-wijzigen/",
        {"old_password": "fout", "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 200
    caseworker.refresh_from_db()
    assert caseworker.check_password(PASSWORD)


# -- removing and replacing -----------------------------------------------------------------------


def passkey_for(user, name="Telefoon"):
    return WebAuthnCredential.objects.create(
        user=user, name=name, confirmed=True, credential_id_sha256=f"{user.pk:064d}"
    )


def test_removing_a_second_step_ends_the_other_sessions_and_one_always_stays(caseworker, client):
    client.force_login(caseworker)
    elsewhere = Client()
    elsewhere.force_login(caseworker)
    passkey = passkey_for(caseworker)
    assert "Telefoon" in client.get(MANAGE).content.decode()

    client.post("/inloggen-in-twee-stappen/app/verwijderen/")
    assert not TOTPDevice.objects.filter(user=caseworker).exists()
    assert elsewhere.get("/")["Location"].startswith("/inloggen/")  # the other session ended
    assert client.get("/").status_code == 200  # this one goes on

    page = client.get(MANAGE).content.decode()
    assert "Passkey verwijderen" not in page  # the last one
    response = client.post(
        f"/inloggen-in-twee-stappen/passkey/{passkey.pk}/verwijderen/", follow=True
    )
    assert "Voeg eerst een andere passkey of een app toe" in response.content.decode()
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    details = set(AccessLogEntry.objects.filter(user=caseworker).values_list("detail", flat=True))
    assert "tweestapsverificatie: app verwijderd" in details


def test_without_the_requirement_the_last_second_step_can_go(caseworker, client, settings):
    settings.REQUIRE_2FA = False
    client.force_login(caseworker)
    client.post("/inloggen-in-twee-stappen/app/verwijderen/")
    assert not TOTPDevice.objects.filter(user=caseworker).exists()
    assert client.get("/").status_code == 200


def test_nobody_removes_someone_elses_passkey(caseworker, other_caseworker, client):
    passkey = passkey_for(other_caseworker)
    client.force_login(caseworker)
    assert (
        client.post(f"/inloggen-in-twee-stappen/passkey/{passkey.pk}/verwijderen/").status_code
        == 404
    )
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()


def test_a_new_app_replaces_the_old_one(caseworker, client):
    client.force_login(caseworker)
    old = TOTPDevice.objects.get(user=caseworker)
    client.get(APP_SETUP)
    new = TOTPDevice.objects.get(user=caseworker, confirmed=False)
    client.post(APP_SETUP, {"code": code_for(new)})
    assert list(TOTPDevice.objects.filter(user=caseworker)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()


# -- the application manager ----------------------------------------------------------------------


def test_the_application_manager_resets_a_second_step_and_it_is_logged(
    app_manager, caseworker, client
):
    app_for(caseworker)
    mfa.recovery_codes_make(actor=caseworker, request=_request_with_session())
    theirs = Client()
    theirs.force_login(caseworker)
    client.force_login(app_manager)
    page = client.get(f"/beheer/pleegzorg/user/{caseworker.pk}/change/").content.decode()
    assert "authenticator-app" in page and "10 herstelcodes" in page

    response = client.post(
        "/beheer/pleegzorg/user/",
        {"action": "reset_second_factor", "_selected_action": [caseworker.pk]},
        follow=True,
    )
    assert "De tweede stap van 1 gebruiker is hersteld" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=caseworker).exists()
    assert not StaticToken.objects.filter(device__user=caseworker).exists()
    assert theirs.get("/")["Location"].startswith("/inloggen/")  # their session has ended
    entry = AccessLogEntry.objects.get(user=app_manager, detail__startswith="tweestaps")
    assert entry.person_id == caseworker.pk and entry.purpose == "administration"
    # At the next login they set up a new second step after their password.
    log_in(theirs)
    assert theirs.get("/")["Location"] == VERIFY
    assert theirs.get(VERIFY)["Location"] == MANAGE


def test_the_demo_has_tweestaps_with_the_secret_of_the_readme(seeded):
    user = TOTPDevice.objects.get(user__username="tweestaps", confirmed=True)
    assert user.user.role == "caseworker" and user.user.team.name == "Utrecht Stad"
    assert demo.tweestaps_secret() == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert demo.tweestaps_secret() in demo.accounts_table()
    assert demo.tweestaps_code() == f"{totp(user.bin_key):06d}"


# -- every persona on every page of the second step ---------------------------------------------

# Every role sets up and uses a second step, foster parents too.
LOGGED_IN = PERSONAS[:-1]


def every_persona(logged_in: int, anonymous: int) -> dict[str, int]:
    return dict.fromkeys(LOGGED_IN, logged_in) | {"anonymous": anonymous}


# A session that passed both steps (every persona here) is sent on from the second step's own
# pages; the POST-only ones refuse a GET; the passkey endpoints take POSTs of JSON only.
SECOND_STEP_MATRIX = {
    VERIFY: every_persona(302, 302),
    "/inloggen/herstelcode/": every_persona(302, 302),
    CONFIRM: every_persona(200, 302),
    MANAGE: every_persona(200, 302),
    APP_SETUP: every_persona(200, 302),
    "/inloggen-in-twee-stappen/app/verwijderen/": every_persona(405, 405),
    "/inloggen-in-twee-stappen/passkey/": every_persona(200, 302),
    "/inloggen-in-twee-stappen/passkey/1/verwijderen/": every_persona(405, 405),
    "/inloggen-in-twee-stappen/herstelcodes/": every_persona(200, 302),
    "/e-mailadres-wijzigen/": every_persona(200, 302),
    "/passkeys/registratie/begin/": every_persona(405, 403),
    "/passkeys/registratie/klaar/": every_persona(405, 403),
    "/passkeys/inloggen/begin/": every_persona(405, 403),
    "/passkeys/inloggen/klaar/": every_persona(405, 403),
    "/passkeys/vertalingen/": every_persona(200, 200),
}


@pytest.mark.parametrize("persona", [*LOGGED_IN, "anonymous"])
def test_every_page_of_the_second_step_answers_every_role_as_intended(persona, matrix):
    matrix.check([(persona, url, answers[persona]) for url, answers in SECOND_STEP_MATRIX.items()])


def settings_value(module: str, expression: str, **env) -> str:
    from tests.test_platform import run_manage

    result = run_manage(
        "shell",
        "-c",
        f"from django.conf import settings; print({expression})",
        env_overrides={
            "DJANGO_SETTINGS_MODULE": module,
            "DJANGO_SECRET_KEY": "x" * 60,
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/pleegzorg",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
            "EMAIL_URL": "smtp://mail.example.nl",
            "DJANGO_ALLOWED_HOSTS": "pleegzorg.example.nl",
            **env,
        },
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_production_always_requires_the_second_step_and_the_demo_does_not():
    production = "config.settings.production"
    assert (
        settings_value(production, "settings.REQUIRE_2FA", PLEEGZORG_REQUIRE_2FA="false") == "True"
    )
    assert settings_value("config.settings.local", "settings.REQUIRE_2FA") == "False"
    assert settings_value("config.settings.test", "settings.REQUIRE_2FA") == "True"
    passkeys = "settings.OTP_WEBAUTHN_RP_ID, settings.OTP_WEBAUTHN_ALLOWED_ORIGINS"
    assert settings_value(production, passkeys) == (
        "pleegzorg.example.nl ['https://pleegzorg.example.nl']"
    )
