"""Scaling out: a web or worker process keeps nothing that the others need.

README, "Running in production": N web and M worker processes share one PostgreSQL and one
Redis. This proves it with real processes under the production settings:

- two gunicorn instances on two ports: a user who logs in (password and authenticator code)
  through one keeps working through the other, a message left by one is shown by the other,
  logging out through one ends the session on both, login failures count together, and a
  figure kept in the ``results`` cache is computed again everywhere after a write anywhere;
- two Celery workers and two beat schedulers at once, scanning every few seconds
  (``PLEEGZORG_REMINDER_SCAN_SECONDS``): every reminder is stored once and every invitation
  reaches the mail server once.

The test makes databases of its own next to the one of ``DATABASE_URL`` (``<name>_out_*``,
migrated and seeded once, then copied), since other processes must see what it commits, and it
empties two Redis databases: the one of ``REDIS_URL`` (the web instances) and the next number
(the workers), so that neither group takes the other's tasks. Every process runs in a process
group of its own and is ended when the module's fixtures end, whatever happened.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import http.client
import io
import json
import os
import re
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import default as email_policy
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parent.parent
HOST = "pleegzorg.test"  # the one name both instances answer to, as behind a load balancer
SECRET_KEY = "scale-out-test-" + "k" * 50  # the same in every process: signed cookies
PASSWORD = "pleegzorg-demo"  # the factories' password
TOTP_KEY = "3132333435363738393031323334353637383930"  # the RFC 6238 test key, as hex
SCAN_SECONDS = 2
SCANS_PER_BEAT = 3
# Reminder situations (tests/test_reminders.py's all_kinds, on today's date): each set gives one
# reminder of each of eight kinds, and an invitation for each participant of its next meeting.
SETS = 4
PARTICIPANTS = 5
IN_APP_KINDS = (
    "start_unplanned",
    "start_overdue",
    "no_next_joint",
    "no_next_joint_escalated",
    "agreement_overdue",
    "report_missing",
    "report_escalated",
    "meeting_soon",
)
STARTUP_SECONDS = 45  # bounded, and generous: the machine is shared
STEP_SECONDS = 30


# -- the processes ----------------------------------------------------------------------------


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def tail(self, lines: int = 30) -> str:
        return f"--- {self.name} ---\n" + "\n".join(self.output().splitlines()[-lines:])


@dataclass
class Processes:
    """The processes a fixture starts: each in a process group of its own (its children, such
    as gunicorn's and Celery's workers, go with it), ended by :meth:`stop_all`."""

    directory: Path
    started: list[Process] = field(default_factory=list)

    def start(self, name: str, args: list[str], env: dict[str, str]) -> Process:
        log = self.directory / f"{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(
                args,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = Process(name, popen, log)
        self.started.append(process)
        return process

    @staticmethod
    def stop(*processes: Process, timeout: float = 15) -> None:
        """SIGTERM to each group at once (a warm shutdown: running tasks and requests finish),
        SIGKILL to whatever is left after ``timeout``, leaders and children alike."""

        def signal_groups(sig: int) -> None:
            for process in processes:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.popen.pid, sig)

        signal_groups(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
        signal_groups(signal.SIGKILL)
        for process in processes:
            process.popen.wait(timeout=timeout)

    def stop_all(self) -> None:
        self.stop(*self.started)

    def logs(self) -> str:
        return "\n".join(process.tail() for process in self.started)


def wait_for(condition: Callable[[], object], seconds: float, what: str, logs=lambda: ""):
    """Poll ``condition`` until it is true; fail after ``seconds`` with the processes' logs."""
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {seconds} s\n{logs()}", pytrace=False)
        time.sleep(0.2)


def run(args: list[str], env: dict[str, str], timeout: float = 90) -> str:
    result = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        pytest.fail(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}", pytrace=False)
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the services ----------------------------------------------------------------------------


def with_path(url: str, path: str) -> str:
    return urllib.parse.urlsplit(url)._replace(path=path).geturl()


@dataclass(frozen=True)
class Services:
    database_url: str  # the suite's DATABASE_URL: the test's databases are named after it
    redis_url: str

    def database(self, name: str) -> str:
        return with_path(self.database_url, f"/{name}")

    def redis(self, offset: int) -> str:
        number = int(urllib.parse.urlsplit(self.redis_url).path.strip("/") or 0)
        return with_path(self.redis_url, f"/{number + offset}")

    def name(self, role: str) -> str:
        base = urllib.parse.urlsplit(self.database_url).path.strip("/")
        return f"{base}_out_{role}"


