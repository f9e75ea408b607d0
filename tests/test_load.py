"""The load test (``make load``): its journeys run against a live server on the small demo, every
request succeeds and the writes land; and the rule that judges a run."""

import importlib.util
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from loadtest import report
from loadtest.plan import make_plan
from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parent.parent

# Every page and form of the four journeys, by the name the locustfile gives its requests.
JOURNEYS = {
    "caseworker": [
        "GET Start page (caseworker)",
        "GET Caseload (caseworker)",
        "GET Child file",
        "GET My meetings",
        "GET Conversation with the child, form",
        "POST Conversation with the child, saved",
    ],
    "hub-home parent": [
        "GET Start page (hub-home parent)",
        "GET Constellation page (hub-home parent)",
        "GET Calendar, week",
        "GET Calendar, month",
        "GET Log a stay, form",
        "GET Log a stay, free beds (htmx)",
        "POST Log a stay, saved",
    ],
    "liaison": [
        "GET Start page (liaison)",
        "GET Constellations (liaison)",
        "GET Constellation page (liaison)",
        "GET Fidelity (liaison)",
        "GET Fidelity, one constellation",
    ],
    "team lead": [
        "GET Start page (team lead)",
        "GET Dashboard (team lead)",
        "GET Caseload (team lead), searched",
        "GET Caseload (team lead), page 2",
    ],
    "everyone": ["GET Notifications", "POST Notification marked read (htmx)"],
}


def test_every_journey_runs_against_a_live_server_and_its_writes_land(
    transactional_db, live_server, settings, tmp_path
):
    """A few seconds of locust, one user per role (two caseworkers), each doing its tasks in
    turn: every page and form answered as it should, and the stays, conversations and reads
    are in the database."""
    # Found, not imported: importing locust patches the standard library for gevent, which
    # deadlocks this process (the live server runs in a thread). It runs in a process of its own.
    if importlib.util.find_spec("locust") is None:
        skip_or_fail("locust is not installed (pip install -e '.[dev]')")
    from constellations.models import RespiteStay
    from placements.models import ChildContact
    from pleegzorg.models import Notification

    settings.REQUIRE_2FA = False  # as config.settings.load
    call_command("seed_demo", "--scale", "small", stdout=io.StringIO())
    plan = make_plan(caseworkers=2, team_leads=1, hub_home_parents=1, liaisons=1)
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    usernames = [a["username"] for accounts in plan["accounts"].values() for a in accounts]
    unread = Notification.objects.filter(user__username__in=usernames, read_at=None).count()
    assert unread, "the plan's users have notices to read"
    caseworkers = [a["username"] for a in plan["accounts"]["caseworker"]]
    (hub_home_parent,) = [a["username"] for a in plan["accounts"]["hub_home_parent"]]
    contacts = ChildContact.objects.filter(caseworker__username__in=caseworkers)
    stays = RespiteStay.objects.filter(created_by__username=hub_home_parent)
    contacts_before, stays_before = contacts.count(), set(stays.values_list("pk", flat=True))

    command = [
        *(sys.executable, "-m", "locust", "-f", "loadtest/locustfile.py", "--headless"),
        *("--host", live_server.url, "--users", "5", "--spawn-rate", "5", "--run-time", "60s"),
        *("--only-summary", "--loglevel", "WARNING", "--in-turn"),
        # The test server is one process beside the tests, not gunicorn: no limit on its time.
        *("--p95-limit", "60000"),
        *("--json-file", str(tmp_path / "locust.json")),
        *("--plan", str(tmp_path / "plan.json"), "--measure", "8", "--user-rps", "10"),
        *("--result", str(tmp_path / "result.json")),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=90, check=False
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]

    result = json.loads((tmp_path / "result.json").read_text())
    assert result["passed"], result["reasons"]
    ran = {f"{page['method']} {page['name']}": page for page in result["pages"]}
    missing = [name for names in JOURNEYS.values() for name in names if not ran.get(name)]
    assert not missing, f"not requested: {missing}"
    assert not [name for name, page in ran.items() if page["failures"]]

    # Each write counted landed; one more per user may have landed unseen: the run stops at the
    # end of the measured time without waiting for requests in flight.
    saved = ran["POST Conversation with the child, saved"]["requests"]
    assert saved <= contacts.count() - contacts_before <= saved + len(caseworkers)
    booked = stays.exclude(pk__in=stays_before)
    assert ran["POST Log a stay, saved"]["requests"] <= booked.count()
    assert booked.count() <= ran["POST Log a stay, saved"]["requests"] + 1
    assert {(stay.departure - stay.arrival).days for stay in booked} == {1}
    read = ran["POST Notification marked read (htmx)"]["requests"]
    after = Notification.objects.filter(user__username__in=usernames, read_at=None).count()
    assert read <= unread - after <= read + len(usernames)


def figures(*, p95: float, failures: int = 0, requests: int = 1000) -> report.Figures:
    return report.Figures("", "All requests", requests, failures, 210.0, 20.0, p95, p95 + 50)


@pytest.mark.parametrize(
    ("total", "logins_failed", "complete", "passed"),
    [
        (figures(p95=120), 0, True, True),
        (figures(p95=300), 0, True, True),  # at the limit: within it
        (figures(p95=310), 0, True, False),
        (figures(p95=120, failures=1), 0, True, False),
        (figures(p95=120), 1, True, False),
        (figures(p95=120), 0, False, False),
        (figures(p95=0, requests=0), 0, True, False),
    ],
    ids=[
        "fast",
        "p95 at 300 ms",
        "p95 over 300 ms",
        "a request failed",
        "a login failed",
        "stopped early",
        "nothing measured",
    ],
)
def test_a_run_fails_when_p95_is_over_300_ms_or_anything_failed(
    total, logins_failed, complete, passed
):
    verdict = report.verdict(total, login_failures=logins_failed, complete=complete)
    assert verdict.passed is passed
    assert verdict.exit_code == (0 if passed else 1)
    assert bool(verdict.reasons) is not passed


def test_the_report_has_a_row_per_page_and_says_why_it_failed():
    slow = report.Figures("GET", "Dashboard (team lead)", 40, 0, 0.7, 200, 450, 600)
    fast = report.Figures("GET", "Notifications", 400, 2, 6.7, 10, 30, 60)
    total = figures(p95=320, failures=2)
    text = report.summary(
        [fast, slow],
        total,
        report.verdict(total),
        about=[("Server", "gunicorn")],
        failures=[("GET Notifications", "status 500 (/meldingen/)", 2)],
    )
    assert "- Server: gunicorn" in text
    assert "**failed**: p95 320 ms is over 300 ms; 2 requests failed" in text
    rows = [line for line in text.splitlines() if line.startswith("| GET")]
    assert rows[0].startswith("| GET Dashboard (team lead) | 40 | 0 | 0.7 | 200 ms | 450 ms")
    assert rows[1].startswith("| GET Notifications | 400 | 2 |")
    assert "| GET Notifications | status 500 (/meldingen/) | 2 |" in text
