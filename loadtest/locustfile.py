"""The load test of issue 12: caseworkers, hub-home parents, liaisons and team leads at work.

Run by ``scripts/load`` (``make load``) against gunicorn on 127.0.0.1, and by
``tests/test_load.py`` for a few seconds against the test server::

    python -m locust -f loadtest/locustfile.py --headless --host http://127.0.0.1:8123 \
        --users 50 --spawn-rate 50 --plan var/load/plan.json --measure 60

Each simulated user is one account of the plan (``loadtest/plan.py``) and logs in once, with
the password, through the login form. When all of them are logged in the statistics start
afresh and the measured time (``--measure``) begins: the logins' hashing is not what is
measured, and nothing queues behind it. After that time the run stops by itself and reports
each page's rate, p50/p95/p99 and failures (``loadtest/report.py``), exiting non-zero when p95
is over 300 ms or any request failed.

A user makes at most ``--user-rps`` requests per second (a task of three requests is followed by
a pause of three times as long, less the time it took); a slow server slows the users down,
nothing piles up. A page counts as failed unless it answers 200 with a page (an ``<h1>``); a
form unless it redirects where its success leads (a form shown again with an error is 200, and
fails); an htmx post unless it answers 200.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import random
import re
import time
from dataclasses import asdict
from itertools import cycle
from pathlib import Path
from urllib.parse import urlencode

import gevent
import psutil
from gevent.event import Event
from locust import FastHttpUser, events, task
from locust.exception import StopUser

from loadtest import report

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CSRF_HEADER = re.compile(r'"X-CSRFToken": "([^"]+)"')
UNREAD = re.compile(r'hx-post="(/meldingen/\d+/gelezen/)"')
CONTACT_ON = re.compile(r'name="contact_on"[^>]*value="([^"]+)"')
FORM_ERROR = re.compile(r'class="errorlist[^"]*"[^>]*>\s*<li>(.*?)</li>', re.S)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@events.init_command_line_parser.add_listener
def _options(parser):
    parser.add_argument("--plan", default="var/load/plan.json", help="from loadtest/plan.py")
    parser.add_argument(
        "--measure", type=float, default=60, help="seconds measured once every user is in"
    )
    parser.add_argument(
        "--user-rps", type=float, default=5, help="requests per second each user makes at most"
    )
    parser.add_argument(
        "--p95-limit",
        type=float,
        default=report.P95_LIMIT_MS,
        help="ms; a run with a slower p95 fails (the test of the journeys sets it high)",
    )
    parser.add_argument("--write", default="", help="also write the report to this Markdown file")
    parser.add_argument("--result", default="", help="also write the figures to this JSON file")
    parser.add_argument(
        "--about", action="append", default=[], help="'label: value' for the report (settings)"
    )
    parser.add_argument("--server-pid", type=int, default=0, help="gunicorn's, for its CPU time")
    parser.add_argument(
        "--database-port", type=int, default=5432, help="PostgreSQL's, for its backends' CPU"
    )
    parser.add_argument(
        "--in-turn",
        action="store_true",
        help="each user does its tasks in turn, not at random (the test: every journey runs)",
    )


class Run:
    """The run: the plan's accounts, the wait for every login, the measured time."""

    def __init__(self):
        self.plan: dict = {}
        self.accounts: dict[str, list[dict]] = {}
        self.expected = 0
        self.arrived = 0
        self.login_failures = 0
        self.go = Event()
        self.started = self.ended = 0.0
        self.load_at_start = (0.0, 0.0, 0.0)
        self.cpu: dict[str, float] = {}
        self.backends: dict[str, float] = {}
        self.result: dict | None = None

    def arrive(self, environment) -> None:
        """One user is logged in (or failed to): when all are, start measuring."""
        self.arrived += 1
        if self.arrived < self.expected:
            return
        environment.runner.stats.reset_all()
        self.started = time.time()
        gevent.spawn_later(environment.parsed_options.measure, self.finish, environment)
        try:
            self.load_at_start = os.getloadavg()
            self.cpu = cpu_seconds(environment)
            self.backends = {k: v for k, v in self.cpu.items() if k.startswith("postgres")}
            gevent.spawn(self.watch_backends, environment)
        finally:
            self.go.set()

    def watch_backends(self, environment) -> None:
        """Every 2 s, the CPU time of gunicorn's PostgreSQL backends: a connection closed
        after CONN_MAX_AGE takes its backend's time with it, so the last sample counts."""
        while not self.ended:
            gevent.sleep(2)
            seen = cpu_seconds(environment)
            self.backends.update((k, v) for k, v in seen.items() if k.startswith("postgres"))

    def finish(self, environment) -> None:
        self.ended = time.time()
        self.result = figures(environment, self)
        environment.runner.quit()