def admin_connection():
    """A connection to the server's maintenance database, as Django makes its test databases."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    return psycopg.connect(
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
        connect_timeout=10,
    )


def query(services: Services, database: str, sql: str, params=()) -> list[tuple]:
    import psycopg

    with psycopg.connect(services.database(database), connect_timeout=10) as conn:
        return conn.execute(sql, params).fetchall()


def drop_database(name: str) -> None:
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create_database(name: str, *, template: str | None = None) -> None:
    drop_database(name)  # left by a run that was killed
    with admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url, socket_timeout=10).flushdb()


def kept_figures(url: str) -> set[bytes]:
    """The keys of the ``results`` cache (production: Redis, prefix "results")."""
    import redis

    return set(redis.Redis.from_url(url, socket_timeout=10).scan_iter(match="results:*"))


def production_env(services: Services, tmp: Path, *, database: str, redis_url: str, **extra):
    """The environment of a production process (config.settings.production)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "DATABASE_URL", "CELERY_", "REDIS_URL", "EMAIL_URL", "PLEEGZORG_")
        )
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DATABASE_URL=services.database(database),
        REDIS_URL=redis_url,
        EMAIL_URL="consolemail://",
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_STATIC_ROOT=str(tmp / "static"),
        PLEEGZORG_VAR_DIR=str(tmp / "var"),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def services() -> Services:
    from django.conf import settings

    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL")
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        skip_or_fail("needs PostgreSQL (DATABASE_URL)")
    if not redis_url:
        skip_or_fail("needs Redis (REDIS_URL)")
    try:
        admin_connection().close()
        import redis

        redis.Redis.from_url(redis_url, socket_timeout=5).ping()
    except Exception as error:
        skip_or_fail(f"PostgreSQL or Redis unreachable: {error}")
    return Services(database_url, redis_url)


@pytest.fixture(scope="module")
def databases():
    """The names of the databases the module made, dropped at its end side by side (each drop
    waits for a checkpoint, seconds on a busy machine; at once they share it)."""
    made: list[str] = []
    yield made
    threads = [threading.Thread(target=drop_database, args=(name,)) for name in made]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


