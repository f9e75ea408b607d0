"""Who gets what: the one helper for every table of personas and URLs in the suite.

A table is rows of ``(persona, url, expected status)``; ``Matrix.check`` requests each URL as its
persona and reports every row that answered otherwise, all at once. A persona is the name of a
user fixture (``caseworker``, ``other_caseworker``, ...) or ``anonymous``. 302 for ``anonymous``
means: sent to a login page. A logged-in persona's session passed both login steps
(tests/clients.py).

Each request is recorded by the name of the URL pattern it resolved to, with the persona that made
it. At the end of the session ``tests/test_permissions.py`` checks that every URL of the app was
requested by every persona: the list of URLs comes from what the tests asked, not from a list
kept by hand. Every HTML page that answers 200 is also checked for what the Content Security
Policy would block (``tests/csp.py``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve

from tests.clients import Client
from tests.csp import blocked_by_csp

PERSONAS = (
    "caseworker",
    "team_lead",
    "hub_home_parent",
    "liaison",
    "app_manager",
    "foster_parent",
    "anonymous",
)
LOGIN_PAGES = ("/inloggen/", "/beheer/login/")

# URL pattern name (``placements:child``) -> the personas that requested it this session.
REQUESTED: defaultdict[str, set[str]] = defaultdict(set)

# A record in the caseworker's team ("own", the ``placement`` fixture) and one in another team's
# ("other", ``other_placement``): (persona, status on own, status on other). A record someone may
# not see answers 404, the same as one that does not exist.
CASE_FILE = [
    ("caseworker", 200, 404),
    ("team_lead", 200, 404),
    ("hub_home_parent", 404, 404),
    ("liaison", 404, 404),
    ("app_manager", 404, 404),
    # A foster parent never sees the case file, not even of their own foster child ("own").
    ("foster_parent", 404, 404),
    ("anonymous", 302, 302),
    ("other_caseworker", 404, 200),
]

# A page of casework that is no one record: (persona, status). The other roles may not do
# casework at all: 403.
CASEWORK = [
    ("caseworker", 200),
    ("team_lead", 200),
    ("hub_home_parent", 403),
    ("liaison", 403),
    ("app_manager", 403),
    ("foster_parent", 403),
    ("anonymous", 302),
]

Row = tuple[str, str, int]


def record(url: str, persona: str) -> None:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return
    REQUESTED[match.view_name].add(persona)


class Matrix:
    """One logged-in test client per persona, and the check of a table of rows."""

    def __init__(self, request) -> None:
        self._request = request
        self._clients: dict[str, Client] = {}

    def client(self, persona: str) -> Client:
        if persona not in self._clients:
            client = Client()
            if persona != "anonymous":
                client.force_login(self._request.getfixturevalue(persona))
            self._clients[persona] = client
        return self._clients[persona]

    def check(self, rows: Iterable[Row], *, method: str = "get", data: dict | None = None) -> None:
        """Request every row's URL as its persona; fail once, naming each row that differed."""
        wrong = []
        for persona, url, expected in rows:
            response = getattr(self.client(persona), method)(url, data or {})
            record(url, persona)
            status = response.status_code
            if status != expected:
                wrong.append(f"{persona} {method.upper()} {url}: {status}, expected {expected}")
            elif status == 200 and response.get("Content-Type", "").startswith("text/html"):
                # Every page every persona sees must work under the Content Security Policy.
                wrong.extend(
                    f"{persona} {url}: {problem}"
                    for problem in blocked_by_csp(response.content.decode())
                )
            elif (
                status == 302
                and persona == "anonymous"
                and not urlsplit(response["Location"]).path.startswith(LOGIN_PAGES)
            ):
                wrong.append(f"anonymous {url}: sent to {response['Location']}, not to log in")
        assert not wrong, "\n".join(wrong)
