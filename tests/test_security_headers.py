"""Headers and cookies: the Content Security Policy with htmx, static files protected like pages,
and in production every cookie Secure (the CSRF cookie HttpOnly: the token comes from the page)."""

import importlib
import json
import re
import sys

import pytest
from django.conf import settings
from django.test import override_settings

from tests.clients import Client, verify_session
from tests.csp import blocked_by_csp

STATIC_FILES = ("/static/css/app.css", "/static/js/print.js", "/static/img/favicon.svg")


@pytest.mark.parametrize("url", STATIC_FILES)
def test_static_files_have_the_frame_and_content_type_protection_of_pages(db, client, url):
    response = client.get(url)
    page = client.get("/inloggen/")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == page["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    # The page's policy, less the nonce of that one response (a static file has no inline code).
    page_policy = re.sub(r" 'nonce-[^']+'", "", page["Content-Security-Policy"])
    assert response["Content-Security-Policy"] == page_policy
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_a_page_allows_no_inline_script_without_its_nonce_and_no_eval(caseworker, client):
    client.force_login(caseworker)
    response = client.get("/")
    header = response["Content-Security-Policy"]
    policy = dict(directive.strip().split(" ", 1) for directive in header.split(";"))
    script_src = policy["script-src"].split()
    assert script_src[0] == "'self'"
    assert all(source.startswith("'nonce-") for source in script_src[1:])
    assert "unsafe" not in response["Content-Security-Policy"]
    assert policy["style-src"] == "'self'"
    body = response.content.decode()
    assert blocked_by_csp(body) == []
    # The one script tag the page has carries the nonce the header names.
    nonce = re.search(r'<script [^>]*nonce="([^"]+)"', body).group(1)
    assert f"'nonce-{nonce}'" in script_src


def test_htmx_is_configured_not_to_evaluate_and_not_to_keep_pages(caseworker, client):
    client.force_login(caseworker)
    body = client.get("/").content.decode()
    config = json.loads(re.search(r"name=\"htmx-config\"\s+content='([^']+)'", body).group(1))
    assert config == {
        "includeIndicatorStyles": False,
        "allowEval": False,
        "allowScriptTags": False,
        "selfRequestsOnly": True,
        "historyCacheSize": 0,
        "refreshOnHistoryMiss": True,
    }


def test_the_csp_check_finds_what_the_policy_would_block():
    page = """<script src="/static/x.js"></script><script nonce="abc">ok()</script>
    <script type="application/json">{"a": 1}</script>
    <script>alert(1)</script><a href="javascript:go()">x</a><button onclick="go()">y</button>
    <p style="color: red">z</p><div hx-on:click="go()"></div><div hx-vals='js:{a: 1}'></div>"""
    found = blocked_by_csp(page)
    assert len(found) == 6, found
    assert any("no nonce" in problem for problem in found)


# -- production cookies ---------------------------------------------------------------------------

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "a-production-like-key-for-this-test-only-0123456789abcdef",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/pleegzorg",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp+tls://pleegzorg:secret@mail.example.nl:587",
}


@pytest.fixture
def production_cookies(monkeypatch):
    """The cookie settings of config.settings.production itself, read with a production-like
    environment, applied over the test settings."""
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delitem(sys.modules, "config.settings.production", raising=False)
    production = importlib.import_module("config.settings.production")
    monkeypatch.delitem(sys.modules, "config.settings.production")
    cookies = {
        name: getattr(production, name)
        for name in dir(production)
        if name.startswith(("SESSION_COOKIE_", "CSRF_COOKIE_", "LANGUAGE_COOKIE_"))
    }
    with override_settings(**cookies):
        yield cookies


def test_production_sets_every_cookie_secure_and_the_csrf_cookie_http_only(
    production_cookies, caseworker
):
    client = Client(secure=True)
    seen = {}
    responses = [
        client.get("/inloggen/"),
        client.post("/inloggen/", {"username": "werker", "password": "pleegzorg-demo"}),
    ]
    # The second step (its own tests are in test_mfa.py): the session, as after a code.
    verify_session(client.session, caseworker)
    responses += [
        client.post("/taal/", {"language": "en", "next": "/"}),
        client.post("/meldingen/alles-gelezen/"),
    ]
    for response in responses:
        assert response.status_code in (200, 302)
        seen.update(response.cookies)
    names = {
        settings.SESSION_COOKIE_NAME,
        settings.CSRF_COOKIE_NAME,
        settings.LANGUAGE_COOKIE_NAME,
        "messages",
    }
    assert names <= set(seen), f"cookies set: {sorted(seen)}"
    assert {name: bool(morsel["secure"]) for name, morsel in seen.items()} == dict.fromkeys(
        seen, True
    )
    for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
        assert seen[name]["httponly"], name
    assert seen[settings.LANGUAGE_COOKIE_NAME]["httponly"]
    assert settings.LANGUAGE_COOKIE_NAME.startswith("__Host-")
    assert settings.CSRF_COOKIE_NAME.startswith("__Host-")


def test_htmx_posts_with_the_token_from_the_page_not_from_the_cookie(caseworker):
    """The CSRF cookie is HttpOnly: a script cannot read it, so htmx sends the token that the
    page carries (hx-headers on <body>), and Django accepts it."""
    assert settings.CSRF_COOKIE_HTTPONLY
    client = Client(enforce_csrf_checks=True)
    client.force_login(caseworker)
    body = client.get("/meldingen/").content.decode()
    token = json.loads(re.search(r"hx-headers='([^']+)'", body).group(1))["X-CSRFToken"]
    refused = client.post("/meldingen/alles-gelezen/", HTTP_HX_REQUEST="true")
    accepted = client.post(
        "/meldingen/alles-gelezen/", HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token
    )
    assert refused.status_code == 403
    assert accepted.status_code == 200


def test_the_deploy_check_names_a_cookie_or_static_file_less_protected_than_a_page(settings):
    from django.core.checks import run_checks

    settings.LANGUAGE_COOKIE_SECURE = False
    settings.CSRF_COOKIE_HTTPONLY = False
    del settings.WHITENOISE_ADD_HEADERS_FUNCTION
    ids = {message.id for message in run_checks(include_deployment_checks=True)}
    assert {"pleegzorg.W001", "pleegzorg.W002", "pleegzorg.W003"} <= ids