@pytest.fixture(scope="module")
def seeded(services, databases, tmp_path_factory):
    """A database migrated and seeded once (``seed`` below), the static files collected, and
    what the seed made (its ids). Copies of it are made with :func:`copy_of`."""
    tmp = tmp_path_factory.mktemp("scale_out")
    name = services.name("seeded")
    create_database(name)
    databases.append(name)
    env = production_env(services, tmp, database=name, redis_url=services.redis(0))
    manage = [sys.executable, "manage.py"]
    collect = subprocess.Popen(
        [*manage, "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # migrate and seed in one process: one start of Django fewer.
    code = (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('migrate', interactive=False, verbosity=0); "
        "from tests.test_scale_out import seed; seed()"
    )
    try:
        made = json.loads(run([sys.executable, "-c", code], env).strip().splitlines()[-1])
        _, errors = collect.communicate(timeout=90)
    finally:
        collect.kill()
    assert collect.returncode == 0, errors
    return tmp, name, made


@pytest.fixture(scope="module")
def copy_of(services, databases, seeded):
    """A copy of the seeded database for one role ("web", "workers"): its name."""

    def copy(role: str) -> str:
        name = services.name(role)
        create_database(name, template=seeded[1])
        databases.append(name)
        return name

    return copy


@pytest.fixture(scope="module")
def processes(tmp_path_factory):
    started = Processes(tmp_path_factory.mktemp("logs"))
    try:
        yield started
    finally:
        started.stop_all()


def seed() -> None:
    """Run in a subprocess against the seeded database: the users, two children for the web
    instances, and the reminder situations for the workers. Prints what it made as JSON."""
    from django.db import transaction
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from placements.factories import PlacementFactory
    from placements.models import Agreement, Meeting, MeetingParticipant, Party
    from pleegzorg.factories import RegionFactory, TeamFactory, UserFactory
    from pleegzorg.models import Notification

    today = timezone.localdate()
    day0 = today - dt.timedelta(days=15)

    def meeting(placement, kind, day, status=Meeting.Status.PLANNED):
        planned_at = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
        held = {"held_on": day} if status == Meeting.Status.HELD else {}
        return Meeting.objects.create(
            placement=placement,
            kind=kind,
            status=status,
            planned_at=planned_at,
            place="Kantoor Utrecht",
            **held,
        )

    def settled(caseworker, first_name):
        """Running for a year, start meeting held, next joint meeting set: no reminders."""
        placement = PlacementFactory(
            caseworker=caseworker,
            start_date=today - dt.timedelta(days=365),
            next_joint_meeting_on=today + dt.timedelta(days=60),
            child__first_name=first_name,
            child__last_name="Bos",
        )
        meeting(placement, Meeting.Kind.START, today - dt.timedelta(days=350), Meeting.Status.HELD)
        return placement

    with transaction.atomic():
        team = TeamFactory(
            name="Utrecht Stad",
            region=RegionFactory(name="Utrecht"),
            lead__username="teamleider",
            lead__first_name="Tess",
        )
        lead = team.lead
        TOTPDevice.objects.create(user=lead, name="app", confirmed=True, key=TOTP_KEY)
        caseworker = UserFactory(username="werker", first_name="Wendy", team=team)
        UserFactory(username="werker2", team=team)
        shown = settled(caseworker, "Sanne")
        ending = settled(caseworker, "Daan")
        for text in ("Eerste melding", "Tweede melding"):
            Notification.objects.create(user=lead, text=text)
        for i in range(SETS):
            started = PlacementFactory(
                caseworker=caseworker, start_date=day0 - dt.timedelta(days=15)
            )
            Agreement.objects.create(
                placement=started, what=f"Afspraak {i}", owner=Party.PARENTS, due_on=day0
            )
            placement = PlacementFactory(
                caseworker=caseworker,
                start_date=day0 - dt.timedelta(days=285),
                next_joint_meeting_on=today + dt.timedelta(days=3),
            )
            start = day0 - dt.timedelta(days=275)
            meeting(placement, Meeting.Kind.START, start, Meeting.Status.HELD)
            meeting(placement, Meeting.Kind.JOINT, day0)  # no report: missing and escalated
            soon = meeting(placement, Meeting.Kind.JOINT, today + dt.timedelta(days=3))
            MeetingParticipant.objects.bulk_create(
                MeetingParticipant(
                    meeting=soon, party=Party.PARENTS, name=f"Ouder {j}", email=f"o{i}-{j}@ex.nl"
                )
                for j in range(PARTICIPANTS)
            )
    print(
        json.dumps(
            {
                "child": shown.child_id,
                "ending": ending.pk,
                "emails": [f"o{i}-{j}@ex.nl" for i in range(SETS) for j in range(PARTICIPANTS)],
            }
        )
    )


# -- a browser ---------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    def csrf_token(self) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.body)
        assert match, f"no CSRF token in the page ({self.status})"
        return match.group(1)


class FormFields(HTMLParser):
    """The named inputs of a page (their values), for posting a form as a browser would."""

    def __init__(self, html: str):
        super().__init__()
        self.values: dict[str, str] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("name"):
            self.values.setdefault(attributes["name"], attributes.get("value") or "")


class Browser:
    """One person's browser: its cookies, sent to whichever instance it is pointed at.

    The cookies are ``__Host-`` and Secure, as in production; the proxy's
    ``X-Forwarded-Proto: https`` makes each request secure for Django. The Cookie header is
    written here, since no HTTP client sends a Secure cookie over plain http."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, data: dict | None = None) -> Response:
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "Accept-Language": "nl"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if method == "POST":
            body = urllib.parse.urlencode(data or {})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{HOST}"
            headers["Referer"] = f"https://{HOST}{path}"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=STEP_SECONDS)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                expired = morsel["max-age"] == "0" or "1970" in morsel["expires"]
                if expired or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Response(response.status, response.headers, text)

    def get(self, port: int, path: str) -> Response:
        return self.request(port, "GET", path)

    def post(self, port: int, path: str, data: dict, *, token_from: str | None = None) -> Response:
        """Post ``data`` with the CSRF token of the page at ``token_from`` (default: ``path``)
        on the same instance."""
        page = self.get(port, token_from or path)
        return self.request(port, "POST", path, {"csrfmiddlewaretoken": page.csrf_token(), **data})


def totp_now() -> str:
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(TOTP_KEY)):06d}"


# -- two web instances -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def web(services, seeded, copy_of, processes):
    """Two gunicorn instances on two ports, one database, one Redis. Returns their ports."""
    tmp, _, made = seeded
    database, redis_url = copy_of("web"), services.redis(0)
    flush_redis(redis_url)
    env = production_env(
        services,
        tmp,
        database=database,
        redis_url=redis_url,
        PLEEGZORG_LOGIN_FAILURE_LIMIT="2",
    )
    ports = [free_port(), free_port()]
    started = [
        processes.start(
            f"web-{port}",
            [
                *(sys.executable, "-m", "gunicorn", "config.wsgi"),
                *("--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "60"),
                *("--graceful-timeout", "5", "--access-logfile", "-"),
            ],
            env,
        )
        for port in ports
    ]

    def healthy(port: int) -> bool:
        try:
            return Browser().get(port, "/healthz").status == 200
        except (OSError, http.client.HTTPException):  # not listening yet, or restarting
            return False

    for port, process in zip(ports, started, strict=True):
        wait_for(
            lambda port=port, process=process: process.popen.poll() is None and healthy(port),
            STARTUP_SECONDS,
            f"gunicorn on port {port} answering /healthz",
            processes.logs,
        )
    yield ports, database, made
    flush_redis(redis_url)


def log_in(browser: Browser, port: int, username: str) -> Response:
    return browser.post(port, "/inloggen/", {"username": username, "password": PASSWORD})


def test_a_session_started_on_one_web_instance_works_on_the_other(web, services):
    (a, b), database, made = web
    browser = Browser()

    # Both login steps through A: the password, then the code from the app.
    response = log_in(browser, a, "teamleider")
    assert response.status == 302, response.body
    assert browser.get(a, "/").location == "/inloggen/tweede-stap/"
    response = browser.post(a, "/inloggen/tweede-stap/", {"code": totp_now()})
    assert response.status == 302, response.body
    assert set(browser.cookies) >= {"__Host-sessionid", "__Host-csrftoken"}

    # B knows the session: the caseload of the team lead's team, with her name in the header,
    # and a child's file.
    caseload = browser.get(b, "/caseload/")
    assert caseload.status == 200, caseload.body[:500]
    assert "Sanne" in caseload.body and "Tess" in caseload.body
    child = browser.get(b, f"/kinderen/{made['child']}/")
    assert child.status == 200 and "Sanne" in child.body

    # A write through B with B's CSRF check; the message it leaves is shown by A.
    response = browser.post(b, "/meldingen/alles-gelezen/", {}, token_from="/meldingen/")
    assert response.status == 302, response.body
    assert query(services, database, "SELECT count(*) FROM pleegzorg_notification") == [(2,)]
    unread = "SELECT count(*) FROM pleegzorg_notification WHERE read_at IS NULL"
    assert query(services, database, unread) == [(0,)]
    notices = browser.get(a, "/meldingen/")
    assert notices.status == 200 and "2 meldingen als gelezen gemarkeerd." in notices.body

    # A figure of the outcome monitor computed through A and kept in Redis, a placement ended
    # through B: A computes the figures again (and B finds A's new ones).
    figures = "/uitkomsten/export/vergelijking.csv"
    before = browser.get(a, figures)
    assert before.status == 200, before.body[:500]
    kept = kept_figures(services.redis(0))
    assert kept, "no figures kept in Redis"
    assert browser.get(a, figures).body == before.body == browser.get(b, figures).body
    assert kept_figures(services.redis(0)) == kept  # found again, by A and by B
    end_page = f"/plaatsingen/{made['ending']}/beeindigen/"
    fields = FormFields(browser.get(b, end_page).body).values
    response = browser.post(
        b,
        end_page,
        {"version": fields["version"], "end_date": fields["end_date"], "end_reason": "other"},
    )
    assert response.status == 302, response.body
    after = browser.get(a, figures).body
    # The share of premature endings among the ended placements: none ended before, one now
    # (a number too small to show, the page says).
    endings = "Voortijdige beëindigingen (van de beëindigde plaatsingen)"
    assert _row(before.body, endings) == ["—", "0", "0", "—", "0", "0"]
    assert _row(after, endings) == ["—", "0", "0", "te weinig", "0", "te weinig"]
    assert kept_figures(services.redis(0)) > kept
    assert browser.get(b, figures).body == after

    # Logging out through B ends the session on A as well, even for a browser that kept the
    # cookie.
    kept = dict(browser.cookies)
    assert browser.post(b, "/uitloggen/", {}, token_from="/").status == 302
    assert "__Host-sessionid" not in browser.cookies
    browser.cookies = kept
    response = browser.get(a, "/caseload/")
    assert response.status == 302 and response.location.startswith("/inloggen/")


def test_login_failures_on_both_instances_count_together(web):
    """Limit 2 (PLEEGZORG_LOGIN_FAILURE_LIMIT): one failure through A and one through B lock
    the username; kept per process, the right password through A would still let them in."""
    (a, b), _, _ = web
    browser = Browser()
    wrong = {"username": "werker2", "password": "fout"}
    # The second failure, through B, is the one that locks.
    assert [browser.post(port, "/inloggen/", wrong).status for port in (a, b)] == [200, 429]
    right = log_in(browser, a, "werker2")
    assert right.status == 429, right.body[:500]
    assert "__Host-sessionid" not in browser.cookies


def _row(report_csv: str, measure: str) -> list[str]:
    """The cells of one measure in the monitor's comparison table (CSV)."""
    for row in csv.reader(io.StringIO(report_csv.lstrip("\ufeff")), delimiter=";"):
        if row[0] == measure:
            return row[1:]
    raise AssertionError(f"no row {measure!r} in {report_csv}")


# -- two workers and two beats -----------------------------------------------------------------


class MailSink(socketserver.ThreadingTCPServer):
    """An SMTP server that keeps every message it is given: the workers' mail server."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SMTPSession)
        self.messages: list[tuple[list[str], bytes]] = []
        self.lock = threading.Lock()

    def recipients(self) -> Counter:
        with self.lock:
            return Counter(to for recipients, _ in self.messages for to in recipients)


class _SMTPSession(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 sink")
        recipients: list[str] = []
        while line := self.rfile.readline():
            command = line.decode("ascii", "replace").strip()
            verb = command[:4].upper()
            if verb == "MAIL":
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.partition(":")[2].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 go ahead")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data[1:] if data.startswith(b".") else data)
                with self.server.lock:
                    self.server.messages.append((recipients, b"".join(lines)))
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:  # EHLO, HELO, RSET, NOOP: nothing to offer, nothing to keep
                self.reply("250 sink")


@pytest.fixture
def mail_sink():
    sink = MailSink()
    thread = threading.Thread(target=sink.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield sink
    finally:
        sink.shutdown()
        sink.server_close()
        thread.join(timeout=10)


def test_two_workers_and_two_beats_store_every_reminder_once_and_send_every_email_once(
    services, seeded, copy_of, processes, mail_sink
):
    tmp, _, made = seeded
    database, redis_url = copy_of("workers"), services.redis(1)
    flush_redis(redis_url)
    env = production_env(
        services,
        tmp,
        database=database,
        redis_url=redis_url,
        EMAIL_URL=f"smtp://127.0.0.1:{mail_sink.server_address[1]}",
        PLEEGZORG_REMINDER_SCAN_SECONDS=str(SCAN_SECONDS),
    )
    celery = [sys.executable, "-m", "celery", "-A", "config"]
    # Both beats start at the same moment, so their scans fall due together.
    workers = [
        processes.start(
            f"worker-{n}",
            [
                *celery,
                *("worker", "--loglevel", "INFO", "--concurrency", "2", "-n", f"w{n}@%h"),
                # Fewer seconds to start: no handshakes between workers (mingle, gossip).
                *("--without-mingle", "--without-gossip"),
            ],
            env,
        )
        for n in (1, 2)
    ]
    beats = [
        processes.start(
            f"beat-{n}",
            [*celery, "beat", "--loglevel", "INFO", "--schedule", str(tmp / f"beat-{n}")],
            env,
        )
        for n in (1, 2)
    ]
    try:

        def sent(beat: Process) -> int:
            return beat.output().count("Sending due task scan-reminders")

        def scans(outcome: str) -> int:
            """Scans the workers ran ("succeeded") or dropped unstarted after their interval
            ("Discarding revoked task: ", the schedule's expires)."""
            pattern = re.compile(
                rf"{outcome}pleegzorg.tasks.scan_reminders\[\S+\] succeeded"
                if outcome == "Task "
                else rf"{outcome}pleegzorg.tasks.scan_reminders\["
            )
            return sum(len(pattern.findall(worker.output())) for worker in workers)

        def scans_done() -> int:
            return scans("Task ") + scans("Discarding revoked task: ")

        def running(*group: Process) -> bool:
            for process in group:
                if process.popen.poll() is not None:
                    pytest.fail(f"{process.name} stopped\n{processes.logs()}", pytrace=False)
            return True

        wait_for(
            lambda: running(*workers, *beats) and min(map(sent, beats)) >= SCANS_PER_BEAT,
            STARTUP_SECONDS,
            f"{SCANS_PER_BEAT} scans sent by each beat",
            processes.logs,
        )
        processes.stop(*beats)
        scheduled = sum(sent(beat) for beat in beats)
        # Every scan the beats sent has run or expired (on a busy machine a scan may wait in
        # the queue past its interval), and every email they queued reached the mail server.
        wait_for(
            lambda: running(*workers) and scans_done() >= scheduled,
            STEP_SECONDS,
            f"the workers running all {scheduled} scans",
            processes.logs,
        )
        wait_for(
            lambda: sum(mail_sink.recipients().values()) >= len(made["emails"]),
            STEP_SECONDS,
            "every invitation at the mail server",
            processes.logs,
        )
        # A warm shutdown: anything still in flight finishes, and would show below.
        processes.stop(*workers)
    finally:
        processes.stop(*beats, *workers)
        flush_redis(redis_url)

    kinds = dict(
        query(services, database, "SELECT kind, count(*) FROM pleegzorg_reminder GROUP BY kind")
    )
    expected = dict.fromkeys(IN_APP_KINDS, SETS)
    assert kinds == {**expected, "invite": SETS * PARTICIPANTS}
    # Each in-app reminder has its one notice, and no scan left a notice of its own behind.
    # (The two seeded notices have no reminder.)
    notices = query(
        services,
        database,
        "SELECT (SELECT count(*) FROM pleegzorg_reminder WHERE recipient_id IS NOT NULL),"
        " (SELECT count(DISTINCT notification_id) FROM pleegzorg_reminder),"
        " (SELECT count(*) FROM pleegzorg_notification n WHERE NOT EXISTS"
        "  (SELECT 1 FROM pleegzorg_reminder r WHERE r.notification_id = n.id))",
    )
    assert notices == [(len(IN_APP_KINDS) * SETS,) * 2 + (2,)]
    # Every invitation went once, to its own participant, and its row says so.
    assert mail_sink.recipients() == Counter(made["emails"])
    statuses = query(
        services,
        database,
        "SELECT email_status, count(*), count(email_sent_at) FROM pleegzorg_reminder "
        "WHERE email_to <> '' GROUP BY email_status",
    )
    assert statuses == [("sent", SETS * PARTICIPANTS, SETS * PARTICIPANTS)]
    for _recipients, data in mail_sink.messages:
        message = message_from_bytes(data, policy=email_policy)
        assert any(part.get_content_type() == "text/calendar" for part in message.walk())
    # Several scans came from each beat, side by side, and none stored a thing twice.
    assert scheduled >= 2 * SCANS_PER_BEAT
    assert scans("Task ") >= SCANS_PER_BEAT


def test_the_reminder_scan_runs_every_quarter_of_an_hour_unless_told_otherwise(monkeypatch):
    import importlib

    from celery.schedules import crontab

    from config.settings import base

    def scan_entry() -> dict:
        return importlib.reload(base).CELERY_BEAT_SCHEDULE["scan-reminders"]

    try:
        monkeypatch.delenv("PLEEGZORG_REMINDER_SCAN_SECONDS", raising=False)
        default = scan_entry()
        assert default["schedule"] == crontab(minute="*/15")
        assert default["options"] == {"expires": 14 * 60}
        monkeypatch.setenv("PLEEGZORG_REMINDER_SCAN_SECONDS", "2")
        fast = scan_entry()
        assert fast["schedule"] == dt.timedelta(seconds=2)
        assert fast["options"] == {"expires": 2}
    finally:
        monkeypatch.undo()
        importlib.reload(base)