RUN = Run()


@events.init.add_listener
def _load_plan(environment, **_kwargs):
    options = environment.parsed_options
    if options is None:  # locust as a library: the test sets the plan itself
        return
    RUN.plan = json.loads(Path(options.plan).read_text())
    RUN.accounts = {role: list(accounts) for role, accounts in RUN.plan["accounts"].items()}
    for user_class in (Caseworker, HubHomeParent, Liaison, TeamLead):
        user_class.fixed_count = len(RUN.accounts[user_class.role])
    RUN.expected = sum(len(accounts) for accounts in RUN.accounts.values())
    if options.num_users != RUN.expected:
        raise SystemExit(f"the plan has {RUN.expected} accounts: run with --users {RUN.expected}")


class Journey(FastHttpUser):
    """A user of one role: logs in once, then works at most ``--user-rps`` requests a second."""

    abstract = True
    role = ""
    label = ""

    def on_start(self):
        self.account = RUN.accounts[self.role].pop(0)
        self.rate = self.environment.parsed_options.user_rps
        if self.environment.parsed_options.in_turn:
            # locust picks at random from self.tasks (each task repeated by its weight)
            turns = cycle(dict.fromkeys(type(self).tasks))
            self.tasks = [lambda user: next(turns)(user)]
        try:
            self.log_in()
        except StopUser:
            RUN.login_failures += 1
            RUN.arrive(self.environment)
            raise
        RUN.arrive(self.environment)
        RUN.go.wait()
        # Not all at once: each user starts somewhere in its first pause.
        gevent.sleep(random.random() / self.rate)  # noqa: S311  # nosec B311 — spreading, not security
        self.requests, self.task_started = 0, time.monotonic()

    def wait_time(self) -> float:
        pause = self.requests / self.rate - (time.monotonic() - self.task_started)
        self.requests = 0
        self.task_started = time.monotonic() + max(0.0, pause)
        return max(0.0, pause)

    def log_in(self) -> None:
        with self.client.get("/inloggen/", name="Login", catch_response=True) as response:
            token = CSRF_FIELD.search(response.text or "")
            if response.status_code != 200 or token is None:
                response.failure(f"login page: status {response.status_code}")
                raise StopUser
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "username": self.account["username"],
            "password": RUN.plan["password"],
        }
        with self.client.post(
            "/inloggen/",
            data=urlencode(data),
            headers=FORM,
            name="Login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login of {self.account['username']}: {response.status_code}")
                raise StopUser

    # -- requests, each checked ------------------------------------------------------------------

    def page(self, path: str, name: str, *, htmx: bool = False) -> str:
        """GET a page (or with ``htmx`` a part of one): 200, and a whole page has its h1."""
        self.requests += 1
        headers = {"HX-Request": "true"} if htmx else None
        with self.client.get(
            path, name=name, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            text = response.text or ""
            if response.status_code != 200:
                response.failure(f"status {response.status_code} ({path})")
            elif not htmx and "<h1" not in text:
                response.failure(f"no h1 ({path})")
            return text

    def submit(self, path: str, name: str, data: dict, *, then: str) -> str | None:
        """POST a form: it must redirect to a path starting with ``then``. Returns the path."""
        self.requests += 1
        with self.client.post(
            path,
            data=urlencode(data),
            headers=FORM,
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            if response.status_code == 200:
                error = FORM_ERROR.search(response.text or "")
                why = re.sub(r"<[^>]+>", "", error.group(1)).strip() if error else "no error shown"
                response.failure(f"form shown again: {why[:120]}")
                return None
            if response.status_code != 302 or not location.startswith(then):
                response.failure(f"status {response.status_code} to {location!r}")
                return None
            return location

    def htmx_post(self, path: str, name: str, token: str) -> None:
        self.requests += 1
        headers = {"HX-Request": "true", "X-CSRFToken": token}
        with self.client.post(
            path, name=name, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code} ({path})")

    # -- what every role does --------------------------------------------------------------------

    @task(1)
    def start_page(self):
        self.page("/", f"Start page ({self.label})")

    @task(1)
    def notifications(self):
        """The notices, and the first unread one marked read (in place, with htmx)."""
        html = self.page("/meldingen/", "Notifications")
        unread, token = UNREAD.search(html), CSRF_HEADER.search(html)
        if unread and token:
            self.htmx_post(unread.group(1), "Notification marked read (htmx)", token.group(1))


class Caseworker(Journey):
    role, label = "caseworker", "caseworker"

    def on_start(self):
        super().on_start()
        self.placements = cycle(self.account["placements"])

    @task(3)
    def caseload(self):
        self.page("/caseload/", "Caseload (caseworker)")

    @task(4)
    def child_file(self):
        self.page(f"/kinderen/{next(self.placements)['child']}/", "Child file")

    @task(2)
    def my_meetings(self):
        self.page("/overleggen/", "My meetings")

    @task(1)
    def record_conversation(self):
        """Record a conversation with the child (the form's own date, today), then the file."""
        placement = next(self.placements)
        path = f"/plaatsingen/{placement['placement']}/gesprek-met-kind/"
        html = self.page(path, "Conversation with the child, form")
        token, day = CSRF_FIELD.search(html), CONTACT_ON.search(html)
        if not (token and day):
            return
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "contact_on": day.group(1),
            "note": "Gesprek over school en logeren (belastingtest).",
        }
        then = f"/kinderen/{placement['child']}/"
        if self.submit(path, "Conversation with the child, saved", data, then=then):
            self.page(then, "Child file")


class HubHomeParent(Journey):
    role, label = "hub_home_parent", "hub-home parent"

    def on_start(self):
        super().on_start()
        self.constellation = f"/constellaties/{self.account['constellation']}/"
        self.children = cycle(self.account["children"])
        self.next_night = dt.date.fromisoformat(self.account["first_night"])

    @task(3)
    def constellation_page(self):
        self.page(self.constellation, "Constellation page (hub-home parent)")

    @task(3)
    def calendar(self):
        self.page(f"{self.constellation}kalender/", "Calendar, week")

    @task(1)
    def calendar_month(self):
        self.page(f"{self.constellation}kalender/?weergave=maand", "Calendar, month")

    @task(2)
    def log_a_stay(self):
        """Log a one-night stay: the form, the free beds for the dates typed (htmx), save, and
        the calendar it leads to. Each booking takes the next night, so none conflict."""
        path = f"{self.constellation}logeren/nieuw/"
        html = self.page(path, "Log a stay, form")
        token = CSRF_FIELD.search(html)
        if token is None:
            return
        arrival, self.next_night = self.next_night, self.next_night + dt.timedelta(days=1)
        dates = {
            "arrival": arrival.strftime("%d-%m-%Y"),
            "departure": self.next_night.strftime("%d-%m-%Y"),
        }
        self.page(
            f"{self.constellation}logeren/beschikbaar/?{urlencode(dates)}",
            "Log a stay, free beds (htmx)",
            htmx=True,
        )
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "child": next(self.children),
            **dates,
            "bed": self.account["bed"],
            "planned": "1",
            "reason": "fun",
            "status": "confirmed",
            "notes": "",
        }
        location = self.submit(
            path, "Log a stay, saved", data, then=f"{self.constellation}kalender/"
        )
        if location:
            self.page(location, "Calendar, week")


