"""Settings, health check, Celery wiring, demo data, translations."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from config.celery import app as celery_app
from pleegzorg import demo
from pleegzorg.models import Region, Team, User

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "REDIS_URL"))
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage(
        "check",
        env_overrides={
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/pleegzorg",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        },
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_refuses_sqlite():
    result = run_manage(
        "check",
        env_overrides={
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": "x" * 60,
            "DATABASE_URL": "sqlite:////tmp/x.sqlite3",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
            "EMAIL_URL": "smtp://mail.example.nl",
        },
    )
    assert result.returncode != 0
    assert "must point to PostgreSQL" in result.stderr


def test_the_embedded_default_is_sqlite_under_var_and_a_filesystem_broker(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE']); print(s.CELERY_BROKER_URL); "
        "print(s.TIME_ZONE, s.LANGUAGE_CODE)"
    )
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        env_overrides={
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "PLEEGZORG_VAR_DIR": str(tmp_path),
        },
    )
    assert result.stdout.split("\n")[:3] == [
        "django.db.backends.sqlite3",
        "filesystem://",
        "Europe/Amsterdam nl",
    ], result.stderr


def test_find_python_picks_3_12_or_newer_and_explains_when_there_is_none():
    found = subprocess.run(
        [ROOT / "scripts/find-python"], capture_output=True, text=True, check=True
    )
    version = subprocess.run(
        [found.stdout.strip(), "-c", "import sys; print(sys.version_info >= (3, 12))"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert version.stdout.strip() == "True"
    none = subprocess.run(
        [ROOT / "scripts/find-python"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYENV_ROOT": "/nonexistent", "HOME": "/nonexistent"},
    )
    assert none.returncode == 1
    assert "no Python >= 3.12 found" in none.stderr


def test_healthz_reports_database_and_broker(db, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_answers_503_when_the_broker_is_down(db, client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "error"


def test_healthz_reaches_a_real_redis_when_configured(db, client, monkeypatch):
    from tests.conftest import skip_or_fail

    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        skip_or_fail("REDIS_URL not set")
    monkeypatch.setattr(celery_app.conf, "broker_url", redis_url)
    assert client.get("/healthz").json()["broker"] == "ok"


def test_celery_reads_the_beat_schedule_from_settings():
    assert celery_app.conf.beat_schedule == settings.CELERY_BEAT_SCHEDULE
    assert "pleegzorg.tasks.clear_expired_sessions" in celery_app.tasks


def test_clear_expired_sessions_task_removes_only_expired_sessions(db, caseworker, client):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from pleegzorg.tasks import clear_expired_sessions

    client.force_login(caseworker)
    Session.objects.create(session_key="oud", session_data="", expire_date=timezone.now())
    clear_expired_sessions()
    assert list(Session.objects.values_list("session_key", flat=True)) == [
        client.session.session_key
    ]


def test_filesystem_broker_delivers_a_task_without_any_server(tmp_path, monkeypatch):
    """The demo's embedded broker: a message sent is a message a worker can receive, and every
    file the transport writes (its control folder too) stays under the var directory."""
    import json

    from kombu import Connection

    var = tmp_path / "var"
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "import json; from django.conf import settings as s; "
        "print(json.dumps(s.CELERY_BROKER_TRANSPORT_OPTIONS))",
        env_overrides={
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "PLEEGZORG_VAR_DIR": str(var),
        },
    )
    options = json.loads(result.stdout)
    folders = [Path(v) for k, v in options.items() if k.endswith("folder") or "folder_" in k]
    assert {"data_folder_in", "data_folder_out", "processed_folder", "control_folder"} <= set(
        options
    )
    assert all(folder.is_relative_to(var) for folder in folders), options

    monkeypatch.chdir(tmp_path)  # kombu's defaults are relative: they would land here
    with Connection("filesystem://", transport_options=options) as conn:
        queue = conn.SimpleQueue("celery")
        queue.put({"task": "pleegzorg.tasks.clear_expired_sessions"})
        assert queue.get(timeout=2).payload == {"task": "pleegzorg.tasks.clear_expired_sessions"}
        queue.close()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["var"]
    assert (var / "celery" / "control" / "celery.exchange").exists()


def test_seed_demo_creates_the_demo_accounts_and_is_idempotent(seeded):
    counts = (Region.objects.count(), Team.objects.count(), User.objects.count())
    call_command("seed_demo", "--scale", "small")
    assert (Region.objects.count(), Team.objects.count(), User.objects.count()) == counts
    accounts = {
        u.username: u
        for u in User.objects.filter(username__in=[a.username for a in demo.DEMO_ACCOUNTS])
    }
    assert len(accounts) == 8
    assert all(u.check_password("pleegzorg-demo") for u in accounts.values())
    assert accounts["beheer"].is_superuser and accounts["beheer"].is_staff
    assert accounts["werker"].team.lead == accounts["teamleider"]
    assert accounts["werker2"].team != accounts["werker"].team
    assert accounts["hubhome"].role == User.Role.HUB_HOME_PARENT
    assert accounts["begeleider"].role == User.Role.LIAISON
    assert accounts["tweestaps"].role == User.Role.CASEWORKER
    # Synthetic colleagues cannot log in.
    assert not User.objects.get(username="pzw-0001").has_usable_password()


def test_seed_demo_at_a_larger_scale_extends_the_smaller_one(seeded):
    call_command("seed_demo", "--scale", "org")
    assert Team.objects.count() == demo.SCALES["org"].teams
    assert (
        User.objects.filter(role=User.Role.CASEWORKER).count() == demo.SCALES["org"].caseworkers + 3
    )


def test_seed_demo_needs_no_factory_boy():
    """factory-boy is a dev dependency (pyproject.toml): the demo's code must not import it."""
    code = (
        "import sys; sys.modules['factory'] = None\n"
        "import django; django.setup()\n"
        "from django.apps import apps\n"
        "import pleegzorg.management.commands.seed_demo\n"
        "for app in apps.get_app_configs():\n"
        "    if app.name in ('pleegzorg', 'placements', 'constellations'):\n"
        "        __import__(app.name + '.demo')\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_seed_demo_never_runs_in_production(db, settings):
    settings.IS_PRODUCTION = True
    with pytest.raises(CommandError, match="never runs with production settings"):
        call_command("seed_demo", "--scale", "small")


def test_every_dutch_translation_is_filled_in():
    catalog = read_po((ROOT / "locale/nl/LC_MESSAGES/django.po").open("rb"), locale="nl")
    untranslated = [
        m.id
        for m in catalog
        if m.id and (m.fuzzy or not (all(m.string) if isinstance(m.string, tuple) else m.string))
    ]
    assert untranslated == []


def test_every_string_in_the_code_is_in_the_dutch_catalog(tmp_path):
    """Run makemessages on a copy of the code and compare: nothing may be missing."""
    from tests.conftest import skip_or_fail

    if shutil.which("xgettext") is None:
        skip_or_fail("GNU gettext (xgettext) is not installed")
    for name in ("config", "pleegzorg", "placements", "constellations", "templates", "locale"):
        shutil.copytree(
            ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo")
        )
    shutil.copy(ROOT / "manage.py", tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "nl", "--no-location", "--no-obsolete"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )
    catalog = read_po((tmp_path / "locale/nl/LC_MESSAGES/django.po").open("rb"), locale="nl")
    missing = [m.id for m in catalog if m.id and (m.fuzzy or not m.string or m.string == ("", ""))]
    assert missing == [], "run `make messages` and translate these"


def test_env_example_documents_every_variable_the_settings_read():
    import re

    source = "\n".join(p.read_text() for p in (ROOT / "config").rglob("*.py"))
    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', source))
    read |= set(re.findall(r'required\(\s*"([A-Z_]+)"', source))
    documented = set(re.findall(r"^#? ?([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read, "no variables found: the pattern is out of date"
    assert read - documented == set()


def test_a_web_process_freezes_what_it_loaded_and_collects_garbage_less_often():
    """config.wsgi (what gunicorn loads in each worker): Django and the apps out of the cyclic
    collector's way, and its youngest generation collected after 50,000 objects, not 700."""
    code = (
        "import gc\n"
        "before = gc.get_freeze_count()\n"
        "import config.wsgi\n"
        "print(before, gc.get_freeze_count(), *gc.get_threshold())\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    before, frozen, *threshold = map(int, result.stdout.split())
    assert before == 0
    assert frozen > 10_000  # Django and the project, not a handful of objects
    assert threshold == [50_000, 50, 100]
