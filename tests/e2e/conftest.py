"""Browser journeys: one headless Chromium per session, every page at desktop and phone width,
every page checked with axe.

Run with DJANGO_ALLOW_ASYNC_UNSAFE=true (scripts/test sets it): Playwright's sync API keeps an
event loop in the test thread, and the fixtures still use Django's ORM there.
"""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.conftest import skip_or_fail

CHROMIUM = Path("/usr/bin/chromium")
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
PASSWORD = "pleegzorg-demo"
SERIOUS = {"serious", "critical"}
axe = Axe()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        skip_or_fail(f"Chromium not installed at {CHROMIUM}")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request):
    return VIEWPORTS[request.param]


@pytest.fixture
def browser_context_args(browser_context_args, viewport):
    # A Dutch browser, like our users': Chromium otherwise asks for en-US and gets English.
    # Reduced motion: no CSS transitions, so axe never measures a colour halfway through one.
    return {
        **browser_context_args,
        "viewport": viewport,
        "is_mobile": False,
        "locale": "nl-NL",
        "reduced_motion": "reduce",
    }


@pytest.fixture
def page(page: Page) -> Page:
    page.set_default_timeout(10_000)
    expect.set_options(timeout=10_000)
    return page


def assert_accessible(page: Page) -> None:
    """Fail on any serious or critical axe violation, and on a page wider than the window.

    Waits for htmx requests in flight to end first: their element is dimmed meanwhile
    (``.htmx-request``), which axe would report as too little contrast."""
    expect(page.locator(".htmx-request")).to_have_count(0)
    violations = [
        violation
        for violation in axe.run(page).response["violations"]
        if violation["impact"] in SERIOUS
    ]
    report = "\n".join(
        f"- {violation['id']} ({violation['impact']}): {violation['help']}\n    at {target}"
        for violation in violations
        for target in (" ".join(node["target"]) for node in violation["nodes"])
    )
    assert not violations, f"axe finds on {page.url}:\n{report}"
    assert_no_horizontal_scroll(page)


def assert_no_horizontal_scroll(page: Page) -> None:
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, (
        f"{page.url} is {scroll_width}px wide in a {inner_width}px window"
    )


def login(page: Page, live_server, username: str, password: str = PASSWORD) -> None:
    """Start a journey signed in, on the start page. The session is made on the server, as a
    login would (tests/e2e/test_signing_in.py goes through the login form itself): the form's
    three requests per journey are the slowest part of many short journeys. The session passed
    both login steps (tests/clients.py); tests/e2e/test_two_step_login.py goes through them."""
    from django.conf import settings

    from pleegzorg.models import User
    from tests.clients import Client

    client = Client()
    client.force_login(User.objects.get(username=username))
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(f"{live_server.url}/")


def login_through_the_form(
    page: Page, live_server, username: str, password: str = PASSWORD
) -> None:
    page.goto(f"{live_server.url}/inloggen/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