class Liaison(Journey):
    role, label = "liaison", "liaison"

    def on_start(self):
        super().on_start()
        self.constellations = cycle(self.account["constellations"])

    @task(2)
    def constellation_list(self):
        self.page("/constellaties/", "Constellations (liaison)")

    @task(3)
    def constellation_page(self):
        self.page(f"/constellaties/{next(self.constellations)}/", "Constellation page (liaison)")

    @task(1)
    def fidelity(self):
        self.page("/constellaties/modeltrouw/", "Fidelity (liaison)")

    @task(1)
    def fidelity_one(self):
        path = f"/constellaties/{next(self.constellations)}/modeltrouw/"
        self.page(path, "Fidelity, one constellation")


class TeamLead(Journey):
    role, label = "team_lead", "team lead"

    def on_start(self):
        super().on_start()
        self.searches = cycle(self.account["searches"])

    @task(2)
    def dashboard(self):
        self.page("/dashboard/", "Dashboard (team lead)")

    @task(3)
    def caseload_search(self):
        self.page(
            f"/caseload/?{urlencode({'q': next(self.searches)})}", "Caseload (team lead), searched"
        )

    @task(1)
    def caseload_page_2(self):
        self.page("/caseload/?pagina=2", "Caseload (team lead), page 2")


# -- the report --------------------------------------------------------------------------------


def cpu_seconds(environment) -> dict[str, float]:
    """CPU seconds so far: the server (gunicorn and its workers), the PostgreSQL backends that
    serve its connections, this process, and the machine as a whole (other users too)."""
    seconds = {"locust": sum(psutil.Process().cpu_times()[:2])}
    machine = psutil.cpu_times()
    seconds["machine busy"] = sum(machine) - machine.idle - getattr(machine, "iowait", 0.0)
    options = environment.parsed_options
    if not options.server_pid:
        return seconds
    try:
        server = psutil.Process(options.server_pid)
        processes = [server, *server.children(recursive=True)]
        seconds["gunicorn"] = sum(sum(p.cpu_times()[:2]) for p in processes)
        ports = {
            c.laddr.port
            for p in processes
            for c in p.net_connections("tcp")
            if c.raddr and c.raddr.port == options.database_port
        }
        for c in psutil.net_connections("tcp"):
            if (
                c.pid
                and c.raddr
                and c.laddr.port == options.database_port
                and c.raddr.port in ports
            ):
                seconds[f"postgres {c.pid}"] = sum(psutil.Process(c.pid).cpu_times()[:2])
    except psutil.Error:  # gone, or not ours to see: report what there is
        pass
    return seconds


def figures(environment, run: Run) -> dict:
    stats = environment.runner.stats
    seconds = max(run.ended - run.started, 1e-9)

    def of(entry, method: str, name: str) -> report.Figures:
        return report.Figures(
            method=method,
            name=name,
            requests=entry.num_requests,
            failures=entry.num_failures,
            rps=entry.num_requests / seconds,
            p50=entry.get_response_time_percentile(0.5) or 0,
            p95=entry.get_response_time_percentile(0.95) or 0,
            p99=entry.get_response_time_percentile(0.99) or 0,
        )

    pages = [
        of(entry, entry.method, entry.name)
        for entry in stats.entries.values()
        if entry.num_requests  # the logins' rows stay, emptied, after the reset
    ]
    cpu_now = cpu_seconds(environment)
    cpu_now = {**run.backends, **cpu_now}  # backends gone since their last sample, too
    # A backend connected during the measured time counts from zero.
    used = {name: cpu_now[name] - run.cpu.get(name, 0.0) for name in cpu_now}
    cpu = {name: 100 * value / seconds for name, value in used.items() if "postgres" not in name}
    if any("postgres" in name for name in used):
        backends = sum(value for name, value in used.items() if "postgres" in name)
        cpu["postgres"] = 100 * backends / seconds
    return {
        "seconds": seconds,
        "pages": pages,
        "total": of(stats.total, "", "All requests"),
        "failures": sorted(
            ((f"{e.method} {e.name}", str(e.error), e.occurrences) for e in stats.errors.values()),
            key=lambda row: -row[2],
        ),
        "cpu": cpu,
        "load": (run.load_at_start, os.getloadavg()),
    }


def about(environment, result: dict) -> list[tuple[str, str]]:
    options = environment.parsed_options
    cores = os.cpu_count()
    roles = ", ".join(
        f"{len(a)} {role.replace('_', ' ')}" for role, a in RUN.plan["accounts"].items()
    )
    (start, end) = result["load"]
    cpu = result["cpu"]
    ours = ("gunicorn", "postgres", "locust")
    others = cpu.get("machine busy", 0.0) - sum(cpu.get(name, 0.0) for name in ours)
    lines = [
        ("Date", time.strftime("%Y-%m-%d %H:%M %Z", time.localtime(RUN.started))),
        ("Machine", f"{platform.platform()}, {cores} cores, Python {platform.python_version()}"),
        (
            "Load average (1, 5, 15 min)",
            f"{', '.join(f'{x:.2f}' for x in start)} at the start, "
            f"{', '.join(f'{x:.2f}' for x in end)} at the end",
        ),
        ("Data", ", ".join(f"{n:,} {what}" for what, n in RUN.plan.get("data", {}).items())),
        (
            "Users",
            f"{RUN.expected} ({roles}), each at most {options.user_rps:g} requests/s, "
            f"logged in once before the measured {result['seconds']:.0f} s",
        ),
        *(tuple(line.split(": ", 1)) for line in options.about if ": " in line),
        (
            f"CPU during the measured time ({cores} cores = {100 * (cores or 1)} %)",
            ", ".join(
                f"{label} {cpu[name]:.0f} %"
                for name, label in [
                    ("gunicorn", "gunicorn"),
                    ("postgres", "PostgreSQL for gunicorn"),
                    ("locust", "locust"),
                ]
                if name in cpu
            )
            + f", everything else (other users of the machine) {max(others, 0.0):.0f} %",
        ),
    ]
    served = cpu.get("gunicorn", 0.0) + cpu.get("postgres", 0.0)
    if served and result["total"].rps:
        per_request = 10 * served / result["total"].rps  # % of a core per req/s -> ms
        lines.append(
            (
                "CPU per request (gunicorn and its PostgreSQL)",
                f"{per_request:.1f} ms: {cores} cores alone would serve at most "
                f"{1000 * (cores or 1) / per_request:.0f} req/s",
            )
        )
    if RUN.login_failures:
        lines.append(("Logins failed", str(RUN.login_failures)))
    return lines


@events.quitting.add_listener
def _report(environment, **_kwargs):
    if environment.parsed_options is None or not RUN.plan:
        return
    environment.process_exit_code = 1  # until the report is made and says otherwise
    complete = RUN.result is not None
    if not complete:  # stopped early (the safety net of --run-time, Ctrl-C): what there is
        RUN.ended = time.time()
        RUN.started = RUN.started or RUN.ended
        RUN.result = figures(environment, RUN)
    result = RUN.result
    options = environment.parsed_options
    verdict = report.verdict(
        result["total"],
        login_failures=RUN.login_failures,
        complete=complete,
        p95_limit=options.p95_limit,
    )
    text = report.summary(
        result["pages"],
        result["total"],
        verdict,
        about=about(environment, result),
        failures=result["failures"],
        p95_limit=options.p95_limit,
    )
    print("\n" + text)
    if options.write:
        Path(options.write).write_text(
            "# Load test\n\nMade by `make load` (`scripts/load`, `loadtest/locustfile.py`); "
            "rewritten on every run. Times are as locust measured them, over HTTP on "
            "127.0.0.1.\n\n" + text
        )
    if options.result:
        Path(options.result).write_text(
            json.dumps(
                {
                    "passed": verdict.passed,
                    "reasons": verdict.reasons,
                    "login_failures": RUN.login_failures,
                    "total": asdict(result["total"]),
                    "pages": [asdict(page) for page in result["pages"]],
                    "failures": result["failures"],
                },
                indent=1,
            )
        )
    environment.process_exit_code = verdict.exit_code
